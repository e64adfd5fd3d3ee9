import { integer, index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { clientOrganizations } from "./client-organizations";

// Provisioned OpenRouter keys an organisation no longer uses (rotated, replaced, deactivated), to be
// deleted upstream once every proxy has stopped using them: not before `delete_after` (longer than
// the proxies' identity cache). The API's job deletes them, retrying with backoff; `deleted_at` set
// means done.
export const keyRetirements = pgTable(
  "key_retirements",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => clientOrganizations.id, { onDelete: "restrict" }),
    openrouterKeyHash: text("openrouter_key_hash").notNull(),
    reason: text("reason", { enum: ["rotated", "replaced", "deactivated"] }).notNull(),
    deleteAfter: timestamp("delete_after", { withTimezone: true }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("key_retirements_hash_key").on(t.openrouterKeyHash),
    index("key_retirements_due_idx").on(t.deleteAfter),
  ],
);
