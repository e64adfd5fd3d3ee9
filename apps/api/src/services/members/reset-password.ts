// members.resetPassword: an administrator gives a member of the organisation in scope a temporary
// password (../auth/reset-password.ts): the provider for any organisation, a client administrator
// for their own (orgProcedure decided which). Someone of another organisation and nobody at all
// answer the same NOT_FOUND. One's own password is changed under Account, with the current one.
import { getMember, type AuthUser, type Organization } from "@mai/db";
import { domainError } from "@mai/domain";
import type { Context } from "../../context";
import { issueTemporaryPassword, type TemporaryPassword } from "../auth/reset-password";

export async function resetMemberPassword(
  ctx: Context,
  actor: AuthUser,
  org: Organization,
  userId: string,
): Promise<TemporaryPassword> {
  if (userId === actor.id) {
    throw domainError("INVALID_INPUT", "password.ownResetHere");
  }
  const member = await getMember(ctx.deps.db, org.id, userId);
  if (!member) throw domainError("NOT_FOUND", "members.noSuchMember");
  return issueTemporaryPassword(ctx.deps.db, {
    userId,
    now: ctx.deps.now(),
    audit: {
      actorUserId: actor.id,
      actorKind: "user",
      action: "member.password_reset",
      organizationId: org.id,
      details: { role: member.role },
      ip: ctx.request.ip,
    },
  });
}
