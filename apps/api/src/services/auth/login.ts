// Signing in and out of the dashboard: a session token in an httpOnly SameSite cookie, stored as
// its SHA-256. A temporary password (an administrator's reset) opens a `password_change` session,
// good only for choosing a new password, and opens nothing once its 72 hours are over.
//
// Failed attempts are throttled in the database, shared by every replica (@mai/domain's
// sign-in-throttle.ts for the rule, @mai/db's auth-throttle.ts for the atomic counts): a browser
// the account signed in from before (a known device, ./devices.ts) only on its own count; any other
// attempt on the account's count and the client address's. A refused attempt is answered before
// any password is hashed.
import { stringifySetCookie } from "cookie";
import {
  admitSignInAttempt,
  appendAudit,
  clearSignInFailures,
  createSession,
  deleteSession,
  getAuthUser,
  getUserByEmail,
  pruneSignInThrottle,
  returnSignInAttempt,
  type AuthUser,
  type SessionPurpose,
} from "@mai/db";
import { domainError, DomainError, throttledMessage, throttleKey, type ThrottleScope } from "@mai/domain";
import type { Context } from "../../context";
import { SESSION_COOKIE } from "../../context";
import { recognizeDevice, rememberDevice } from "./devices";
import { verifyPassword } from "./passwords";
import { generateSessionToken } from "./tokens";

export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** A password_change session lasts an hour at most (and never beyond the temporary password's deadline). */
export const PASSWORD_CHANGE_SESSION_TTL_MS = 60 * 60 * 1000;

function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return stringifySetCookie({
    name: SESSION_COOKIE,
    value,
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    maxAge: maxAgeSeconds,
    secure,
  });
}

export function clearSessionCookie(ctx: Context): void {
  ctx.setCookie(sessionCookie("", 0, ctx.request.secure));
}

/** A new session for the user, its cookie set on the response. Run inside the caller's transaction when given one. */
export async function openSession(
  ctx: Context,
  db: Parameters<typeof createSession>[0],
  userId: string,
  purpose: SessionPurpose,
  now: Date,
  expiresAt: Date,
): Promise<void> {
  const session = generateSessionToken();
  await createSession(db, {
    userId,
    tokenHash: session.hash,
    expiresAt,
    userAgent: ctx.request.userAgent,
    ip: ctx.request.ip,
    purpose,
  });
  const seconds = Math.max(1, Math.round((expiresAt.getTime() - now.getTime()) / 1000));
  ctx.setCookie(sessionCookie(session.token, seconds, ctx.request.secure));
}

/** The signed-in user as auth.me and auth.login answer: with whether they must choose a new password first. */
export type Me = AuthUser & { mustChangePassword: boolean };

/** A refused attempt: the wait in words, and in data (retryAfterSeconds) for clients. */
export function throttled(scope: ThrottleScope, waitMs: number): DomainError {
  return new DomainError("THROTTLED", throttledMessage(scope, waitMs), {
    details: { retryAfterSeconds: Math.ceil(waitMs / 1000) },
  });
}

export async function login(ctx: Context, input: { email: string; password: string }): Promise<Me> {
  const { deps, request } = ctx;
  const { db } = deps;
  const email = input.email.trim().toLowerCase();
  const now = deps.now();
  const found = await getUserByEmail(db, email);
  const user = found && !found.disabledAt ? found : undefined;

  // Which counts this attempt is checked on: a known device's own, or the account's and the address's.
  const device = user ? await recognizeDevice(ctx, user.id, now) : undefined;
  const keys = device ? [device.key] : [throttleKey("account", email), throttleKey("address", request.ip)];
  const admission = await admitSignInAttempt(db, keys, now);
  if (!admission.admitted) throw throttled(admission.scope, admission.waitMs);

  // The attempt is counted as a failure until the password proves right.
  const ok = await verifyPassword(input.password, user?.passwordHash ?? null);
  if (!user || !ok) {
    await pruneSignInThrottle(db, now);
    throw domainError("UNAUTHENTICATED", "auth.wrongCredentials");
  }
  const temporaryUntil = user.passwordTemporaryUntil;
  if (temporaryUntil && temporaryUntil.getTime() <= now.getTime()) {
    // Said only to whoever gave the right temporary password; it still counts as a failure.
    throw domainError("UNAUTHENTICATED", "auth.temporaryExpired");
  }

  // The owner: their own counts start again; the address gets back the one this attempt took.
  if (device) {
    await clearSignInFailures(db, [device.key]);
  } else {
    await clearSignInFailures(db, [throttleKey("account", email)]);
    await returnSignInAttempt(db, throttleKey("address", request.ip), now);
  }

  const purpose: SessionPurpose = temporaryUntil ? "password_change" : "full";
  const expiresAt =
    purpose === "full"
      ? new Date(now.getTime() + SESSION_TTL_MS)
      : new Date(Math.min(now.getTime() + PASSWORD_CHANGE_SESSION_TTL_MS, temporaryUntil!.getTime()));
  await openSession(ctx, db, user.id, purpose, now, expiresAt);
  await rememberDevice(ctx, user.id, device, now);
  await appendAudit(db, {
    actorUserId: user.id,
    actorKind: "user",
    action: "auth.login",
    targetType: "user",
    targetId: user.id,
    details: { purpose, knownDevice: Boolean(device) },
    ip: request.ip,
  });
  return { ...(await getAuthUser(db, user.id))!, mustChangePassword: purpose === "password_change" };
}

/** Ends the session this request came with (a token-authenticated request has none) and clears the cookie. */
export async function logout(ctx: Context): Promise<{ ok: true }> {
  if (ctx.auth?.kind === "session") await deleteSession(ctx.deps.db, ctx.auth.sessionHash);
  clearSessionCookie(ctx);
  return { ok: true };
}
