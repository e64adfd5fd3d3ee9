import { eq } from "drizzle-orm";
import type { Role } from "@mai/domain";
import type { Executor } from "../client";
import { users } from "../schema/index";

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
