import { pgEnum } from "drizzle-orm/pg-core";

// Values mirror @mai/domain's unions; the database refuses anything else.
export const roleEnum = pgEnum("user_role", ["provider_admin", "org_admin", "member"]);
export const keySourceEnum = pgEnum("key_source", ["provisioned", "client"]);
export const usageStatusEnum = pgEnum("usage_status", ["ok", "error", "aborted", "incomplete"]);
export const settingsSyncStatusEnum = pgEnum("settings_sync_status", ["created", "updated", "unchanged", "claimed", "skipped", "failed"]);
export const settingsChannelEnum = pgEnum("settings_channel", ["openwebui", "dashboard", "token", "cli"]);
