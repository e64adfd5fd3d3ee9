// Deactivation: the proxy refuses the organisation's requests from now on, and a provisioned key
// is disabled on OpenRouter too (the client may hold the plaintext key, so the local flag alone
// would not stop direct use). Idempotent: deactivating again retries the upstream disable. The
// database first, then OpenRouter outside the transaction; if OpenRouter is down, the organisation
// is reactivated as it was (mirrorOntoUpstreamKey) and nothing has changed.
// Unlike a rotation, the key is disabled at once, not after the retirement grace period: the
// organisation is to be refused, so a request a proxy still admits from its identity cache (up to
// MAI_PROXY_IDENTITY_TTL_MS) is refused by OpenRouter instead (401, nothing charged) rather than
// served; and the key is disabled, not deleted, because reactivation enables it again.
import { deactivateOrganization, lockOrganization, type AuthUser, type Organization } from "@mai/db";
import { domainError } from "@mai/domain";
import type { Context } from "../../context";
import { mirrorOntoUpstreamKey } from "./openrouter";
import { auditOrganization, changes, loadOrganizationDto, type OrganizationDto } from "./shared";

type UpstreamKeyState = "disabled" | "missing" | "none";

export async function deactivateClientOrganization(
  ctx: Context,
  actor: AuthUser,
  org: Organization,
): Promise<{ organization: OrganizationDto; upstreamKey: UpstreamKeyState }> {
  const change = await ctx.deps.db.transaction(async (tx) => {
    const before = await lockOrganization(tx, org.id);
    if (!before) throw domainError("NOT_FOUND", "organization.notFound");
    return { before, after: await deactivateOrganization(tx, org.id, ctx.deps.now()) };
  });
  // Sent even when the organisation was already inactive: deactivating again retries the disable.
  const upstream = await mirrorOntoUpstreamKey(ctx, change, { disabled: true }, "disable the organisation's key");
  const upstreamKey: UpstreamKeyState = upstream === "updated" ? "disabled" : upstream;
  await auditOrganization(ctx, ctx.deps.db, actor, org.id, "deactivated", {
    ...changes(change.before, change.after),
    details: { upstreamKey },
  });
  return { organization: await loadOrganizationDto(ctx, org.id), upstreamKey };
}
