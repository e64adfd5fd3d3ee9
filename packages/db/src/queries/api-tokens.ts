// Personal API tokens (the `api_tokens` table): stored as SHA-256, shown once; a lookup resolves a
// token to the user, their role and their organisation in one query (the proxy's identity).
import { and, desc, eq, gt, isNull, or } from "drizzle-orm";
import type { CreateTokenInput } from "@mai/domain/schemas";
import type { Executor } from "../client";
import { apiTokens, userClientMapping, users } from "../schema/index";
import { authUserColumns, TOUCH_AFTER_MS, type AuthUser } from "./users";

/** auth.createToken's name; the user, the generated token's prefix and hash, and the expiry instant. */
export async function createApiToken(
  db: Executor,
  input: Pick<CreateTokenInput, "name"> & { userId: string; prefix: string; tokenHash: string; expiresAt?: Date | null },
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
