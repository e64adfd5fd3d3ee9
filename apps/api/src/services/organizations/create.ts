// The provider creates a client organisation, optionally minting its OpenRouter key through the
// provisioning key. The minted key is returned exactly once (OpenRouter never shows it again and
// we only keep it sealed). Order matters: OpenRouter first (we need the key to store it), then one
// transaction for the row and its audit entry; if that fails, the upstream key is deleted again so
// no billable key is left behind without an organisation.
import {
  appendAudit,
  createOrganization,
  findKeyOwner,
  getGlobalSettings,
  isUniqueViolation,
  organizationNameTaken,
  type AuthUser,
} from "@mai/db";
import { domainError, markupFromMultiplier, type OpenRouterKey } from "@mai/domain";
import type { CreateOrganizationInput } from "@mai/domain/schemas";
import type { Context } from "../../context";
import {
  deleteUpstreamKey,
  provisionKey,
  requireProvisioningKey,
  requireValidClientKey,
  type ProvisionedKey,
} from "./openrouter";
import { auditView, loadOrganizationDto, parseMonthlyLimit, type OrganizationDto } from "./shared";

export async function createOrganizationWithKey(
  ctx: Context,
  actor: AuthUser,
  input: CreateOrganizationInput,
): Promise<{ organization: OrganizationDto; provisionedKey: string | null }> {
  const { db, secrets } = ctx.deps;
  const name = input.name.trim();
  if (input.provisionKey && input.key) {
    throw domainError("INVALID_INPUT", "organization.provisionOrGive");
  }
  const settings = await getGlobalSettings(db);
  const markupBp = input.markup !== undefined ? markupFromMultiplier(input.markup) : settings.defaultMarkupBp;
  const monthlyLimitNano =
    input.monthlyLimitUsd !== undefined
      ? parseMonthlyLimit(input.monthlyLimitUsd)
      : settings.defaultMonthlyLimitNano;
  // Checked before minting a key, so a duplicate name costs no OpenRouter round trip (the insert
  // below still decides under concurrency).
  if (await organizationNameTaken(db, name))
    throw domainError("CONFLICT", "organization.nameTaken", { name });

  let clientKey: OpenRouterKey | null = null;
  if (!input.provisionKey && input.key) {
    clientKey = requireValidClientKey(input.key);
    if (await findKeyOwner(db, secrets, clientKey)) {
      throw domainError("CONFLICT", "organization.keyTaken");
    }
  }
  let provisioningKey: string | null = null;
  let provisioned: ProvisionedKey | null = null;
  if (input.provisionKey) {
    provisioningKey = await requireProvisioningKey(ctx);
    provisioned = await provisionKey(ctx, provisioningKey, { organizationName: name, monthlyLimitNano });
  }

  let organizationId: string;
  try {
    organizationId = await db.transaction(async (tx) => {
      const org = await createOrganization(tx, secrets, {
        name,
        billingEmail: input.billingEmail ?? null,
        markupBp,
        monthlyLimitNano,
        key: provisioned?.key ?? clientKey,
        keySource: provisioned ? "provisioned" : "client",
        openrouterKeyHash: provisioned?.hash ?? null,
        createdBy: actor.id,
        now: ctx.deps.now(),
      });
      await appendAudit(tx, {
        actorUserId: actor.id,
        actorKind: "user",
        action: "organization.created",
        organizationId: org.id,
        targetType: "organization",
        targetId: org.id,
        after: auditView(org),
        details: { provisioned: Boolean(provisioned) },
        ip: ctx.request.ip,
      });
      return org.id;
    });
  } catch (error) {
    if (provisioned && provisioningKey) await deleteUpstreamKey(ctx, provisioningKey, provisioned.hash);
    if (isUniqueViolation(error))
      throw domainError("CONFLICT", "organization.keyTaken");
    throw error;
  }
  return {
    organization: await loadOrganizationDto(ctx, organizationId),
    provisionedKey: provisioned?.key ?? null,
  };
}
