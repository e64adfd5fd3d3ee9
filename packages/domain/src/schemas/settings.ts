// What a settings save's organisation sync came to, and through which door the save arrived: the
// settings row keeps the last one (packages/db user-settings.ts), settings.lastSync returns it and
// the dashboard's Connections page shows it — a save mirrored from Open WebUI gets Open WebUI's
// answer, so this is where its administrator sees what mAI did.
import { z } from "zod";

/** settings.update's `openrouterSync.status` (a refused key — another organisation's — is `failed`). */
export const SETTINGS_SYNC_STATUSES = ["created", "updated", "unchanged", "claimed", "skipped", "failed"] as const;
export const settingsSyncStatusSchema = z.enum(SETTINGS_SYNC_STATUSES);
export type SettingsSyncStatus = (typeof SETTINGS_SYNC_STATUSES)[number];

/**
 * Where a save came from: Open WebUI's own session (mirrored by the reverse proxy in front of it),
 * the dashboard (a session: its Connections page), a personal token (a chat client), the CLI.
 */
export const SETTINGS_CHANNELS = ["openwebui", "dashboard", "token", "cli"] as const;
export const settingsChannelSchema = z.enum(SETTINGS_CHANNELS);
export type SettingsChannel = (typeof SETTINGS_CHANNELS)[number];
