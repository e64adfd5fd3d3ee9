// The provider attaches a client's own OpenRouter key to an organisation. One key belongs to at
// most one organisation (fingerprint uniqueness, enforced by the database). A provisioned key it
// replaces is queued for deletion on OpenRouter in the same transaction, due after the grace
// period that outlasts every proxy's identity cache (retire-keys.ts; as for a rotation: a proxy
// may still send the old key until its cache expires), so no billable key is left unused and no
// request in between is refused.
import {
  findKeyOwner,
  isUniqueViolation,
  lockOrganization,
  queueKeyRetirement,
  setOrganizationKey,
  type AuthUser,
  type Organization,
} from "@mai/db";
import { domainError } from "@mai/domain";
import type { Context } from "../../context";
import { requireValidClientKey } from "./openrouter";
import { retirementDueAt } from "./retire-keys";
import { auditOrganization, changes, loadOrganizationDto, type OrganizationDto } from "./shared";

export async function setClientKey(
  ctx: Context,
  actor: AuthUser,
  org: Organization,
  rawKey: string,
): Promise<{
  organization: OrganizationDto;
  status: "updated" | "unchanged";
  /** Never true now: false when a replaced provisioned key was queued for deletion, null when there was none. */
  previousKeyDeleted: boolean | null;
  /** When the replaced provisioned key is deleted on OpenRouter (null: there was none). */
  previousKeyDeleteAfter: Date | null;
}> {
  const { db, secrets } = ctx.deps;
  const key = requireValidClientKey(rawKey);
  const owner = await findKeyOwner(db, secrets, key);
  if (owner && owner.organizationId !== org.id) {
    throw domainError("CONFLICT", "organization.keyTaken");
  }
  if (owner)
    return {
      organization: await loadOrganizationDto(ctx, org.id),
      status: "unchanged",
      previousKeyDeleted: null,
      previousKeyDeleteAfter: null,
    };

  let previousKeyDeleteAfter: Date | null;
  try {
    previousKeyDeleteAfter = await db.transaction(async (tx) => {
      const before = await lockOrganization(tx, org.id);
      if (!before) throw domainError("NOT_FOUND", "organization.notFound");
      const after = await setOrganizationKey(tx, secrets, org.id, { key, source: "client" });
      const replacedHash = before.openrouterKeyHash;
      const deleteAfter = replacedHash ? retirementDueAt(ctx.deps) : null;
      if (replacedHash && deleteAfter) {
        await queueKeyRetirement(tx, { organizationId: org.id, openrouterKeyHash: replacedHash, reason: "replaced", deleteAfter });
      }
      await auditOrganization(ctx, tx, actor, org.id, "key_set", {
        ...changes(before, after),
        ...(replacedHash && deleteAfter
          ? { details: { previousKeyHash: replacedHash, previousKeyDeleteAfter: deleteAfter.toISOString() } }
          : {}),
      });
      return deleteAfter;
    });
  } catch (error) {
    // Another organisation took the key between the check and the update.
    if (isUniqueViolation(error))
      throw domainError("CONFLICT", "organization.keyTaken");
    throw error;
  }

  return {
    organization: await loadOrganizationDto(ctx, org.id),
    status: "updated",
    previousKeyDeleted: previousKeyDeleteAfter ? false : null,
    previousKeyDeleteAfter,
  };
}
