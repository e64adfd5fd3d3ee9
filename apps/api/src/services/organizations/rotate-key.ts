// Key rotation: mint a new key with the organisation's limit, switch the organisation to it, and
// queue the old provisioned key for deletion upstream after a grace period (key_retirements, in
// the same transaction as the switch). In that order the organisation is never without a working
// key: a failure before the switch deletes the new key again, and the old key stays valid until
// every proxy's identity cache has let go of it (MAI_KEY_RETIREMENT_GRACE_MS > the proxies'
// MAI_PROXY_IDENTITY_TTL_MS) — deleting it at once answered every request a proxy still sent with
// it with OpenRouter's 401 (a 502 to the client) for up to the cache lifetime. The job in
// retire-keys.ts deletes it then. The new plaintext key is returned once, for the provider to hand over.
import {
  isUniqueViolation,
  lockOrganization,
  queueKeyRetirement,
  setOrganizationKey,
  type AuthUser,
  type Organization,
} from "@mai/db";
import { domainError } from "@mai/domain";
import type { Context } from "../../context";
import { deleteUpstreamKey, provisionKey, requireProvisioningKey } from "./openrouter";
import { retirementDueAt } from "./retire-keys";
import { auditOrganization, changes, loadOrganizationDto, type OrganizationDto } from "./shared";

export async function rotateOrganizationKey(
  ctx: Context,
  actor: AuthUser,
  org: Organization,
): Promise<{
  organization: OrganizationDto;
  provisionedKey: string;
  /** Never true now: false when a previous provisioned key was queued for deletion, null when there was none. */
  previousKeyDeleted: boolean | null;
  /** When the previous provisioned key is deleted on OpenRouter (null: there was none). */
  previousKeyDeleteAfter: Date | null;
}> {
  const { db, secrets } = ctx.deps;
  if (!org.active) {
    // A new key would be live on OpenRouter for an organisation we refuse to serve.
    throw domainError("CONFLICT", "organization.rotateDeactivated");
  }
  const provisioningKey = await requireProvisioningKey(ctx);
  const fresh = await provisionKey(ctx, provisioningKey, {
    organizationName: org.name,
    monthlyLimitNano: org.monthlyLimitNano,
  });

  let previousKeyDeleteAfter: Date | null;
  try {
    previousKeyDeleteAfter = await db.transaction(async (tx) => {
      const before = await lockOrganization(tx, org.id);
      if (!before) throw domainError("NOT_FOUND", "organization.notFound");
      const after = await setOrganizationKey(tx, secrets, org.id, {
        key: fresh.key,
        source: "provisioned",
        openrouterKeyHash: fresh.hash,
      });
      const previousHash = before.openrouterKeyHash;
      const deleteAfter = previousHash ? retirementDueAt(ctx.deps) : null;
      if (previousHash && deleteAfter) {
        await queueKeyRetirement(tx, { organizationId: org.id, openrouterKeyHash: previousHash, reason: "rotated", deleteAfter });
      }
      await auditOrganization(ctx, tx, actor, org.id, "key_rotated", {
        ...changes(before, after),
        ...(previousHash && deleteAfter
          ? { details: { previousKeyHash: previousHash, previousKeyDeleteAfter: deleteAfter.toISOString() } }
          : {}),
      });
      return deleteAfter;
    });
  } catch (error) {
    await deleteUpstreamKey(ctx, provisioningKey, fresh.hash);
    if (isUniqueViolation(error))
      throw domainError("CONFLICT", "organization.rotatedKeyTaken");
    throw error;
  }

  return {
    organization: await loadOrganizationDto(ctx, org.id),
    provisionedKey: fresh.key,
    previousKeyDeleted: previousKeyDeleteAfter ? false : null,
    previousKeyDeleteAfter,
  };
}
