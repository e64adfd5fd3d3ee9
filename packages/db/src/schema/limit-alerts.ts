import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { clientOrganizations } from "./client-organizations";
import { users } from "./users";

// Limit alerts (issue 18). Per organisation: which percentages of the monthly limit alert, whether
// e-mail goes out, and an optional webhook whose signing secret is sealed like the OpenRouter keys
// (AES-256-GCM bound to its column; never returned, never logged). No row = the defaults (80 % and
// 100 %, e-mail on in English, no webhook).
export const alertSettings = pgTable(
  "alert_settings",
  {
    organizationId: uuid("organization_id")
      .primaryKey()
      .references(() => clientOrganizations.id, { onDelete: "restrict" }),
    thresholds: integer("thresholds")
      .array()
      .notNull()
      .default(sql`'{80,100}'::integer[]`),
    emailEnabled: boolean("email_enabled").notNull().default(true),
    // The language its e-mails are written in (@mai/domain ALERT_EMAIL_LANGUAGES).
    emailLanguage: text("email_language", { enum: ["en", "pl"] }).notNull().default("en"),
    webhookUrl: text("webhook_url"),
    webhookSecretCiphertext: text("webhook_secret_ciphertext"),
    updatedBy: uuid("updated_by").references(() => users.id, { onDelete: "set null" }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("alert_settings_thresholds_size", sql`cardinality(${t.thresholds}) between 1 and 5`),
    check("alert_settings_email_language", sql`${t.emailLanguage} in ('en', 'pl')`),
    check("alert_settings_webhook_signed", sql`${t.webhookUrl} is null or ${t.webhookSecretCiphertext} is not null`),
  ],
);

// A threshold an organisation's billing month crossed: one row per (organisation, period,
// threshold), made by INSERT … ON CONFLICT DO NOTHING — so it is fired, and its deliveries queued,
// once per billing month whatever the number of concurrent runs or API processes.
export const limitAlerts = pgTable(
  "limit_alerts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => clientOrganizations.id, { onDelete: "restrict" }),
    // "YYYY-MM" in the billing time zone, as usage_period_counters.period.
    period: text("period").notNull(),
    thresholdPercent: integer("threshold_percent").notNull(),
    reason: text("reason", { enum: ["spend", "refused"] }).notNull(),
    spentNano: bigint("spent_nano", { mode: "bigint" }).notNull(),
    limitNano: bigint("limit_nano", { mode: "bigint" }).notNull(),
    firedAt: timestamp("fired_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("limit_alerts_once_key").on(t.organizationId, t.period, t.thresholdPercent),
    index("limit_alerts_fired_idx").on(t.organizationId, t.firedAt),
  ],
);

// The outbox: one row per alert × channel × recipient, queued in the transaction that fires the
// alert (so a crash after firing never loses a delivery), claimed by the API's delivery job with
// FOR UPDATE SKIP LOCKED, retried with backoff until sent or `attempts` reaches the job's bound.
// `recipient` is an e-mail address or the webhook URL without query, fragment or credentials.
export const alertDeliveries = pgTable(
  "alert_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    alertId: uuid("alert_id")
      .notNull()
      .references(() => limitAlerts.id, { onDelete: "cascade" }),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => clientOrganizations.id, { onDelete: "restrict" }),
    channel: text("channel", { enum: ["email", "webhook"] }).notNull(),
    recipient: text("recipient").notNull(),
    status: text("status", { enum: ["pending", "sent", "failed"] }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("alert_deliveries_recipient_key").on(t.alertId, t.channel, t.recipient),
    index("alert_deliveries_due_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
  ],
);

// The delivery log the provider reads: one row per attempt, what happened in words (never a
// secret, a URL's query or an SMTP password), the HTTP status or SMTP reply code, and when the next
// attempt is due (null: none — sent, or given up).
export const alertDeliveryAttempts = pgTable(
  "alert_delivery_attempts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    deliveryId: uuid("delivery_id")
      .notNull()
      .references(() => alertDeliveries.id, { onDelete: "cascade" }),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => clientOrganizations.id, { onDelete: "restrict" }),
    channel: text("channel", { enum: ["email", "webhook"] }).notNull(),
    recipient: text("recipient").notNull(),
    attempt: integer("attempt").notNull(),
    outcome: text("outcome", { enum: ["sent", "retry", "failed"] }).notNull(),
    statusCode: integer("status_code"),
    error: text("error"),
    nextRetryAt: timestamp("next_retry_at", { withTimezone: true }),
    attemptedAt: timestamp("attempted_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("alert_delivery_attempts_org_idx").on(t.organizationId, t.attemptedAt), index("alert_delivery_attempts_at_idx").on(t.attemptedAt)],
);
