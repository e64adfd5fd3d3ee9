// Organisation members: the provider for any organisation, a client administrator for their own
// (orgProcedure); members are refused. A new user's one-time password is returned once, by add.
import { z } from "zod";
import { addMember } from "../services/members/add";
import { listOrganizationMembers } from "../services/members/list";
import { removeMember } from "../services/members/remove";
import { resetMemberPassword } from "../services/members/reset-password";
import { router } from "../trpc/init";
import { orgProcedure } from "../trpc/procedures";
import { addMemberInput, removeMemberInput, resetPasswordInput } from "@mai/domain/schemas";

const memberOut = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(["provider_admin", "org_admin", "member"]),
  externalUserId: z.string(),
  createdAt: z.date(),
  joinedAt: z.date(),
});

export const membersRouter = router({
  list: orgProcedure.output(z.array(memberOut)).query(({ ctx }) => listOrganizationMembers(ctx, ctx.org)),

  add: orgProcedure
    .input(addMemberInput)
    .output(z.object({ member: memberOut, created: z.boolean(), oneTimePassword: z.string().nullable() }))
    .mutation(({ ctx, input }) => addMember(ctx, ctx.user, ctx.org, input)),

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
