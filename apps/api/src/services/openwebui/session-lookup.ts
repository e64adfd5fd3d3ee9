// Open WebUI is the authority on its own sessions: the API never checks an Open WebUI JWT itself
// (it would need WEBUI_SECRET_KEY, and would miss a deleted user or a role changed a moment ago),
// it asks that Open WebUI who the credential belongs to — `GET /api/v1/auths/`, the session-user
// endpoint of 0.6.x and newer (README: "Open WebUI sessions") — and keeps the answer for a short
// TTL, so a burst of saves costs one question. When MAI_OPENWEBUI_ADMIN_GROUP is set, the groups a
// new `user` belongs to are asked the same way (`GET /api/v1/groups/`). The credential is held only in this call: the
// cache is keyed by its SHA-256, nothing here logs it, and no redirect can carry it elsewhere.
import { z } from "zod";
import type { OpenWebUiInstance } from "../../env";
import { HttpProblem } from "../../http";
import type { Logger } from "../../logger";
import { sha256 } from "../auth/tokens";

/** Open WebUI's session user, as much of it as the API uses (its answer has more: ignored). */
const sessionUserSchema = z.looseObject({
  id: z.string().trim().min(1).max(200),
  email: z
    .string()
    .trim()
    .max(320)
    .optional()
    // An address Open WebUI holds but we cannot use is no address: never matched, never stored.
    .transform((email) => (email && z.email().safeParse(email).success ? email : undefined)),
  name: z.string().max(1000).optional(),
  role: z.string().trim().min(1).max(100),
});
export type OpenWebUiSessionUser = z.infer<typeof sessionUserSchema>;

/**
 * Open WebUI's `GET /api/v1/groups/` for the session's own user (routers/groups.py, get_groups):
 * to a `user`, the groups they are a member of; to an `admin`, every group (so it says nothing of
 * an admin's membership). Each is a GroupResponse; only its name is used.
 */
const groupsSchema = z.array(z.looseObject({ name: z.string().max(1000) })).max(10_000);

/** Open WebUI refused the credential (401/403): remembered briefly, so a forged token cannot make us ask in a loop. */
const REFUSED = "refused" as const;
/** The longest a refusal is remembered, whatever the TTL: a user who signs in again is not kept out for long. */
const REFUSAL_TTL_MS = 5_000;
/** Answers kept at once; the oldest goes first beyond it (each is a few hundred bytes). */
const MAX_ENTRIES = 10_000;
/** An answer larger than this is not a session user. */
const MAX_ANSWER_BYTES = 64 * 1024;
/** A group list carries each group's permissions and metadata: a larger bound. */
const MAX_GROUPS_BYTES = 4 * 1024 * 1024;

type Answer = OpenWebUiSessionUser | readonly string[] | typeof REFUSED;

export interface OpenWebUiSessions {
  /** Who Open WebUI says `credential` belongs to; HttpProblem 401 (refused) or 503 (unreachable, 5xx, unreadable). */
  lookup(instance: OpenWebUiInstance, credential: string): Promise<OpenWebUiSessionUser>;
  /** The names of the groups Open WebUI lists to this session (see groupsSchema); the same failures. */
  groupNames(instance: OpenWebUiInstance, credential: string): Promise<readonly string[]>;
}

export const SESSION_REFUSED_MESSAGE =
  "Open WebUI did not accept this session (signed out, expired or not its token): sign in to Open WebUI again.";

export function createOpenWebUiSessions(options: {
  ttlMs: number;
  timeoutMs: number;
  now: () => Date;
  logger: Logger;
}): OpenWebUiSessions {
  const cache = new Map<string, { answer: Answer; until: number }>();
  const inFlight = new Map<string, Promise<Answer>>();

  const unavailable = (instance: OpenWebUiInstance, reason: string, fields: Record<string, unknown> = {}) => {
    // The reason is ours (a status, an error's name): never the credential, never a library's text.
    options.logger.warn({ instance: instance.name, reason, ...fields }, "open webui session lookup failed");
    return new HttpProblem(
      503,
      `Open WebUI (${instance.name}) could not be asked who this session belongs to; nothing was saved in mAI. Try again in a moment.`,
    );
  };

  /** Asks `path` with the credential: REFUSED on 401/403, the parsed answer, or HttpProblem 503. */
  async function ask<T extends Answer>(
    instance: OpenWebUiInstance,
    credential: string,
    path: string,
    read: (parsed: unknown) => T | undefined,
    maxBytes: number,
  ): Promise<T | typeof REFUSED> {
    let response: Response;
    try {
      response = await fetch(`${instance.url}${path}`, {
        headers: { authorization: `Bearer ${credential}`, accept: "application/json" },
        // A redirect would carry the credential to wherever it points: treated as a failure.
        redirect: "manual",
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      const name = (error as Error | undefined)?.name;
      throw unavailable(instance, name === "TimeoutError" ? "timeout" : "unreachable", {
        path,
        err: { name },
      });
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      return REFUSED;
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw unavailable(instance, "status", { path, status: response.status });
    }
    const text = await boundedText(response, maxBytes).catch(() => undefined);
    let parsed: unknown;
    try {
      parsed = text === undefined ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const answer = read(parsed);
    if (answer === undefined) throw unavailable(instance, "unreadable answer", { path });
    return answer;
  }

  const askSessionUser = (instance: OpenWebUiInstance, credential: string) =>
    ask(
      instance,
      credential,
      "/api/v1/auths/",
      (parsed) => sessionUserSchema.safeParse(parsed).data,
      MAX_ANSWER_BYTES,
    );
  const askGroupNames = (instance: OpenWebUiInstance, credential: string) =>
    ask(
      instance,
      credential,
      "/api/v1/groups/",
      (parsed) => groupsSchema.safeParse(parsed).data?.map((group) => group.name),
      MAX_GROUPS_BYTES,
    );

  function remember(key: string, answer: Answer): void {
    const ttl = answer === REFUSED ? Math.min(options.ttlMs, REFUSAL_TTL_MS) : options.ttlMs;
    if (ttl <= 0) return;
    cache.delete(key);
    if (cache.size >= MAX_ENTRIES) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    cache.set(key, { answer, until: options.now().getTime() + ttl });
  }

  /** The cached answer of `what` for this credential, or one question shared by concurrent callers. */
  async function cached<T extends Answer>(
    what: string,
    instance: OpenWebUiInstance,
    credential: string,
    question: () => Promise<T | typeof REFUSED>,
  ): Promise<T> {
    // One instance's answer says nothing about another's: the instance is part of the key.
    const key = `${what}\u0000${instance.name}\u0000${sha256(credential)}`;
    const hit = cache.get(key);
    let answer: Answer;
    if (hit && hit.until > options.now().getTime()) {
      answer = hit.answer;
    } else {
      if (hit) cache.delete(key);
      // Concurrent requests with one credential share one question.
      let pending = inFlight.get(key);
      if (!pending) {
        pending = question().finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
        pending.then(
          (fresh) => remember(key, fresh),
          () => undefined,
        );
      }
      answer = await pending;
    }
    if (answer === REFUSED) throw new HttpProblem(401, SESSION_REFUSED_MESSAGE);
    return answer as T;
  }

  return {
    lookup: (instance, credential) =>
      cached("user", instance, credential, () => askSessionUser(instance, credential)),
    groupNames: (instance, credential) =>
      cached("groups", instance, credential, () => askGroupNames(instance, credential)),
  };
}

/** The answer's text, refused beyond `maxBytes` (declared or read). */
async function boundedText(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > maxBytes) throw new Error("too large");
  if (!response.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    // Leaving the loop early cancels the stream.
    if (size > maxBytes) throw new Error("too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
