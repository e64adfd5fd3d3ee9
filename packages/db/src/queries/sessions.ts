// Dashboard sessions (the `sessions` table): an httpOnly cookie whose SHA-256 is stored; a lookup
// resolves it to the user, their role and their organisation in one query.
import { and, eq, gt, isNull } from "drizzle-orm";
import type { Executor } from "../client";
import { sessions, userClientMapping, users } from "../schema/index";
import { authUserColumns, TOUCH_AFTER_MS, type AuthUser } from "./users";

export async function createSession(
  db: Executor,
  input: { userId: string; tokenHash: string; expiresAt: Date; userAgent?: string | null; ip?: string | null },
): Promise<void> {
  await db.insert(sessions).values({
    userId: input.userId,
    tokenHash: input.tokenHash,
    expiresAt: input.expiresAt,
    userAgent: input.userAgent ?? null,
    ip: input.ip ?? null,
  });
}

export async function findSessionUser(db: Executor, tokenHash: string, now: Date): Promise<AuthUser | undefined> {
  const [row] = await db
    .select({ ...authUserColumns, lastSeenAt: sessions.lastSeenAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(userClientMapping, eq(userClientMapping.userId, users.id))
    .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, now), isNull(users.disabledAt)));
  if (!row) return undefined;
  if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_AFTER_MS) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.tokenHash, tokenHash));
  }
  const { lastSeenAt: _seen, ...user } = row;
  return user;
}

export async function deleteSession(db: Executor, tokenHash: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
}
