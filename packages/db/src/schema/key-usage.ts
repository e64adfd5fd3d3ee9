import { sql } from "drizzle-orm";
import { bigint, check, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { clientOrganizations } from "./client-organizations";
import { users } from "./users";

// Key-level reconciliation: what OpenRouter says was charged on an organisation's own key
// (`usage_daily` / `usage_monthly`, UTC) beside the raw cost recorded for the same key over the same
// span (`compared_from`: the UTC day or month start, or when the first key compared in it was set if
// later). The last observation per organisation, scope and UTC period is kept; `unmetered_nano` =
// OpenRouter's − recorded (traffic that bypassed the gateway, or charges lost; negative: recorded
// more). When the key changes within a period, the old key's last counter is carried into the row,
// so what was charged on it is still compared (and billable) after the rotation.
export const keyUsageChecks = pgTable(
  "key_usage_checks",
  {
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => clientOrganizations.id, { onDelete: "restrict" }),
    scope: text("scope", { enum: ["day", "month"] }).notNull(),
    periodStart: date("period_start", { mode: "string" }).notNull(),
    keyFingerprint: text("key_fingerprint").notNull(),
    comparedFrom: timestamp("compared_from", { withTimezone: true }).notNull(),
    openrouterUsageNano: bigint("openrouter_usage_nano", { mode: "bigint" }).notNull(),
    // The part of openrouter_usage_nano counted on keys the organisation had before its current one
    // in this period (their last observation): a rotation keeps what the old key was charged.
    carriedOpenrouterNano: bigint("carried_openrouter_nano", { mode: "bigint" }).notNull().default(sql`0`),
    recordedRawNano: bigint("recorded_raw_nano", { mode: "bigint" }).notNull(),
    unmeteredNano: bigint("unmetered_nano", { mode: "bigint" }).notNull(),
    checkedAt: timestamp("checked_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.scope, t.periodStart] }),
    check("key_usage_checks_scope", sql`${t.scope} in ('day', 'month')`),
  ],
);

// A line the provider added to an organisation's statement for a billing period, by an explicit,
// audited action (never silently): today, unmetered usage found by key-level reconciliation, billed
// at the organisation's markup.
export const usageAdjustments = pgTable(
  "usage_adjustments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => clientOrganizations.id, { onDelete: "restrict" }),
    period: text("period").notNull(),
    kind: text("kind", { enum: ["unmetered_usage"] }).notNull(),
    rawCostNano: bigint("raw_cost_nano", { mode: "bigint" }).notNull(),
    markupBp: integer("markup_bp").notNull(),
    billedCostNano: bigint("billed_cost_nano", { mode: "bigint" }).notNull(),
    description: text("description").notNull(),
    details: jsonb("details"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("usage_adjustments_org_period_idx").on(t.organizationId, t.period),
    check("usage_adjustments_kind", sql`${t.kind} in ('unmetered_usage')`),
    check("usage_adjustments_markup_min", sql`${t.markupBp} >= 10000`),
  ],
);
