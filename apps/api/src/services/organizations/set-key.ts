// The provider attaches a client's own OpenRouter key to an organisation. One key belongs to at
// most one organisation (fingerprint uniqueness, enforced by the database). A provisioned key it
// replaces is deleted on OpenRouter afterwards (best effort), so no billable key is left unused.
import {
  findKeyOwner,
  getProvisioningKey,
  isUniqueViolation,
  lockOrganization,
  setOrganizationKey,
  type AuthUser,
  type Organization,
} from "@mai/db";
import { DomainError } from "@mai/domain";
import type { Context } from "../../context";
import { deleteUpstreamKey, requireValidClientKey } from "./openrouter";
import { auditOrganization, changes, loadOrganizationDto, type OrganizationDto } from "./shared";

export async function setClientKey(
  ctx: Context,
  actor: AuthUser,
  org: Organization,
  rawKey: string,
): Promise<{
  organization: OrganizationDto;
  status: "updated" | "unchanged";
  previousKeyDeleted: boolean | null;
}> {
  const { db, secrets } = ctx.deps;
  const key = requireValidClientKey(rawKey);
  const owner = await findKeyOwner(db, secrets, key);
  if (owner && owner.organizationId !== org.id) {
    throw new DomainError("CONFLICT", "This key is already attached to another organisation.");
  }
  if (owner)
    return {
      organization: await loadOrganizationDto(ctx, org.id),
      status: "unchanged",
      previousKeyDeleted: null,
    };

  let replacedHash: string | null;
  try {
    replacedHash = await db.transaction(async (tx) => {
      const before = await lockOrganization(tx, org.id);
      if (!before) throw new DomainError("NOT_FOUND", "Organisation not found.");
      const after = await setOrganizationKey(tx, secrets, org.id, { key, source: "client" });
      await auditOrganization(ctx, tx, actor, org.id, "key_set", changes(before, after));
      return before.openrouterKeyHash;
    });
  } catch (error) {
    // Another organisation took the key between the check and the update.
    if (isUniqueViolation(error))
      throw new DomainError("CONFLICT", "This key is already attached to another organisation.");
    throw error;
  }

  let previousKeyDeleted: boolean | null = null;
  if (replacedHash) {
    const provisioningKey = await getProvisioningKey(db, secrets);
    previousKeyDeleted = provisioningKey
      ? await deleteUpstreamKey(ctx, provisioningKey, replacedHash)
      : false;
    if (!previousKeyDeleted) {
      await auditOrganization(ctx, db, actor, org.id, "previous_key_delete_failed", {
        details: { keyHash: replacedHash },
      });
    }
  }
  return { organization: await loadOrganizationDto(ctx, org.id), status: "updated", previousKeyDeleted };
}
