// Invitations (the `invitations` table): an administrator's invitation for one e-mail to join their
// organisation with a role. Only the code's SHA-256 is stored (the caller hashes; no code reaches
// SQL). "Pending" means not accepted, not revoked and not yet expired at the `now` given — every
// read and every state change filters on it in SQL, and a state change locks the row, so an
// invitation is accepted or revoked at most once however many requests race for it.
import { and, asc, eq, gt, isNull, sql } from "drizzle-orm";
import type { Role } from "@mai/domain";
import type { Executor } from "../client";
import { clientOrganizations, invitations } from "../schema/index";
import { normalizeEmail } from "./users";

export type InvitationRow = typeof invitations.$inferSelect;

/** The roles an invitation gives: a membership's (never provider_admin). */
export type InvitationRole = Exclude<Role, "provider_admin">;

/** An invitation as its organisation's administrators see it (never the code's hash). */
export interface Invitation {
  id: string;
  organizationId: string;
  email: string;
  name: string;
  role: InvitationRole;
  createdAt: Date;
  expiresAt: Date;
}

const invitationColumns = {
  id: invitations.id,
  organizationId: invitations.organizationId,
  email: invitations.email,
  name: invitations.name,
  // createInvitation, the only writer, takes an InvitationRole.
  role: sql<InvitationRole>`${invitations.role}`,
  createdAt: invitations.createdAt,
  expiresAt: invitations.expiresAt,
};

const pending = (now: Date) => and(isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now));

export async function createInvitation(
  db: Executor,
  input: {
    organizationId: string;
    email: string;
    name: string;
    role: InvitationRole;
    codeHash: string;
    createdBy: string | null;
    now: Date;
    expiresAt: Date;
  },
): Promise<Invitation> {
  const [row] = await db
    .insert(invitations)
    .values({
      organizationId: input.organizationId,
      email: normalizeEmail(input.email),
      name: input.name,
      role: input.role,
      codeHash: input.codeHash,
      createdBy: input.createdBy,
      createdAt: input.now,
      expiresAt: input.expiresAt,
    })
    .returning(invitationColumns);
  return row!;
}

/**
 * Serializes the invitations of one organisation until the transaction ends (a lock on its row):
 * two administrators inviting one e-mail at once would each find nothing to replace and leave two
 * codes pending; after this, the later one replaces the earlier. Invitations are rare, so one
 * organisation's wait for another's is nothing.
 */
export async function lockOrganizationInvitations(tx: Executor, organizationId: string): Promise<void> {
  await tx.select({ id: clientOrganizations.id }).from(clientOrganizations).where(eq(clientOrganizations.id, organizationId)).for("no key update");
}

/**
 * Revokes the organisation's pending invitations for this e-mail (an administrator invites the same
 * person again: the new code replaces the old ones). Returns the ids revoked.
 */
export async function revokePendingInvitationsFor(
  db: Executor,
  input: { organizationId: string; email: string; now: Date },
): Promise<string[]> {
  const rows = await db
    .update(invitations)
    .set({ revokedAt: input.now })
    .where(and(eq(invitations.organizationId, input.organizationId), eq(invitations.email, normalizeEmail(input.email)), pending(input.now)))
    .returning({ id: invitations.id });
  return rows.map((r) => r.id);
}

/** The organisation's pending invitations, oldest first. */
export async function listPendingInvitations(db: Executor, organizationId: string, now: Date): Promise<Invitation[]> {
  return db
    .select(invitationColumns)
    .from(invitations)
    .where(and(eq(invitations.organizationId, organizationId), pending(now)))
    .orderBy(asc(invitations.createdAt), asc(invitations.email));
}

/** Revokes one pending invitation of the organisation; undefined when there is none such (another organisation's, used, gone). */
export async function revokeInvitation(
  db: Executor,
  input: { organizationId: string; invitationId: string; now: Date },
): Promise<Invitation | undefined> {
  const [row] = await db
    .update(invitations)
    .set({ revokedAt: input.now })
    .where(and(eq(invitations.id, input.invitationId), eq(invitations.organizationId, input.organizationId), pending(input.now)))
    .returning(invitationColumns);
  return row;
}

/**
 * The pending invitation with this code hash for this e-mail, of an active organisation, row-locked
 * (the caller accepts it in the same transaction); undefined for a wrong code, another e-mail, one
 * no longer pending, or a deactivated organisation's.
 */
export async function findPendingInvitationByCode(
  db: Executor,
  input: { codeHash: string; email: string; now: Date },
): Promise<Invitation | undefined> {
  const [row] = await db
    .select(invitationColumns)
    .from(invitations)
    .innerJoin(clientOrganizations, eq(clientOrganizations.id, invitations.organizationId))
    .where(
      and(eq(invitations.codeHash, input.codeHash), eq(invitations.email, normalizeEmail(input.email)), pending(input.now), eq(clientOrganizations.active, true)),
    )
    .for("update", { of: invitations });
  return row;
}

/** A pending invitation by id for this e-mail (the signed-in invitee's), of an active organisation, row-locked; undefined otherwise. */
export async function findPendingInvitationForEmail(
  db: Executor,
  input: { invitationId: string; email: string; now: Date },
): Promise<Invitation | undefined> {
  const [row] = await db
    .select(invitationColumns)
    .from(invitations)
    .innerJoin(clientOrganizations, eq(clientOrganizations.id, invitations.organizationId))
    .where(
      and(eq(invitations.id, input.invitationId), eq(invitations.email, normalizeEmail(input.email)), pending(input.now), eq(clientOrganizations.active, true)),
    )
    .for("update", { of: invitations });
  return row;
}

/** Every pending invitation for an e-mail, with its organisation's name: what a signed-in invitee may accept. */
export async function listPendingInvitationsForEmail(
  db: Executor,
  email: string,
  now: Date,
): Promise<(Invitation & { organizationName: string })[]> {
  return db
    .select({ ...invitationColumns, organizationName: clientOrganizations.name })
    .from(invitations)
    .innerJoin(clientOrganizations, eq(clientOrganizations.id, invitations.organizationId))
    .where(and(eq(invitations.email, normalizeEmail(email)), pending(now), eq(clientOrganizations.active, true)))
    .orderBy(asc(invitations.createdAt));
}

/** Marks a (locked, pending) invitation accepted. */
export async function markInvitationAccepted(db: Executor, invitationId: string, now: Date): Promise<void> {
  await db.update(invitations).set({ acceptedAt: now }).where(eq(invitations.id, invitationId));
}
