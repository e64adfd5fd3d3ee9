// The audit log as administrators may read it: the provider every entry (optionally one
// organisation's), a client administrator only their organisation's entries; members never —
// decided by tenantProcedure, which hands over the scope.
import { listAudit } from "@mai/db";
import type { auditListInput } from "@mai/domain/schemas";
import type { z } from "zod";
import type { Context, TenantScope } from "../../context";

export async function listAuditEntries(
  ctx: Context,
  scope: TenantScope,
  input: NonNullable<z.output<typeof auditListInput>>,
) {
  return listAudit(ctx.deps.db, {
    organizationId: scope.all ? undefined : (scope.organizationId ?? undefined),
    action: input.action,
    cursor: input.cursor,
    limit: input.limit,
  });
}
