// The audit log as administrators may read it: the provider every entry (optionally one
// organisation's), a client administrator only their organisation's entries; members never —
// decided by tenantProcedure, which hands over the scope.
import { listAudit } from "@mai/db";
import type { Context, TenantScope } from "../../context";

export interface AuditListInput {
  action?: string | undefined;
  cursor?: number | undefined;
  limit: number;
}

export async function listAuditEntries(ctx: Context, scope: TenantScope, input: AuditListInput) {
  return listAudit(ctx.deps.db, {
    organizationId: scope.all ? undefined : (scope.organizationId ?? undefined),
    action: input.action,
    cursor: input.cursor,
    limit: input.limit,
  });
}
