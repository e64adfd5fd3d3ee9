// Key-level reconciliation (key_usage_checks) and statement adjustments (usage_adjustments).
// The job stores the last observation per organisation, scope and UTC period: OpenRouter's own
// counter for the organisation's key beside the raw cost recorded since `compared_from`. Billing
// unmetered usage adds an adjustment line; what was billed before is subtracted, so the same
// amount is never billed twice (callers hold the organisation's row lock while they decide).
import { and, asc, eq, gte, lt, lte, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { clientOrganizations, keyUsageChecks, usageAdjustments, usageEvents } from "../schema/index";

export type KeyUsageScope = "day" | "month";
export type KeyUsageCheck = typeof keyUsageChecks.$inferSelect;
export type UsageAdjustment = typeof usageAdjustments.$inferSelect;

/** An active organisation with a key: what the job needs to ask OpenRouter about it. */
export interface KeyReconciliationTarget {
  id: string;
  name: string;
  keySource: "provisioned" | "client" | null;
  openrouterKeyHash: string | null;
  keyFingerprint: string;
  keySetAt: Date | null;
  createdAt: Date;
}

export async function listKeyReconciliationTargets(db: Executor): Promise<KeyReconciliationTarget[]> {
  const rows = await db
    .select({
      id: clientOrganizations.id,
      name: clientOrganizations.name,
      keySource: clientOrganizations.keySource,
      openrouterKeyHash: clientOrganizations.openrouterKeyHash,
      keyFingerprint: clientOrganizations.keyFingerprint,
      keySetAt: clientOrganizations.keySetAt,
      createdAt: clientOrganizations.createdAt,
    })
    .from(clientOrganizations)
    .where(and(eq(clientOrganizations.active, true), sql`${clientOrganizations.keyCiphertext} is not null`))
    .orderBy(asc(clientOrganizations.name));
  return rows.flatMap((r) => (r.keyFingerprint === null ? [] : [{ ...r, keyFingerprint: r.keyFingerprint }]));
}

/** Raw cost and number of the organisation's events with occurred_at in [from, to]. */
export async function recordedRawCost(
  db: Executor,
  organizationId: string,
  from: Date,
  to: Date,
): Promise<{ rawNano: bigint; events: number }> {
  const [row] = await db
    .select({
      // sum() of bigint is numeric in PostgreSQL; ::text keeps every digit on both drivers.
      raw: sql<string>`coalesce(sum(${usageEvents.rawCostNano}), 0)::text`,
      events: sql<number>`count(*)::int`,
    })
    .from(usageEvents)
    .where(
      and(
        eq(usageEvents.organizationId, organizationId),
        gte(usageEvents.occurredAt, from),
        lte(usageEvents.occurredAt, to),
      ),
    );
  return { rawNano: BigInt(row?.raw ?? "0"), events: Number(row?.events ?? 0) };
}

export async function getKeyUsageCheck(
  db: Executor,
  organizationId: string,
  scope: KeyUsageScope,
  periodStart: string,
): Promise<KeyUsageCheck | undefined> {
  const [row] = await db
    .select()
    .from(keyUsageChecks)
    .where(
      and(
        eq(keyUsageChecks.organizationId, organizationId),
        eq(keyUsageChecks.scope, scope),
        eq(keyUsageChecks.periodStart, periodStart),
      ),
    );
  return row;
}

/** Stores the observation, replacing the previous one of the same organisation, scope and period. */
export async function saveKeyUsageCheck(db: Executor, check: KeyUsageCheck): Promise<void> {
  await db
    .insert(keyUsageChecks)
    .values(check)
    .onConflictDoUpdate({
      target: [keyUsageChecks.organizationId, keyUsageChecks.scope, keyUsageChecks.periodStart],
      set: {
        keyFingerprint: check.keyFingerprint,
        comparedFrom: check.comparedFrom,
        openrouterUsageNano: check.openrouterUsageNano,
        carriedOpenrouterNano: check.carriedOpenrouterNano,
        recordedRawNano: check.recordedRawNano,
        unmeteredNano: check.unmeteredNano,
        checkedAt: check.checkedAt,
      },
    });
}

/** One organisation's key-level reconciliation for a UTC month, with what is already billed. */
export interface UnmeteredUsageRow {
  organizationId: string;
  organizationName: string;
  markupBp: number;
  keyHint: string | null;
  month: KeyUsageCheck | null;
  /** The latest day-scope check inside the month. */
  latestDay: KeyUsageCheck | null;
  /** Raw cost already billed by adjustment lines for this month. */
  billedRawNano: bigint;
}

/**
 * Unmetered usage of a UTC month ("YYYY-MM") for every organisation (or one): the month's check,
 * the latest day check of the month, and the adjustments already billed for that period.
 */
export async function listUnmeteredUsage(
  db: Executor,
  options: { month: string; organizationId?: string },
): Promise<UnmeteredUsageRow[]> {
  const orgFilter = options.organizationId ? eq(clientOrganizations.id, options.organizationId) : undefined;
  const orgs = await db
    .select({
      id: clientOrganizations.id,
      name: clientOrganizations.name,
      markupBp: clientOrganizations.markupBp,
      keyHint: clientOrganizations.keyHint,
    })
    .from(clientOrganizations)
    .where(orgFilter)
    .orderBy(asc(clientOrganizations.name));
  if (orgs.length === 0) return [];
  const monthStart = `${options.month}-01`;
  const [year, monthNumber] = options.month.split("-").map(Number) as [number, number];
  const nextMonthStart = new Date(Date.UTC(year, monthNumber, 1)).toISOString().slice(0, 10);
  const checks = await db
    .select()
    .from(keyUsageChecks)
    .where(
      and(
        options.organizationId ? eq(keyUsageChecks.organizationId, options.organizationId) : undefined,
        // The month's own row and its days.
        gte(keyUsageChecks.periodStart, monthStart),
        lt(keyUsageChecks.periodStart, nextMonthStart),
      ),
    );
  const billed = await db
    .select({
      organizationId: usageAdjustments.organizationId,
      raw: sql<string>`coalesce(sum(${usageAdjustments.rawCostNano}), 0)::text`,
    })
    .from(usageAdjustments)
    .where(
      and(
        options.organizationId ? eq(usageAdjustments.organizationId, options.organizationId) : undefined,
        eq(usageAdjustments.period, options.month),
        eq(usageAdjustments.kind, "unmetered_usage"),
      ),
    )
    .groupBy(usageAdjustments.organizationId);
  const billedBy = new Map(billed.map((b) => [b.organizationId, BigInt(b.raw)]));
  return orgs.map((o) => {
    const own = checks.filter((c) => c.organizationId === o.id);
    const month = own.find((c) => c.scope === "month" && c.periodStart === monthStart) ?? null;
    const days = own.filter((c) => c.scope === "day").sort((a, b) => (a.periodStart < b.periodStart ? 1 : -1));
    return {
      organizationId: o.id,
      organizationName: o.name,
      markupBp: o.markupBp,
      keyHint: o.keyHint,
      month,
      latestDay: days[0] ?? null,
      billedRawNano: billedBy.get(o.id) ?? 0n,
    };
  });
}

/** Raw cost already billed as unmetered usage for one organisation and period. */
export async function billedUnmeteredRaw(db: Executor, organizationId: string, period: string): Promise<bigint> {
  const [row] = await db
    .select({ raw: sql<string>`coalesce(sum(${usageAdjustments.rawCostNano}), 0)::text` })
    .from(usageAdjustments)
    .where(
      and(
        eq(usageAdjustments.organizationId, organizationId),
        eq(usageAdjustments.period, period),
        eq(usageAdjustments.kind, "unmetered_usage"),
      ),
    );
  return BigInt(row?.raw ?? "0");
}

export async function insertUsageAdjustment(
  db: Executor,
  input: Omit<typeof usageAdjustments.$inferInsert, "id" | "createdAt">,
): Promise<UsageAdjustment> {
  const [row] = await db.insert(usageAdjustments).values(input).returning();
  return row!;
}

/** The adjustment lines of one organisation's statement period, oldest first. */
export async function listUsageAdjustments(
  db: Executor,
  organizationId: string,
  period: string,
): Promise<UsageAdjustment[]> {
  return db
    .select()
    .from(usageAdjustments)
    .where(and(eq(usageAdjustments.organizationId, organizationId), eq(usageAdjustments.period, period)))
    .orderBy(asc(usageAdjustments.createdAt), asc(usageAdjustments.id));
}
