// Per-user and per-model breakdowns over a range of local days (default: the current billing
// month), billed cost descending, from the daily rollups.
import { reportUsageByModel, reportUsageByUser } from "@mai/db";
import { externalUserId } from "@mai/domain";
import { rangeOrCurrentMonth } from "./dates";
import { resolveUsageScope, type AuthedContext } from "./scope";

type BreakdownInput = {
  organizationId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
};

async function scopedFilter(ctx: AuthedContext, input: BreakdownInput) {
  const scope = await resolveUsageScope(ctx, input);
  const range = rangeOrCurrentMonth(input, scope.now, scope.timeZone);
  return { scope, filter: { organizationId: scope.organization.id, userId: scope.userId, ...range } };
}

export async function usageByUser(ctx: AuthedContext, input: BreakdownInput) {
  const { scope, filter } = await scopedFilter(ctx, input);
  const rows = await reportUsageByUser(ctx.deps.db, filter);
  return {
    from: filter.from,
    to: filter.to,
    timeZone: scope.timeZone,
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

export async function usageByModel(ctx: AuthedContext, input: BreakdownInput) {
  const { scope, filter } = await scopedFilter(ctx, input);
  const rows = await reportUsageByModel(ctx.deps.db, filter);
  return {
    from: filter.from,
    to: filter.to,
    timeZone: scope.timeZone,
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
