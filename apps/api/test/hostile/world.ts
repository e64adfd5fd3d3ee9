// The world a hostile property runs in: an API server on loopback, organisations, users of every
// role with personal tokens, a few usage events, keys the simulator knows; one typed tRPC client
// per identity whose fetch records every raw response (status and body, for the leak check); row
// counts of every table; the number of keys the simulator holds; and a recorder of unhandled
// errors (additive to vitest's own handlers, which still report and fail the run).
import { createApiToken, schema, type AuthUser } from "@mai/db";
import { fakeOpenRouterKey, getTableName, is, PgPreparedQuery, PgTable, queryRows, sql } from "@mai/db/testing";
import { externalUserId, type UsageEvent } from "@mai/domain";
import { createTRPCClient, httpLink, type TRPCClient } from "@trpc/client";
import { randomBytes, randomUUID } from "node:crypto";
import superjson from "superjson";
import { createApiServer, type ApiServer } from "../../src/server";
import type { AppRouter } from "../../src/routers/_app";
import { hashPassword } from "../../src/services/auth/passwords";
import { generateApiToken } from "../../src/services/auth/tokens";
import { INTERNAL_TOKEN, usageBatch, type Harness } from "../harness";

export type Identity = "anonymous" | "member" | "adminA" | "adminB" | "provider" | "internal";
export const IDENTITIES: readonly Identity[] = [
  "anonymous",
  "member",
  "adminA",
  "adminB",
  "provider",
  "internal",
];

interface RawResponse {
  status: number;
  body: string;
}

interface RecordingClient {
  client: TRPCClient<AppRouter>;
  /** The last raw response this client received (reset before each call by the caller). */
  last: RawResponse | null;
}

export const PASSWORD = "correct horse battery staple";

// ---------------------------------------------------------------------------------------------
// Unhandled errors, observed without being swallowed. vitest fails a run on an unhandled error,
// but only while its own listener is the only one ("another listener means user code handles
// it"). So no listener is added: vitest's listeners are wrapped in place by functions that note the
// error (to stop waiting for a response that will never come, and to name the defect) and then call
// vitest's listener, which reports it and fails the run as before. Outside vitest (no listeners),
// nothing is wrapped and an unhandled error ends the process, as it should.

export interface UnhandledRecorder {
  errors: string[];
  /** Resolves when the next unhandled error is noted (used to stop waiting for a response). */
  next(): Promise<string>;
  dispose(): void;
}

type Listener = (...args: unknown[]) => void;
const EVENTS = ["uncaughtException", "unhandledRejection"] as const;

export function recordUnhandled(): UnhandledRecorder {
  const errors: string[] = [];
  let waiters: ((e: string) => void)[] = [];
  const note = (kind: string, error: unknown) => {
    const text = `${kind}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
    errors.push(text);
    const w = waiters;
    waiters = [];
    for (const resolve of w) resolve(text);
  };
  const restore: (() => void)[] = [];
  for (const event of EVENTS) {
    for (const original of process.listeners(event as "uncaughtException") as unknown as Listener[]) {
      const wrapper: Listener = (...args) => {
        note(event, args[0]);
        original.apply(process, args);
      };
      const emitter = process as unknown as NodeJS.EventEmitter;
      emitter.removeListener(event, original);
      emitter.on(event, wrapper);
      restore.push(() => {
        emitter.removeListener(event, wrapper);
        emitter.on(event, original);
      });
    }
  }
  return {
    errors,
    next: () => new Promise((resolve) => waiters.push(resolve)),
    dispose() {
      for (const undo of restore.splice(0)) undo();
    },
  };
}

// Database errors, as the driver raised them (SQLSTATE and message), to name the cause of a 5xx:
// the API logs a failed procedure by error name only (driver messages embed parameters), which
// cannot tell a NUL in a text column from a foreign key. drizzle's one query path is wrapped; the
// error is noted and rethrown unchanged.

export interface DbErrorRecorder {
  errors: string[];
  dispose(): void;
}

export function recordDbErrors(): DbErrorRecorder {
  const errors: string[] = [];
  const proto = PgPreparedQuery.prototype as unknown as {
    queryWithCache: (...args: unknown[]) => Promise<unknown>;
  };
  const original = proto.queryWithCache;
  proto.queryWithCache = async function (this: unknown, ...args: unknown[]) {
    try {
      return await original.apply(this, args);
    } catch (error) {
      let cause: unknown = error;
      while ((cause as { cause?: unknown }).cause) cause = (cause as { cause?: unknown }).cause;
      const c = cause as { code?: unknown; message?: string; name?: string };
      errors.push(
        `${typeof c.code === "string" ? c.code : (c.name ?? "Error")} ${String(c.message ?? cause).slice(0, 160)}`,
      );
      throw error;
    }
  };
  return {
    errors,
    dispose() {
      proto.queryWithCache = original;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Server, tables, upstream keys

export interface Server {
  api: ApiServer;
  url: string;
  port: number;
}

export async function startServer(h: Harness): Promise<Server> {
  const api = createApiServer(h.deps);
  const { url, port } = await api.listen(0, "127.0.0.1");
  return { api, url, port };
}

/**
 * Tables a refused request may change on purpose: a refused sign-in is what the throttle counts
 * (auth_throttle holds one row per account, address or device that failed).
 */
const COUNTS_REFUSALS = new Set(["auth_throttle"]);

/** Every table of the drizzle schema (so a new table is counted automatically), but those that count refusals. */
export function schemaTables(): string[] {
  return (Object.values(schema) as unknown[])
    .filter((v): v is PgTable => is(v, PgTable))
    .map((t) => getTableName(t))
    .filter((name) => !COUNTS_REFUSALS.has(name))
    .sort();
}

export async function tableCounts(h: Harness, tables: readonly string[]): Promise<Record<string, number>> {
  const select = tables.map((t) => `(select count(*)::int from "${t}") as "${t}"`).join(", ");
  const [row] = await queryRows<Record<string, number>>(h.t.db, sql.raw(`select ${select}`));
  return { ...row! };
}

export function countDiff(before: Record<string, number>, after: Record<string, number>): string[] {
  const out: string[] = [];
  for (const t of Object.keys(before))
    if (before[t] !== after[t]) out.push(`${t} ${before[t]} → ${after[t]}`);
  return out;
}

/** How many keys the simulator holds (the management API's ledger of minted keys). */
export async function simKeyCount(h: Harness): Promise<number> {
  const res = await fetch(`${h.sim.origin}/__sim/keys`);
  const body = (await res.json()) as { data: unknown[] };
  return body.data.length;
}

// ---------------------------------------------------------------------------------------------
// Logs: the error lines a call produced (name and code of the cause: the defect's signature)

export function errorLogsSince(h: Harness, from: number): string[] {
  const out: string[] = [];
  for (const line of h.logs.slice(from)) {
    let parsed: {
      level?: number;
      msg?: string;
      err?: { name?: string; code?: unknown; message?: string; type?: string };
      path?: string;
    };
    try {
      parsed = JSON.parse(line) as typeof parsed;
    } catch {
      continue;
    }
    if ((parsed.level ?? 0) < 50) continue;
    const err = parsed.err;
    out.push(
      `${parsed.msg ?? "?"}${err ? ` [${err.name ?? err.type ?? "?"}${typeof err.code === "string" || typeof err.code === "number" ? ` ${err.code}` : ""}${err.message ? `: ${err.message.slice(0, 120)}` : ""}]` : ""}`,
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The world

export interface World {
  server: Server;
  orgA: { id: string; key: string; admin: AuthUser; name: string };
  orgB: { id: string; key: string; admin: AuthUser };
  member: AuthUser;
  member2: AuthUser;
  provider: AuthUser;
  /** A user with a known password (PASSWORD), member of A. */
  loginUser: AuthUser;
  /** Keys the simulator knows and no organisation holds (the org sync can create/claim with them). */
  freeSimKeys: string[];
  /** Personal tokens of the signed-in identities. */
  tokens: Record<Exclude<Identity, "anonymous" | "internal">, string>;
  /** A spare token id of each user (revocable without losing the identity). */
  spareTokenIds: string[];
  generationIds: string[];
  clients: Record<Identity, RecordingClient>;
}

function recordingClient(url: string, headers: Record<string, string>): RecordingClient {
  const rc: RecordingClient = { client: undefined as never, last: null };
  const recordingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const res = await fetch(input, init);
    const body = await res.text();
    rc.last = { status: res.status, body };
    const nullBody = res.status === 204 || res.status === 304;
    return new Response(nullBody ? null : body, {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
    });
  };
  rc.client = createTRPCClient<AppRouter>({
    links: [
      httpLink({ url: `${url}/trpc`, transformer: superjson, headers: () => headers, fetch: recordingFetch }),
    ],
  });
  return rc;
}

/**
 * A personal token of `user`: an administrator's is a manage token, so hostile input reaches the
 * dashboard's procedures and their input schemas (a chat token is refused before its input is
 * read); a member's is a chat token, as any member's is.
 */
async function tokenFor(
  h: Harness,
  user: AuthUser,
  name = "hostile",
): Promise<{ token: string; id: string }> {
  const token = generateApiToken();
  const row = await createApiToken(h.t.db, {
    userId: user.id,
    name,
    prefix: token.prefix,
    tokenHash: token.hash,
    scope: user.role === "member" ? "chat" : "manage",
  });
  return { token: token.token, id: row.id };
}

let passwordHash: Promise<string> | undefined;

export async function createWorld(h: Harness, server: Server): Promise<World> {
  const provider = await h.user("provider_admin");
  // The provisioning key: organisations can be created with a minted key, keys rotated.
  await h.caller(provider).globalSettings.update({ provisioningKey: h.sim.managementKey });
  const a = await h.org();
  const b = await h.org();
  const nameA = (
    await queryRows<{ name: string }>(h.t.db, sql`select name from client_organizations where id = ${a.id}`)
  )[0]!.name;
  const member = await h.user("member", { organizationId: a.id });
  const member2 = await h.user("member", { organizationId: a.id });
  passwordHash ??= hashPassword(PASSWORD);
  const loginUser = await h.user("member", { organizationId: a.id, passwordHash: await passwordHash });
  const freeSimKeys = Array.from(
    { length: 3 },
    () => h.sim.addKey({ key: fakeOpenRouterKey(randomBytes(8).toString("hex")) }).key,
  );

  const users = { member, adminA: a.admin, adminB: b.admin, provider } as const;
  const tokens = {} as World["tokens"];
  const spareTokenIds: string[] = [];
  for (const [who, user] of Object.entries(users) as [keyof typeof users, AuthUser][]) {
    tokens[who] = (await tokenFor(h, user)).token;
    spareTokenIds.push((await tokenFor(h, user, "spare")).id);
  }

  // A few usage events for A, so usage reports and cursors have rows to walk.
  const generationIds: string[] = [];
  const events: UsageEvent[] = [member, a.admin].flatMap((user, i) =>
    [0, 1, 2].map((j) => {
      const generationId = `gen-hostile-${randomUUID()}`;
      generationIds.push(generationId);
      return {
        generationId,
        organizationId: a.id,
        userId: user.id,
        externalUserId: externalUserId(a.id, user.id),
        model: j === 0 ? "openai/gpt-4o-mini" : "anthropic/claude-3.5-sonnet",
        provider: "OpenAI",
        promptTokens: 10 + i,
        completionTokens: 5 + j,
        rawCostNano: 4_205n + BigInt(j),
        markupBp: 13_000,
        status: "ok" as const,
        streamed: j % 2 === 0,
        latencyMs: 120,
        ttfbMs: 40,
        occurredAt: new Date(Date.now() - (i * 3 + j) * 3_600_000),
      };
    }),
  );
  await h.internal().internal.recordUsage(usageBatch(events));

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const clients: Record<Identity, RecordingClient> = {
    // A browser on the dashboard's own page (its Origin), so public mutations get past the CSRF check.
    anonymous: recordingClient(server.url, { origin: server.url }),
    member: recordingClient(server.url, bearer(tokens.member)),
    adminA: recordingClient(server.url, bearer(tokens.adminA)),
    adminB: recordingClient(server.url, bearer(tokens.adminB)),
    provider: recordingClient(server.url, bearer(tokens.provider)),
    internal: recordingClient(server.url, { "x-mai-internal-token": INTERNAL_TOKEN }),
  };
  return {
    server,
    orgA: { ...a, name: nameA },
    orgB: b,
    member,
    member2,
    provider,
    loginUser,
    freeSimKeys,
    tokens,
    spareTokenIds,
    generationIds,
    clients,
  };
}
