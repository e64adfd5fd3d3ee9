// Recording usage: the ledger and everything derived from it move together. Events are inserted
// idempotently by generation id; only the rows actually inserted feed the daily rollup, the period
// counter and the release of their leases' reservations — all in ONE statement (data-modifying CTEs), so a
// replayed batch changes nothing, every total equals the sum of its events, and a batch costs two
// round trips (the billing time zone, then the statement) whatever its size.
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { billedCost, DEFAULT_RECONCILE_SAMPLE_BP, DomainError, localDate, MAX_USAGE_BATCH } from "@mai/domain";
import { queryRows, type Database, type Executor } from "../client";
import { limitLeases, reconciliationQueue, usageEventIds, usageEvents, usagePeriodCounters } from "../schema/index";
import { getGlobalSettings } from "./global-settings";
import { leaseHeldSql } from "./limits";
import { retryOnRace } from "./errors";
import { USAGE_ROLLUPS, type RollupKey } from "./rollups";
import { ensureUsagePartitions, utcMonthOf } from "./usage-partitions";

export type UsageStatus = "ok" | "error" | "aborted" | "incomplete";

export interface UsageEventInput {
  generationId: string;
  organizationId: string;
  userId: string;
  externalUserId: string;
  model: string;
  provider?: string | null;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens?: number;
  cachedTokens?: number;
  /** What OpenRouter charged (usage.cost), in nano-USD. */
  rawCostNano: bigint;
  /** The organisation's markup when the request was made; billed cost is derived here, once. */
  markupBp: number;
  status: UsageStatus;
  streamed: boolean;
  latencyMs?: number | null;
  ttfbMs?: number | null;
  occurredAt: Date;
  /**
   * The part of the proxy's lease this event's cost used up: added to the lease's recorded amount
   * in the same statement that adds the cost to `spent`, and only when the event is new (a replay
   * gives nothing back twice); `reserved` loses what the lease held of it — nothing when the lease
   * expired or is gone (what it held was returned then). `period` is the period the lease was made
   * in. An event without a lease (spooled before leases were rows) records; its release is ignored.
   */
  release?: { period: string; nano: bigint; lease?: string | undefined } | null | undefined;
}

export interface RecordUsageResult {
  inserted: number;
  duplicates: number;
}

/** How a column of the batch is written from an event (`day`: its local date, "YYYY-MM-DD"): its text form, or null. */
type ColumnText = (event: UsageEventInput, day: string) => string | null;
const text = (value: number | bigint | boolean | null | undefined): string | null =>
  value === null || value === undefined ? null : String(value);

// The columns recordUsageEvents writes (by property name) and each one's text from an event; the
// others keep their defaults. The billed cost is derived here, once, by the domain's rule.
const EVENT_FIELDS = {
  generationId: (e) => e.generationId,
  organizationId: (e) => e.organizationId,
  userId: (e) => e.userId,
  externalUserId: (e) => e.externalUserId,
  model: (e) => e.model,
  provider: (e) => e.provider ?? null,
  promptTokens: (e) => text(e.promptTokens),
  completionTokens: (e) => text(e.completionTokens),
  reasoningTokens: (e) => text(e.reasoningTokens ?? 0),
  cachedTokens: (e) => text(e.cachedTokens ?? 0),
  rawCostNano: (e) => text(e.rawCostNano),
  billedCostNano: (e) => text(billedCost(e.rawCostNano, e.markupBp)),
  markupBp: (e) => text(e.markupBp),
  status: (e) => e.status,
  streamed: (e) => text(e.streamed),
  latencyMs: (e) => text(e.latencyMs),
  ttfbMs: (e) => text(e.ttfbMs),
  occurredAt: (e) => e.occurredAt.toISOString(),
  period: (_, day) => day.slice(0, 7),
  usageDate: (_, day) => day,
} satisfies { [K in keyof typeof usageEvents.$inferInsert]?: ColumnText };
const EVENT_COLUMNS = (Object.keys(EVENT_FIELDS) as (keyof typeof EVENT_FIELDS)[]).map((key) => ({
  name: usageEvents[key].name,
  type: usageEvents[key].getSQLType(),
  text: EVENT_FIELDS[key],
}));
const EVENT_COLUMN_LIST = sql.raw(EVENT_COLUMNS.map((c) => `"${c.name}"`).join(", "));
// The batch's columns: the event's, then what its lease gave back.
const BATCH_COLUMNS: readonly { name: string; type: string; text: ColumnText }[] = [
  ...EVENT_COLUMNS,
  { name: "release_period", type: "text", text: (e) => e.release?.period ?? null },
  { name: "release_nano", type: "bigint", text: (e) => text(e.release?.nano) },
  { name: "release_lease", type: "uuid", text: (e) => e.release?.lease ?? null },
];
const BATCH_COLUMN_NAMES = sql.raw(BATCH_COLUMNS.map((c) => `"${c.name}"`).join(", "));

const QUARTER_HOUR_MS = 15 * 60 * 1000;

/**
 * `localDate` in one time zone, computed once per UTC quarter hour: every UTC offset in use since
 * 1970 is a whole number of quarter hours, so a local midnight never falls inside one, and the
 * period is the local date's "YYYY-MM" (the domain's periodKeyOf). A batch of thousands of events
 * asks Intl a few dozen times instead of twice per event (which was an eighth of the ingest's CPU).
 */
function localDayMemo(timeZone: string): (at: Date) => string {
  const days = new Map<number, string>();
  return (at) => {
    const bucket = Math.floor(at.getTime() / QUARTER_HOUR_MS);
    let day = days.get(bucket);
    if (day === undefined) {
      day = localDate(new Date(bucket * QUARTER_HOUR_MS), timeZone);
      days.set(bucket, day);
    }
    return day;
  };
}

/**
 * A PostgreSQL array literal ('{"a","b",NULL}'): each element quoted, `"` and `\` escaped — except
 * in a column whose values are always plain tokens (numbers, booleans, uuids, ISO instants and
 * dates: no comma, brace, quote, backslash or space, never the word NULL), which go as they are.
 */
function arrayLiteral(values: readonly (string | null)[], plain: boolean): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    parts[i] =
      value === null
        ? "NULL"
        : plain
          ? value
          : value.includes('"') || value.includes("\\")
            ? `"${value.replace(/[\\"]/g, "\\$&")}"`
            : `"${value}"`;
  }
  return `{${parts.join(",")}}`;
}

// The SQL types whose text form is always a plain token (see arrayLiteral).
const PLAIN_TYPES = new Set(["integer", "bigint", "boolean", "uuid", "timestamp with time zone", "date"]);

// What a lease (alias l) holds with `recorded` as its recorded amount.
const heldWith = (recorded: SQL) => leaseHeldSql({ granted: sql`l.granted_nano`, closed: sql`l.closed_nano`, recorded });
// A batch the API accepts (MAX_USAGE_BATCH events, a megabyte or two of parameters) is ONE
// statement committed on its own: every batch of an organisation updates its period counter row,
// which stays locked until commit, so a batch split into chunks in one transaction held that row
// through the later chunks too, and concurrent batches queued behind it (2-in-flight ingest went
// from ~19,500 to ~26,000 events/s). Larger inputs are chunked in one transaction.
const STATEMENT_CHUNK = MAX_USAGE_BATCH;

// Each figure of a rollup row and how a group of new events (`ins`) adds to it.
const ROLLUP_FIGURES: readonly (readonly [column: string, fromEvents: string])[] = [
  ["requests", "count(*)"],
  ["error_requests", "count(*) filter (where status <> 'ok')"],
  ["prompt_tokens", "sum(prompt_tokens)"],
  ["completion_tokens", "sum(completion_tokens)"],
  ["reasoning_tokens", "sum(reasoning_tokens)"],
  ["cached_tokens", "sum(cached_tokens)"],
  ["raw_cost_nano", "sum(raw_cost_nano)::bigint"],
  ["billed_cost_nano", "sum(billed_cost_nano)::bigint"],
];

/** The CTE that adds the new events (`ins`) to one rollup: their sums per key, upserted in key order. */
function rollupUpsert(rollup: (typeof USAGE_ROLLUPS)[number]): SQL {
  const keyColumns = rollup.keys.map((k) => (rollup.table as unknown as Record<RollupKey, PgColumn>)[k].name).join(", ");
  const figures = ROLLUP_FIGURES.map(([column]) => column).join(", ");
  const sums = ROLLUP_FIGURES.map(([, fromEvents]) => fromEvents).join(", ");
  const adds = ROLLUP_FIGURES.map(([column]) => `${column} = r.${column} + excluded.${column}`).join(", ");
  // Only fixed names from the schema and the list above: no value reaches sql.raw.
  return sql`${sql.raw(rollup.alias)} as (
          insert into ${rollup.table} as r (${sql.raw(keyColumns)}, ${sql.raw(figures)})
          select ${sql.raw(keyColumns)}, ${sql.raw(sums)}
          from ins
          group by ${sql.raw(keyColumns)}
          order by ${sql.raw(keyColumns)}
          on conflict (${sql.raw(keyColumns)}) do update set ${sql.raw(adds)}
        )`;
}

/**
 * The whole recording of a batch as one statement. The events travel as one array parameter per
 * column, expanded by unnest (a bind parameter per column per row costs the query builder and the
 * driver more than the database's own work; json_to_recordset parsed about half as fast); every
 * value as its text form, so bigints stay exact, and each array is parsed by PostgreSQL's input
 * function of the column's type.
 *   ids       the generation ids not recorded before (usage_event_ids, ON CONFLICT DO NOTHING: the
 *             events table is partitioned, so its own key holds occurred_at too)
 *   ins       the events of those ids, each into its month's partition
 *   queued    those to check against /generation later (failed ones, a sample of the rest)
 *   daily, daily_users, daily_models
 *             their sums per each rollup's key (USAGE_ROLLUPS), added to it
 *   used      per lease: what the new events used of it (events without a lease give nothing back)
 *   leases    the live ones among them record it; each returns what it held of it (an expired or
 *             deleted lease returns nothing: what it held went back when it expired)
 *   moves     per (organisation, period): their billed and raw cost and count, and what the leases
 *             gave back (lease rows are locked before the counter rows, as everywhere: limits.ts)
 *   counters  both applied to the period counter in one upsert (a statement may touch a row once)
 * Groups are sorted, so concurrent batches lock rollup and counter rows in the same order.
 */
async function recordChunk(tx: Executor, events: readonly UsageEventInput[], days: readonly string[], sampleBp: number): Promise<number> {
  // One array per column (column by column: each column's function sees one shape), each parsed by
  // PostgreSQL's own array input into its column's type.
  const arrays = sql.join(
    BATCH_COLUMNS.map((column) => {
      const values = new Array<string | null>(events.length);
      for (let r = 0; r < events.length; r++) values[r] = column.text(events[r]!, days[r]!);
      return sql`${arrayLiteral(values, PLAIN_TYPES.has(column.type))}::text::${sql.raw(column.type)}[]`;
    }),
    sql`, `,
  );
  const [result] = await queryRows<{ inserted: number }>(
    tx,
    sql`with batch as (
          select * from unnest(${arrays}) as x(${BATCH_COLUMN_NAMES})
        ),
        ids as (
          insert into ${usageEventIds} (generation_id, occurred_at)
          select generation_id, occurred_at from batch order by generation_id
          on conflict (generation_id) do nothing
          returning generation_id
        ),
        ins as (
          insert into ${usageEvents} (${EVENT_COLUMN_LIST})
          select ${EVENT_COLUMN_LIST} from batch join ids using (generation_id)
          returning generation_id, organization_id, user_id, model, usage_date, period, status, occurred_at,
                    prompt_tokens, completion_tokens, reasoning_tokens, cached_tokens, raw_cost_nano, billed_cost_nano
        ),
        queued as (
          insert into ${reconciliationQueue} (generation_id, organization_id, occurred_at)
          select generation_id, organization_id, occurred_at
          from ins
          where status <> 'ok' or mod(abs(hashtext(generation_id)), 10000) < ${sampleBp}
          order by generation_id
          on conflict do nothing
        ),
        ${sql.join(USAGE_ROLLUPS.map(rollupUpsert), sql`,
        `)},
        used as (
          select b.release_lease as lease_id, b.organization_id, sum(b.release_nano)::bigint as nano
          from batch b join ins using (generation_id)
          where b.release_lease is not null and b.release_nano > 0
          group by b.release_lease, b.organization_id
          order by b.release_lease
        ),
        leases as (
          update ${limitLeases} l set recorded_nano = l.recorded_nano + u.nano
          from used u
          where l.id = u.lease_id and l.organization_id = u.organization_id and l.expires_at > now()
          returning l.organization_id, l.period, (${heldWith(sql`l.recorded_nano - u.nano`)} - ${heldWith(sql`l.recorded_nano`)})::bigint as released
        ),
        moves as (
          select organization_id, period, billed_cost_nano as spent, raw_cost_nano as raw, 1 as requests, 0::bigint as released
          from ins
          union all
          select organization_id, period, 0, 0, 0, released
          from leases
          where released > 0
        ),
        counters as (
          insert into ${usagePeriodCounters} as c (organization_id, period, spent_nano, raw_spent_nano, requests, reserved_nano)
          select organization_id, period, sum(spent)::bigint, sum(raw)::bigint, sum(requests), sum(released)::bigint
          from moves
          group by organization_id, period
          order by organization_id, period
          on conflict (organization_id, period) do update set
            spent_nano = c.spent_nano + excluded.spent_nano,
            raw_spent_nano = c.raw_spent_nano + excluded.raw_spent_nano,
            requests = c.requests + excluded.requests,
            reserved_nano = greatest(c.reserved_nano - excluded.reserved_nano, 0),
            updated_at = now()
        )
        select count(*)::int as inserted from ins`,
    // The same text every batch: prepared once per connection. On PostgreSQL a batch of 5,000 then
    // took 275 ms against 379 parsed anew (medians, batches alternating on one database, 2026-12-02).
    { prepared: true },
  );
  return result?.inserted ?? 0;
}

function check(event: UsageEventInput): void {
  const fail = (what: string) => {
    throw new DomainError("INVALID_INPUT", `Usage event ${event.generationId || "(no id)"}: ${what}.`);
  };
  if (!event.generationId) fail("generation id is required");
  if (!event.model) fail("model is required");
  const count = (name: string, value: number) => {
    if (!Number.isSafeInteger(value) || value < 0) fail(`${name} must be a non-negative integer`);
  };
  count("promptTokens", event.promptTokens);
  count("completionTokens", event.completionTokens);
  count("reasoningTokens", event.reasoningTokens ?? 0);
  count("cachedTokens", event.cachedTokens ?? 0);
  count("markupBp", event.markupBp);
  if (event.rawCostNano < 0n) fail("raw cost cannot be negative");
  if (Number.isNaN(event.occurredAt.getTime())) fail("occurredAt is not a valid date");
  if (event.release && (event.release.nano < 0n || !/^\d{4}-\d{2}$/.test(event.release.period))) fail("release must be a non-negative amount for a YYYY-MM period");
}

export interface RecordUsageOptions {
  /**
   * The share of ordinary (status ok) new events queued for a check against /generation, in basis
   * points of generation ids (by hash; failed ones always are): the API's MAI_RECONCILE_SAMPLE_BP.
   */
  reconcileSampleBp?: number;
}

export async function recordUsageEvents(
  db: Database,
  events: readonly UsageEventInput[],
  options: RecordUsageOptions = {},
): Promise<RecordUsageResult> {
  events.forEach(check);
  const sampleBp = Math.max(0, Math.min(10_000, Math.trunc(options.reconcileSampleBp ?? DEFAULT_RECONCILE_SAMPLE_BP)));
  // Deduplicate within the batch, then sort by id: concurrent batches then take index locks in the
  // same order and cannot deadlock on shared generation ids.
  const unique = [...new Map(events.map((e) => [e.generationId, e] as const)).values()].sort((a, b) =>
    a.generationId < b.generationId ? -1 : a.generationId > b.generationId ? 1 : 0,
  );
  if (unique.length === 0) return { inserted: 0, duplicates: events.length };

  // The time zone is read first: the period and local day are the domain's rule (@mai/domain
  // billing-period), computed here, not re-derived in SQL. Each chunk is one atomic statement.
  const { billingTimeZone } = await getGlobalSettings(db);
  const dayOf = localDayMemo(billingTimeZone);
  const days = unique.map((e) => dayOf(e.occurredAt));
  // Each month of the batch gets its partition first (a date outside years 1–9999 has none: the
  // DEFAULT partition keeps it).
  await ensureUsagePartitions(db, new Set(unique.map((e) => utcMonthOf(e.occurredAt)).filter((m) => /^\d{4}-\d{2}$/.test(m))));
  const inserted =
    unique.length <= STATEMENT_CHUNK
      ? await retryOnRace(() => recordChunk(db, unique, days, sampleBp))
      : await retryOnRace(() =>
          db.transaction(async (tx) => {
            let sum = 0;
            for (let i = 0; i < unique.length; i += STATEMENT_CHUNK) {
              sum += await recordChunk(tx, unique.slice(i, i + STATEMENT_CHUNK), days.slice(i, i + STATEMENT_CHUNK), sampleBp);
            }
            return sum;
          }),
        );
  return { inserted, duplicates: events.length - inserted };
}

export interface PeriodCounter {
  organizationId: string;
  period: string;
  spentNano: bigint;
  rawSpentNano: bigint;
  reservedNano: bigint;
  requests: number;
  /** The smallest amount a reservation was refused this period (null: none was). */
  refusedMinNano: bigint | null;
}

export async function getPeriodCounter(db: Executor, organizationId: string, period: string): Promise<PeriodCounter> {
  const [row] = await db
    .select()
    .from(usagePeriodCounters)
    .where(and(eq(usagePeriodCounters.organizationId, organizationId), eq(usagePeriodCounters.period, period)));
  return (
    row ?? { organizationId, period, spentNano: 0n, rawSpentNano: 0n, reservedNano: 0n, requests: 0, refusedMinNano: null }
  );
}
