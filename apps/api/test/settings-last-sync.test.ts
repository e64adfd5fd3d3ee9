// settings.lastSync: what the caller's last settings save came to, whichever door it came through.
// A save mirrored from a stock Open WebUI is answered by Open WebUI (the reverse proxy discards
// mAI's answer), so the dashboard's Connections page reads the outcome here: created, skipped (a
// member's save, a save without an OpenRouter connection) and failed (a key OpenRouter rejects,
// another organisation's key) are each reported for the mAI user Open WebUI's session stands for,
// with the channel (Open WebUI, the dashboard, a token); nobody else — another organisation's
// administrator, a member of the same organisation — ever reads it.
import type { AuthUser } from "@mai/db";
import { getAuthUser, schema } from "@mai/db";
import { asOpenRouterKey, eq, testDrivers } from "@mai/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppDeps } from "../src/deps";
import { loadEnv } from "../src/env";
import { createApiServer, type ApiServer } from "../src/server";
import { createHarness, INTERNAL_TOKEN, json, nextKey, type Harness } from "./harness";
import { startOpenWebUiStandIn, type OpenWebUiStandIn, type StandInUser } from "./openwebui-standin";

const OPENROUTER = "https://openrouter.ai/api/v1";
const MIRROR = "mirror-secret-last-sync-0123456789abcdef";
const UPDATE = "/api/v1/users/user/settings/update";

const connections = (keys: string[]) => ({
  ui: {
    theme: "dark",
    directConnections: {
      OPENAI_API_BASE_URLS: keys.map(() => OPENROUTER),
      OPENAI_API_KEYS: keys,
      OPENAI_API_CONFIGS: {},
    },
  },
});
const mask = (key: string) => `${key.slice(0, 13)}…${key.slice(-4)}`;

describe.each(testDrivers())("settings.lastSync after saves from Open WebUI and elsewhere on %s", (driver) => {
  let h: Harness;
  let owui: OpenWebUiStandIn;
  let api: ApiServer;
  let base: string;
  /** Every answer, for the leak check at the end. */
  const seen: string[] = [];
  const secrets: string[] = [MIRROR];

  beforeAll(async () => {
    h = await createHarness(driver);
    owui = await startOpenWebUiStandIn();
    secrets.push(owui.secret);
    const env = loadEnv({
      NODE_ENV: "test",
      MAI_INTERNAL_TOKEN: INTERNAL_TOKEN,
      MAI_OPENROUTER_BASE_URL: h.sim.url,
      MAI_OPENROUTER_EXTRA_HOSTS: h.sim.origin,
      LOG_LEVEL: "debug",
      MAI_ADMIN_DIST: "",
      MAI_OPENWEBUI_URL: owui.url,
      MAI_OPENWEBUI_MIRROR_TOKEN: MIRROR,
    });
    const deps: AppDeps = { ...h.deps, env };
    api = createApiServer(deps);
    base = (await api.listen(0, "127.0.0.1")).url;
  });
  afterAll(async () => {
    await api?.close();
    await owui?.close();
    await h?.close();
  });

  /** A key OpenRouter (the simulator) knows, so live verification passes. */
  const liveKey = () => {
    const key = asOpenRouterKey(h.sim.addKey({ key: nextKey(), name: "client" }).key);
    secrets.push(key);
    return key;
  };
  /** The save as nginx mirrors it: Open WebUI's cookie, its page's origin, vouched for by the mirror token. */
  async function mirroredSave(user: StandInUser, body: unknown) {
    const { cookie, token } = await owui.signIn(user);
    secrets.push(token);
    const res = await fetch(`${base}${UPDATE}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        cookie,
        origin: "https://chat.client.example",
        "x-forwarded-host": "chat.client.example",
        "x-mai-openwebui-mirror-token": MIRROR,
      },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    seen.push(text);
    expect(res.status).toBe(200);
    return JSON.parse(text) as { openrouterSync: { status: string; organizationId?: string; message: string; messageKey?: string; messageParams?: Record<string, string | number> } };
  }
  const mAiUserOf = async (owuiUser: StandInUser): Promise<AuthUser> => {
    const [row] = await h.t.db.select({ id: schema.users.id }).from(schema.users).where(eq(schema.users.openWebUiUserId, owuiUser.id));
    return (await getAuthUser(h.t.db, row!.id))!;
  };
  /** settings.lastSync as the dashboard asks it: over HTTP with a dashboard session. */
  async function lastSyncOf(user: AuthUser) {
    const answer = await (await h.http(user, "session")).settings.lastSync.query();
    seen.push(json(answer));
    return answer;
  }

  it("an Open WebUI admin's mirrored save: created, via Open WebUI, with its organisation, message, time and masked key", async () => {
    const admin = owui.addUser({ role: "admin" });
    const key = liveKey();
    const before = new Date();
    const saved = await mirroredSave(admin, connections([key]));
    expect(saved.openrouterSync.status).toBe("created");
    expect(saved.openrouterSync).toMatchObject({ messageKey: "sync.createNamed", messageParams: { organization: expect.any(String) as string } });

    const user = await mAiUserOf(admin);
    const last = await lastSyncOf(user);
    expect(last.sync).toEqual({
      status: "created",
      message: saved.openrouterSync.message,
      // Stored with its key and parameters (the new organisation's name) beside the English.
      messageKey: "sync.createNamed",
      messageParams: saved.openrouterSync.messageParams,
      at: expect.any(Date) as Date,
      organizationId: saved.openrouterSync.organizationId,
      channel: "openwebui",
      keyHint: mask(key),
    });
    expect(last.savedAt!.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1);
    expect(last.sync!.at.getTime()).toBeGreaterThanOrEqual(last.savedAt!.getTime());
    // settings.get keeps Open WebUI's shape: nothing of the sync in it.
    expect(Object.keys(await h.caller(user).settings.get())).toEqual(["ui"]);

    // Saved again from Open WebUI, unchanged; then from the dashboard and with a token: the channel follows the door.
    await mirroredSave(admin, connections([key]));
    expect((await lastSyncOf(user)).sync).toMatchObject({ status: "unchanged", channel: "openwebui" });
    await h.caller(user).settings.update(connections([key]));
    expect((await lastSyncOf(user)).sync).toMatchObject({ status: "unchanged", channel: "dashboard" });
    await (await h.http(user, "chat")).settings.update.mutate(connections([key]));
    expect((await lastSyncOf(user)).sync).toMatchObject({ status: "unchanged", channel: "token" });
  });

  it("an Open WebUI user's mirrored save: skipped, the reason in words — and so is a save without an OpenRouter connection", async () => {
    const member = owui.addUser({ role: "user" });
    const key = liveKey();
    const saved = await mirroredSave(member, connections([key]));
    expect(saved.openrouterSync.status).toBe("skipped");
    const user = await mAiUserOf(member);
    expect(user.role).toBe("member");
    expect((await lastSyncOf(user)).sync).toEqual({
      status: "skipped",
      message: saved.openrouterSync.message,
      messageKey: "sync.skippedMember",
      messageParams: {},
      at: expect.any(Date) as Date,
      organizationId: null,
      channel: "openwebui",
      keyHint: mask(key),
    });
    expect(saved.openrouterSync.message).toMatch(/Only client administrators/);

    // No OpenRouter connection at all (not audited: there was nothing to sync) — still reported.
    const plain = await mirroredSave(member, { ui: { theme: "light" } });
    expect(plain.openrouterSync.status).toBe("skipped");
    expect((await lastSyncOf(user)).sync).toMatchObject({
      status: "skipped",
      message: "No enabled OpenRouter connection with a valid key in these settings.",
      messageKey: "sync.noConnection",
      messageParams: {},
      channel: "openwebui",
      keyHint: null,
    });
  });

  it("a failed sync — a key OpenRouter rejects, another organisation's key — is reported with its reason; the settings are saved", async () => {
    const admin = owui.addUser({ role: "admin" });
    const rejected = nextKey(); // unknown to OpenRouter: 401 on verification
    secrets.push(rejected);
    const saved = await mirroredSave(admin, connections([rejected]));
    expect(saved.openrouterSync.status).toBe("failed");
    const user = await mAiUserOf(admin);
    const failed = await lastSyncOf(user);
    expect(failed.sync).toMatchObject({ status: "failed", channel: "openwebui", organizationId: null, keyHint: mask(rejected) });
    expect(failed.sync!.message).toMatch(/OpenRouter rejected this key \(401/);
    // Its parameters as the save answered them: the status a number, OpenRouter's words a string.
    expect(failed.sync).toMatchObject({ messageKey: "sync.keyRejected", messageParams: saved.openrouterSync.messageParams });
    expect(saved.openrouterSync.messageParams).toEqual({ status: 401, detail: expect.any(String) as string });
    expect(failed.savedAt).not.toBeNull();
    expect((await h.caller(user).settings.get()).ui.directConnections?.OPENAI_API_KEYS).toEqual([mask(rejected)]);

    // The key of an organisation that has its administrator: refused without saying whose.
    const taken = await h.org();
    secrets.push(taken.key);
    h.sim.addKey({ key: taken.key, name: "taken" });
    const conflict = await mirroredSave(admin, connections([taken.key]));
    expect(conflict.openrouterSync.status).toBe("failed");
    const last = await lastSyncOf(user);
    expect(last.sync).toMatchObject({ status: "failed", organizationId: null, message: conflict.openrouterSync.message });
    expect(json(last)).not.toContain(taken.id);

    // Saving again with a good key retries: the failure is replaced by the outcome.
    await mirroredSave(admin, connections([liveKey()]));
    expect((await lastSyncOf(user)).sync?.status).toBe("created");
  });

  it("an outcome recorded before its key was stored (migration 0018) gets it back from its English; a key the catalog no longer has is left out", async () => {
    const admin = owui.addUser({ role: "admin" });
    const rejected = nextKey();
    secrets.push(rejected);
    const saved = await mirroredSave(admin, connections([rejected]));
    const user = await mAiUserOf(admin);
    const [stored] = await h.t.db.select().from(schema.userSettings).where(eq(schema.userSettings.userId, user.id));
    expect(stored).toMatchObject({ lastSyncMessageKey: "sync.keyRejected", lastSyncMessageParams: saved.openrouterSync.messageParams });

    // As a row written before the columns existed: the English alone, recognised (parameters as strings).
    const row = eq(schema.userSettings.userId, user.id);
    await h.t.db.update(schema.userSettings).set({ lastSyncMessageKey: null, lastSyncMessageParams: null }).where(row);
    const params = saved.openrouterSync.messageParams!;
    expect((await lastSyncOf(user)).sync).toMatchObject({
      message: saved.openrouterSync.message,
      messageKey: "sync.keyRejected",
      messageParams: { status: String(params.status), detail: params.detail },
    });

    // A stored key this catalog does not have (a message since removed): the English stands, without a key.
    await h.t.db.update(schema.userSettings).set({ lastSyncMessageKey: "sync.retiredMessage", lastSyncMessageParams: {} }).where(row);
    const unknown = (await lastSyncOf(user)).sync!;
    expect(unknown.message).toBe(saved.openrouterSync.message);
    expect(unknown).not.toHaveProperty("messageKey");
    expect(unknown).not.toHaveProperty("messageParams");
  });

  it("only the saving user reads it: another organisation's administrator, a member of the same organisation, a user who never saved", async () => {
    const admin = owui.addUser({ role: "admin" });
    const saved = await mirroredSave(admin, connections([liveKey()]));
    const adminA = await mAiUserOf(admin);
    const organizationId = saved.openrouterSync.organizationId!;
    const memberA = await h.user("member", { organizationId });
    const orgB = await h.org();
    secrets.push(orgB.key);

    for (const other of [orgB.admin, memberA]) {
      expect(await lastSyncOf(other)).toEqual({ savedAt: null, sync: null });
      // No input names anyone: one given is ignored, the caller still reads their own.
      expect(await h.caller(other).settings.lastSync({ userId: adminA.id } as never)).toEqual({ savedAt: null, sync: null });
    }
    expect((await lastSyncOf(adminA)).sync).toMatchObject({ status: "created", organizationId });
    // Anonymous: refused.
    await expect(h.caller(null).settings.lastSync()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("no answer holds a full key, an Open WebUI token or the mirror secret", () => {
    const all = seen.join("\n") + h.logs.join("");
    for (const secret of secrets) expect(all).not.toContain(secret);
  });
});
