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

// The events waiting for a check against /generation, decided when each is recorded (in the ingest
// statement): every failed, aborted or incomplete one, and a sample of the rest (the API's
// MAI_RECONCILE_SAMPLE_BP, by a hash of the generation id). The job reads it oldest first and
// deletes a row once its event is checked or given up, so it holds only work still to do. (Before
// migration 0012 the job walked a partial index of every unchecked event, in which the unsampled
// ones stayed forever: a walk past nearly the whole ledger on every run.) It carries the event's
// key, which the organisation index finds in the event's month's partition.
export const reconciliationQueue = pgTable(
  "reconciliation_queue",
  {
    generationId: text("generation_id").primaryKey(),
    organizationId: uuid("organization_id").notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("reconciliation_queue_occurred_idx").on(t.occurredAt)],
);
