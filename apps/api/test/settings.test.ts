import { createOrganization, getAuthUser, listAudit, schema } from "@mai/db";
import { asOpenRouterKey, count, eq, queryRows, sql, testDrivers } from "@mai/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiServer } from "../src/server";
import { createHarness, nextKey, type Harness } from "./harness";

const OPENROUTER = "https://openrouter.ai/api/v1";

function connections(urls: string[], keys: string[], configs: Record<string, { enable?: boolean }> = {}) {
  return { ui: { theme: "dark", directConnections: { OPENAI_API_BASE_URLS: urls, OPENAI_API_KEYS: keys, OPENAI_API_CONFIGS: configs } } };
}

describe.each(testDrivers())("settings save with automatic org sync on %s", (driver) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(driver);
  });
  afterAll(() => h.close());

  /** A key OpenRouter (the simulator) knows, so live verification passes. */
  const liveKey = () => asOpenRouterKey(h.sim.addKey({ key: nextKey(), name: "client" }).key);

  it("a fresh administrator's save creates the organisation and maps them; reads are masked", async () => {
    const admin = await h.user("org_admin");
    const key = liveKey();
    const saved = await h.caller(admin).settings.update(connections(["https://example.com/v1", OPENROUTER], ["sk-other", key]));
    expect(saved.openrouterSync.status).toBe("created");
    expect(saved.openrouterSync.organizationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(saved.ui.theme).toBe("dark");
    expect(saved.ui.directConnections?.OPENAI_API_KEYS[1]).toBe(`${key.slice(0, 13)}…${key.slice(-4)}`);
    expect(JSON.stringify(saved)).not.toContain(key);
    const read = await h.caller(admin).settings.get();
    expect(JSON.stringify(read)).not.toContain(key);
    const [mapping] = await h.t.db.select().from(schema.userClientMapping).where(eq(schema.userClientMapping.userId, admin.id));
    expect(mapping?.organizationId).toBe(saved.openrouterSync.organizationId);
  });

  it("stores keys in settings sealed, never as plaintext", async () => {
    const admin = await h.user("org_admin");
    const key = liveKey();
    await h.caller(admin).settings.update(connections([OPENROUTER], [key]));
    const rows = await queryRows(h.t.db, sql`select settings::text as s from user_settings where user_id = ${admin.id}`);
    expect(JSON.stringify(rows)).toContain("v1.");
    expect(JSON.stringify(rows)).not.toContain(key.slice(9));
  });

  it("re-saving the masked settings it read keeps the key (unchanged); a new key updates the organisation", async () => {
    const admin = await h.user("org_admin");
    const first = await h.caller(admin).settings.update(connections([OPENROUTER], [liveKey()]));
    const read = await h.caller(admin).settings.get();
    const again = await h.caller(admin).settings.update({ ui: read.ui as never });
    expect(again.openrouterSync).toMatchObject({ status: "unchanged", organizationId: first.openrouterSync.organizationId });
    const updated = await h.caller(admin).settings.update(connections([OPENROUTER], [liveKey()]));
    expect(updated.openrouterSync).toMatchObject({ status: "updated", organizationId: first.openrouterSync.organizationId });
  });

  it("the provider's hand-over: an administrator saving a provisioned key claims that organisation", async () => {
    const key = liveKey();
    const org = await createOrganization(h.t.db, h.t.secrets, { name: `Handover ${Date.now()}`, key, keySource: "provisioned" });
    const admin = await h.user("org_admin");
    const saved = await h.caller(admin).settings.update(connections([OPENROUTER], [key]));
    expect(saved.openrouterSync).toMatchObject({ status: "claimed", organizationId: org.id, messageKey: "sync.claim" });
    const other = await h.user("org_admin");
    const refused = await h.caller(other).settings.update(connections([OPENROUTER], [key]));
    expect(refused.openrouterSync.status).toBe("failed");
    expect(refused.openrouterSync.organizationId).toBeUndefined();
    expect(refused.openrouterSync.message).toMatch(/another organisation/);
    // Beside the English, the message's key for a dashboard that words it in its reader's language.
    expect(refused.openrouterSync).toMatchObject({ messageKey: "sync.conflict", messageParams: {} });
    // The refused save is still saved.
    expect((await h.caller(other).settings.get()).ui.directConnections?.OPENAI_API_KEYS).toHaveLength(1);
  });

  it.each([
    ["a member", "member" as const],
    ["the provider", "provider_admin" as const],
  ])("%s's save is skipped and creates nothing", async (_name, role) => {
    const user = await h.user(role);
    const before = await h.t.db.select({ n: count() }).from(schema.clientOrganizations);
    const saved = await h.caller(user).settings.update(connections([OPENROUTER], [liveKey()]));
    expect(saved.openrouterSync.status).toBe("skipped");
    expect(await h.t.db.select({ n: count() }).from(schema.clientOrganizations)).toEqual(before);
  });

  it.each([
    ["a lookalike URL", connections(["https://evil.example/openrouter.ai/api/v1"], ["KEY"])],
    ["a lookalike host", connections(["https://openrouter.ai.evil.example/api/v1"], ["KEY"])],
    ["plain http", connections(["http://openrouter.ai/api/v1"], ["KEY"])],
    ["a disabled connection", connections([OPENROUTER], ["KEY"], { "0": { enable: false } })],
    ["no connections", { ui: { theme: "light" } }],
  ])("%s is not synced", async (_name, body) => {
    const admin = await h.user("org_admin");
    const key = liveKey();
    const withKey = JSON.parse(JSON.stringify(body).replace("KEY", key)) as typeof body;
    const saved = await h.caller(admin).settings.update(withKey);
    expect(saved.openrouterSync.status).toBe("skipped");
    expect((await getAuthUser(h.t.db, admin.id))?.organizationId).toBeNull();
  });

  it("a key OpenRouter rejects fails the sync, not the save, and is audited without the key", async () => {
    const admin = await h.user("org_admin");
    const unknown = nextKey(); // never registered with the simulator → 401
    const saved = await h.caller(admin).settings.update(connections([OPENROUTER], [unknown]));
    expect(saved.openrouterSync.status).toBe("failed");
    expect(saved.openrouterSync.message).toMatch(/rejected/);
    // OpenRouter's own words stay a parameter (detail), said as they are.
    expect(saved.openrouterSync).toMatchObject({ messageKey: "sync.keyRejected", messageParams: { status: expect.any(Number) as number, detail: expect.any(String) as string } });
    expect(saved.ui.directConnections?.OPENAI_API_KEYS[0]).toContain("…");
    const audit = await listAudit(h.t.db, {});
    const entry = audit.items.find((i) => i.actorUserId === admin.id && i.action === "org_sync.failed");
    expect(entry).toBeDefined();
    expect(JSON.stringify(audit)).not.toContain(unknown.slice(9));
  });

  it("a management key is refused for chat", async () => {
    const admin = await h.user("org_admin");
    const saved = await h.caller(admin).settings.update(connections([OPENROUTER], [h.sim.managementKey]));
    expect(saved.openrouterSync).toMatchObject({ status: "failed", message: expect.stringMatching(/management key/) });
  });

  it("an unreachable OpenRouter does not block the sync", async () => {
    const offline = await createHarnessOffline(driver);
    try {
      const admin = await offline.user("org_admin");
      const saved = await offline.caller(admin).settings.update(connections([OPENROUTER], [nextKey()]));
      expect(saved.openrouterSync.status).toBe("created");
      expect(offline.logs.join("")).toContain("key verification unavailable");
    } finally {
      await offline.close();
    }
  });

  it("twenty concurrent saves by one administrator create exactly one organisation", async () => {
    const admin = await h.user("org_admin");
    const key = liveKey();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => h.caller(admin).settings.update(connections([OPENROUTER], [key]))),
    );
    const statuses = results.map((r) => r.openrouterSync.status);
    expect(statuses.filter((s) => s === "created")).toHaveLength(1);
    expect(statuses.filter((s) => s === "unchanged")).toHaveLength(19);
    const [orgs] = await h.t.db.select({ n: count() }).from(schema.clientOrganizations).where(eq(schema.clientOrganizations.createdBy, admin.id));
    expect(orgs?.n).toBe(1);
  });

  it("accepts the same body at Open WebUI's POST /api/v1/users/user/settings/update with a Bearer token", async () => {
    const admin = await h.user("org_admin");
    const { token } = await h.caller(admin).auth.createToken({ name: "owui" });
    const key = liveKey();
    const api = createApiServer(h.deps);
    const { url } = await api.listen(0, "127.0.0.1");
    try {
      const res = await fetch(`${url}/api/v1/users/user/settings/update`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(connections([OPENROUTER], [key])),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { openrouterSync: { status: string } };
      expect(body.openrouterSync.status).toBe("created");
      expect(JSON.stringify(body)).not.toContain(key);
      const anonymous = await fetch(`${url}/api/v1/users/user/settings/update`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: url },
        body: JSON.stringify(connections([OPENROUTER], [key])),
      });
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toEqual({ detail: "Sign in first." });
      const bad = await fetch(`${url}/api/v1/users/user/settings/update`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: "{not json",
      });
      expect(bad.status).toBe(400);
    } finally {
      await api.close();
    }
  });

  it("refuses malformed bodies with BAD_REQUEST", async () => {
    const admin = await h.user("org_admin");
    await expect(h.caller(admin).settings.update({ ui: { directConnections: { OPENAI_API_KEYS: [42] } } } as never)).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});

async function createHarnessOffline(driver: Parameters<typeof createHarness>[0]) {
  // A port nobody listens on: OpenRouter "down".
  return createHarness(driver, { MAI_OPENROUTER_BASE_URL: "http://127.0.0.1:9/api/v1", MAI_OPENROUTER_TIMEOUT_MS: "1000" });
}
