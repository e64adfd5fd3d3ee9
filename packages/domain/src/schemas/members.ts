// Inputs of members.* (beside the scoped procedures' organizationId).
import { z } from "zod";
import { emailInput } from "./common";

export const addMemberInput = z.object({
  email: emailInput,
  name: z.string().trim().max(200).optional(),
  role: z.enum(["org_admin", "member"]),
});
export const removeMemberInput = z.object({ userId: z.uuid() });
export const resetPasswordInput = z.object({ userId: z.uuid() });
/** A pending invitation of the organisation in scope (members.invitations lists them). */
export const revokeInvitationInput = z.object({ invitationId: z.uuid() });

export type AddMemberInput = z.output<typeof addMemberInput>;
export type RevokeInvitationInput = z.output<typeof revokeInvitationInput>;
