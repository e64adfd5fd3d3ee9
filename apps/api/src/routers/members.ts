// Organisation members: the provider for any organisation, a client administrator for their own
// (orgProcedure); members are refused. add invites (the invitation's code is returned once, and the
// answer is the same whatever account the e-mail has); the invitee accepts with auth.acceptInvitation.
import { z } from "zod";
import { addMember } from "../services/members/add";
import { listOrganizationInvitations, revokeOrganizationInvitation } from "../services/members/invitations";
import { listOrganizationMembers } from "../services/members/list";
import { removeMember } from "../services/members/remove";
import { resetMemberPassword } from "../services/members/reset-password";
import { router } from "../trpc/init";
import { orgProcedure } from "../trpc/procedures";
import { addMemberInput, removeMemberInput, resetPasswordInput, revokeInvitationInput } from "@mai/domain/schemas";

const memberOut = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(["provider_admin", "org_admin", "member"]),
  externalUserId: z.string(),
  createdAt: z.date(),
  joinedAt: z.date(),
});

const invitationOut = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(["org_admin", "member"]),
  expiresAt: z.date(),
});

export const membersRouter = router({
  list: orgProcedure.output(z.array(memberOut)).query(({ ctx }) => listOrganizationMembers(ctx, ctx.org)),

  /** An invitation for the e-mail (never a change to an existing account); its code is shown once. */
  add: orgProcedure
    .input(addMemberInput)
    .output(z.object({ invitation: invitationOut, code: z.string() }))
    .mutation(({ ctx, input }) => addMember(ctx, ctx.user, ctx.org, input)),

  /** The organisation's pending invitations (not accepted, revoked or expired). */
  invitations: orgProcedure
    .output(z.array(invitationOut.extend({ createdAt: z.date() })))
    .query(({ ctx }) => listOrganizationInvitations(ctx, ctx.org)),

  revokeInvitation: orgProcedure
    .input(revokeInvitationInput)
    .output(z.object({ revoked: z.literal(true) }))
    .mutation(({ ctx, input }) => revokeOrganizationInvitation(ctx, ctx.user, ctx.org, input.invitationId)),

  remove: orgProcedure
    .input(removeMemberInput)
    .output(z.object({ removed: z.literal(true) }))
    .mutation(({ ctx, input }) => removeMember(ctx, ctx.user, ctx.org, input.userId)),

  /** A temporary password for a member (shown once): it opens only a "choose a new password" session, for 72 hours. */
  resetPassword: orgProcedure
    .input(resetPasswordInput)
    .output(z.object({ temporaryPassword: z.string(), expiresAt: z.date() }))
    .mutation(({ ctx, input }) => resetMemberPassword(ctx, ctx.user, ctx.org, input.userId)),
});
