import { sql } from "drizzle-orm";
import { bigint, check, date, index, integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { clientOrganizations } from "./client-organizations";

// Daily rollup per organisation × local day × user × model, maintained in the same transaction as
// the events it sums (recordUsageEvents), so dashboards read thousands of rows, not millions, and
// every figure still equals the sum of its events.
// The figures every rollup sums (usage_daily, usage_daily_users, usage_daily_models, usage_monthly).
const rollupFigures = () => ({
  requests: integer("requests").notNull().default(0),
  errorRequests: integer("error_requests").notNull().default(0),
  promptTokens: bigint("prompt_tokens", { mode: "number" }).notNull().default(0),
  completionTokens: bigint("completion_tokens", { mode: "number" }).notNull().default(0),
  reasoningTokens: bigint("reasoning_tokens", { mode: "number" }).notNull().default(0),
  cachedTokens: bigint("cached_tokens", { mode: "number" }).notNull().default(0),
  rawCostNano: bigint("raw_cost_nano", { mode: "bigint" }).notNull().default(sql`0`),
  billedCostNano: bigint("billed_cost_nano", { mode: "bigint" }).notNull().default(sql`0`),
});

export const usageDaily = pgTable(
  "usage_daily",
  {
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => clientOrganizations.id, { onDelete: "restrict" }),
    usageDate: date("usage_date", { mode: "string" }).notNull(),
    userId: uuid("user_id").notNull(),
    model: text("model").notNull(),
    ...rollupFigures(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.usageDate, t.userId, t.model] }),
    // Cross-organisation reports (the provider's statistics) filter by day alone.
    index("usage_daily_usage_date_idx").on(t.usageDate),
  ],
);

// The same per organisation × local day × user, all models together: a tenth of usage_daily's rows
// for an organisation of ten models, so totals, days and users over 90 days read ~18,000 rows, not
// ~180,000. Written in the same statement as usage_daily (and corrected with it by reconciliation),
// so it equals usage_daily summed over models, and the events.
export const usageDailyUsers = pgTable(
  "usage_daily_users",
  {
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => clientOrganizations.id, { onDelete: "restrict" }),
    usageDate: date("usage_date", { mode: "string" }).notNull(),
    userId: uuid("user_id").notNull(),
    ...rollupFigures(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.usageDate, t.userId] }),
    index("usage_daily_users_usage_date_idx").on(t.usageDate),
  ],
);

// The same per organisation × local day × model, all users together: ten rows a day for ten models,
// so the by-model figures over 90 days sum ~900 rows (the user count per model still comes from
// usage_daily, as distinct pairs). Written and corrected with usage_daily, like usage_daily_users.
export const usageDailyModels = pgTable(
  "usage_daily_models",
  {
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => clientOrganizations.id, { onDelete: "restrict" }),
    usageDate: date("usage_date", { mode: "string" }).notNull(),
    model: text("model").notNull(),
    ...rollupFigures(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.usageDate, t.model] })],
);

// The same per organisation × billing period × user × model: the monthly statement (CSV) reads a
// month as ~users × models rows instead of summing ~days × users × models daily rows (2,000 against
// 60,000 for a large organisation). `period` is the local month of the billing time zone ("YYYY-MM"),
// exactly the period of the events and of usage_period_counters. Written and corrected with
// usage_daily, like the others.
export const usageMonthly = pgTable(
  "usage_monthly",
  {
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => clientOrganizations.id, { onDelete: "restrict" }),
    period: text("period").notNull(),
    userId: uuid("user_id").notNull(),
    model: text("model").notNull(),
    ...rollupFigures(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.period, t.userId, t.model] })],
);

// The monthly-limit counter per organisation and billing period. `spent` grows only through
// recorded events (billed cost); `reserved` is the worst case of requests in flight. Admission is
// one atomic UPDATE … WHERE spent + reserved + x <= limit, so any number of proxies agree.
export const usagePeriodCounters = pgTable(
  "usage_period_counters",
  {
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => clientOrganizations.id, { onDelete: "restrict" }),
    period: text("period").notNull(),
    spentNano: bigint("spent_nano", { mode: "bigint" }).notNull().default(sql`0`),
    rawSpentNano: bigint("raw_spent_nano", { mode: "bigint" }).notNull().default(sql`0`),
    reservedNano: bigint("reserved_nano", { mode: "bigint" }).notNull().default(sql`0`),
    requests: integer("requests").notNull().default(0),
    // The smallest worst case refused this period: once spent + it exceeds the limit, the
    // organisation's next request of that size is refused too, and the limit shows "exceeded".
    refusedMinNano: bigint("refused_min_nano", { mode: "bigint" }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.period] }),
    check("usage_period_counters_nonneg", sql`${t.spentNano} >= 0 and ${t.reservedNano} >= 0`),
  ],
);
