// Users (the `users` table) and who a request is: `AuthUser`, the user joined to their organisation
// mapping, which sessions, API tokens and Open WebUI identities all resolve to.
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Role } from "@mai/domain";
import type { Executor } from "../client";
import { userClientMapping, users } from "../schema/index";

export type User = typeof users.$inferSelect;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function createUser(
  db: Executor,
  input: { email: string; name?: string; role?: Role; passwordHash?: string | null; openWebUiUserId?: string | null },
): Promise<User> {
  const [row] = await db
    .insert(users)
    .values({
      email: normalizeEmail(input.email),
      name: input.name ?? "",
      role: input.role ?? "member",
      passwordHash: input.passwordHash ?? null,
      openWebUiUserId: input.openWebUiUserId ?? null,
    })
    .returning();
  return row!;
}

export async function getUserById(db: Executor, id: string): Promise<User | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row;
}

export async function getUserByEmail(db: Executor, email: string): Promise<User | undefined> {
  const [row] = await db.select().from(users).where(eq(users.email, normalizeEmail(email)));
  return row;
}

/**
 * A new password hash. `temporaryUntil`: the password is a temporary one (an administrator's reset)
 * that signs in only to choose a new one, and not at all after that instant; null: the user's own.
 * Returns false when there is no such user.
 */
export async function setUserPassword(
  db: Executor,
  input: { userId: string; passwordHash: string; temporaryUntil: Date | null; now: Date },
): Promise<boolean> {
  const updated = await db
    .update(users)
    .set({ passwordHash: input.passwordHash, passwordTemporaryUntil: input.temporaryUntil, updatedAt: input.now })
    .where(eq(users.id, input.userId))
    .returning({ id: users.id });
  return updated.length > 0;
}

/**
 * The first provider administrator (the oldest), or undefined before the first start. `active`:
 * only one that is not disabled (who the CLI acts as).
 */
export async function findFirstProviderAdmin(
  db: Executor,
  options: { active?: boolean } = {},
): Promise<Pick<User, "id" | "email"> | undefined> {
  const [row] = await db
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(and(eq(users.role, "provider_admin"), options.active ? isNull(users.disabledAt) : undefined))
    .orderBy(asc(users.createdAt))
    .limit(1);
  return row;
}

export interface AuthUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  organizationId: string | null;
  externalUserId: string | null;
}

/** Internal (sessions, API tokens): the columns of an AuthUser, from users left-joined to the mapping. */
export const authUserColumns = {
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
export const TOUCH_AFTER_MS = 60_000;
