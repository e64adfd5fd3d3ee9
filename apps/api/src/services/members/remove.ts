// Removing a member unmaps them: they keep their account but lose the organisation (the proxy then
// refuses their requests, and the dashboard shows them nothing of it). Usage they incurred stays
// attributed to them. Removal also ends what the organisation gave them: an administrator becomes
// a member (a role is global, on the user: an administrator of no organisation could otherwise
// create a new organisation by saving a key, or claim a provisioned one), and every dashboard
// session of theirs ends, so nothing they had open keeps acting with the old role. An
// administrator cannot remove themselves (ask another administrator or the provider), so an
// organisation is not left without its administrator by accident.
import { appendAudit, deleteUserSessions, getMember, setUserRole, unmapUser, type AuthUser, type Organization } from "@mai/db";
import { domainError } from "@mai/domain";
import type { Context } from "../../context";

export async function removeMember(
  ctx: Context,
  actor: AuthUser,
  org: Organization,
  userId: string,
): Promise<{ removed: true }> {
  if (userId === actor.id)
    throw domainError("INVALID_INPUT", "members.cannotRemoveSelf");
  await ctx.deps.db.transaction(async (tx) => {
    const member = await getMember(tx, org.id, userId);
    const removed = member && (await unmapUser(tx, { organizationId: org.id, userId }));
    // Someone in another organisation and nobody at all look the same.
    if (!member || !removed) throw domainError("NOT_FOUND", "members.noSuchMember");
    if (member.role === "org_admin") await setUserRole(tx, userId, "member", ctx.deps.now());
    const sessionsEnded = await deleteUserSessions(tx, userId);
    await appendAudit(tx, {
      actorUserId: actor.id,
      actorKind: "user",
      action: "member.removed",
      organizationId: org.id,
      targetType: "user",
      targetId: userId,
      details: { role: member.role, roleAfter: "member", sessionsEnded, externalUserId: removed.externalUserId },
      ip: ctx.request.ip,
    });
  });
  return { removed: true };
}
