// Signing in and out of the dashboard: a session token in an httpOnly SameSite cookie, stored as
// its SHA-256. Failed attempts are throttled per account and per IP (./throttle.ts).
import { stringifySetCookie } from "cookie";
import { appendAudit, createSession, deleteSession, getAuthUser, getUserByEmail, type AuthUser } from "@mai/db";
import { DomainError } from "@mai/domain";
import type { Context } from "../../context";
import { SESSION_COOKIE } from "../../context";
import { verifyPassword } from "./passwords";
import { generateSessionToken } from "./tokens";

export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return stringifySetCookie({ name: SESSION_COOKIE, value, path: "/", httpOnly: true, sameSite: "lax", maxAge: maxAgeSeconds, secure });
}

export function clearSessionCookie(ctx: Context): void {
  ctx.setCookie(sessionCookie("", 0, ctx.request.secure));
}

export async function login(ctx: Context, input: { email: string; password: string }): Promise<AuthUser> {
  const { deps, request } = ctx;
  const account = input.email.trim().toLowerCase();
  const now = deps.now();
  const wait = deps.throttle.retryAfterMs(account, request.ip, now.getTime());
  if (wait > 0) {
    throw new DomainError(
      "THROTTLED",
      `Too many failed sign-in attempts. Try again in ${Math.ceil(wait / 60_000)} minute(s).`,
    );
  }
  const user = await getUserByEmail(deps.db, account);
  const ok = await verifyPassword(input.password, user && !user.disabledAt ? user.passwordHash : null);
  if (!user || !ok) {
    deps.throttle.recordFailure(account, request.ip, now.getTime());
    throw new DomainError("UNAUTHENTICATED", "Wrong e-mail or password.");
  }
  deps.throttle.recordSuccess(account);
  const session = generateSessionToken();
  await createSession(deps.db, {
    userId: user.id,
    tokenHash: session.hash,
    expiresAt: new Date(now.getTime() + SESSION_TTL_MS),
    userAgent: request.userAgent,
    ip: request.ip,
  });
  await appendAudit(deps.db, { actorUserId: user.id, actorKind: "user", action: "auth.login", targetType: "user", targetId: user.id, ip: request.ip });
  ctx.setCookie(sessionCookie(session.token, SESSION_TTL_MS / 1000, request.secure));
  return (await getAuthUser(deps.db, user.id))!;
}

/** Ends the session this request came with (a token-authenticated request has none) and clears the cookie. */
export async function logout(ctx: Context): Promise<{ ok: true }> {
  if (ctx.auth?.kind === "session") await deleteSession(ctx.deps.db, ctx.auth.sessionHash);
  clearSessionCookie(ctx);
  return { ok: true };
}
