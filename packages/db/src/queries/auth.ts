// Identity lookups for every request: a session cookie or a personal API token (both stored as
// SHA-256) resolves to the user, their role and their organisation in one query.
import { and, desc, eq, gt, isNull, lt, or } from "drizzle-orm";
import type { Role } from "@mai/domain";
import type { Executor } from "../client";
import { apiTokens, sessions, userClientMapping, users } from "../schema/index";

export interface AuthUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  organizationId: string | null;
  externalUserId: string | null;
}

const authUserColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  organizationId: userClientMapping.organizationId,
  externalUserId: userClientMapping.externalUserId,
};

export async function getAuthUser(db: Executor, userId: string): Promise<AuthUser | undefined> {
  const [row] = await db
    .select(authUserColumns)
    .from(users)
    .leftJoin(userClientMapping, eq(userClientMapping.userId, users.id))
    .where(and(eq(users.id, userId), isNull(users.disabledAt)));
  return row;
}

// "last used" is bookkeeping, not state: refreshed at most once a minute to keep reads cheap.
const TOUCH_AFTER_MS = 60_000;

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

export async function deleteExpiredSessions(db: Executor, now: Date): Promise<void> {
  await db.delete(sessions).where(lt(sessions.expiresAt, now));
}

export async function createApiToken(
  db: Executor,
  input: { userId: string; name: string; prefix: string; tokenHash: string; expiresAt?: Date | null },
) {
  const [row] = await db
    .insert(apiTokens)
    .values({ ...input, expiresAt: input.expiresAt ?? null })
    .returning({ id: apiTokens.id, name: apiTokens.name, prefix: apiTokens.prefix, createdAt: apiTokens.createdAt, expiresAt: apiTokens.expiresAt });
  return row!;
}

export async function listApiTokens(db: Executor, userId: string) {
  return db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      prefix: apiTokens.prefix,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
      expiresAt: apiTokens.expiresAt,
      revokedAt: apiTokens.revokedAt,
    })
    .from(apiTokens)
    .where(eq(apiTokens.userId, userId))
    .orderBy(desc(apiTokens.createdAt));
}

/** Revokes one of the user's own tokens; returns its hash (for cache eviction) or undefined. */
export async function revokeApiToken(db: Executor, input: { userId: string; tokenId: string; now: Date }) {
  const [row] = await db
    .update(apiTokens)
    .set({ revokedAt: input.now })
    .where(and(eq(apiTokens.id, input.tokenId), eq(apiTokens.userId, input.userId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id, tokenHash: apiTokens.tokenHash });
  return row;
}

export async function findTokenUser(db: Executor, tokenHash: string, now: Date): Promise<(AuthUser & { tokenId: string }) | undefined> {
  const [row] = await db
    .select({ ...authUserColumns, tokenId: apiTokens.id, lastUsedAt: apiTokens.lastUsedAt })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .leftJoin(userClientMapping, eq(userClientMapping.userId, users.id))
    .where(
      and(
        eq(apiTokens.tokenHash, tokenHash),
        isNull(apiTokens.revokedAt),
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
        isNull(users.disabledAt),
      ),
    );
  if (!row) return undefined;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > TOUCH_AFTER_MS) {
    await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.tokenId));
  }
  const { lastUsedAt: _used, ...user } = row;
  return user;
}

/**
 * The user behind Open WebUI's forwarded identity (trusted-gateway mode): by Open WebUI user id
 * first, then by e-mail. The proxy only calls this after checking its service token.
 */
export async function resolveOpenWebUiUser(
  db: Executor,
  identity: { id: string; email?: string | undefined },
): Promise<AuthUser | undefined> {
  const [byId] = await db
    .select(authUserColumns)
    .from(users)
    .leftJoin(userClientMapping, eq(userClientMapping.userId, users.id))
    .where(and(eq(users.openWebUiUserId, identity.id), isNull(users.disabledAt)));
  if (byId || !identity.email) return byId;
  const [byEmail] = await db
    .select(authUserColumns)
    .from(users)
    .leftJoin(userClientMapping, eq(userClientMapping.userId, users.id))
    .where(and(eq(users.email, identity.email.trim().toLowerCase()), isNull(users.disabledAt)));
  return byEmail;
}
