// Removing a member unmaps them: they keep their account but lose the organisation (the proxy then
// refuses their requests, and the dashboard shows them nothing of it). Usage they incurred stays
// attributed to them. An administrator cannot remove themselves (ask another administrator or the
// provider), so an organisation is not left without its administrator by accident.
import { appendAudit, getMember, unmapUser, type AuthUser, type Organization } from "@mai/db";
import { DomainError } from "@mai/domain";
import type { Context } from "../../context";

export async function removeMember(
  ctx: Context,
  actor: AuthUser,
  org: Organization,
  userId: string,
): Promise<{ removed: true }> {
  if (userId === actor.id)
    throw new DomainError("INVALID_INPUT", "You cannot remove yourself from your organisation.");
  await ctx.deps.db.transaction(async (tx) => {
    const member = await getMember(tx, org.id, userId);
    const removed = member && (await unmapUser(tx, { organizationId: org.id, userId }));
    // Someone in another organisation and nobody at all look the same.
    if (!member || !removed) throw new DomainError("NOT_FOUND", "No such member in this organisation.");
    await appendAudit(tx, {
      actorUserId: actor.id,
      actorKind: "user",
      action: "member.removed",
      organizationId: org.id,
      targetType: "user",
      targetId: userId,
      details: { role: member.role, externalUserId: removed.externalUserId },
      ip: ctx.request.ip,
    });
  });
  return { removed: true };
}
