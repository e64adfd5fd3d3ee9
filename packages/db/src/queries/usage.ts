// Recording usage: the ledger and everything derived from it move together. Events are inserted
// idempotently by generation id; only the rows actually inserted feed the daily rollup and the
// period counter, in the same transaction — so a replayed batch changes nothing, and every total
// equals the sum of its events.
import { and, eq, getTableName, sql } from "drizzle-orm";
import { billedCost, DomainError, localDate, periodKeyOf } from "@mai/domain";
import { queryRows, type Database, type Executor } from "../client";
import { usageDaily, usageEvents, usagePeriodCounters } from "../schema/index";
import { getGlobalSettings } from "./global-settings";
import { retryOnRace } from "./errors";

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
   * The part of the proxy's reservation this event's cost used up: given back in the same
   * transaction that adds the cost to `spent`, and only when the event is new (a replay gives
   * nothing back twice). `period` is the period the reservation was made in.
   */
  release?: { period: string; nano: bigint } | null | undefined;
}

export interface RecordUsageResult {
  inserted: number;
  duplicates: number;
}

// Events go in as one JSON document per chunk (see insertEvents); rollups as rows of 12 columns,
// 500 per statement staying far below PostgreSQL's 65 535 bind parameters.
const INSERT_CHUNK = 500;

// The columns recordUsageEvents writes (by property name); the others keep their defaults.
const EVENT_KEYS = [
  "generationId",
  "organizationId",
  "userId",
  "externalUserId",
  "model",
  "provider",
  "promptTokens",
  "completionTokens",
  "reasoningTokens",
  "cachedTokens",
  "rawCostNano",
  "billedCostNano",
  "markupBp",
  "status",
  "streamed",
  "latencyMs",
  "ttfbMs",
  "occurredAt",
  "period",
  "usageDate",
] as const satisfies readonly (keyof typeof usageEvents.$inferInsert)[];
type EventRow = Pick<typeof usageEvents.$inferInsert, (typeof EVENT_KEYS)[number]>;
const EVENT_COLUMNS = EVENT_KEYS.map((key) => ({ key, name: usageEvents[key].name, type: usageEvents[key].getSQLType() }));
const EVENT_COLUMN_LIST = sql.join(EVENT_COLUMNS.map((c) => sql.identifier(c.name)), sql`, `);
const EVENT_RECORD_TYPE = sql.join(EVENT_COLUMNS.map((c) => sql`${sql.identifier(c.name)} ${sql.raw(c.type)}`), sql`, `);

/**
 * INSERT … ON CONFLICT DO NOTHING of many events as ONE json parameter expanded by
 * json_to_recordset: with a bind parameter per column per row, building and encoding the query
 * cost more than the database's own work (apps/proxy/bench measures recording). Bigints travel as
 * JSON strings, so they stay exact; dates as ISO-8601.
 */
async function insertEvents(tx: Executor, rows: readonly EventRow[]): Promise<{ generation_id: string }[]> {
  const records = rows.map((row) => {
    const record: Record<string, unknown> = {};
    for (const { key, name } of EVENT_COLUMNS) {
      const value = row[key];
      record[name] = typeof value === "bigint" ? value.toString() : value instanceof Date ? value.toISOString() : (value ?? null);
    }
    return record;
  });
  return queryRows<{ generation_id: string }>(
    tx,
    sql`insert into ${usageEvents} (${EVENT_COLUMN_LIST})
        select ${EVENT_COLUMN_LIST} from json_to_recordset(${JSON.stringify(records)}::json) as x(${EVENT_RECORD_TYPE})
        on conflict (generation_id) do nothing
        returning generation_id`,
  );
}

function check(event: UsageEventInput): void {
  const fail = (what: string) => {
    throw new DomainError("INVALID_INPUT", `Usage event ${event.generationId || "(no id)"}: ${what}.`);
  };
  if (!event.generationId) fail("generation id is required");
  if (!event.model) fail("model is required");
  for (const [name, value] of Object.entries({
    promptTokens: event.promptTokens,
    completionTokens: event.completionTokens,
    reasoningTokens: event.reasoningTokens ?? 0,
    cachedTokens: event.cachedTokens ?? 0,
    markupBp: event.markupBp,
  })) {
    if (!Number.isSafeInteger(value) || value < 0) fail(`${name} must be a non-negative integer`);
  }
  if (event.rawCostNano < 0n) fail("raw cost cannot be negative");
  if (Number.isNaN(event.occurredAt.getTime())) fail("occurredAt is not a valid date");
  if (event.release && (event.release.nano < 0n || !/^\d{4}-\d{2}$/.test(event.release.period))) fail("release must be a non-negative amount for a YYYY-MM period");
}

export async function recordUsageEvents(db: Database, events: readonly UsageEventInput[]): Promise<RecordUsageResult> {
  events.forEach(check);
  // Deduplicate within the batch, then sort by id: concurrent batches then take index locks in the
  // same order and cannot deadlock on shared generation ids.
  const unique = [...new Map(events.map((e) => [e.generationId, e] as const)).values()].sort((a, b) =>
    a.generationId < b.generationId ? -1 : a.generationId > b.generationId ? 1 : 0,
  );
  if (unique.length === 0) return { inserted: 0, duplicates: events.length };

  return retryOnRace(() =>
    db.transaction(async (tx) => {
      const { billingTimeZone } = await getGlobalSettings(tx);
      const rows = unique.map((e) => ({
        generationId: e.generationId,
        organizationId: e.organizationId,
        userId: e.userId,
        externalUserId: e.externalUserId,
        model: e.model,
        provider: e.provider ?? null,
        promptTokens: e.promptTokens,
        completionTokens: e.completionTokens,
        reasoningTokens: e.reasoningTokens ?? 0,
        cachedTokens: e.cachedTokens ?? 0,
        rawCostNano: e.rawCostNano,
        billedCostNano: billedCost(e.rawCostNano, e.markupBp),
        markupBp: e.markupBp,
        status: e.status,
        streamed: e.streamed,
        latencyMs: e.latencyMs ?? null,
        ttfbMs: e.ttfbMs ?? null,
        occurredAt: e.occurredAt,
        period: periodKeyOf(e.occurredAt, billingTimeZone),
        usageDate: localDate(e.occurredAt, billingTimeZone),
      }));

      const insertedIds = new Set<string>();
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        for (const r of await insertEvents(tx, rows.slice(i, i + INSERT_CHUNK))) insertedIds.add(r.generation_id);
      }
      const fresh = rows.filter((r) => insertedIds.has(r.generationId));
      if (fresh.length > 0) {
        await addToRollups(tx, fresh);
        await addToPeriodCounters(tx, fresh);
        await releaseReservations(tx, unique.filter((e) => insertedIds.has(e.generationId)));
      }
      return { inserted: fresh.length, duplicates: events.length - fresh.length };
    }),
  );
}

type FreshRow = {
  organizationId: string;
  userId: string;
  model: string;
  usageDate: string;
  period: string;
  status: UsageStatus;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  cachedTokens: number;
  rawCostNano: bigint;
  billedCostNano: bigint;
};

// Rows are pre-aggregated per conflict key (one INSERT … ON CONFLICT DO UPDATE may not touch a row
// twice) and sorted, so concurrent writers lock rollup rows in the same order.
async function addToRollups(tx: Executor, rows: FreshRow[]): Promise<void> {
  const sums = new Map<string, typeof usageDaily.$inferInsert>();
  for (const r of rows) {
    const k = `${r.organizationId}|${r.usageDate}|${r.userId}|${r.model}`;
    const s = sums.get(k) ?? {
      organizationId: r.organizationId,
      usageDate: r.usageDate,
      userId: r.userId,
      model: r.model,
      requests: 0,
      errorRequests: 0,
      promptTokens: 0,
      completionTokens: 0,
      reasoningTokens: 0,
      cachedTokens: 0,
      rawCostNano: 0n,
      billedCostNano: 0n,
    };
    s.requests! += 1;
    s.errorRequests! += r.status === "ok" ? 0 : 1;
    s.promptTokens! += r.promptTokens;
    s.completionTokens! += r.completionTokens;
    s.reasoningTokens! += r.reasoningTokens;
    s.cachedTokens! += r.cachedTokens;
    s.rawCostNano = (s.rawCostNano as bigint) + r.rawCostNano;
    s.billedCostNano = (s.billedCostNano as bigint) + r.billedCostNano;
    sums.set(k, s);
  }
  const values = [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
  const add = (column: { name: string }) => sql`${sql.identifier(getTableName(usageDaily))}.${sql.identifier(column.name)} + excluded.${sql.identifier(column.name)}`;
  for (let i = 0; i < values.length; i += INSERT_CHUNK) {
    await tx
      .insert(usageDaily)
      .values(values.slice(i, i + INSERT_CHUNK))
      .onConflictDoUpdate({
        target: [usageDaily.organizationId, usageDaily.usageDate, usageDaily.userId, usageDaily.model],
        set: {
          requests: add(usageDaily.requests),
          errorRequests: add(usageDaily.errorRequests),
          promptTokens: add(usageDaily.promptTokens),
          completionTokens: add(usageDaily.completionTokens),
          reasoningTokens: add(usageDaily.reasoningTokens),
          cachedTokens: add(usageDaily.cachedTokens),
          rawCostNano: add(usageDaily.rawCostNano),
          billedCostNano: add(usageDaily.billedCostNano),
        },
      });
  }
}

async function addToPeriodCounters(tx: Executor, rows: FreshRow[]): Promise<void> {
  const sums = new Map<string, { organizationId: string; period: string; spentNano: bigint; rawSpentNano: bigint; requests: number }>();
  for (const r of rows) {
    const k = `${r.organizationId}|${r.period}`;
    const s = sums.get(k) ?? { organizationId: r.organizationId, period: r.period, spentNano: 0n, rawSpentNano: 0n, requests: 0 };
    s.spentNano += r.billedCostNano;
    s.rawSpentNano += r.rawCostNano;
    s.requests += 1;
    sums.set(k, s);
  }
  const values = [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
  const add = (column: { name: string }) =>
    sql`${sql.identifier(getTableName(usagePeriodCounters))}.${sql.identifier(column.name)} + excluded.${sql.identifier(column.name)}`;
  await tx
    .insert(usagePeriodCounters)
    .values(values)
    .onConflictDoUpdate({
      target: [usagePeriodCounters.organizationId, usagePeriodCounters.period],
      set: {
        spentNano: add(usagePeriodCounters.spentNano),
        rawSpentNano: add(usagePeriodCounters.rawSpentNano),
        requests: add(usagePeriodCounters.requests),
        updatedAt: sql`now()`,
      },
    });
}

// Gives back, per (organisation, period), what the new events' costs used of their reservations;
// sorted like the counter upsert above, and never below zero.
async function releaseReservations(tx: Executor, events: readonly UsageEventInput[]): Promise<void> {
  const sums = new Map<string, { organizationId: string; period: string; nano: bigint }>();
  for (const e of events) {
    if (!e.release || e.release.nano === 0n) continue;
    const k = `${e.organizationId}|${e.release.period}`;
    const s = sums.get(k) ?? { organizationId: e.organizationId, period: e.release.period, nano: 0n };
    s.nano += e.release.nano;
    sums.set(k, s);
  }
  if (sums.size === 0) return;
  const rows = [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => sql`(${v.organizationId}::uuid, ${v.period}::text, ${v.nano}::bigint)`);
  const c = usagePeriodCounters;
  await tx.execute(sql`
    update ${c} set reserved_nano = greatest(${c.reservedNano} - v.nano, 0), updated_at = now()
    from (values ${sql.join(rows, sql`, `)}) as v(organization_id, period, nano)
    where ${c.organizationId} = v.organization_id and ${c.period} = v.period`);
}

export interface PeriodCounter {
  organizationId: string;
  period: string;
  spentNano: bigint;
  rawSpentNano: bigint;
  reservedNano: bigint;
  requests: number;
}

export async function getPeriodCounter(db: Executor, organizationId: string, period: string): Promise<PeriodCounter> {
  const [row] = await db
    .select()
    .from(usagePeriodCounters)
    .where(and(eq(usagePeriodCounters.organizationId, organizationId), eq(usagePeriodCounters.period, period)));
  return (
    row ?? { organizationId, period, spentNano: 0n, rawSpentNano: 0n, reservedNano: 0n, requests: 0 }
  );
}
