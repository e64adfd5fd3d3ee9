import { jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { clientOrganizations } from "./client-organizations";
import { settingsChannelEnum, settingsSyncStatusEnum } from "./enums";
import { users } from "./users";

// The chat client's settings JSON, in Open WebUI's shape. Keys inside it are stored encrypted
// (the API replaces each OPENAI_API_KEYS entry by its ciphertext before writing).
//
// Beside it, the organisation sync of the save that wrote it (`last_sync_*`): a save mirrored from
// Open WebUI is answered by Open WebUI, so its administrator reads mAI's outcome on the dashboard.
// A save clears them with the settings it writes and the API records the outcome once the sync is
// done, only if no later save came in between: set, they always describe the stored settings;
// null beside a saved row, that save's outcome is not recorded (its sync runs, or it was cut off).
export const userSettings = pgTable("user_settings", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  lastSyncStatus: settingsSyncStatusEnum("last_sync_status"),
  lastSyncMessage: text("last_sync_message"),
  // The message's key in the API's catalog (@mai/domain SERVER_MESSAGES, `sync.*`) and its parameters,
  // so a translating client says it in its reader's language. Null in a row recorded before they
  // existed (migration 0018): the API then recognises the English `last_sync_message` instead.
  lastSyncMessageKey: text("last_sync_message_key"),
  lastSyncMessageParams: jsonb("last_sync_message_params").$type<Record<string, string | number>>(),
  lastSyncAt: timestamp("last_sync_at", { withTimezone: true }),
  lastSyncOrganizationId: uuid("last_sync_organization_id").references(() => clientOrganizations.id, { onDelete: "set null" }),
  lastSyncChannel: settingsChannelEnum("last_sync_channel"),
  // The masked key the save synced (`sk-or-v1-0844…af0e`); null when it held no OpenRouter connection.
  lastSyncKeyHint: text("last_sync_key_hint"),
});
