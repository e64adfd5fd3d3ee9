import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { clientOrganizations } from "./client-organizations";
import { roleEnum } from "./enums";
import { users } from "./users";

// An administrator's invitation to join their organisation. The code is shown once (stored as its
// SHA-256); the invitee redeems it with their e-mail and a password of their own. An invitation
// never moves an existing account: whether the e-mail already has one is not the inviter's to learn.
export const invitations = pgTable(
  "invitations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => clientOrganizations.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    name: text("name").notNull().default(""),
    role: roleEnum("role").notNull(),
    codeHash: text("code_hash").notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("invitations_code_hash_key").on(t.codeHash), index("invitations_organization_id_idx").on(t.organizationId)],
);
