// The original system's workflow end to end, through the API as clients call it — and, over the
// whole scenario, a leak check: no response body (other than the designated show-once fields) and
// no log line may contain a full OpenRouter key or a personal API token.
import { getAuthUser, schema } from "@mai/db";
import { count, eq, testDrivers } from "@mai/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, json, nextKey, type Harness } from "./harness";

const OPENROUTER = "https://openrouter.ai/api/v1";
const FULL_KEY = /sk-or-v1-[0-9a-f]{64}/g;
const TOKEN = /mai_[0-9a-f]{48}/g;

const body = (url: string, key: string) => ({
  ui: { directConnections: { OPENAI_API_BASE_URLS: [url], OPENAI_API_KEYS: [key], OPENAI_API_CONFIGS: {} } },
});

describe.each(testDrivers())("the provider-to-client workflow on %s", (driver) => {
  let h: Harness;
  const responses: string[] = [];
  const showOnce: string[] = [];
  /** Records a response; fields named in `secretFields` are the designated show-once secrets. */
  async function record<T>(promise: Promise<T>, secretFields: string[] = []): Promise<T> {
    const value = await promise;
    const copy = JSON.parse(json(value)) as Record<string, unknown>;
    for (const field of secretFields) {
      if (typeof copy[field] === "string") showOnce.push(copy[field]);
      delete copy[field];
    }
    responses.push(JSON.stringify(copy));
    return value;
  }

  beforeAll(async () => {
    h = await createHarness(driver);
  });
  afterAll(() => h.close());

  it("runs from provisioning to claimed, with every refusal in place", async () => {
    const provider = await h.user("provider_admin");
    // The provider works in the dashboard (a session); the client administrators below save their
    // settings from Open WebUI, with a chat token.
    const asProvider = await h.http(provider, "session");

    // 1. The provider sets the provisioning (management) key; it is verified and shown masked.
    const settings = await record(asProvider.globalSettings.update.mutate({ provisioningKey: h.sim.managementKey }));
    expect(settings.provisioningKeyHint).toContain("…");

    // 2. …and creates a client organisation with a provisioned key, shown exactly once.
    const created = await record(
      asProvider.organizations.create.mutate({ name: "Kowalski Sp. z o.o.", monthlyLimitUsd: "250", provisionKey: true }),
      ["provisionedKey"],
    );
    const provisioned = created.provisionedKey!;
    expect(provisioned).toMatch(/^sk-or-v1-[0-9a-f]{64}$/);
    expect(created.organization).toMatchObject({ keySource: "provisioned", monthlyLimitNano: 250_000_000_000n });
    const [row] = await h.t.db.select().from(schema.clientOrganizations).where(eq(schema.clientOrganizations.id, created.organization.id));
    const upstream = h.sim.getKey(row!.openrouterKeyHash!);
    expect(upstream).toMatchObject({ limitNano: 250_000_000_000n, limitReset: "monthly", disabled: false });

    // 3. The client's administrator saves that key in Settings → Connections: claimed.
    let clientAdmin = await h.user("org_admin");
    const claimed = await record((await h.http(clientAdmin)).settings.update.mutate(body(OPENROUTER, provisioned)));
    expect(claimed.openrouterSync).toMatchObject({ status: "claimed", organizationId: created.organization.id });
    // A new request resolves the identity afresh: now mapped to the claimed organisation.
    clientAdmin = (await getAuthUser(h.t.db, clientAdmin.id))!;
    expect(clientAdmin.organizationId).toBe(created.organization.id);

    // 4. Another organisation's administrator saving the same key: refused.
    const other = await h.org("Other Co");
    const conflict = await record((await h.http(other.admin)).settings.update.mutate(body(OPENROUTER, provisioned)));
    expect(conflict.openrouterSync.status).toBe("failed");

    // 5. A fresh administrator with a new key: an organisation with the defaults.
    const fresh = await h.user("org_admin");
    const firstKey = h.sim.addKey({ key: nextKey() }).key;
    const made = await record((await h.http(fresh)).settings.update.mutate(body(OPENROUTER, firstKey)));
    expect(made.openrouterSync.status).toBe("created");
    const org = await record(asProvider.organizations.get.query({ organizationId: made.openrouterSync.organizationId! }));
    expect(org).toMatchObject({ markupBp: 13_000, markup: "1.3", monthlyLimitNano: 1_000_000_000_000n, keySource: "client" });
    expect(org.name).toMatch(/^client_default_organization_\d+$/);

    // 6. Saving a different key: updated.
    const secondKey = h.sim.addKey({ key: nextKey() }).key;
    const updated = await record((await h.http(fresh)).settings.update.mutate(body(OPENROUTER, secondKey)));
    expect(updated.openrouterSync).toMatchObject({ status: "updated", organizationId: org.id });

    // 7. A member: skipped. 8. A lookalike URL: not synced.
    const member = await h.user("member", { organizationId: org.id });
    expect((await record((await h.http(member)).settings.update.mutate(body(OPENROUTER, h.sim.addKey({ key: nextKey() }).key)))).openrouterSync.status).toBe("skipped");
    const lookalike = await h.user("org_admin");
    const evil = await record((await h.http(lookalike)).settings.update.mutate(body("https://evil.example/openrouter.ai/api/v1", h.sim.addKey({ key: nextKey() }).key)));
    expect(evil.openrouterSync.status).toBe("skipped");
    expect((await getAuthUser(h.t.db, lookalike.id))?.organizationId).toBeNull();

    // 9. Twenty concurrent saves by one administrator: one organisation.
    const racer = await h.user("org_admin");
    const raceKey = h.sim.addKey({ key: nextKey() }).key;
    const racerApi = await h.http(racer);
    const results = await Promise.all(Array.from({ length: 20 }, () => record(racerApi.settings.update.mutate(body(OPENROUTER, raceKey)))));
    expect(results.filter((r) => r.openrouterSync.status === "created")).toHaveLength(1);
    const [orgs] = await h.t.db.select({ n: count() }).from(schema.clientOrganizations).where(eq(schema.clientOrganizations.createdBy, racer.id));
    expect(orgs?.n).toBe(1);

    // Around it all: lists, members, tokens, audit as the dashboard would read them.
    await record(asProvider.organizations.list.query());
    const clientDashboard = await h.http(clientAdmin, "session");
    await record(clientDashboard.organizations.list.query());
    await record(clientDashboard.members.list.query({ organizationId: created.organization.id }));
    await record(clientDashboard.auth.createToken.mutate({ name: "chat" }), ["token"]);
    await record(clientDashboard.auth.listTokens.query());
    await record(asProvider.audit.list.query({}));
    await record(asProvider.userMapping.validate.query({}));
    await record(asProvider.globalSettings.get.query());
    await record(asProvider.organizations.rotateKey.mutate({ organizationId: created.organization.id }), ["provisionedKey"]);
  });

  it("leaks no key and no token in any response or log line", () => {
    expect(responses.length).toBeGreaterThan(30);
    expect(h.logs.length).toBeGreaterThan(0);
    const haystack = [...responses, ...h.logs].join("\n");
    const leaks = [...(haystack.match(FULL_KEY) ?? []), ...(haystack.match(TOKEN) ?? [])];
    expect(leaks).toEqual([]);
    // The designated show-once values really were secrets (so the check above could have failed).
    expect(showOnce.some((s) => FULL_KEY.test(s))).toBe(true);
    // And none of the keys known to the simulator appears anywhere.
    for (const key of [h.sim.managementKey, ...showOnce]) expect(haystack).not.toContain(key);
  });
});
