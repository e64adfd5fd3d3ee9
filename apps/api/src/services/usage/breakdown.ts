// Per-user and per-model breakdowns over a range of local days (default: the current billing
// month), billed cost descending, from the daily rollups — reports, so on the read replica when
// there is one (README: "Read replica").
import { reportUsageByModel, reportUsageByUser } from "@mai/db";
import { externalUserId, rangeOrCurrentMonth } from "@mai/domain";
import type { usageBreakdownInput } from "@mai/domain/schemas";
import type { z } from "zod";
import type { Context, UsageScope } from "../../context";
import { billingClock } from "./clock";

type BreakdownInput = z.output<typeof usageBreakdownInput>;

async function scopedFilter(ctx: Context, scope: UsageScope, input: BreakdownInput) {
  const { timeZone, now } = await billingClock(ctx, ctx.deps.readDb);
  const range = rangeOrCurrentMonth(input, now, timeZone);
  return { timeZone, filter: { organizationId: scope.organization.id, userId: scope.userId, ...range } };
}

export async function usageByUser(ctx: Context, scope: UsageScope, input: BreakdownInput) {
  const { timeZone, filter } = await scopedFilter(ctx, scope, input);
  const rows = await reportUsageByUser(ctx.deps.readDb, filter);
  return {
    from: filter.from,
    to: filter.to,
    timeZone,
    rows: rows.map((r) => ({
      userId: r.userId,
      email: r.email,
      name: r.name,
      // A user unmapped since still has the deterministic id their requests were sent under.
      externalUserId: r.externalUserId ?? externalUserId(scope.organization.id, r.userId),
      requests: r.requests,
      errorRequests: r.errorRequests,
      promptTokens: r.promptTokens,
      completionTokens: r.completionTokens,
      totalTokens: r.promptTokens + r.completionTokens,
      rawCostNano: r.rawCostNano,
      billedCostNano: r.billedCostNano,
    })),
  };
}

export async function usageByModel(ctx: Context, scope: UsageScope, input: BreakdownInput) {
  const { timeZone, filter } = await scopedFilter(ctx, scope, input);
  const rows = await reportUsageByModel(ctx.deps.readDb, filter);
  return {
    from: filter.from,
    to: filter.to,
    timeZone,
    rows: rows.map((r) => ({
      model: r.model,
      users: r.users,
      requests: r.requests,
      errorRequests: r.errorRequests,
      promptTokens: r.promptTokens,
      completionTokens: r.completionTokens,
      totalTokens: r.promptTokens + r.completionTokens,
      rawCostNano: r.rawCostNano,
      billedCostNano: r.billedCostNano,
    })),
  };
}
