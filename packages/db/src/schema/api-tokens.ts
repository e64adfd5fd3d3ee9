import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./users";

// Personal API tokens (`mai_…`), shown once. Stored as SHA-256, not a slow hash: tokens are long
// random strings, and verification sits on the proxy's hot path.
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    // The visible start of the token (e.g. `mai_3fa8c1`), to recognise it in lists.
    prefix: text("prefix").notNull(),
    tokenHash: text("token_hash").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    // "chat": the proxy, the user's own settings and usage; "manage": also what the user may do in
    // the dashboard (an administrator's automation). No token can mint a token.
    scope: text("scope").notNull().default("chat"),
  },
  (t) => [
    uniqueIndex("api_tokens_token_hash_key").on(t.tokenHash),
    index("api_tokens_user_id_idx").on(t.userId),
    check("api_tokens_scope_known", sql`${t.scope} in ('chat', 'manage')`),
  ],
);
