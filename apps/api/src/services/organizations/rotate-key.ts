// Key rotation: mint a new key with the organisation's limit, switch the organisation to it, then
// delete the old upstream key (if it was one we provisioned). In that order, the organisation is
// never without a working key; a failure before the switch deletes the new key again. The new
// plaintext key is returned once, for the provider to hand over.
import {
  isUniqueViolation,
  lockOrganization,
  setOrganizationKey,
  type AuthUser,
  type Organization,
} from "@mai/db";
import { DomainError } from "@mai/domain";
import type { Context } from "../../context";
import { deleteUpstreamKey, provisionKey, requireProvisioningKey } from "./openrouter";
import { auditOrganization, changes, loadOrganizationDto, type OrganizationDto } from "./shared";

export async function rotateOrganizationKey(
  ctx: Context,
  actor: AuthUser,
  org: Organization,
): Promise<{ organization: OrganizationDto; provisionedKey: string; previousKeyDeleted: boolean | null }> {
  const { db, secrets } = ctx.deps;
  if (!org.active) {
    // A new key would be live on OpenRouter for an organisation we refuse to serve.
    throw new DomainError(
      "CONFLICT",
      "This organisation is deactivated; reactivate it before rotating its key.",
    );
  }
  const provisioningKey = await requireProvisioningKey(ctx);
  const fresh = await provisionKey(ctx, provisioningKey, {
    organizationName: org.name,
    monthlyLimitNano: org.monthlyLimitNano,
  });

  let previousHash: string | null;
  try {
    previousHash = await db.transaction(async (tx) => {
      const before = await lockOrganization(tx, org.id);
      if (!before) throw new DomainError("NOT_FOUND", "Organisation not found.");
      const after = await setOrganizationKey(tx, secrets, org.id, {
        key: fresh.key,
        source: "provisioned",
        openrouterKeyHash: fresh.hash,
      });
      await auditOrganization(ctx, tx, actor, org.id, "key_rotated", changes(before, after));
      return before.openrouterKeyHash;
    });
  } catch (error) {
    await deleteUpstreamKey(ctx, provisioningKey, fresh.hash);
    if (isUniqueViolation(error))
      throw new DomainError(
        "CONFLICT",
        "OpenRouter returned a key that is already attached to an organisation.",
      );
    throw error;
  }

  let previousKeyDeleted: boolean | null = null;
  if (previousHash) {
    previousKeyDeleted = await deleteUpstreamKey(ctx, provisioningKey, previousHash);
    if (!previousKeyDeleted) {
      await auditOrganization(ctx, db, actor, org.id, "previous_key_delete_failed", {
        details: { keyHash: previousHash },
      });
    }
  }
  return {
    organization: await loadOrganizationDto(ctx, org.id),
    provisionedKey: fresh.key,
    previousKeyDeleted,
  };
}
