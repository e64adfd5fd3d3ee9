// Who is calling, resolved through internal.resolveContext and cached in-process for
// MAI_PROXY_IDENTITY_TTL_MS (default 30 s): a revoked token or a deactivated organisation takes
// effect within that time. Concurrent misses for one caller share one API call; refusals are
// cached briefly too, so a wrong token cannot hammer the API.
//
// Two kinds of caller:
//   * a personal token (`Authorization: Bearer mai_…`): an Open WebUI *direct connection*, the SDKs;
//   * trusted-gateway mode (an Open WebUI *admin connection*, MAI_PROXY_GATEWAY_TOKEN): the Bearer
//     is the gateway token (compared in constant time) and the user is the one Open WebUI forwards —
//     the signed `X-OpenWebUI-User-Jwt` (verified with jose, HS256 only) when MAI_PROXY_GATEWAY_JWT_SECRET is set (then the plain
//     headers are ignored), otherwise `X-OpenWebUI-User-Id` / `-Email` / `-Name` (the name
//     percent-encoded UTF-8). Plain headers are only as trustworthy as the gateway token: anyone
//     holding it can claim any user, which is why the JWT is the recommended setting.
// Gateway identities are cached by the Open WebUI user id; the gateway token (and the JWT) is
// checked on every request, never skipped because of a cache hit. Neither the gateway token nor a
// JWT is ever logged or echoed in an error; of the forwarded identity only the user id is logged.
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import { looksLikeApiToken, parseBearer, unstorableTextReason } from "@mai/domain";
import type { Logger } from "pino";
import type { ApiClient, ResolvedContext } from "./api-client";
import type { ProxyEnv } from "./env";
import { apiMeaning, Errors, GatewayErrors, type ProxyError } from "./errors";

const NEGATIVE_TTL_MS = 5_000;
const MAX_ENTRIES = 50_000;
/** Clock skew tolerated on a JWT's exp / iat / nbf. */
export const JWT_CLOCK_SKEW_S = 60;
/** internal.resolveContext's limits on the forwarded identity. */
const MAX_USER_ID = 200;
const MAX_NAME = 300;
/** RFC 5321's longest address. */
const MAX_EMAIL = 254;

type Outcome = { ok: true; context: ResolvedContext } | { ok: false; error: ProxyError };

export interface GatewayOptions {
  /** The key configured on Open WebUI's admin connection. */
  token: string;
  /** Open WebUI's FORWARD_USER_INFO_HEADER_JWT_SECRET: when set, only a valid JWT identifies the user. */
  jwtSecret?: string | undefined;
  /** Unknown Open WebUI users join this organisation (single-organisation deployments). */
  autoJoinOrganizationId?: string | undefined;
}

export interface IdentityResolver {
  /** The caller of one request, from its headers (Authorization, and X-OpenWebUI-User-* for gateway requests). */
  resolve(headers: IncomingHttpHeaders): Promise<Outcome>;
  /**
   * OpenRouter refused `stale.openrouterKey` (401): the organisation's key changed (rotation, a new
   * key saved) while it was cached. Forgets every cached context of that organisation still carrying
   * that key, and resolves the caller afresh.
   */
  refresh(headers: IncomingHttpHeaders, stale: ResolvedContext): Promise<Outcome>;
  /** Forget a token (tests; an admin action could call this in the future). */
  evict(token: string): void;
  size(): number;
}

/** The identity Open WebUI forwarded, as internal.resolveContext takes it. */
export interface OpenWebUiUser {
  id: string;
  email?: string;
  name?: string;
}

/** The gateway settings from the proxy's environment (undefined: gateway mode is off). */
export function gatewayOptions(env: ProxyEnv): GatewayOptions | undefined {
  if (!env.MAI_PROXY_GATEWAY_TOKEN) return undefined;
  return {
    token: env.MAI_PROXY_GATEWAY_TOKEN,
    jwtSecret: env.MAI_PROXY_GATEWAY_JWT_SECRET,
    autoJoinOrganizationId: env.MAI_PROXY_AUTO_JOIN_ORGANIZATION_ID,
  };
}

const digest = (token: string) => createHash("sha256").update(token).digest("hex");

/** Constant-time equality of two secrets of any length (compares their SHA-256 digests). */
function secretEquals(a: string, b: string): boolean {
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}

/** One header's value; a repeated header (ambiguous) counts as absent. */
function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === "string" ? value : undefined;
}

/** Open WebUI sends the name as `quote(name, safe=" ")`: "%C5%81ukasz" → "Łukasz". */
export function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw).trim();
  } catch {
    return raw.trim(); // not valid percent-encoding: take it as it is
  }
}

export type JwtVerification =
  | { ok: true; user: OpenWebUiUser }
  | { ok: false; reason: "malformed" | "algorithm" | "signature" | "issuer" | "expired" | "not_yet_valid" | "subject" };

type JwtRefusal = Extract<JwtVerification, { ok: false }>["reason"];

/** Which rule a JWT broke, from the error jose threw (anything unforeseen counts as malformed). */
function refusalOf(error: unknown): JwtRefusal {
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return "algorithm";
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return "signature";
  // A signature that is not even base64url ("Failed to base64url decode the signature") is a wrong one.
  if (error instanceof joseErrors.JWSInvalid && /signature/i.test(error.message)) return "signature";
  if (error instanceof joseErrors.JWTExpired) return "expired";
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case "iss":
        return "issuer";
      case "exp":
        return "expired";
      case "iat":
      case "nbf":
        return "not_yet_valid";
      case "sub":
        return "subject";
    }
  }
  return "malformed";
}

const utf8 = new TextEncoder();

/**
 * Verifies Open WebUI's `X-OpenWebUI-User-Jwt` with jose: HS256 only (never "none" or another
 * algorithm the token names), signed with `secret`, iss "open-webui", exp in the future
 * (± JWT_CLOCK_SKEW_S), nbf — and iat, which jose checks only against a maximum age — not in the
 * future, a non-empty sub. The name claim is plain UTF-8 (JSON), not percent-encoded.
 */
export async function verifyOpenWebUiJwt(jwt: string, secret: string, nowMs: number): Promise<JwtVerification> {
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(jwt.trim(), utf8.encode(secret), {
      algorithms: ["HS256"],
      issuer: "open-webui",
      requiredClaims: ["exp", "sub"],
      clockTolerance: JWT_CLOCK_SKEW_S,
      currentDate: new Date(nowMs),
    }));
  } catch (error) {
    return { ok: false, reason: refusalOf(error) };
  }
  if (claims.iat !== undefined && claims.iat - JWT_CLOCK_SKEW_S > nowMs / 1000) return { ok: false, reason: "not_yet_valid" };
  const sub = typeof claims.sub === "string" ? claims.sub.trim() : "";
  if (!sub || sub.length > MAX_USER_ID) return { ok: false, reason: "subject" };
  const user: OpenWebUiUser = { id: sub };
  if (typeof claims.email === "string" && claims.email.trim()) user.email = claims.email.trim();
  if (typeof claims.name === "string" && claims.name.trim()) user.name = claims.name.trim().slice(0, MAX_NAME);
  return { ok: true, user };
}

/** The forwarded identity from the plain headers, or null when no user id is sent. */
export function openWebUiUserFromHeaders(headers: IncomingHttpHeaders): OpenWebUiUser | null {
  const id = header(headers, "x-openwebui-user-id")?.trim();
  if (!id) return null;
  const user: OpenWebUiUser = { id };
  const email = header(headers, "x-openwebui-user-email")?.trim();
  if (email) user.email = email;
  const rawName = header(headers, "x-openwebui-user-name");
  const name = rawName === undefined ? "" : decodeName(rawName);
  if (name) user.name = name.slice(0, MAX_NAME);
  return user;
}

/**
 * The forwarded identity as the database can store it, or null when its id or e-mail cannot be
 * (too long, a NUL, a lone surrogate — reachable through a percent-encoded name or a JWT's JSON):
 * refused here in words, rather than failing inside the API as a server error. The name is only
 * a display name: one that cannot be stored is left out rather than costing the user their chat.
 */
export function storableIdentity(user: OpenWebUiUser): OpenWebUiUser | null {
  if (user.id.length > MAX_USER_ID || unstorableTextReason(user.id)) return null;
  if (user.email !== undefined && (user.email.length > MAX_EMAIL || unstorableTextReason(user.email))) return null;
  if (user.name === undefined || unstorableTextReason(user.name) === null) return user;
  const { name: _dropped, ...rest } = user;
  return rest;
}

/**
 * The API refused the caller (errors.ts API_CODES has the refusal they get; cached briefly), or it
 * is down or failing: not the caller's fault, and not cached.
 */
function refusalOrUnavailable(refusal: (() => ProxyError) | undefined): { outcome: Outcome; cacheable: boolean } {
  return refusal
    ? { outcome: { ok: false, error: refusal() }, cacheable: true }
    : { outcome: { ok: false, error: Errors.apiUnavailable() }, cacheable: false };
}

export function createIdentityResolver(
  api: ApiClient,
  options: { ttlMs: number; now?: () => number; gateway?: GatewayOptions | undefined; logger?: Logger | undefined },
): IdentityResolver {
  const now = options.now ?? Date.now;
  const { gateway, logger } = options;
  const cache = new Map<string, { outcome: Outcome; expires: number }>();
  const inflight = new Map<string, Promise<Outcome>>();

  async function lookupToken(token: string): Promise<{ outcome: Outcome; cacheable: boolean }> {
    try {
      return { outcome: { ok: true, context: await api.internal.resolveContext.mutate({ token }) }, cacheable: true };
    } catch (error) {
      return refusalOrUnavailable(apiMeaning(error)?.token);
    }
  }

  async function lookupGatewayUser(user: OpenWebUiUser): Promise<{ outcome: Outcome; cacheable: boolean }> {
    const autoJoinOrganizationId = gateway?.autoJoinOrganizationId;
    try {
      const context = await api.internal.resolveContext.mutate({ openWebUiUser: user, ...(autoJoinOrganizationId ? { autoJoinOrganizationId } : {}) });
      logger?.debug({ openWebUiUserId: user.id, userId: context.user.id }, "gateway user resolved");
      return { outcome: { ok: true, context }, cacheable: true };
    } catch (error) {
      const looked = refusalOrUnavailable(apiMeaning(error)?.gatewayUser);
      if (looked.cacheable && !looked.outcome.ok) {
        logger?.info({ openWebUiUserId: user.id, organizationId: autoJoinOrganizationId, refusal: looked.outcome.error.code }, "gateway user refused");
      }
      return looked;
    }
  }

  function cached(key: string, lookup: () => Promise<{ outcome: Outcome; cacheable: boolean }>): Promise<Outcome> {
    const hit = cache.get(key);
    if (hit && hit.expires > now()) return Promise.resolve(hit.outcome);
    const pending = inflight.get(key);
    if (pending) return pending;
    const promise = lookup().then(({ outcome, cacheable }) => {
      inflight.delete(key);
      if (cacheable && options.ttlMs > 0) {
        cache.delete(key);
        if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
        cache.set(key, { outcome, expires: now() + (outcome.ok ? options.ttlMs : Math.min(NEGATIVE_TTL_MS, options.ttlMs)) });
      }
      return outcome;
    });
    inflight.set(key, promise);
    return promise;
  }

  async function resolveGateway(headers: IncomingHttpHeaders): Promise<Outcome> {
    let user: OpenWebUiUser | null;
    if (gateway?.jwtSecret) {
      const jwt = header(headers, "x-openwebui-user-jwt");
      if (!jwt) return { ok: false, error: GatewayErrors.invalidJwt() };
      const verified = await verifyOpenWebUiJwt(jwt, gateway.jwtSecret, now());
      if (!verified.ok) {
        logger?.warn({ reason: verified.reason }, "gateway request refused: invalid X-OpenWebUI-User-Jwt");
        return { ok: false, error: GatewayErrors.invalidJwt() };
      }
      user = verified.user;
    } else {
      user = openWebUiUserFromHeaders(headers);
    }
    if (!user) return { ok: false, error: GatewayErrors.missingUser() };
    const identity = storableIdentity(user);
    if (!identity) return { ok: false, error: GatewayErrors.invalidUser() };
    return cached(`owui:${identity.id}`, () => lookupGatewayUser(identity));
  }

  async function resolve(headers: IncomingHttpHeaders): Promise<Outcome> {
    const token = parseBearer(header(headers, "authorization"));
    if (!token) return { ok: false, error: Errors.missingAuth() };
    if (gateway && secretEquals(token, gateway.token)) return resolveGateway(headers);
    if (!looksLikeApiToken(token)) return { ok: false, error: Errors.invalidAuth() };
    return cached(`token:${digest(token)}`, () => lookupToken(token));
  }

  return {
    resolve,
    refresh(headers, stale) {
      // A scan, but a rare one (a key rotation): every member of the organisation would otherwise
      // meet the stale key once more.
      for (const [key, entry] of cache) {
        const outcome = entry.outcome;
        if (outcome.ok && outcome.context.organization.id === stale.organization.id && outcome.context.openrouterKey === stale.openrouterKey) cache.delete(key);
      }
      return resolve(headers);
    },
    evict(token) {
      cache.delete(`token:${digest(token)}`);
    },
    size: () => cache.size,
  };
}
