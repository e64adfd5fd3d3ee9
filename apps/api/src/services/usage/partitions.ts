// The ledger's growth, bounded (packages/db usage-partitions): this month's partition and the next
// two are made at start and then daily, so recording never waits on DDL; with
// MAI_USAGE_RETENTION_MONTHS = N (> 0) the raw events of every month before the N whole months
// preceding the current one are dropped — usage_daily, the period counters, the statements and the
// adjustments stay, so every figure of a dropped month is still there; only its event list is gone.
import { analyzeUsage, dropUsageMonthsBefore, ensureUsagePartitionsAhead, utcMonthOf, vacuumUpdatedUsageTables, type Driver } from "@mai/db";
import type { AppDeps } from "../../deps";
import { scheduleJob } from "../schedule";

const DAY_MS = 24 * 60 * 60 * 1000;

/** The first UTC month whose raw events retention keeps ("YYYY-MM"), or null when it keeps all. */
export function firstKeptMonth(now: Date, retentionMonths: number): string | null {
  if (retentionMonths <= 0) return null;
  return utcMonthOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - retentionMonths, 1)));
}

/** One maintenance pass: partitions ahead, retention, then planner statistics (see analyzeUsage). */
export async function maintainUsagePartitions(deps: AppDeps): Promise<{ created: string[]; dropped: string[] }> {
  const now = deps.now();
  const created = await ensureUsagePartitionsAhead(deps.db, now, 2);
  const firstKept = firstKeptMonth(now, deps.env.MAI_USAGE_RETENTION_MONTHS);
  const dropped = firstKept ? await dropUsageMonthsBefore(deps.db, firstKept) : [];
  await analyzeUsage(deps.db);
  if (created.length > 0 || dropped.length > 0) deps.logger.info({ created, dropped }, "usage partitions maintained");
  return { created, dropped };
}

/** At start, then once a day; never two passes at once. A failure is logged and retried next pass. */
export function scheduleUsagePartitions(deps: AppDeps): { stop(): void; firstPass: Promise<void> } {
  const job = scheduleJob(deps, DAY_MS, "usage partition maintenance failed", () => maintainUsagePartitions(deps));
  return { stop: job.stop, firstPass: job.run() };
}

const MINUTE_MS = 60 * 1000;

/**
 * PGlite has no autovacuum: every minute (PostgreSQL's autovacuum_naptime) the API vacuums the tables
 * the ingest updates in place (vacuumUpdatedUsageTables). On PostgreSQL autovacuum does it: nothing here.
 */
export function scheduleRollupVacuum(deps: AppDeps, driver: Driver): { stop(): void } {
  return scheduleJob(deps, driver === "pglite" ? MINUTE_MS : 0, "vacuum of the usage rollups failed", () => vacuumUpdatedUsageTables(deps.db));
}
