// Requests the proxy refused before forwarding them (schema/request-refusals.ts): recorded in
// batches, idempotent by the proxy's id for each; counted per local day for the Usage page.
import { and, between, count, eq, inArray } from "drizzle-orm";
import { localDate } from "@mai/domain";
import type { RefusalReason } from "@mai/domain/schemas";
import type { Executor } from "../client";
import { clientOrganizations, requestRefusals } from "../schema/index";
import { getGlobalSettings } from "./global-settings";
import type { UsageScopeFilter } from "./usage-reports";

export interface RefusalInput {
  id: string;
  organizationId: string;
  userId: string;
  reason: RefusalReason;
  occurredAt: Date;
}

/**
 * Records refusals (the day is the billing time zone's, as the ledger's); one already recorded is
 * skipped, and so is one of an organisation that no longer exists (`unknown`: sending it again
 * could never succeed, and the proxy must not retry it forever).
 */
export async function recordRefusals(
  db: Executor,
  refusals: readonly RefusalInput[],
): Promise<{ inserted: number; duplicates: number; unknown: number }> {
  if (refusals.length === 0) return { inserted: 0, duplicates: 0, unknown: 0 };
  const { billingTimeZone } = await getGlobalSettings(db);
  const orgIds = [...new Set(refusals.map((r) => r.organizationId))];
  const known = new Set(
    (await db.select({ id: clientOrganizations.id }).from(clientOrganizations).where(inArray(clientOrganizations.id, orgIds))).map((o) => o.id),
  );
  const rows = refusals.filter((r) => known.has(r.organizationId)).map((r) => ({ ...r, usageDate: localDate(r.occurredAt, billingTimeZone) }));
  const inserted =
    rows.length === 0 ? [] : await db.insert(requestRefusals).values(rows).onConflictDoNothing({ target: requestRefusals.id }).returning({ id: requestRefusals.id });
  return { inserted: inserted.length, duplicates: rows.length - inserted.length, unknown: refusals.length - rows.length };
}

export interface RefusalsByDayRow {
  /** YYYY-MM-DD, the billing time zone's local day. */
  date: string;
  monthlyLimit: number;
  organizationInactive: number;
}

/** Refusals per local day over [from, to] (YYYY-MM-DD, both included), days without any left out. */
export async function reportRefusalsByDay(
  db: Executor,
  filter: UsageScopeFilter & { from: string; to: string },
): Promise<RefusalsByDayRow[]> {
  const t = requestRefusals;
  const rows = await db
    .select({ date: t.usageDate, reason: t.reason, n: count() })
    .from(t)
    .where(
      and(
        eq(t.organizationId, filter.organizationId),
        filter.userId ? eq(t.userId, filter.userId) : undefined,
        between(t.usageDate, filter.from, filter.to),
      ),
    )
    .groupBy(t.usageDate, t.reason)
    .orderBy(t.usageDate);
  const byDay = new Map<string, RefusalsByDayRow>();
  for (const row of rows) {
    const day = byDay.get(row.date) ?? { date: row.date, monthlyLimit: 0, organizationInactive: 0 };
    if (row.reason === "monthly_limit") day.monthlyLimit += row.n;
    else day.organizationInactive += row.n;
    byDay.set(row.date, day);
  }
  return [...byDay.values()];
}
