import { and, eq } from "drizzle-orm";
import type { SettingsUpdate } from "@mai/domain";
import type { SettingsChannel, SettingsSyncStatus } from "@mai/domain/schemas";
import type { Executor } from "../client";
import { userSettings } from "../schema/index";

/** The stored settings JSON (keys inside are sealed by the caller), or {} if never saved. */
export async function getUserSettings(db: Executor, userId: string): Promise<Record<string, unknown>> {
  const [row] = await db.select({ settings: userSettings.settings }).from(userSettings).where(eq(userSettings.userId, userId));
  return row?.settings ?? {};
}

/**
 * settings.update's body as parsed, its keys sealed by the caller. The previous save's sync outcome
 * goes with the settings it described: until recordSettingsSync, this save has none.
 */
export async function saveUserSettings(db: Executor, userId: string, settings: SettingsUpdate, now: Date): Promise<void> {
  const noOutcome = {
    lastSyncStatus: null,
    lastSyncMessage: null,
    lastSyncMessageKey: null,
    lastSyncMessageParams: null,
    lastSyncAt: null,
    lastSyncOrganizationId: null,
    lastSyncChannel: null,
    lastSyncKeyHint: null,
  };
  await db
    .insert(userSettings)
    .values({ userId, settings, updatedAt: now })
    .onConflictDoUpdate({ target: userSettings.userId, set: { settings, updatedAt: now, ...noOutcome } });
}

/** What a save's organisation sync came to (settings.update's `openrouterSync`, with where and when). */
export interface SettingsSyncOutcome {
  status: SettingsSyncStatus;
  message: string;
  /**
   * The message's key in the API's catalog (@mai/domain SERVER_MESSAGES) and its parameters; null
   * when it has none — and in an outcome recorded before the columns existed (migration 0018).
   */
  messageKey: string | null;
  messageParams: Record<string, string | number> | null;
  at: Date;
  organizationId: string | null;
  channel: SettingsChannel;
  /** The masked key the save held (`sk-or-v1-0844…af0e`), or null without an OpenRouter connection. */
  keyHint: string | null;
}

/**
 * Records the outcome of the save made at `savedAt` (saveUserSettings' `now`) — only while those
 * settings are still the stored ones: a later save has cleared the row for its own outcome, which
 * an earlier, slower sync must not overwrite. Returns whether it was recorded.
 */
export async function recordSettingsSync(db: Executor, userId: string, savedAt: Date, outcome: SettingsSyncOutcome): Promise<boolean> {
  const rows = await db
    .update(userSettings)
    .set({
      lastSyncStatus: outcome.status,
      lastSyncMessage: outcome.message,
      lastSyncMessageKey: outcome.messageKey,
      lastSyncMessageParams: outcome.messageParams,
      lastSyncAt: outcome.at,
      lastSyncOrganizationId: outcome.organizationId,
      lastSyncChannel: outcome.channel,
      lastSyncKeyHint: outcome.keyHint,
    })
    .where(and(eq(userSettings.userId, userId), eq(userSettings.updatedAt, savedAt)))
    .returning({ userId: userSettings.userId });
  return rows.length > 0;
}

export interface LastSettingsSync {
  /** When the stored settings were saved; null: never saved. */
  savedAt: Date | null;
  /** Their save's sync outcome; null: not recorded (never saved, its sync still running or cut off). */
  sync: SettingsSyncOutcome | null;
}

/** A user's last settings save and what its organisation sync came to. Reads only. */
export async function getLastSettingsSync(db: Executor, userId: string): Promise<LastSettingsSync> {
  const [row] = await db
    .select({
      savedAt: userSettings.updatedAt,
      status: userSettings.lastSyncStatus,
      message: userSettings.lastSyncMessage,
      messageKey: userSettings.lastSyncMessageKey,
      messageParams: userSettings.lastSyncMessageParams,
      at: userSettings.lastSyncAt,
      organizationId: userSettings.lastSyncOrganizationId,
      channel: userSettings.lastSyncChannel,
      keyHint: userSettings.lastSyncKeyHint,
    })
    .from(userSettings)
    .where(eq(userSettings.userId, userId));
  if (!row) return { savedAt: null, sync: null };
  const { savedAt, status, message, messageKey, messageParams, at, organizationId, channel, keyHint } = row;
  if (!status || !at || !channel) return { savedAt, sync: null };
  return { savedAt, sync: { status, message: message ?? "", messageKey, messageParams, at, organizationId, channel, keyHint } };
}
