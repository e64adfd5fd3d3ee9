import { sql } from "drizzle-orm";
import { bigint, boolean, check, integer, pgTable, smallint, text, timestamp, uuid } from "drizzle-orm/pg-core";

// A single row (id = 1, enforced by a check). Defaults are the business defaults: markup 1.3×
// (13 000 basis points) and a $1000 monthly limit (10^12 nano-USD).
export const globalSettings = pgTable(
  "global_settings",
  {
    id: smallint("id").primaryKey().default(1),
    provisioningKeyCiphertext: text("provisioning_key_ciphertext"),
    provisioningKeyHint: text("provisioning_key_hint"),
    defaultMarkupBp: integer("default_markup_bp").notNull().default(13_000),
    defaultMonthlyLimitNano: bigint("default_monthly_limit_nano", { mode: "bigint" })
      .notNull()
      .default(sql`1000000000000`),
    currency: text("currency").notNull().default("USD"),
    billingTimeZone: text("billing_time_zone").notNull().default("UTC"),
    // Whether a client administrator may sign up on their own with the OpenRouter key they were given.
    selfSignupEnabled: boolean("self_signup_enabled").notNull().default(true),
    // Whether client roles see what the provider pays — raw cost, margin and markup (a markup with
    // the billed amount gives the raw cost away). Off by default: clients see billed amounts only.
    clientsSeeProviderCost: boolean("clients_see_provider_cost").notNull().default(false),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    updatedBy: uuid("updated_by"),
  },
  (t) => [
    check("global_settings_singleton", sql`${t.id} = 1`),
    check("global_settings_markup_min", sql`${t.defaultMarkupBp} >= 10000`),
    check("global_settings_limit_nonneg", sql`${t.defaultMonthlyLimitNano} >= 0`),
  ],
);
