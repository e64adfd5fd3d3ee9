// Dashboard and statement figures. Every figure is a SQL sum over a rollup — `usage_daily_users`
// (per user, all models), `usage_daily_models` (per model, all users), `usage_daily` when both
// matter, `usage_monthly` for a month's statement — all maintained in the same statement as the
// events they sum, so they equal the sums of `usage_events` — or a bounded,
// index-ordered page of `usage_events` — never a scan of the ledger per request. Money is summed
// in PostgreSQL as numeric, read back as text and turned into a bigint: no float ever touches it.
// The tenant filter (organisation, and the user for members) is always part of the SQL.
import { and, desc, eq, gte, inArray, lt, lte, sql, type AnyColumn, type SQL } from "drizzle-orm";
import type { usageBreakdownInput, usageDailyInput, usageEventsInput } from "@mai/domain/schemas";
import type { z } from "zod";
import type { Executor } from "../client";
import { usageDaily, usageDailyModels, usageDailyUsers, usageEvents, usageMonthly, userClientMapping, users } from "../schema/index";
import type { UsageStatus } from "./usage";

/** The already-authorized scope of a usage query (the API's UsageScope), never the raw input. */
export interface UsageScopeFilter {
  organizationId: string;
  /** Only this user's usage (members always; administrators optionally). */
  userId?: string | null;
}

/**
 * usage.daily's model filter as parsed, and a range of local dates ("YYYY-MM-DD") in the billing
 * time zone, both inclusive — usage.byUser/byModel's from/to, resolved (never open-ended here).
 */
export type UsageReportFilter = UsageScopeFilter &
  Pick<z.output<typeof usageDailyInput>, "model"> &
  Required<Pick<z.output<typeof usageBreakdownInput>, "from" | "to">>;

export interface UsageFigures {
  requests: number;
  errorRequests: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  cachedTokens: number;
  rawCostNano: bigint;
  billedCostNano: bigint;
}

const d = usageDaily;
/** The figure columns every rollup has (usage-rollups.ts rollupFigures). */
type FigureColumns = { [K in keyof UsageFigures]: AnyColumn };
/** A daily rollup with users: usage_daily or usage_daily_users. */
type Rollup = typeof usageDaily | typeof usageDailyUsers;

/**
 * The smallest rollup that answers a filter: usage_daily_users (per user, all models: a tenth of
 * the rows for ten models) unless a model is asked for. Both have the same figure columns; the
 * type is the common one (usage_daily has `model` besides).
 */
function rollupFor(f: Pick<UsageReportFilter, "model">): Rollup {
  return f.model ? usageDaily : usageDailyUsers;
}

// sum() of bigint is numeric in PostgreSQL; ::text keeps every digit.
const figureColumnsOf = (r: FigureColumns) => ({
  requests: sql<string>`coalesce(sum(${r.requests}), 0)::text`,
  errorRequests: sql<string>`coalesce(sum(${r.errorRequests}), 0)::text`,
  promptTokens: sql<string>`coalesce(sum(${r.promptTokens}), 0)::text`,
  completionTokens: sql<string>`coalesce(sum(${r.completionTokens}), 0)::text`,
  reasoningTokens: sql<string>`coalesce(sum(${r.reasoningTokens}), 0)::text`,
  cachedTokens: sql<string>`coalesce(sum(${r.cachedTokens}), 0)::text`,
  rawCostNano: sql<string>`coalesce(sum(${r.rawCostNano}), 0)::text`,
  billedCostNano: sql<string>`coalesce(sum(${r.billedCostNano}), 0)::text`,
});
type FigureText = { [K in keyof ReturnType<typeof figureColumnsOf>]: string };

function toFigures(row: FigureText): UsageFigures {
  return {
    requests: Number(row.requests),
    errorRequests: Number(row.errorRequests),
    promptTokens: Number(row.promptTokens),
    completionTokens: Number(row.completionTokens),
    reasoningTokens: Number(row.reasoningTokens),
    cachedTokens: Number(row.cachedTokens),
    rawCostNano: BigInt(row.rawCostNano),
    billedCostNano: BigInt(row.billedCostNano),
  };
}

function rollupWhere(f: UsageReportFilter, r: Rollup = rollupFor(f)): SQL | undefined {
  const where: SQL[] = [
    eq(r.organizationId, f.organizationId),
    gte(r.usageDate, f.from),
    lte(r.usageDate, f.to),
  ];
  if (f.userId) where.push(eq(r.userId, f.userId));
  if (f.model) where.push(eq(d.model, f.model));
  return and(...where);
}

/** Totals over a date range (one row, zeros when there is no usage). */
export async function reportUsageTotals(db: Executor, filter: UsageReportFilter): Promise<UsageFigures> {
  const r = rollupFor(filter);
  const [row] = await db.select(figureColumnsOf(r)).from(r).where(rollupWhere(filter, r));
  return toFigures(row!);
}

/** One row per local day that has usage, oldest first (callers zero-fill the gaps). */
export async function reportUsageDaily(
  db: Executor,
  filter: UsageReportFilter,
): Promise<(UsageFigures & { date: string })[]> {
  const r = rollupFor(filter);
  const rows = await db
    .select({ date: r.usageDate, ...figureColumnsOf(r) })
    .from(r)
    .where(rollupWhere(filter, r))
    .groupBy(r.usageDate)
    .orderBy(r.usageDate);
  return rows.map((r) => ({ date: r.date, ...toFigures(r) }));
}

export interface UsageByUserRow extends UsageFigures {
  userId: string;
  /** Null when the user has since been deleted (billing history outlives users). */
  email: string | null;
  name: string | null;
  /** The mapping's id when the user is still mapped to this organisation, else null. */
  externalUserId: string | null;
}

/**
 * The rollup summed per `keys` over the filter, as a subquery: the figures are aggregated first and
 * only then joined to users and mappings — joining first made PostgreSQL carry every rollup row
 * (users × models × days: ~180,000 for a large organisation's 90 days) through both joins.
 */
function sumsByUser(db: Executor, filter: UsageReportFilter) {
  const r = rollupFor(filter);
  return db
    .select({ userId: r.userId, organizationId: r.organizationId, ...sumColumnsOf(r) })
    .from(r)
    .where(rollupWhere(filter, r))
    .groupBy(r.organizationId, r.userId)
    .as("sums");
}

// The statement's month per user × model: usage_monthly's rows of one period (users × models), so
// nothing is summed across days.
function statementSums(db: Executor, filter: StatementFilter) {
  const m = usageMonthly;
  const where = [eq(m.organizationId, filter.organizationId), eq(m.period, filter.period)];
  if (filter.userId) where.push(eq(m.userId, filter.userId));
  return db
    .select({ userId: m.userId, model: m.model, organizationId: m.organizationId, ...sumColumnsOf(m) })
    .from(m)
    .where(and(...where))
    .groupBy(m.organizationId, m.userId, m.model)
    .as("sums");
}

// The same figures as figureColumns, as typed sums (read back as text by the outer query).
const sumColumnsOf = (r: FigureColumns) => ({
  requests: sql<string>`sum(${r.requests})`.as("sum_requests"),
  errorRequests: sql<string>`sum(${r.errorRequests})`.as("sum_error_requests"),
  promptTokens: sql<string>`sum(${r.promptTokens})`.as("sum_prompt_tokens"),
  completionTokens: sql<string>`sum(${r.completionTokens})`.as("sum_completion_tokens"),
  reasoningTokens: sql<string>`sum(${r.reasoningTokens})`.as("sum_reasoning_tokens"),
  cachedTokens: sql<string>`sum(${r.cachedTokens})`.as("sum_cached_tokens"),
  rawCostNano: sql<string>`sum(${r.rawCostNano})`.as("sum_raw_cost_nano"),
  billedCostNano: sql<string>`sum(${r.billedCostNano})`.as("sum_billed_cost_nano"),
});
type SumColumns = ReturnType<typeof sumColumnsOf>;

// The mapping that produced the events: same user, same organisation. Usage of a user who has
// since moved or been unmapped has no row there; callers derive the id (it is deterministic).
const mappingOf = (s: { userId: AnyColumn; organizationId: AnyColumn }) =>
  and(eq(userClientMapping.userId, s.userId), eq(userClientMapping.organizationId, s.organizationId));

const figuresOf = (s: { [K in keyof SumColumns]: SQL.Aliased<string> }) => ({
  requests: sql<string>`${s.requests}::text`,
  errorRequests: sql<string>`${s.errorRequests}::text`,
  promptTokens: sql<string>`${s.promptTokens}::text`,
  completionTokens: sql<string>`${s.completionTokens}::text`,
  reasoningTokens: sql<string>`${s.reasoningTokens}::text`,
  cachedTokens: sql<string>`${s.cachedTokens}::text`,
  rawCostNano: sql<string>`${s.rawCostNano}::text`,
  billedCostNano: sql<string>`${s.billedCostNano}::text`,
});

/** Per user, billed cost descending. */
export async function reportUsageByUser(db: Executor, filter: UsageReportFilter): Promise<UsageByUserRow[]> {
  const s = sumsByUser(db, filter);
  const rows = await db
    .select({
      userId: s.userId,
      email: users.email,
      name: users.name,
      externalUserId: userClientMapping.externalUserId,
      ...figuresOf(s),
    })
    .from(s)
    .leftJoin(users, eq(users.id, s.userId))
    .leftJoin(userClientMapping, mappingOf(s))
    // An expression, not the bare name: ORDER BY "name" would pick the output column (its text).
    .orderBy(sql`${s.billedCostNano}::numeric desc`, s.userId);
  return rows.map((r) => ({
    userId: r.userId,
    email: r.email,
    name: r.name,
    externalUserId: r.externalUserId,
    ...toFigures(r),
  }));
}

export interface UsageByModelRow extends UsageFigures {
  model: string;
  users: number;
}

/** Per model, billed cost descending; `users` counts the distinct users of each model. */
export async function reportUsageByModel(
  db: Executor,
  filter: UsageReportFilter,
): Promise<UsageByModelRow[]> {
  // The sums from the per-model rollup (ten rows a day for ten models); the user counts from
  // usage_daily's (model, user) pairs — the one figure a per-model sum cannot hold.
  const m = usageDailyModels;
  const where: SQL[] = [eq(m.organizationId, filter.organizationId), gte(m.usageDate, filter.from), lte(m.usageDate, filter.to)];
  if (filter.model) where.push(eq(m.model, filter.model));
  const sums = filter.userId
    ? // One user's models: usage_daily, which has the user.
      db
        .select({ model: d.model, ...figureColumnsOf(d) })
        .from(d)
        .where(rollupWhere(filter, d))
        .groupBy(d.model)
        .orderBy(sql`sum(${d.billedCostNano}) desc`, d.model)
    : db
        .select({ model: m.model, ...figureColumnsOf(m) })
        .from(m)
        .where(and(...where))
        .groupBy(m.model)
        .orderBy(sql`sum(${m.billedCostNano}) desc`, m.model);
  const pairs = db
    .selectDistinct({ model: d.model, userId: d.userId })
    .from(d)
    .where(rollupWhere(filter, d))
    .as("pairs");
  const [rows, counts] = await Promise.all([
    sums,
    db.select({ model: pairs.model, users: sql<string>`count(*)::text` }).from(pairs).groupBy(pairs.model),
  ]);
  const usersOf = new Map(counts.map((c) => [c.model, Number(c.users)]));
  return rows.map((r) => ({ model: r.model, users: usersOf.get(r.model) ?? 0, ...toFigures(r) }));
}

export type UsageByUserModelRow = UsageByUserRow & { model: string };

/** The monthly statement's scope: a billing period ("YYYY-MM", local months of the billing time zone). */
export type StatementFilter = UsageScopeFilter & { period: string };

/** Per user × model over a billing period (the monthly statement), ordered by e-mail then model for a stable file. */
export async function reportStatementByUserModel(
  db: Executor,
  filter: StatementFilter,
): Promise<UsageByUserModelRow[]> {
  const s = statementSums(db, filter);
  const rows = await db
    .select({
      userId: s.userId,
      model: s.model,
      email: users.email,
      name: users.name,
      externalUserId: userClientMapping.externalUserId,
      ...figuresOf(s),
    })
    .from(s)
    .leftJoin(users, eq(users.id, s.userId))
    .leftJoin(userClientMapping, mappingOf(s))
    .orderBy(sql`${users.email} asc nulls last`, s.userId, s.model);
  return rows.map((r) => ({
    userId: r.userId,
    model: r.model,
    email: r.email,
    name: r.name,
    externalUserId: r.externalUserId,
    ...toFigures(r),
  }));
}

/**
 * Per organisation × user over a date range, for some organisations or (null) all of them, from the
 * per-user rollup (organisations × days × users rows); the all-organisations form is a range of its
 * usage_date index.
 */
export async function reportUsageByOrganizationUser(
  db: Executor,
  filter: { organizationIds: string[] | null; from: string; to: string },
): Promise<
  { organizationId: string; userId: string; requests: number; billedCostNano: bigint; rawCostNano: bigint }[]
> {
  if (filter.organizationIds && filter.organizationIds.length === 0) return [];
  const u = usageDailyUsers;
  const where: SQL[] = [gte(u.usageDate, filter.from), lte(u.usageDate, filter.to)];
  if (filter.organizationIds) where.push(inArray(u.organizationId, filter.organizationIds));
  const figures = figureColumnsOf(u);
  const rows = await db
    .select({
      organizationId: u.organizationId,
      userId: u.userId,
      requests: figures.requests,
      rawCostNano: figures.rawCostNano,
      billedCostNano: figures.billedCostNano,
    })
    .from(u)
    .where(and(...where))
    .groupBy(u.organizationId, u.userId);
  return rows.map((r) => ({
    organizationId: r.organizationId,
    userId: r.userId,
    requests: Number(r.requests),
    rawCostNano: BigInt(r.rawCostNano),
    billedCostNano: BigInt(r.billedCostNano),
  }));
}

export interface UsageEventCursor {
  /** occurred_at in UTC with microseconds ("2026-03-01T10:00:00.123456Z"), exact as stored. */
  occurredAt: string;
  generationId: string;
}

/** usage.events' filters as parsed; its local dates and opaque cursor arrive resolved by the caller. */
export type UsageEventsQuery = UsageScopeFilter &
  Pick<z.output<typeof usageEventsInput>, "model" | "status" | "limit"> & {
    /** Instants: from inclusive, to exclusive. */
    from?: Date | null;
    to?: Date | null;
    cursor?: UsageEventCursor | null;
  };

export interface UsageEventRow {
  generationId: string;
  occurredAt: Date;
  usageDate: string;
  userId: string;
  email: string | null;
  externalUserId: string;
  model: string;
  provider: string | null;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  cachedTokens: number;
  rawCostNano: bigint;
  billedCostNano: bigint;
  markupBp: number;
  status: UsageStatus;
  streamed: boolean;
  latencyMs: number | null;
  ttfbMs: number | null;
}

const e = usageEvents;
// The status filter as a constant, not a parameter: only then can the planner prove it implies the
// partial index's `status <> 'ok'` in a generic plan. Each is a fixed chunk, never client text.
const STATUS_LITERAL: Record<UsageStatus, SQL> = {
  ok: sql`'ok'`,
  error: sql`'error'`,
  aborted: sql`'aborted'`,
  incomplete: sql`'incomplete'`,
};
// Microsecond text of the stored instant: a JS Date keeps milliseconds only, so a cursor built from
// one could skip or repeat rows written with finer timestamps.
const occurredAtText = sql<string>`to_char(${e.occurredAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * Newest first, keyset-paginated on (occurred_at, generation_id): stable while events arrive, and
 * each page is an index range scan of usage_events_org_occurred_idx (or the org+user index).
 */
export async function listUsageEventsPage(
  db: Executor,
  query: UsageEventsQuery,
): Promise<{ items: UsageEventRow[]; nextCursor: UsageEventCursor | null }> {
  const limit = Math.min(Math.max(Math.trunc(query.limit), 1), 200);
  const where: SQL[] = [eq(e.organizationId, query.organizationId)];
  if (query.userId) where.push(eq(e.userId, query.userId));
  if (query.model) where.push(eq(e.model, query.model));
  if (query.status) where.push(sql`${e.status} = ${STATUS_LITERAL[query.status]}`);
  if (query.from) where.push(gte(e.occurredAt, query.from));
  if (query.to) where.push(lt(e.occurredAt, query.to));
  if (query.cursor) {
    const at = sql`${query.cursor.occurredAt}::timestamptz`;
    // The plain bound lets the (organisation, occurred_at) index start at the cursor instead of
    // walking past every newer row; the row comparison then breaks ties on the generation id.
    where.push(sql`${e.occurredAt} <= ${at}`);
    where.push(sql`(${e.occurredAt}, ${e.generationId}) < (${at}, ${query.cursor.generationId}::text)`);
  }
  // The page is cut from usage_events alone, then joined to users: a join in the same query level
  // lets the planner trade the ordered index walk for a hash join and a sort of every row that
  // matches (seen at 200 rows a page on a partitioned ledger of millions).
  const pageOfEvents = db
    .select({
      generationId: e.generationId,
      occurredAt: e.occurredAt,
      occurredAtText: occurredAtText.as("occurred_at_text"),
      usageDate: e.usageDate,
      userId: e.userId,
      externalUserId: e.externalUserId,
      model: e.model,
      provider: e.provider,
      promptTokens: e.promptTokens,
      completionTokens: e.completionTokens,
      reasoningTokens: e.reasoningTokens,
      cachedTokens: e.cachedTokens,
      rawCostNano: e.rawCostNano,
      billedCostNano: e.billedCostNano,
      markupBp: e.markupBp,
      status: e.status,
      streamed: e.streamed,
      latencyMs: e.latencyMs,
      ttfbMs: e.ttfbMs,
    })
    .from(e)
    .where(and(...where))
    .orderBy(desc(e.occurredAt), desc(e.generationId))
    .limit(limit + 1)
    .as("page");
  const p = pageOfEvents;
  const rows = await db
    .select({
      generationId: p.generationId,
      occurredAt: p.occurredAt,
      occurredAtText: p.occurredAtText,
      usageDate: p.usageDate,
      userId: p.userId,
      email: users.email,
      externalUserId: p.externalUserId,
      model: p.model,
      provider: p.provider,
      promptTokens: p.promptTokens,
      completionTokens: p.completionTokens,
      reasoningTokens: p.reasoningTokens,
      cachedTokens: p.cachedTokens,
      rawCostNano: p.rawCostNano,
      billedCostNano: p.billedCostNano,
      markupBp: p.markupBp,
      status: p.status,
      streamed: p.streamed,
      latencyMs: p.latencyMs,
      ttfbMs: p.ttfbMs,
    })
    .from(p)
    .leftJoin(users, eq(users.id, p.userId))
    .orderBy(desc(p.occurredAt), desc(p.generationId));
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(({ occurredAtText: _text, ...row }) => row),
    nextCursor:
      rows.length > limit && last
        ? { occurredAt: last.occurredAtText, generationId: last.generationId }
        : null,
  };
}
