// The audit log as administrators may read it: the provider every entry (optionally one
// organisation's), a client administrator only their organisation's entries; members never.
import { TRPCError } from "@trpc/server";
import { listAudit } from "@mai/db";
import type { AuthedContext } from "../usage/scope";

export interface AuditListInput {
  organizationId?: string | undefined;
  action?: string | undefined;
  cursor?: number | undefined;
  limit: number;
}

export async function listAuditEntries(ctx: AuthedContext, input: AuditListInput) {
  const { user } = ctx;
  let organizationId: string | undefined;
  if (user.role === "provider_admin") {
    organizationId = input.organizationId;
  } else if (user.role === "org_admin") {
    if (!user.organizationId)
      throw new TRPCError({ code: "NOT_FOUND", message: "You do not belong to an organisation yet." });
    if (input.organizationId && input.organizationId !== user.organizationId) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: "You can only see your own organisation's audit log.",
      });
    }
    organizationId = user.organizationId;
  } else {
    throw new TRPCError({ code: "FORBIDDEN", message: "Only administrators can read the audit log." });
  }
  return listAudit(ctx.deps.db, {
    organizationId,
    action: input.action,
    cursor: input.cursor,
    limit: input.limit,
  });
}
