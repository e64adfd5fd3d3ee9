// Organisation membership: which users are mapped to an organisation. The mapping's primary key on
// user_id is the rule "a user belongs to at most one organisation"; mapUserToOrganization turns a
// collision into a CONFLICT instead of a driver error. Every query filters by organisation in SQL.
import { and, asc, eq } from "drizzle-orm";
import { domainError, externalUserId, type Role } from "@mai/domain";
import type { AddMemberInput } from "@mai/domain/schemas";
import type { Executor } from "../client";
import { userClientMapping, users } from "../schema/index";
import { normalizeEmail } from "./users";

export interface Member {
  id: string;
  email: string;
  name: string;
  role: Role;
  externalUserId: string;
  createdAt: Date;
  /** When the user joined this organisation. */
  joinedAt: Date;
}

const memberColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  externalUserId: userClientMapping.externalUserId,
  createdAt: users.createdAt,
  joinedAt: userClientMapping.createdAt,
};

export async function listMembers(db: Executor, organizationId: string): Promise<Member[]> {
  return db
    .select(memberColumns)
    .from(userClientMapping)
    .innerJoin(users, eq(users.id, userClientMapping.userId))
    .where(eq(userClientMapping.organizationId, organizationId))
    .orderBy(asc(users.email));
}

export async function getMember(
  db: Executor,
  organizationId: string,
  userId: string,
): Promise<Member | undefined> {
  const [row] = await db
    .select(memberColumns)
    .from(userClientMapping)
    .innerJoin(users, eq(users.id, userClientMapping.userId))
    .where(and(eq(userClientMapping.organizationId, organizationId), eq(userClientMapping.userId, userId)));
  return row;
}

/** A user by e-mail with the organisation they belong to (if any), row-locked when asked. */
export async function findUserForMembership(
  db: Executor,
  email: AddMemberInput["email"],
  options: { lock?: boolean } = {},
): Promise<{ id: string; role: Role; organizationId: string | null } | undefined> {
  const query = db
    .select({ id: users.id, role: users.role })
    .from(users)
    .where(eq(users.email, normalizeEmail(email)));
  const [user] = options.lock ? await query.for("update") : await query;
  if (!user) return undefined;
  const [mapping] = await db
    .select({ organizationId: userClientMapping.organizationId })
    .from(userClientMapping)
    .where(eq(userClientMapping.userId, user.id));
  return { ...user, organizationId: mapping?.organizationId ?? null };
}

/** A member's role, as members.add names it (never provider_admin: that is not a membership). */
export async function setUserRole(
  db: Executor,
  userId: string,
  role: AddMemberInput["role"],
  now: Date = new Date(),
): Promise<void> {
  await db.update(users).set({ role, updatedAt: now }).where(eq(users.id, userId));
}

/** Maps a user to an organisation with their external user id; CONFLICT if they already belong to one. */
export async function mapUserToOrganization(
  db: Executor,
  input: { userId: string; organizationId: string },
): Promise<{ externalUserId: string }> {
  const id = externalUserId(input.organizationId, input.userId);
  const [row] = await db
    .insert(userClientMapping)
    .values({ userId: input.userId, organizationId: input.organizationId, externalUserId: id })
    .onConflictDoNothing({ target: userClientMapping.userId })
    .returning({ externalUserId: userClientMapping.externalUserId });
  if (!row)
    throw domainError("CONFLICT", "members.belongsElsewhere");
  return row;
}

/** Removes a user from an organisation; undefined when they were not in it. */
export async function unmapUser(
  db: Executor,
  input: { userId: string; organizationId: string },
): Promise<{ externalUserId: string } | undefined> {
  const [row] = await db
    .delete(userClientMapping)
    .where(
      and(
        eq(userClientMapping.userId, input.userId),
        eq(userClientMapping.organizationId, input.organizationId),
      ),
    )
    .returning({ externalUserId: userClientMapping.externalUserId });
  return row;
}
