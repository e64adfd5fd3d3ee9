import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { clientOrganizations } from "./client-organizations";
import { users } from "./users";

// Which organisation a user belongs to. The primary key on user_id is the rule "a user belongs to
// at most one organisation", enforced by the database even under concurrent saves.
export const userClientMapping = pgTable(
  "user_client_mapping",
  {
    userId: uuid("user_id")
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => clientOrganizations.id, { onDelete: "restrict" }),
    // mai_client_<org8>_user_<user8>: sent to OpenRouter as `user`.
    externalUserId: text("external_user_id").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("user_client_mapping_external_user_id_key").on(t.externalUserId),
    index("user_client_mapping_organization_id_idx").on(t.organizationId),
  ],
);
