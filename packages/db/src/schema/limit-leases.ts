import { sql } from "drizzle-orm";
import { bigint, check, index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { clientOrganizations } from "./client-organizations";

// A block of an organisation's monthly limit held by one proxy process (`owner`) for one billing
// period. What it holds is granted − recorded while it is open, and max(closed − recorded, 0) once
// its owner closed it (`closed_nano`: the total its requests consumed, so events still on their way
// keep their part reserved). The period counter's `reserved_nano` is the sum of what the live leases
// hold. A lease its owner stops renewing expires: it returns to the organisation in the next
// transaction that touches the counter, or in the API's sweep.
export const limitLeases = pgTable(
  "limit_leases",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => clientOrganizations.id, { onDelete: "restrict" }),
    period: text("period").notNull(),
    owner: text("owner").notNull(),
    grantedNano: bigint("granted_nano", { mode: "bigint" }).notNull().default(sql`0`),
    recordedNano: bigint("recorded_nano", { mode: "bigint" }).notNull().default(sql`0`),
    closedNano: bigint("closed_nano", { mode: "bigint" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    renewedAt: timestamp("renewed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("limit_leases_org_period_idx").on(t.organizationId, t.period),
    index("limit_leases_expires_at_idx").on(t.expiresAt),
    check(
      "limit_leases_nonneg",
      sql`${t.grantedNano} >= 0 and ${t.recordedNano} >= 0 and (${t.closedNano} is null or ${t.closedNano} >= 0)`,
    ),
  ],
);
