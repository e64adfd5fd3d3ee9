import { sql } from "drizzle-orm";
import { bigint, boolean, check, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { keySourceEnum } from "./enums";

// A client company. Its OpenRouter key is stored encrypted; the fingerprint (keyed HMAC) is what
// uniqueness and lookups use, so "one organisation per key" holds without decrypting anything.
export const clientOrganizations = pgTable(
  "client_organizations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    billingEmail: text("billing_email"),
    markupBp: integer("markup_bp").notNull(),
    monthlyLimitNano: bigint("monthly_limit_nano", { mode: "bigint" }).notNull(),
    active: boolean("active").notNull().default(true),
    keyCiphertext: text("key_ciphertext"),
    keyFingerprint: text("key_fingerprint"),
    // The masked key (`sk-or-v1-0844…af0e`), so lists never need to decrypt.
    keyHint: text("key_hint"),
    // `provisioned`: minted by the provider through the management API (claimable by the first
    // client administrator who saves it); `client`: brought by the client's administrator.
    keySource: keySourceEnum("key_source"),
    // OpenRouter's 64-hex id of a provisioned key, for PATCH/DELETE on the management API.
    openrouterKeyHash: text("openrouter_key_hash"),
    // When the current key was set: key-level reconciliation compares OpenRouter's usage of this
    // key with what was recorded since then.
    keySetAt: timestamp("key_set_at", { withTimezone: true }),
    // The currency its figures and statements are shown in besides USD (converted at the day's
    // exchange rate, exchange_rates); null = the global setting's.
    currency: text("currency"),
    // null = every model allowed.
    allowedModels: text("allowed_models").array(),
    createdBy: uuid("created_by"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    deactivatedAt: timestamp("deactivated_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("client_organizations_name_key").on(t.name),
    uniqueIndex("client_organizations_key_fingerprint_key").on(t.keyFingerprint),
    check("client_organizations_markup_min", sql`${t.markupBp} >= 10000`),
    check("client_organizations_limit_nonneg", sql`${t.monthlyLimitNano} >= 0`),
    check("client_organizations_currency_code", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check(
      "client_organizations_key_complete",
      sql`(${t.keyCiphertext} is null) = (${t.keyFingerprint} is null) and (${t.keyCiphertext} is null) = (${t.keyHint} is null)`,
    ),
  ],
);
