// Mapping statistics and, per external id, this billing month's requests and billed cost (from
// the daily rollups). Every mapped user is listed, with zeros when idle; usage of a user who has
// since left the organisation is listed under the id it was sent with (derived, deterministic).
// A report: read from the read replica when there is one (README: "Read replica").
import { reportMappedUsers, reportMappingCounts, reportUsageByOrganizationUser } from "@mai/db";
import { billingPeriod, externalUserId, localDate as today, monthDates } from "@mai/domain";
import { billingClock } from "../usage/clock";
import type { Context, MappingScope } from "../../context";

/** `scope` is decided by mappingProcedure. */
export async function mappingStatistics(ctx: Context, scope: MappingScope) {
  const db = ctx.deps.readDb;
  const organizationId = scope.organization?.id ?? null;
  const { timeZone: billingTimeZone, now } = await billingClock(ctx, db);
  const period = billingPeriod(now, billingTimeZone).key;
  const month = { from: monthDates(period).from, to: today(now, billingTimeZone) };

  const [counts, mapped, usage] = await Promise.all([
    reportMappingCounts(db, { organizationId }),
    reportMappedUsers(db, { organizationId }),
    reportUsageByOrganizationUser(db, {
      organizationIds: organizationId ? [organizationId] : null,
      ...month,
    }),
  ]);

  const key = (org: string, user: string) => `${org}|${user}`;
  const usageBy = new Map(usage.map((u) => [key(u.organizationId, u.userId), u]));
  // Usage of users no longer mapped joins this list below, without an e-mail.
  const rows: {
    externalUserId: string;
    userId: string;
    email: string | null;
    organizationId: string;
    mapped: boolean;
    requests: number;
    rawCostNano: bigint;
    billedCostNano: bigint;
  }[] = mapped.map((m) => {
    const u = usageBy.get(key(m.organizationId, m.userId));
    usageBy.delete(key(m.organizationId, m.userId));
    return {
      externalUserId: m.externalUserId,
      userId: m.userId,
      email: m.email,
      organizationId: m.organizationId,
      mapped: true,
      requests: u?.requests ?? 0,
      rawCostNano: u?.rawCostNano ?? 0n,
      billedCostNano: u?.billedCostNano ?? 0n,
    };
  });
  for (const u of usageBy.values()) {
    rows.push({
      externalUserId: externalUserId(u.organizationId, u.userId),
      userId: u.userId,
      email: null,
      organizationId: u.organizationId,
      mapped: false,
      requests: u.requests,
      rawCostNano: u.rawCostNano,
      billedCostNano: u.billedCostNano,
    });
  }
  rows.sort((a, b) =>
    a.billedCostNano !== b.billedCostNano
      ? a.billedCostNano > b.billedCostNano
        ? -1
        : 1
      : a.externalUserId.localeCompare(b.externalUserId),
  );
  return {
    organizationId,
    period,
    timeZone: billingTimeZone,
    ...counts,
    activeUsersThisMonth: rows.filter((r) => r.requests > 0).length,
    requestsThisMonth: rows.reduce((s, r) => s + r.requests, 0),
    billedCostNanoThisMonth: rows.reduce((s, r) => s + r.billedCostNano, 0n),
    perExternalId: rows,
  };
}
