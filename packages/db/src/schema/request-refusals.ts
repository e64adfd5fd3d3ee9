import { sql } from "drizzle-orm";
import { check, date, index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { clientOrganizations } from "./client-organizations";

// Requests the proxy refused before forwarding them (the monthly limit spent: 402; the organisation
// deactivated: 403), one row each, keyed by the id the proxy gave the refusal, so a batch sent twice
// counts once. Nothing was charged for them: they are not in the ledger, and they are what the Usage
// page counts per day beside it ("refused"). usage_date is the local day of the billing time zone,
// as the ledger's rollups have it. user_id has no foreign key, as the ledger's: deleting a user must
// not rewrite history. Retention (dropUsageMonthsBefore) forgets them with the ledger's months.
export const requestRefusals = pgTable(
  "request_refusals",
  {
    id: uuid("id").primaryKey(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => clientOrganizations.id, { onDelete: "cascade" }),
    userId: uuid("user_id").notNull(),
    reason: text("reason").notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    usageDate: date("usage_date").notNull(),
  },
  (t) => [
    check("request_refusals_reason_check", sql`${t.reason} in ('monthly_limit', 'organization_inactive')`),
    index("request_refusals_org_date_idx").on(t.organizationId, t.usageDate),
  ],
);
