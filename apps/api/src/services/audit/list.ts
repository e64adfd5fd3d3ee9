// The audit log as administrators may read it: the provider every entry (optionally one
// organisation's), a client administrator only their organisation's entries; members never.
import { listAudit } from "@mai/db";
import { scopeOrganization } from "../scope";
import type { AuthedContext } from "../usage/scope";

export interface AuditListInput {
  organizationId?: string | undefined;
  action?: string | undefined;
  cursor?: number | undefined;
  limit: number;
}

export async function listAuditEntries(ctx: AuthedContext, input: AuditListInput) {
  const organizationId = scopeOrganization(ctx.user, input.organizationId, { noun: "audit log", providerMustChoose: false });
  return listAudit(ctx.deps.db, {
    organizationId,
    action: input.action,
    cursor: input.cursor,
    limit: input.limit,
  });
}
