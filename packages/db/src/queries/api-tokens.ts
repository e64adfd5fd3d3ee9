// Personal API tokens (the `api_tokens` table): stored as SHA-256, shown once; a lookup resolves a
// token to the user, their role and their organisation in one query (the proxy's identity).
import { and, desc, eq, gt, isNull, or } from "drizzle-orm";
import type { TokenScope } from "@mai/domain";
import type { CreateTokenInput } from "@mai/domain/schemas";
import type { Executor } from "../client";
import { apiTokens, userClientMapping, users } from "../schema/index";
import { authUserColumns, TOUCH_AFTER_MS, type AuthUser } from "./users";

/** The column's value as a scope; the check constraint allows only these two, anything else is read as the narrower. */
const asTokenScope = (value: string): TokenScope => (value === "manage" ? "manage" : "chat");

/** auth.createToken's name; the user, the generated token's prefix and hash, and the expiry instant. */
export async function createApiToken(
  db: Executor,
  input: Pick<CreateTokenInput, "name"> & { userId: string; prefix: string; tokenHash: string; expiresAt?: Date | null; scope?: TokenScope },
) {
  const [row] = await db
    .insert(apiTokens)
    .values({ ...input, expiresAt: input.expiresAt ?? null, scope: input.scope ?? "chat" })
    .returning({ id: apiTokens.id, name: apiTokens.name, prefix: apiTokens.prefix, createdAt: apiTokens.createdAt, expiresAt: apiTokens.expiresAt, scope: apiTokens.scope });
  return { ...row!, scope: asTokenScope(row!.scope) };
}

export async function listApiTokens(db: Executor, userId: string) {
  const rows = await db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      prefix: apiTokens.prefix,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
      expiresAt: apiTokens.expiresAt,
      revokedAt: apiTokens.revokedAt,
      scope: apiTokens.scope,
    })
    .from(apiTokens)
    .where(eq(apiTokens.userId, userId))
    .orderBy(desc(apiTokens.createdAt));
  return rows.map((row) => ({ ...row, scope: asTokenScope(row.scope) }));
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

/**
 * The owner of an active token (not revoked, not expired, owner not disabled) and the token's id
 * and scope; run on every request that carries a token, so a revocation holds from the next one.
 */
export async function findTokenUser(
  db: Executor,
  tokenHash: string,
  now: Date,
): Promise<(AuthUser & { tokenId: string; scope: TokenScope }) | undefined> {
  const [row] = await db
    .select({ ...authUserColumns, tokenId: apiTokens.id, scope: apiTokens.scope, lastUsedAt: apiTokens.lastUsedAt })
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
  const { lastUsedAt: _used, scope, ...user } = row;
  return { ...user, scope: asTokenScope(scope) };
}
