// Who is asking, resolved once per request: a session cookie (dashboard), a personal API token
// (`Authorization: Bearer mai_…`, chat clients), or the internal token (`X-Mai-Internal-Token`,
// the proxy). The context carries the deps, so procedures never reach for globals.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseCookie } from "cookie";
import proxyAddr from "proxy-addr";
import { findSessionUser, findTokenUser, type AuthUser, type Organization } from "@mai/db";
import { looksLikeApiToken, parseBearer, type TokenScope } from "@mai/domain";
import type { AppDeps } from "./deps";
import type { Logger } from "./logger";
import { safeEqual, sha256 } from "./services/auth/tokens";

export const SESSION_COOKIE = "mai_session";
/** A browser an account signed in from before (services/auth/devices.ts): sign-in throttling spares it. */
export const DEVICE_COOKIE = "mai_device";
export const INTERNAL_TOKEN_HEADER = "x-mai-internal-token";

export interface RequestInfo {
  /** The client's address: the socket's, or behind a trusted proxy (MAI_TRUST_PROXY) the forwarded one. */
  ip: string;
  userAgent: string | null;
  secure: boolean;
  /** The known-device cookie's value, if the browser sent one. */
  deviceCookie?: string | undefined;
}

export interface Context {
  deps: AppDeps;
  log: Logger;
  requestId: string;
  request: RequestInfo;
  user: AuthUser | null;
  /**
   * How the user authenticated, which decides what they may do (the builders in trpc/procedures.ts):
   * a dashboard session (ended by logout; a password_change one only changes the password), a
   * personal token of a scope (ended by revoke; "chat" or "manage"), or an operator's in-process
   * call (local-caller.ts: the `mai` CLI on a stopped stack, which holds the database anyway).
   * Sessions and tokens are looked up on every request, so an ended one is refused at once.
   * An Open WebUI session (services/openwebui/, vouched for by that Open WebUI) exists only in
   * the context server.ts builds for Open WebUI's two settings endpoints, whose caller reaches
   * settings.get and settings.update and nothing else.
   */
  auth:
    | { kind: "session"; sessionHash: string; purpose: "full" | "password_change" }
    | { kind: "token"; tokenId: string; scope: TokenScope }
    | { kind: "operator" }
    | { kind: "openwebui"; instance: string }
    | null;
  internal: boolean;
  setCookie: (cookie: string) => void;
}

/** A context whose user is signed in (what authedProcedure and every builder above it guarantee). */
export type AuthedContext = Context & { user: AuthUser };

// What the procedure builders (trpc/procedures.ts) decided and inject into ctx, so a service
// receives an already-authorized scope and never decides access itself.

/**
 * The organisations a caller may see: every one (the provider naming none), or one — the one the
 * provider named, or a client administrator's own (null before they have one: they see nothing).
 */
export type TenantScope = { all: true } | { all: false; organizationId: string | null };

/** Whose usage a usage.* procedure shows. */
export interface UsageScope {
  organization: Organization;
  /** Set when the view is one user's usage: always for members, on request for administrators. */
  userId: string | null;
  /** True when the caller is a member (their view is their own usage, never the organisation's). */
  ownUsageOnly: boolean;
}

/** Which user mappings userMapping.validate / statistics show. */
export interface MappingScope {
  /** null: every organisation (the provider without an organizationId). */
  organization: Organization | null;
  /** The provider looks at the whole system and may see users outside any organisation. */
  provider: boolean;
}

/** The session cookie's value, if any. The `cookie` package never throws on a malformed escape. */
export function sessionCookieValue(header: string | undefined): string | undefined {
  return header ? parseCookie(header)[SESSION_COOKIE] : undefined;
}

/** Cookies are Secure when the dashboard's public URL is https (TLS ends at a proxy in front). */
export function isSecureDeployment(deps: AppDeps): boolean {
  return deps.env.MAI_PUBLIC_URL?.startsWith("https://") ?? false;
}

/**
 * The client's address. X-Forwarded-For is believed only from the proxies MAI_TRUST_PROXY names
 * (proxy-addr walks the header from the socket outwards and stops at the first untrusted hop);
 * without it the header is ignored, so a client cannot choose its own address.
 */
export function clientAddress(req: IncomingMessage, deps: AppDeps): string {
  if (deps.trustProxy && req.socket.remoteAddress) return proxyAddr(req, deps.trustProxy);
  return req.socket.remoteAddress ?? "unknown";
}

export function requestInfo(req: IncomingMessage, deps: AppDeps): RequestInfo {
  return {
    ip: clientAddress(req, deps),
    deviceCookie: req.headers.cookie ? parseCookie(req.headers.cookie)[DEVICE_COOKIE] : undefined,
    userAgent: req.headers["user-agent"] ?? null,
    secure: isSecureDeployment(deps),
  };
}

export async function resolveIdentity(
  deps: AppDeps,
  headers: IncomingMessage["headers"],
): Promise<Pick<Context, "user" | "auth" | "internal">> {
  const internalHeader = headers[INTERNAL_TOKEN_HEADER];
  const internalToken = deps.env.MAI_INTERNAL_TOKEN;
  const internal =
    typeof internalHeader === "string" &&
    internalToken !== undefined &&
    safeEqual(internalHeader, internalToken);

  const now = deps.now();
  const bearer = parseBearer(headers.authorization);
  if (bearer && looksLikeApiToken(bearer)) {
    const found = await findTokenUser(deps.db, sha256(bearer), now);
    if (!found) return { user: null, auth: null, internal };
    const { tokenId, scope, ...user } = found;
    return { user, auth: { kind: "token", tokenId, scope }, internal };
  }
  const session = sessionCookieValue(headers.cookie);
  if (session) {
    const sessionHash = sha256(session);
    const found = await findSessionUser(deps.db, sessionHash, now);
    if (!found) return { user: null, auth: null, internal };
    const { purpose, ...user } = found;
    return { user, auth: { kind: "session", sessionHash, purpose }, internal };
  }
  return { user: null, auth: null, internal };
}

export async function createContextFromRequest(
  deps: AppDeps,
  req: IncomingMessage,
  res: ServerResponse,
  /** Who is asking when the server already knows (an Open WebUI session); otherwise resolved from the headers. */
  known?: Pick<Context, "user" | "auth" | "internal">,
): Promise<Context> {
  // The server assigns the id (validated) before anything else runs.
  const header = req.headers["x-request-id"];
  const requestId = typeof header === "string" && header ? header : randomUUID();
  const identity = known ?? (await resolveIdentity(deps, req.headers));
  return {
    deps,
    log: deps.logger.child({ requestId, userId: identity.user?.id }),
    requestId,
    request: requestInfo(req, deps),
    ...identity,
    setCookie: (cookie) => {
      const prior = res.getHeader("set-cookie");
      res.setHeader("set-cookie", [...(Array.isArray(prior) ? prior : prior ? [String(prior)] : []), cookie]);
    },
  };
}
