// Today and month to date, in the billing time zone, from the daily rollups; plus where the
// organisation stands against its monthly limit. The limit is always the organisation's (a member
// sees their own usage next to the limit they share), and its "spent" is the period counter the
// proxy admits against — the same number that decides whether the next request passes.
// The figures are a report (the read replica when there is one, as far behind as it lags); the
// limit's counter is read from the primary, as admission reads it, so the level shown is never the
// replica's older view of it (README: "Read replica").
import { getPeriodCounter, reportUsageTotals, type UsageFigures } from "@mai/db";
import { billingPeriod, evaluateMonthlyLimit, localDate as today, monthDates } from "@mai/domain";
import type { Context, UsageScope } from "../../context";
import { billingClock } from "./clock";

export async function usageSummary(ctx: Context, scope: UsageScope) {
  const { organization } = scope;
  const db = ctx.deps.readDb;
  const { timeZone, now } = await billingClock(ctx, db);
  const day = today(now, timeZone);
  const period = billingPeriod(now, timeZone);
  const month = monthDates(period.key);
  const base = { organizationId: organization.id, userId: scope.userId };
  const [todayFigures, monthFigures, counter] = await Promise.all([
    reportUsageTotals(db, { ...base, from: day, to: day }),
    reportUsageTotals(db, { ...base, from: month.from, to: day }),
    getPeriodCounter(ctx.deps.db, organization.id, period.key),
  ]);
  const limit = evaluateMonthlyLimit({
    spentNano: counter.spentNano,
    reservedNano: counter.reservedNano,
    requestNano: 0n,
    limitNano: organization.monthlyLimitNano,
    // A refused request decides "exceeded" once it could not fit with nothing in flight.
    refusedMinNano: counter.refusedMinNano,
  });
  const view = (f: UsageFigures) => ({ ...f, totalTokens: f.promptTokens + f.completionTokens });
  return {
    organizationId: organization.id,
    organizationName: organization.name,
    userId: scope.userId,
    timeZone,
    today: { date: day, ...view(todayFigures) },
    monthToDate: { period: period.key, from: month.from, to: day, ...view(monthFigures) },
    limit: {
      period: period.key,
      limitNano: organization.monthlyLimitNano,
      spentNano: counter.spentNano,
      reservedNano: counter.reservedNano,
      remainingNano: limit.remainingNano,
      usedBp: limit.usedBp,
      percentUsed: limit.usedBp / 100,
      level: limit.level,
    },
  };
}
