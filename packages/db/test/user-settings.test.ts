// A user's last settings save and its organisation sync outcome (getLastSettingsSync,
// recordSettingsSync): every status kept with its channel, message (and its catalog key and
// parameters), time, organisation and masked key; a new save clears the outcome of the settings it replaces and a slower, earlier sync cannot
// write over the later save's; one user never reads another's; reading writes nothing.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SETTINGS_CHANNELS, SETTINGS_SYNC_STATUSES } from "@mai/domain/schemas";
import {
  createOrganization,
  createUser,
  getLastSettingsSync,
  recordSettingsSync,
  saveUserSettings,
  schema,
  type SettingsSyncOutcome,
} from "../src/index";
import { createTestDb, eq, fakeOpenRouterKey, testDrivers, type TestDb } from "../src/testing/index";

let seq = 0;
const HINT = "sk-or-v1-0844…af0e";

describe.each(testDrivers())("the last settings sync on %s", (driver) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(driver);
  });
  afterAll(() => t.close());

  const user = () => createUser(t.db, { email: `settings-${++seq}-${randomUUID().slice(0, 8)}@test.example`, name: "Ola", role: "org_admin" });
  const org = () => createOrganization(t.db, t.secrets, { name: `Sync ${++seq} ${Date.now()}`, key: fakeOpenRouterKey((0x9100 + seq).toString(16)) });
  const settings = { ui: { theme: "dark" } };
  const outcome = (over: Partial<SettingsSyncOutcome> = {}): SettingsSyncOutcome => ({
    status: "created",
    message: "A new organisation was created for this key, with you as its administrator.",
    messageKey: "sync.create",
    messageParams: {},
    at: new Date("2026-12-02T06:00:01.000Z"),
    organizationId: null,
    channel: "openwebui",
    keyHint: HINT,
    ...over,
  });
  const row = async (userId: string) => (await t.db.select().from(schema.userSettings).where(eq(schema.userSettings.userId, userId)))[0];

  it("never saved: no save, no outcome — and nothing is written by asking", async () => {
    const u = await user();
    expect(await getLastSettingsSync(t.db, u.id)).toEqual({ savedAt: null, sync: null });
    expect(await row(u.id)).toBeUndefined();
  });

  it("keeps every status with its channel, message, message key and parameters, time, organisation and masked key", async () => {
    const o = await org();
    for (const status of SETTINGS_SYNC_STATUSES) {
      for (const channel of SETTINGS_CHANNELS) {
        const u = await user();
        const savedAt = new Date(`2026-12-02T06:0${SETTINGS_CHANNELS.indexOf(channel)}:00.123Z`);
        await saveUserSettings(t.db, u.id, settings, savedAt);
        // Saved, its sync not done yet: the save is known, its outcome is not.
        expect(await getLastSettingsSync(t.db, u.id)).toEqual({ savedAt, sync: null });
        const sync = outcome({
          status,
          channel,
          message: `${status} via ${channel}`,
          // Parameters come back as they went in: numbers as numbers, strings as strings.
          messageKey: `sync.${status}`,
          messageParams: { channel, count: SETTINGS_CHANNELS.indexOf(channel) },
          organizationId: status === "skipped" || status === "failed" ? null : o.id,
          keyHint: status === "skipped" ? null : HINT,
        });
        expect(await recordSettingsSync(t.db, u.id, savedAt, sync)).toBe(true);
        expect(await getLastSettingsSync(t.db, u.id)).toEqual({ savedAt, sync });
      }
    }
  });

  it("a new save clears the outcome of the settings it replaces; an earlier save's late outcome is not recorded", async () => {
    const u = await user();
    const first = new Date("2026-12-02T06:10:00.000Z");
    await saveUserSettings(t.db, u.id, settings, first);
    await recordSettingsSync(t.db, u.id, first, outcome({ status: "failed", message: "OpenRouter rejected this key.", channel: "token" }));

    const second = new Date("2026-12-02T06:11:00.000Z");
    await saveUserSettings(t.db, u.id, { ui: { theme: "light" } }, second);
    expect(await getLastSettingsSync(t.db, u.id)).toEqual({ savedAt: second, sync: null });
    expect(await row(u.id)).toMatchObject({ lastSyncMessage: null, lastSyncMessageKey: null, lastSyncMessageParams: null });

    const third = new Date("2026-12-02T06:12:00.000Z");
    await saveUserSettings(t.db, u.id, settings, third);
    // The second save's sync finishes after the third save: it describes settings no longer stored.
    expect(await recordSettingsSync(t.db, u.id, second, outcome({ status: "unchanged" }))).toBe(false);
    expect(await getLastSettingsSync(t.db, u.id)).toEqual({ savedAt: third, sync: null });
    const latest = outcome({ status: "skipped", message: "Only client administrators trigger organisation sync.", channel: "openwebui", keyHint: null });
    expect(await recordSettingsSync(t.db, u.id, third, latest)).toBe(true);
    expect(await getLastSettingsSync(t.db, u.id)).toEqual({ savedAt: third, sync: latest });
    // The settings themselves are the third save's.
    expect((await row(u.id))?.settings).toEqual(settings);
  });

  it("an outcome without a key (as every outcome recorded before migration 0018) reads back with null key and parameters", async () => {
    const u = await user();
    const at = new Date("2026-12-02T06:15:00.000Z");
    await saveUserSettings(t.db, u.id, settings, at);
    const unkeyed = outcome({ message: "The organisation sync failed.", messageKey: null, messageParams: null, status: "failed" });
    expect(await recordSettingsSync(t.db, u.id, at, unkeyed)).toBe(true);
    expect(await getLastSettingsSync(t.db, u.id)).toEqual({ savedAt: at, sync: unkeyed });
  });

  it("reads only the asking user's row, and reading changes nothing", async () => {
    const a = await user();
    const b = await user();
    const at = new Date("2026-12-02T06:20:00.000Z");
    await saveUserSettings(t.db, a.id, settings, at);
    await recordSettingsSync(t.db, a.id, at, outcome({ status: "failed", message: "The organisation sync failed." }));
    expect(await getLastSettingsSync(t.db, b.id)).toEqual({ savedAt: null, sync: null });
    const before = await row(a.id);
    await getLastSettingsSync(t.db, a.id);
    await getLastSettingsSync(t.db, a.id);
    expect(await row(a.id)).toEqual(before);
  });

  it("an organisation that is deleted leaves the outcome without its id; the database refuses an unknown status", async () => {
    const u = await user();
    const o = await org();
    const at = new Date("2026-12-02T06:30:00.000Z");
    await saveUserSettings(t.db, u.id, settings, at);
    await recordSettingsSync(t.db, u.id, at, outcome({ organizationId: o.id }));
    await t.db.delete(schema.clientOrganizations).where(eq(schema.clientOrganizations.id, o.id));
    expect((await getLastSettingsSync(t.db, u.id)).sync).toMatchObject({ status: "created", organizationId: null });

    await expect(recordSettingsSync(t.db, u.id, at, outcome({ status: "conflict" as never }))).rejects.toThrow();
  });
});
