// Editing an organisation. The provider may change everything; a client administrator only their
// billing e-mail (markup, limit, name and the active flag are what the provider sells them) —
// decided before this runs, by the procedure (providerOnlyFields).
// For a provisioned key, OpenRouter holds a copy of the limit (and the name and disabled flag):
// the upstream PATCH runs inside the database transaction, so if OpenRouter refuses or is down the
// local change rolls back and both sides keep agreeing.
import {
  lockOrganization,
  updateOrganization,
  type AuthUser,
  type Executor,
  type Organization,
  type OrganizationPatch,
} from "@mai/db";
import { DomainError, markupFromMultiplier } from "@mai/domain";
import type { UpdateKeyInput } from "@mai/openrouter";
import type { Context } from "../../context";
import {
  isUpstreamNotFound,
  limitUsd,
  requireProvisioningKey,
  upstreamFailure,
  upstreamKeyName,
} from "./openrouter";
import {
  auditOrganization,
  changes,
  loadOrganizationDto,
  parseMonthlyLimit,
  type OrganizationDto,
} from "./shared";

export interface UpdateOrganizationRequest {
  name?: string | undefined;
  billingEmail?: string | null | undefined;
  markup?: string | number | undefined;
  monthlyLimitUsd?: string | number | undefined;
  active?: boolean | undefined;
}

/** The upstream key fields that follow from a local change (only what actually changed). */
function upstreamPatch(before: Organization, after: Organization): UpdateKeyInput {
  const patch: UpdateKeyInput = {};
  if (after.monthlyLimitNano !== before.monthlyLimitNano) patch.limit = limitUsd(after.monthlyLimitNano);
  if (after.active !== before.active) patch.disabled = !after.active;
  if (after.name !== before.name) patch.name = upstreamKeyName(after.name);
  return patch;
}

/**
 * Applies a local change and mirrors it onto the organisation's provisioned key, in `tx`. A key
 * OpenRouter no longer knows (deleted in its dashboard) does not block the local change.
 */
export async function applyOrganizationChange(
  ctx: Context,
  tx: Executor,
  organizationId: string,
  patch: OrganizationPatch,
): Promise<{ before: Organization; after: Organization; upstream: "updated" | "missing" | "none" }> {
  const before = await lockOrganization(tx, organizationId);
  if (!before) throw new DomainError("NOT_FOUND", "Organisation not found.");
  const after = await updateOrganization(tx, organizationId, patch, ctx.deps.now());
  const remote = upstreamPatch(before, after);
  if (!before.openrouterKeyHash || Object.keys(remote).length === 0)
    return { before, after, upstream: "none" };
  const provisioningKey = await requireProvisioningKey(ctx, tx);
  try {
    await ctx.deps.openrouter.updateKey(before.openrouterKeyHash, remote, { key: provisioningKey });
    return { before, after, upstream: "updated" };
  } catch (error) {
    if (isUpstreamNotFound(error)) {
      ctx.log.warn(
        { organizationId, keyHash: before.openrouterKeyHash },
        "the organisation's provisioned key no longer exists on OpenRouter",
      );
      return { before, after, upstream: "missing" };
    }
    throw upstreamFailure(error, "update the organisation's key");
  }
}

export async function updateOrganizationSettings(
  ctx: Context,
  actor: AuthUser,
  org: Organization,
  input: UpdateOrganizationRequest,
): Promise<OrganizationDto> {
  const patch: OrganizationPatch = {};
  if (input.name !== undefined) patch.name = input.name;
  if (input.billingEmail !== undefined) patch.billingEmail = input.billingEmail;
  if (input.markup !== undefined) patch.markupBp = markupFromMultiplier(input.markup);
  if (input.monthlyLimitUsd !== undefined) patch.monthlyLimitNano = parseMonthlyLimit(input.monthlyLimitUsd);
  if (input.active !== undefined) patch.active = input.active;

  await ctx.deps.db.transaction(async (tx) => {
    const { before, after, upstream } = await applyOrganizationChange(ctx, tx, org.id, patch);
    const diff = changes(before, after);
    if (Object.keys(diff.after).length === 0) return;
    const action =
      diff.after.active === false ? "deactivated" : diff.after.active === true ? "reactivated" : "updated";
    await auditOrganization(ctx, tx, actor, org.id, action, { ...diff, details: { upstream } });
  });
  return loadOrganizationDto(ctx, org.id);
}
