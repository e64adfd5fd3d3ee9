// The daily trend: one row per local day in the billing time zone, oldest first, days without
// usage present as zeros (a chart must not silently join the neighbours of a quiet day).
import { reportUsageDaily } from "@mai/db";
import { addDays, localDate as today } from "@mai/domain";
import type { usageDailyInput } from "@mai/domain/schemas";
import type { z } from "zod";
import type { Context, UsageScope } from "../../context";
import { billingClock } from "./clock";

export async function usageDaily(ctx: Context, scope: UsageScope, input: z.output<typeof usageDailyInput>) {
  // A report: the read replica when there is one (README: "Read replica").
  const db = ctx.deps.readDb;
  const { timeZone, now } = await billingClock(ctx, db);
  const to = today(now, timeZone);
  const from = addDays(to, -(input.days - 1));
  const rows = await reportUsageDaily(db, {
    organizationId: scope.organization.id,
    userId: scope.userId,
    model: input.model,
    from,
    to,
  });
  const byDate = new Map(rows.map((r) => [r.date, r]));
  return Array.from({ length: input.days }, (_, i) => {
    const date = addDays(from, i);
    const r = byDate.get(date);
    return {
      date,
      requests: r?.requests ?? 0,
      errorRequests: r?.errorRequests ?? 0,
      promptTokens: r?.promptTokens ?? 0,
      completionTokens: r?.completionTokens ?? 0,
      totalTokens: (r?.promptTokens ?? 0) + (r?.completionTokens ?? 0),
      rawCostNano: r?.rawCostNano ?? 0n,
      billedCostNano: r?.billedCostNano ?? 0n,
    };
  });
}
