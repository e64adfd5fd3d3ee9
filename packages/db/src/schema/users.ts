import { sql } from "drizzle-orm";
import { pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { roleEnum } from "./enums";

// One row per person, across the dashboard, the chat client and the proxy. The role is global
// because a user belongs to at most one organisation (user_client_mapping).
export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // Stored lowercased; the unique index below makes the rule hold under concurrency.
    email: text("email").notNull(),
    name: text("name").notNull().default(""),
    role: roleEnum("role").notNull().default("member"),
    // scrypt hash in a self-describing format; null for users who only use API tokens.
    passwordHash: text("password_hash"),
    // Set while the password is a temporary one (an administrator's reset, a new member's first
    // password): it signs in only to choose a new password, and not at all after this instant.
    passwordTemporaryUntil: timestamp("password_temporary_until", { withTimezone: true }),
    // Open WebUI's user id, for the trusted-gateway mode (X-OpenWebUI-User-Id).
    openWebUiUserId: text("openwebui_user_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("users_email_key").on(t.email),
    uniqueIndex("users_openwebui_user_id_key").on(t.openWebUiUserId).where(sql`${t.openWebUiUserId} is not null`),
  ],
);
