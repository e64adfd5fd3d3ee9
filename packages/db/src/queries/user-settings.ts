import { eq } from "drizzle-orm";
import type { SettingsUpdate } from "@mai/domain";
import type { Executor } from "../client";
import { userSettings } from "../schema/index";

/** The stored settings JSON (keys inside are sealed by the caller), or {} if never saved. */
export async function getUserSettings(db: Executor, userId: string): Promise<Record<string, unknown>> {
  const [row] = await db.select({ settings: userSettings.settings }).from(userSettings).where(eq(userSettings.userId, userId));
  return row?.settings ?? {};
}

/** settings.update's body as parsed, its keys sealed by the caller. */
export async function saveUserSettings(db: Executor, userId: string, settings: SettingsUpdate, now: Date): Promise<void> {
  await db
    .insert(userSettings)
    .values({ userId, settings, updatedAt: now })
    .onConflictDoUpdate({ target: userSettings.userId, set: { settings, updatedAt: now } });
}
