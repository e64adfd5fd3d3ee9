// Adding a member: a new e-mail becomes a user with a one-time password (returned once, stored only
// as a scrypt hash); an existing user joins if they belong to no organisation yet. A user belongs
// to at most one organisation (the mapping's primary key), and the provider's administrators are
// never members of a client organisation. The user row is locked while they are mapped, and a race
// on a new e-mail re-runs the transaction, which then finds the user the other request created.
import {
  appendAudit,
  createUser,
  findUserForMembership,
  getMember,
  mapUserToOrganization,
  retryOnRace,
  setUserRole,
  type AuthUser,
  type Member,
  type Organization,
} from "@mai/db";
import { DomainError } from "@mai/domain";
import type { AddMemberInput } from "@mai/domain/schemas";
import type { Context } from "../../context";
import { generatePassword, hashPassword } from "../auth/passwords";

export async function addMember(
  ctx: Context,
  actor: AuthUser,
  org: Organization,
  input: AddMemberInput,
): Promise<{ member: Member; created: boolean; oneTimePassword: string | null }> {
  const { db } = ctx.deps;
  // Hashing is slow on purpose: do it before the transaction, and only when the user looks new.
  const known = await findUserForMembership(db, input.email);
  let password = known ? null : generatePassword();
  let passwordHash = password ? await hashPassword(password) : null;

  const result = await retryOnRace(() =>
    db.transaction(async (tx) => {
      const existing = await findUserForMembership(tx, input.email, { lock: true });
      let userId: string;
      if (existing) {
        if (existing.role === "provider_admin") {
          throw new DomainError(
            "INVALID_INPUT",
            "The provider's administrators cannot be members of a client organisation.",
          );
        }
        if (existing.organizationId === org.id)
          throw new DomainError("CONFLICT", "This user is already a member of this organisation.");
        if (existing.organizationId) {
          throw new DomainError(
            "CONFLICT",
            "This user already belongs to another organisation (a user belongs to at most one organisation).",
          );
        }
        if (existing.role !== input.role) await setUserRole(tx, existing.id, input.role, ctx.deps.now());
        userId = existing.id;
      } else {
        if (!password || !passwordHash) {
          // The user seen before the transaction is gone: rare enough to hash in here.
          password = generatePassword();
          passwordHash = await hashPassword(password);
        }
        const user = await createUser(tx, {
          email: input.email,
          name: input.name ?? "",
          role: input.role,
          passwordHash,
        });
        userId = user.id;
      }
      const { externalUserId } = await mapUserToOrganization(tx, { userId, organizationId: org.id });
      await appendAudit(tx, {
        actorUserId: actor.id,
        actorKind: "user",
        action: "member.added",
        organizationId: org.id,
        targetType: "user",
        targetId: userId,
        details: {
          role: input.role,
          created: !existing,
          externalUserId,
          ...(existing && existing.role !== input.role ? { previousRole: existing.role } : {}),
        },
        ip: ctx.request.ip,
      });
      const member = await getMember(tx, org.id, userId);
      return { member: member!, created: !existing };
    }),
  );
  // The password is only useful if this request created the user.
  return { ...result, oneTimePassword: result.created ? password : null };
}
