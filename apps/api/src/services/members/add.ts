// members.add invites: it never creates, maps, moves or re-roles an account. Whatever the e-mail —
// new, another organisation's user, a user of no organisation, the provider's administrator — the
// administrator gets the same answer: an invitation (code shown once, stored as its SHA-256, good
// for 7 days, @mai/domain's invitation.ts) to hand to the person, who accepts it with a password
// of their own (auth.acceptInvitation), or signed in if they already have an account of no
// organisation. Only an e-mail already among this organisation's members is CONFLICT: the
// administrator sees those anyway. Inviting the same e-mail again replaces the earlier code.
import {
  appendAudit,
  createInvitation,
  findUserForMembership,
  lockOrganizationInvitations,
  revokePendingInvitationsFor,
  type AuthUser,
  type Invitation,
  type Organization,
} from "@mai/db";
import { domainError, INVITATION_VALIDITY_MS } from "@mai/domain";
import type { AddMemberInput } from "@mai/domain/schemas";
import type { Context } from "../../context";
import { generateInvitationCode } from "./invitations";

export interface InvitationSummary {
  id: string;
  email: string;
  name: string;
  role: Invitation["role"];
  expiresAt: Date;
}

export async function addMember(
  ctx: Context,
  actor: AuthUser,
  org: Organization,
  input: AddMemberInput,
): Promise<{ invitation: InvitationSummary; code: string }> {
  const { db } = ctx.deps;
  const now = ctx.deps.now();
  const code = generateInvitationCode();
  const invitation = await db.transaction(async (tx) => {
    // Before reading what to replace: a concurrent invitation of the same e-mail waits for this one.
    await lockOrganizationInvitations(tx, org.id);
    // Only this organisation's own members are told apart: the administrator lists them anyway.
    const existing = await findUserForMembership(tx, input.email);
    if (existing?.organizationId === org.id) throw domainError("CONFLICT", "members.alreadyMember");
    const replaced = await revokePendingInvitationsFor(tx, { organizationId: org.id, email: input.email, now });
    const created = await createInvitation(tx, {
      organizationId: org.id,
      email: input.email,
      name: input.name ?? "",
      role: input.role,
      codeHash: code.hash,
      createdBy: actor.id,
      now,
      expiresAt: new Date(now.getTime() + INVITATION_VALIDITY_MS),
    });
    await appendAudit(tx, {
      actorUserId: actor.id,
      actorKind: "user",
      action: "member.invited",
      organizationId: org.id,
      targetType: "invitation",
      targetId: created.id,
      details: { email: created.email, role: created.role, expiresAt: created.expiresAt.toISOString(), ...(replaced.length ? { replaced } : {}) },
      ip: ctx.request.ip,
    });
    return created;
  });
  const { id, email, name, role, expiresAt } = invitation;
  return { invitation: { id, email, name, role, expiresAt }, code: code.shown };
}
