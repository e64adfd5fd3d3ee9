import { index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

// Generations /generation could not answer for yet (unknown, rate-limited, failing): each waits
// until `next_attempt_at` (exponential backoff, capped) instead of being asked on every
// reconciliation run; `gave_up_at` set means the job stopped asking (audited).
export const reconciliationAttempts = pgTable(
  "reconciliation_attempts",
  {
    generationId: text("generation_id").primaryKey(),
    organizationId: uuid("organization_id").notNull(),
    attempts: integer("attempts").notNull().default(0),
    firstFailedAt: timestamp("first_failed_at", { withTimezone: true }).notNull(),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull(),
    lastStatus: integer("last_status"),
    gaveUpAt: timestamp("gave_up_at", { withTimezone: true }),
  },
  (t) => [index("reconciliation_attempts_next_idx").on(t.nextAttemptAt)],
);
