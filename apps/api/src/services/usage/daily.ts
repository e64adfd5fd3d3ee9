// The daily trend: one row per local day in the billing time zone, oldest first, days without
// usage present as zeros (a chart must not silently join the neighbours of a quiet day) — the last
// `days` days, or a chosen range up to today: a day still to come has no usage and is not listed
// (the month's table ends today instead of in a row of zeros). Each day also counts the requests the proxy refused before
// forwarding them (402 at the monthly limit, 403 for a deactivated organisation): not in the
// ledger, since nothing was charged for them.
import { reportRefusalsByDay, reportUsageDaily } from "@mai/db";
import { addDays, daysBetween, localDate as today } from "@mai/domain";
import type { usageDailyInput } from "@mai/domain/schemas";
import type { z } from "zod";
import type { Context, UsageScope } from "../../context";
import { billingClock } from "./clock";

export async function usageDaily(ctx: Context, scope: UsageScope, input: z.output<typeof usageDailyInput>) {
  // A report: the read replica when there is one (README: "Read replica").
  const db = ctx.deps.readDb;
  const { timeZone, now } = await billingClock(ctx, db);
  const current = today(now, timeZone);
  const from = input.from ?? addDays(input.to ?? current, -(input.days - 1));
  // ISO dates compare as text; a range wholly in the future lists nothing.
  const to = input.to !== undefined && input.to < current ? input.to : current;
  if (to < from) return [];
  const filter = { organizationId: scope.organization.id, userId: scope.userId, from, to };
  const [rows, refusals] = await Promise.all([
    reportUsageDaily(db, { ...filter, model: input.model }),
    // Refusals have no model: with a model filter there are none to show.
    input.model ? Promise.resolve([]) : reportRefusalsByDay(db, filter),
  ]);
  const byDate = new Map(rows.map((r) => [r.date, r]));
  const refusedOn = new Map(refusals.map((r) => [r.date, r]));
  return Array.from({ length: daysBetween(from, to) }, (_, i) => {
    const date = addDays(from, i);
    const r = byDate.get(date);
    const refused = refusedOn.get(date);
    return {
      date,
      requests: r?.requests ?? 0,
      errorRequests: r?.errorRequests ?? 0,
      promptTokens: r?.promptTokens ?? 0,
      completionTokens: r?.completionTokens ?? 0,
      totalTokens: (r?.promptTokens ?? 0) + (r?.completionTokens ?? 0),
      rawCostNano: r?.rawCostNano ?? 0n,
      billedCostNano: r?.billedCostNano ?? 0n,
      refusedLimit: refused?.monthlyLimit ?? 0,
      refusedInactive: refused?.organizationInactive ?? 0,
    };
  });
}
