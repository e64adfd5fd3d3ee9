import { integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "./users";

// Failed sign-in counts, shared by every API replica. One row per key: an account (`account:<e-mail>`),
// a client address (`address:<ip>`) or a known device (`device:<sha256>`). A row says how many
// failures in a row and when the next attempt may be checked; a success deletes the key's row.
export const authThrottle = pgTable("auth_throttle", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull(),
  lastFailureAt: timestamp("last_failure_at", { withTimezone: true }).notNull(),
  nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull(),
});

// Browsers an account has signed in from (a random cookie, stored as its SHA-256). A sign-in from
// a known device is throttled on its own count, so strangers' guesses never lock the owner out.
export const knownDevices = pgTable("known_devices", {
  tokenHash: text("token_hash").primaryKey(),
  userId: uuid("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  lastUsedAt: timestamp("last_used_at", { withTimezone: true }).notNull().defaultNow(),
});
