// audit.list: provider sees every entry (optionally one organisation's); a client administrator
// only their own organisation's; members FORBIDDEN (tenantProcedure). Entries never hold a key
// (appendAudit refuses one); the output schema checks again, so a leak would be a server error,
// never a response. A client administrator's entries have no provider cost in them (raw amounts,
// markup: trpc/provider-cost.ts) unless the provider lets clients see it: the billed view drops those
// keys from before/after/details — and an adjustment's description, which states its raw amount.
import { containsSecret } from "@mai/db";
import { z } from "zod";
import { listAuditEntries } from "../services/audit/list";
import { router } from "../trpc/init";
import { tenantProcedure } from "../trpc/procedures";
import { costViews, providerCost } from "../trpc/provider-cost";
import { auditListInput } from "@mai/domain/schemas";

const json = z.record(z.string(), z.unknown()).nullable();

/** Keys of audit JSON that state the provider's cost: raw amounts, OpenRouter's counters, the markup. */
const PROVIDER_COST_KEY = /raw|markup|openrouterUsage|^unmeteredNano$|^toleranceNano$|^description$/i;

function withoutProviderCost(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutProviderCost);
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value).filter(([key]) => !PROVIDER_COST_KEY.test(key)).map(([key, v]) => [key, withoutProviderCost(v)]),
    );
  }
  return value;
}
const billedJson = json.transform((value) => (value === null ? null : (withoutProviderCost(value) as Record<string, unknown>)));

const entryShape = (j: typeof json | typeof billedJson) =>
  z.object({
    id: z.number().int(),
    createdAt: z.date(),
    actorUserId: z.string().nullable(),
    actorKind: z.string(),
    action: z.string(),
    organizationId: z.string().nullable(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    before: j,
    after: j,
    details: j,
    ip: z.string().nullable(),
  });
// Both views are checked for secrets: an entry the full view refuses must not pass as the billed one.
const noSecret = <T extends z.ZodType>(entry: T) =>
  entry.refine((value) => !containsSecret(value), {
    message: "An audit entry must never contain a key or token.",
  });
const auditEntry = noSecret(entryShape(json));

const auditListViews = costViews(
  z.object({ items: z.array(auditEntry), nextCursor: z.number().int().nullable() }),
  z.object({ items: z.array(noSecret(entryShape(billedJson))), nextCursor: z.number().int().nullable() }),
);

export const auditRouter = router({
  list: tenantProcedure("audit log")
    .input(auditListInput)
    .output(auditListViews.output)
    .use(providerCost(auditListViews))
    .query(({ ctx, input }) => listAuditEntries(ctx, ctx.scope, input ?? { limit: 50 })),
});
