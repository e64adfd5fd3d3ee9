// A signed-in person's own password: changing it (the current one required; every session of the
// account ends and this browser gets a new full session — so a password_change session, opened
// with a temporary password, becomes a full one) and signing out everywhere. Audited; the audit
// never holds a password.
import {
  admitSignInAttempt,
  appendAudit,
  clearSignInFailures,
  deleteUserSessions,
  getAuthUser,
  getUserById,
  setUserPassword,
} from "@mai/db";
import { domainError, throttleKey } from "@mai/domain";
import type { ChangePasswordInput } from "@mai/domain/schemas";
import type { AuthedContext, Context } from "../../context";
import { clearSessionCookie, openSession, SESSION_TTL_MS, throttled, type Me } from "./login";
import { assertAcceptablePassword, hashPassword, verifyPassword } from "./passwords";

/** What passwordChangeProcedure and sessionProcedure guarantee: a user on a dashboard session. */
export type SessionContext = AuthedContext & { auth: Extract<Context["auth"], { kind: "session" }> };

export async function changePassword(ctx: SessionContext, input: ChangePasswordInput): Promise<Me> {
  const { deps, user, auth, request } = ctx;
  const { db } = deps;
  const now = deps.now();
  // The new password first: a weak choice is refused without spending a guess at the current one.
  assertAcceptablePassword(input.newPassword, user);
  if (input.newPassword === input.currentPassword) {
    throw domainError("INVALID_INPUT", "password.sameAsCurrent");
  }
  // A stolen session cookie must not become a fast way to guess the current password.
  const key = throttleKey("session", auth.sessionHash);
  const admission = await admitSignInAttempt(db, [key], now);
  if (!admission.admitted) throw throttled(admission.scope, admission.waitMs);
  const row = await getUserById(db, user.id);
  if (!(await verifyPassword(input.currentPassword, row?.passwordHash ?? null)) || !row) {
    throw domainError("INVALID_INPUT", "password.currentWrong");
  }
  await clearSignInFailures(db, [key]);

  const passwordHash = await hashPassword(input.newPassword);
  await db.transaction(async (tx) => {
    await setUserPassword(tx, { userId: user.id, passwordHash, temporaryUntil: null, now });
    const ended = await deleteUserSessions(tx, user.id);
    await openSession(ctx, tx, user.id, "full", now, new Date(now.getTime() + SESSION_TTL_MS));
    await appendAudit(tx, {
      actorUserId: user.id,
      actorKind: "user",
      action: "auth.password_changed",
      organizationId: user.organizationId,
      targetType: "user",
      targetId: user.id,
      // This browser's session was replaced, not ended: the count is of the others.
      details: {
        wasTemporary: row.passwordTemporaryUntil !== null,
        otherSessionsEnded: Math.max(0, ended - 1),
      },
      ip: request.ip,
    });
  });
  return { ...(await getAuthUser(db, user.id))!, mustChangePassword: false };
}

/** Ends every session of the account, this one too (API tokens are revoked on their own page). */
export async function signOutEverywhere(ctx: SessionContext): Promise<{ sessionsEnded: number }> {
  const { deps, user, request } = ctx;
  const sessionsEnded = await deps.db.transaction(async (tx) => {
    const ended = await deleteUserSessions(tx, user.id);
    await appendAudit(tx, {
      actorUserId: user.id,
      actorKind: "user",
      action: "auth.signed_out_everywhere",
      organizationId: user.organizationId,
      targetType: "user",
      targetId: user.id,
      details: { sessionsEnded: ended },
      ip: request.ip,
    });
    return ended;
  });
  clearSessionCookie(ctx);
  return { sessionsEnded };
}
