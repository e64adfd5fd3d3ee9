import { sql } from "drizzle-orm";
import { check, date, numeric, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";

// Display currencies' rates, one per currency per effective day: units of `currency` per 1 USD
// (the books stay in nano-USD). NBP's table A mid rate, fetched daily by the API, or a rate the
// provider entered for a day NBP could not be reached (audited). The rate is an exact numeric —
// read back as text, never a float. A figure uses the last effective date strictly before its
// statement date (@mai/domain exchange-rates.ts).
export const exchangeRates = pgTable(
  "exchange_rates",
  {
    currency: text("currency").notNull(),
    effectiveDate: date("effective_date", { mode: "string" }).notNull(),
    rate: numeric("rate", { precision: 18, scale: 10 }).notNull(),
    source: text("source", { enum: ["nbp", "provider"] }).notNull(),
    // NBP's table number ("233/A/NBP/2026"); null for a provider-entered rate.
    tableNo: text("table_no"),
    // The provider administrator who entered it; null for NBP.
    enteredBy: uuid("entered_by"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: "exchange_rates_pkey", columns: [t.currency, t.effectiveDate] }),
    check("exchange_rates_currency_code", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check("exchange_rates_rate_positive", sql`${t.rate} > 0`),
    check("exchange_rates_source", sql`${t.source} in ('nbp', 'provider')`),
  ],
);
