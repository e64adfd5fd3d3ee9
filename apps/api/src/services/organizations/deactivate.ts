// Deactivation: the proxy refuses the organisation's requests from now on, and a provisioned key
// is disabled on OpenRouter too (the client may hold the plaintext key, so the local flag alone
// would not stop direct use). Idempotent: deactivating again retries the upstream disable. The
// upstream call runs inside the transaction: if OpenRouter is down, nothing changes locally either.
import { deactivateOrganization, lockOrganization, type AuthUser, type Organization } from "@mai/db";
import { DomainError } from "@mai/domain";
import type { Context } from "../../context";
import { isUpstreamNotFound, requireProvisioningKey, upstreamFailure } from "./openrouter";
import { auditOrganization, changes, loadOrganizationDto, type OrganizationDto } from "./shared";

export type UpstreamKeyState = "disabled" | "missing" | "none";

export async function deactivateClientOrganization(
  ctx: Context,
  actor: AuthUser,
  org: Organization,
): Promise<{ organization: OrganizationDto; upstreamKey: UpstreamKeyState }> {
  const upstreamKey = await ctx.deps.db.transaction(async (tx) => {
    const before = await lockOrganization(tx, org.id);
    if (!before) throw new DomainError("NOT_FOUND", "Organisation not found.");
    const after = await deactivateOrganization(tx, org.id, ctx.deps.now());
    let upstream: UpstreamKeyState = "none";
    if (before.openrouterKeyHash) {
      const provisioningKey = await requireProvisioningKey(ctx, tx);
      try {
        await ctx.deps.openrouter.updateKey(
          before.openrouterKeyHash,
          { disabled: true },
          { key: provisioningKey },
        );
        upstream = "disabled";
      } catch (error) {
        if (!isUpstreamNotFound(error)) throw upstreamFailure(error, "disable the organisation's key");
        upstream = "missing";
      }
    }
    await auditOrganization(ctx, tx, actor, org.id, "deactivated", {
      ...changes(before, after),
      details: { upstreamKey: upstream },
    });
    return upstream;
  });
  return { organization: await loadOrganizationDto(ctx, org.id), upstreamKey };
}
