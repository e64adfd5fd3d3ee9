import { sql } from "drizzle-orm";
import { bigint, boolean, check, date, index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { usageStatusEnum } from "./enums";

// The ledger: one row per upstream request, keyed by OpenRouter's generation id, append-only.
// user_id has no foreign key on purpose: deleting a user must not rewrite billing history.
//
// Partitioned by month of occurred_at (UTC) on both drivers (migration 0007, written by hand:
// drizzle describes the columns, not the partitioning): one partition per month, created ahead by
// the API and on demand by the ingest (`usage_events_ensure_partition`), plus a DEFAULT partition
// so no event is ever refused for its date. Retention drops whole old months. A partitioned table's
// unique keys must hold the partition key, so idempotency by generation id alone is
// usage_event_ids' job, and the ledger has no key of its own (migration 0012 dropped its
// (generation_id, occurred_at) one: it duplicated that guarantee at a third of an event's index
// cost). An event is found by (organization_id, occurred_at, generation_id), the organisation
// index, in its month's partition: what the events page and the reconciliation queue carry.
export const usageEvents = pgTable(
  "usage_events",
  {
    generationId: text("generation_id").notNull(),
    // No foreign key here on purpose: it cost a trigger call per event (a sixth of the ingest).
    // recordUsageEvents writes each event's usage_daily row in the same statement, and that
    // table's foreign key refuses an unknown organisation — so the whole batch still fails on one.
    organizationId: uuid("organization_id").notNull(),
    userId: uuid("user_id").notNull(),
    externalUserId: text("external_user_id").notNull(),
    model: text("model").notNull(),
    provider: text("provider"),
    promptTokens: integer("prompt_tokens").notNull().default(0),
    completionTokens: integer("completion_tokens").notNull().default(0),
    reasoningTokens: integer("reasoning_tokens").notNull().default(0),
    cachedTokens: integer("cached_tokens").notNull().default(0),
    rawCostNano: bigint("raw_cost_nano", { mode: "bigint" }).notNull(),
    billedCostNano: bigint("billed_cost_nano", { mode: "bigint" }).notNull(),
    // The markup applied, kept per event so a later markup change never reprices history.
    markupBp: integer("markup_bp").notNull(),
    status: usageStatusEnum("status").notNull(),
    streamed: boolean("streamed").notNull().default(false),
    latencyMs: integer("latency_ms"),
    ttfbMs: integer("ttfb_ms"),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    // Billing period ("YYYY-MM") and local day, both in the billing time zone at recording time.
    period: text("period").notNull(),
    usageDate: date("usage_date", { mode: "string" }).notNull(),
    recordedAt: timestamp("recorded_at", { withTimezone: true }).notNull().defaultNow(),
    // Reconciliation with OpenRouter's /generation: when it was checked (or given up), and the raw
    // cost first recorded if a check corrected it (the correction itself is in the audit log).
    // Which events wait for a check is reconciliation_queue's.
    reconciledAt: timestamp("reconciled_at", { withTimezone: true }),
    originalRawCostNano: bigint("original_raw_cost_nano", { mode: "bigint" }),
  },
  (t) => [
    // The events page: newest first, keyset cursor (occurred_at, generation_id) within an
    // organisation, optionally one user, model or status. Ascending indexes on purpose: scanned
    // backwards they give `occurred_at DESC, generation_id DESC` (NULLS FIRST, PostgreSQL's DESC
    // default), which a DESC NULLS LAST index cannot — it would sort the whole organisation.
    // test/query-plans.test.ts EXPLAINs every page and fails on a scan or a sort.
    index("usage_events_org_occurred_idx").on(t.organizationId, t.occurredAt, t.generationId),
    index("usage_events_org_user_occurred_idx").on(t.organizationId, t.userId, t.occurredAt, t.generationId),
    index("usage_events_org_model_occurred_idx").on(t.organizationId, t.model, t.occurredAt, t.generationId),
    // Failed requests are few: a partial index keeps the status filter an index range without a
    // full index of a column that is "ok" nearly everywhere (the query spells the status as a
    // literal, so the planner can prove the predicate; "ok" uses the organisation index).
    index("usage_events_org_status_occurred_idx")
      .on(t.organizationId, t.status, t.occurredAt, t.generationId)
      .where(sql`${t.status} <> 'ok'`),
    check("usage_events_costs_nonneg", sql`${t.rawCostNano} >= 0 and ${t.billedCostNano} >= 0`),
  ],
);

// Every generation id ever recorded, once: the ledger's idempotency across partitions (a replayed
// batch inserts here first, ON CONFLICT DO NOTHING, and only the ids that went in become events).
// occurred_at lets retention forget the ids of the months it dropped.
export const usageEventIds = pgTable("usage_event_ids", {
  generationId: text("generation_id").primaryKey(),
  occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
});
