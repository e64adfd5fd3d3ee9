// Dashboard sessions (the `sessions` table): an httpOnly cookie whose SHA-256 is stored; a lookup
// resolves it to the user, their role and their organisation in one query.
import { and, eq, gt, isNull, ne } from "drizzle-orm";
import type { Executor } from "../client";
import { sessions, userClientMapping, users } from "../schema/index";
import { authUserColumns, TOUCH_AFTER_MS, type AuthUser } from "./users";

/**
 * What a session may do: "full", the dashboard; "password_change", opened with a temporary password,
 * good only for choosing a new one (auth.me, auth.logout, auth.changePassword).
 */
export type SessionPurpose = "full" | "password_change";

export async function createSession(
  db: Executor,
  input: { userId: string; tokenHash: string; expiresAt: Date; userAgent?: string | null; ip?: string | null; purpose?: SessionPurpose },
): Promise<void> {
  await db.insert(sessions).values({
    userId: input.userId,
    tokenHash: input.tokenHash,
    expiresAt: input.expiresAt,
    userAgent: input.userAgent ?? null,
    ip: input.ip ?? null,
    purpose: input.purpose ?? "full",
  });
}

/** The session's user and what the session may do; undefined for an unknown, expired or disabled one. */
export async function findSessionUser(
  db: Executor,
  tokenHash: string,
  now: Date,
): Promise<(AuthUser & { purpose: SessionPurpose }) | undefined> {
  const [row] = await db
    .select({ ...authUserColumns, lastSeenAt: sessions.lastSeenAt, purpose: sessions.purpose })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(userClientMapping, eq(userClientMapping.userId, users.id))
    .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, now), isNull(users.disabledAt)));
  if (!row) return undefined;
  if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_AFTER_MS) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.tokenHash, tokenHash));
  }
  const { lastSeenAt: _seen, purpose, ...user } = row;
  return { ...user, purpose: purpose === "password_change" ? "password_change" : "full" };
}

export async function deleteSession(db: Executor, tokenHash: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
}

/**
 * Ends every session of a user (a password changed or reset, "sign out everywhere"), except the
 * one whose hash is given. Returns how many ended.
 */
export async function deleteUserSessions(db: Executor, userId: string, options: { except?: string } = {}): Promise<number> {
  const ended = await db
    .delete(sessions)
    .where(and(eq(sessions.userId, userId), options.except ? ne(sessions.tokenHash, options.except) : undefined))
    .returning({ tokenHash: sessions.tokenHash });
  return ended.length;
}
