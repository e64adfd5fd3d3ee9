// Editing an organisation. The provider may change everything; a client administrator only their
// billing e-mail (markup, limit, name and the active flag are what the provider sells them) —
// decided before this runs, by the procedure (providerOnlyFields).
// For a provisioned key, OpenRouter holds a copy of the limit (and the name and disabled flag).
// The database changes first, then OpenRouter is told — never inside the transaction, whose row
// lock would otherwise wait on OpenRouter (on PGlite: every other request, the proxy's admissions
// included). If OpenRouter refuses or is down, the previous values are put back and the caller
// gets BAD_GATEWAY with nothing changed: both sides keep agreeing (mirrorOntoUpstreamKey).
import {
  assertAuditable,
  lockOrganization,
  updateOrganization,
  type AuthUser,
  type Organization,
  type OrganizationPatch,
} from "@mai/db";
import { domainError, markupFromMultiplier } from "@mai/domain";
import type { UpdateOrganizationInput } from "@mai/domain/schemas";
import type { UpdateKeyInput } from "@mai/openrouter";
import type { Context } from "../../context";
import { limitUsd, mirrorOntoUpstreamKey, upstreamKeyName } from "./openrouter";
import {
  auditOrganization,
  changes,
  loadOrganizationDto,
  organizationAuditEntry,
  parseMonthlyLimit,
  type OrganizationDto,
} from "./shared";

/** The upstream key fields that follow from a local change (only what actually changed). */
function upstreamPatch(before: Organization, after: Organization): UpdateKeyInput {
  const patch: UpdateKeyInput = {};
  if (after.monthlyLimitNano !== before.monthlyLimitNano) patch.limit = limitUsd(after.monthlyLimitNano);
  if (after.active !== before.active) patch.disabled = !after.active;
  if (after.name !== before.name) patch.name = upstreamKeyName(after.name);
  return patch;
}

export async function updateOrganizationSettings(
  ctx: Context,
  actor: AuthUser,
  org: Organization,
  input: UpdateOrganizationInput,
): Promise<OrganizationDto> {
  const patch: OrganizationPatch = {};
  if (input.name !== undefined) patch.name = input.name;
  if (input.billingEmail !== undefined) patch.billingEmail = input.billingEmail;
  if (input.markup !== undefined) patch.markupBp = markupFromMultiplier(input.markup);
  if (input.monthlyLimitUsd !== undefined) patch.monthlyLimitNano = parseMonthlyLimit(input.monthlyLimitUsd);
  if (input.active !== undefined) patch.active = input.active;

  // 1. The database, in one short transaction under the row lock. The audit entry is checked here,
  //    before anything commits, and written once OpenRouter's answer is known.
  const { before, after, diff, action } = await ctx.deps.db.transaction(async (tx) => {
    const before = await lockOrganization(tx, org.id);
    if (!before) throw domainError("NOT_FOUND", "organization.notFound");
    const after = await updateOrganization(tx, org.id, patch, ctx.deps.now());
    const diff = changes(before, after);
    const action =
      diff.after.active === false ? "deactivated" : diff.after.active === true ? "reactivated" : "updated";
    assertAuditable(organizationAuditEntry(ctx, actor, org.id, action, diff));
    return { before, after, diff, action };
  });
  if (Object.keys(diff.after).length === 0) return loadOrganizationDto(ctx, org.id);
  // 2. OpenRouter, outside any transaction; on failure the change is undone and the failure thrown.
  const upstream = await mirrorOntoUpstreamKey(
    ctx,
    { before, after },
    upstreamPatch(before, after),
    "update the organisation's key",
  );
  await auditOrganization(ctx, ctx.deps.db, actor, org.id, action, { ...diff, details: { upstream } });
  return loadOrganizationDto(ctx, org.id);
}
