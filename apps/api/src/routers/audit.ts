// audit.list: provider sees every entry (optionally one organisation's); a client administrator
// only their own organisation's; members FORBIDDEN (tenantProcedure). Entries never hold a key
// (appendAudit refuses one); the output schema checks again, so a leak would be a server error,
// never a response.
import { containsSecret } from "@mai/db";
import { z } from "zod";
import { listAuditEntries } from "../services/audit/list";
import { router } from "../trpc/init";
import { tenantProcedure } from "../trpc/procedures";
import { auditListInput } from "@mai/domain/schemas";

const json = z.record(z.string(), z.unknown()).nullable();

const auditEntry = z
  .object({
    id: z.number().int(),
    createdAt: z.date(),
    actorUserId: z.string().nullable(),
    actorKind: z.string(),
    action: z.string(),
    organizationId: z.string().nullable(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    before: json,
    after: json,
    details: json,
    ip: z.string().nullable(),
  })
  .refine((entry) => !containsSecret(entry), {
    message: "An audit entry must never contain a key or token.",
  });

export const auditRouter = router({
  list: tenantProcedure("audit log")
    .input(auditListInput)
    .output(z.object({ items: z.array(auditEntry), nextCursor: z.number().int().nullable() }))
    .query(({ ctx, input }) => listAuditEntries(ctx, ctx.scope, input ?? { limit: 50 })),
});
