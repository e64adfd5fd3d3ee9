import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "./users";

// Dashboard sessions. The cookie holds a random token; only its SHA-256 is stored, so a database
// leak does not yield usable sessions.
export const sessions = pgTable(
  "sessions",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    userAgent: text("user_agent"),
    ip: text("ip"),
    // "full": the dashboard; "password_change": signed in with a temporary password, good for
    // choosing a new one and nothing else.
    purpose: text("purpose").notNull().default("full"),
  },
  (t) => [
    index("sessions_user_id_idx").on(t.userId),
    check("sessions_purpose_known", sql`${t.purpose} in ('full', 'password_change')`),
  ],
);
