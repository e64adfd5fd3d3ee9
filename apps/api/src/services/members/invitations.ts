// Invitation codes and the organisation's pending invitations (members.invitations,
// members.revokeInvitation); members.add (./add.ts) creates them, auth.acceptInvitation
// (../auth/accept-invitation.ts) redeems them. A code is random (@mai/domain's alphabet and length:
// about 119 bits), shown once in groups of four, and stored only as the SHA-256 of its normalised
// form — like API tokens, a long random secret needs no slow hash.
import { randomInt } from "node:crypto";
import { appendAudit, listPendingInvitations, revokeInvitation, type AuthUser, type Invitation, type Organization } from "@mai/db";
import { domainError, formatInvitationCode, INVITATION_CODE_ALPHABET, INVITATION_CODE_LENGTH, normalizeInvitationCode } from "@mai/domain";
import type { Context } from "../../context";
import { sha256 } from "../auth/tokens";

/** The hash an invitation code is stored and looked up by (case, spaces and dashes do not matter). */
export function hashInvitationCode(typed: string): string {
  return sha256(normalizeInvitationCode(typed));
}

/** A new code: as shown to the administrator (XXXX-XXXX-…), and its hash. */
export function generateInvitationCode(): { shown: string; hash: string } {
  const plain = Array.from({ length: INVITATION_CODE_LENGTH }, () => INVITATION_CODE_ALPHABET[randomInt(INVITATION_CODE_ALPHABET.length)]).join("");
  return { shown: formatInvitationCode(plain), hash: hashInvitationCode(plain) };
}

export function listOrganizationInvitations(ctx: Context, org: Organization): Promise<Invitation[]> {
  return listPendingInvitations(ctx.deps.db, org.id, ctx.deps.now());
}

export async function revokeOrganizationInvitation(
  ctx: Context,
  actor: AuthUser,
  org: Organization,
  invitationId: string,
): Promise<{ revoked: true }> {
  await ctx.deps.db.transaction(async (tx) => {
    const revoked = await revokeInvitation(tx, { organizationId: org.id, invitationId, now: ctx.deps.now() });
    // Another organisation's, already used or expired, and none at all look the same.
    if (!revoked) throw domainError("NOT_FOUND", "members.noSuchInvitation");
    await appendAudit(tx, {
      actorUserId: actor.id,
      actorKind: "user",
      action: "invitation.revoked",
      organizationId: org.id,
      targetType: "invitation",
      targetId: revoked.id,
      details: { email: revoked.email, role: revoked.role },
      ip: ctx.request.ip,
    });
  });
  return { revoked: true };
}
