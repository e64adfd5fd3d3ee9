// An administrator's password reset: a generated temporary password replaces the user's, every
// session of theirs ends, and signing in with it opens only a password_change session (choose a
// new password, nothing else) until its deadline, 72 hours later; after that it opens nothing. The
// password is returned once, to be handed over; the audit entry says who and until when, never
// the password. Used by members.resetPassword and by the CLI (`mai users reset-password`).
import { appendAudit, deleteUserSessions, setUserPassword, type AuditEntry, type Database } from "@mai/db";
import { domainError } from "@mai/domain";
import {
  assertAcceptablePassword,
  generatePassword,
  hashPassword,
  TEMPORARY_PASSWORD_VALIDITY_MS,
} from "./passwords";

export interface TemporaryPassword {
  temporaryPassword: string;
  expiresAt: Date;
}

/**
 * Gives the user a temporary password. `audit`: the entry to write with it (actor, action,
 * organisation); its details gain `expiresAt` and `sessionsEnded`.
 */
export async function issueTemporaryPassword(
  db: Database,
  input: { userId: string; now: Date; audit: Omit<AuditEntry, "targetType" | "targetId"> },
): Promise<TemporaryPassword> {
  const temporaryPassword = generatePassword();
  const expiresAt = new Date(input.now.getTime() + TEMPORARY_PASSWORD_VALIDITY_MS);
  const passwordHash = await hashPassword(temporaryPassword);
  await db.transaction(async (tx) => {
    const updated = await setUserPassword(tx, {
      userId: input.userId,
      passwordHash,
      temporaryUntil: expiresAt,
      now: input.now,
    });
    if (!updated) throw domainError("NOT_FOUND", "auth.noSuchUser");
    const sessionsEnded = await deleteUserSessions(tx, input.userId);
    await appendAudit(tx, {
      ...input.audit,
      targetType: "user",
      targetId: input.userId,
      details: { ...input.audit.details, expiresAt: expiresAt.toISOString(), sessionsEnded },
    });
  });
  return { temporaryPassword, expiresAt };
}

/**
 * Sets a password the operator chose for the user (the CLI on a stopped stack, for the first
 * administrator who lost theirs): checked by the password rule, not temporary; every session ends.
 */
export async function setChosenPassword(
  db: Database,
  input: {
    user: { id: string; email: string; name: string };
    password: string;
    now: Date;
    audit: Omit<AuditEntry, "targetType" | "targetId">;
  },
): Promise<void> {
  assertAcceptablePassword(input.password, input.user);
  const passwordHash = await hashPassword(input.password);
  await db.transaction(async (tx) => {
    const updated = await setUserPassword(tx, {
      userId: input.user.id,
      passwordHash,
      temporaryUntil: null,
      now: input.now,
    });
    if (!updated) throw domainError("NOT_FOUND", "auth.noSuchUser");
    const sessionsEnded = await deleteUserSessions(tx, input.user.id);
    await appendAudit(tx, {
      ...input.audit,
      targetType: "user",
      targetId: input.user.id,
      details: { ...input.audit.details, sessionsEnded },
    });
  });
}
