// The ledger's monthly partitions (migration 0007): usage_events is partitioned by the UTC month of
// occurred_at, one partition per month (`usage_events_YYYY_MM`) plus a DEFAULT one that catches any
// date no partition covers yet, so recording never fails for a date. The API creates partitions
// ahead of time; the ingest makes sure the months of each batch have theirs (cached per database,
// so that costs one call per month per process). Retention drops whole months of raw events —
// usage_daily, the period counters and the statements built from them stay.
import { sql } from "drizzle-orm";
import { queryRows, type Database, type Executor } from "../client";

const PARTITION = /^usage_events_(\d{4})_(\d{2})$/;

/** "YYYY-MM" of an instant, in UTC: the partition it belongs to. */
export function utcMonthOf(at: Date): string {
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth() + 1;
  return `${year < 0 || year > 9999 ? "±" : String(year).padStart(4, "0")}-${month < 10 ? "0" : ""}${month}`;
}

function addMonths(month: string, n: number): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return utcMonthOf(d);
}

const known = new WeakMap<Database, Set<string>>();

/** Makes sure each UTC month ("YYYY-MM") has its partition; returns the months it created. */
export async function ensureUsagePartitions(db: Database, months: Iterable<string>): Promise<string[]> {
  let seen = known.get(db);
  if (!seen) known.set(db, (seen = new Set()));
  const created: string[] = [];
  for (const month of new Set(months)) {
    if (seen.has(month)) continue;
    if (!/^\d{4}-\d{2}$/.test(month)) throw new Error(`not a month: ${month}`);
    const [row] = await queryRows<{ made: boolean }>(db, sql`select usage_events_ensure_partition(${`${month}-01`}::date) as made`);
    if (row?.made) created.push(month);
    seen.add(month);
  }
  return created;
}

/** The partitions of `now`'s month and the `ahead` months after it (the API's job, at start and daily). */
export function ensureUsagePartitionsAhead(db: Database, now: Date, ahead = 2): Promise<string[]> {
  const first = utcMonthOf(now);
  return ensureUsagePartitions(
    db,
    Array.from({ length: ahead + 1 }, (_, i) => addMonths(first, i)),
  );
}

/** The monthly partitions that exist, oldest first ("YYYY-MM"). */
export async function listUsagePartitions(db: Executor): Promise<string[]> {
  const rows = await queryRows<{ name: string }>(
    db,
    sql`select c.relname as name from pg_inherits i
          join pg_class c on c.oid = i.inhrelid
          join pg_class p on p.oid = i.inhparent
        where p.relname = 'usage_events' and p.relnamespace = 'public'::regnamespace`,
  );
  return rows
    .map((r) => PARTITION.exec(r.name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]}-${m[2]}`)
    .sort();
}

/**
 * Retention: drops the raw events of every whole UTC month before `firstKept` ("YYYY-MM") — their
 * partitions, the generation ids recorded for them, their queued checks and the requests refused in
 * them. Rollups, counters and statements stay.
 * Rows in the DEFAULT partition are never dropped here. Returns the months dropped.
 */
export async function dropUsageMonthsBefore(db: Database, firstKept: string): Promise<string[]> {
  if (!/^\d{4}-\d{2}$/.test(firstKept)) throw new Error(`not a month: ${firstKept}`);
  const old = (await listUsagePartitions(db)).filter((month) => month < firstKept);
  for (const month of old) {
    const name = `usage_events_${month.replace("-", "_")}`;
    await db.transaction(async (tx) => {
      await tx.execute(sql.raw(`drop table if exists public."${name}"`));
      const [y, m] = month.split("-").map(Number) as [number, number];
      const lo = new Date(Date.UTC(y, m - 1, 1));
      const hi = new Date(Date.UTC(y, m, 1));
      await tx.execute(sql`delete from usage_event_ids where occurred_at >= ${lo.toISOString()}::timestamptz and occurred_at < ${hi.toISOString()}::timestamptz`);
      // Their checks too: an event no longer on the ledger cannot be corrected.
      await tx.execute(sql`delete from reconciliation_queue where occurred_at >= ${lo.toISOString()}::timestamptz and occurred_at < ${hi.toISOString()}::timestamptz`);
      // And the requests refused in that month, which are raw records like the events.
      await tx.execute(sql`delete from request_refusals where occurred_at >= ${lo.toISOString()}::timestamptz and occurred_at < ${hi.toISOString()}::timestamptz`);
    });
    known.get(db)?.delete(month);
  }
  return old;
}

/**
 * Fresh planner statistics for the ledger and its rollups. Autovacuum analyzes each partition and
 * rollup as it changes, but never a partitioned table as a whole, and the plans of the dashboard's
 * queries over usage_events use those whole-table figures; the API runs this daily.
 */
export async function analyzeUsage(db: Executor): Promise<void> {
  await db.execute(sql`analyze usage_events, usage_daily, usage_daily_users, usage_daily_models, usage_monthly`);
}

// The tables every recorded batch updates in place: a batch leaves a dead version of each rollup
// and counter row it adds to, and the next upsert of that row probes past the dead ones.
const UPDATED_IN_PLACE = [
  "usage_daily",
  "usage_daily_users",
  "usage_daily_models",
  "usage_monthly",
  "usage_period_counters",
  "limit_leases",
  "reconciliation_queue",
];

/**
 * Vacuums the tables the ingest updates in place. PostgreSQL's autovacuum does this by itself;
 * PGlite has none (one process), so the API runs it every minute there — without it the dead rows
 * piled up and every batch got slower than the last.
 */
export async function vacuumUpdatedUsageTables(db: Database): Promise<void> {
  // Only fixed names from the list above reach sql.raw.
  await db.execute(sql.raw(`vacuum ${UPDATED_IN_PLACE.join(", ")}`));
}
