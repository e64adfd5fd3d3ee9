// The demo in-process (startDemo: what `npm run demo` runs), on a fresh data directory, started
// twice: every credential it made is printed; the near-limit organisation is refused (402) after a
// handful of live requests; the simulator comes back on the same port after a restart and still
// knows the keys minted through it and every generation the reconciliation job will ask about.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalCaller, hashPassword, reconcileKeyUsage } from "@mai/api";
import { createUser, findFirstProviderAdmin, getAuthUser, getOrganizationKey, listReconciliationCandidates, mapUserToOrganization, recordedRawCost } from "@mai/db";
import { usdToNano } from "@mai/domain";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { mintToken } from "../src/commands/tokens";
import { DEFAULT_DEMO_SIMULATOR_PORT, demoSimulatorPort, formatCredentials, sendLiveRequest, startDemo, type Demo } from "../src/stack/demo";
import { DEMO_ORGS, random } from "../src/stack/demo-data";
import { freePort } from "./stack-client";

/** Any full OpenRouter key. */
const FULL_KEY = /sk-or-v1-[0-9a-f]{64}/;

describe("demo simulator port", () => {
  it("is fixed by default, configurable, 0 for any", () => {
    expect(DEFAULT_DEMO_SIMULATOR_PORT).toBe(8789);
    expect(demoSimulatorPort({})).toBe(8789);
    expect(demoSimulatorPort({ MAI_DEMO_SIMULATOR_PORT: "9123" })).toBe(9123);
    expect(demoSimulatorPort({ MAI_DEMO_SIMULATOR_PORT: "0" })).toBe(0);
    expect(() => demoSimulatorPort({ MAI_DEMO_SIMULATOR_PORT: "http" })).toThrow(/MAI_DEMO_SIMULATOR_PORT/);
  });
});

describe("npm run demo, in-process, started twice", () => {
  let dataDir: string;
  let env: Record<string, string>;
  let demo: Demo | undefined;
  const said: string[] = [];
  const start = () => startDemo(env, { everyMs: 2000, traffic: false, say: (line) => said.push(line) });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "mai-demo-inproc-"));
    env = {
      MAI_DATA_DIR: dataDir,
      MAI_API_PORT: String(await freePort()),
      MAI_PROXY_PORT: String(await freePort()),
      MAI_DEMO_SIMULATOR_PORT: String(await freePort()),
      MAI_ADMIN_DIST: "",
      MAI_PROXY_USAGE_FLUSH_MS: "50",
    };
  });
  afterAll(async () => {
    await demo?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("prints every credential it made: the provider and all twelve users with passwords and chat tokens; keys only masked", async () => {
    demo = await start();
    expect(said.join("\n")).toMatch(/Seeded [\d,]+ usage events/);
    const { db } = demo.stack.api.deps;
    const admin = (await getAuthUser(db, (await findFirstProviderAdmin(db))!.id))!;
    const provider = createLocalCaller(demo.stack.api.deps, admin, { via: "test" });
    // Every account in the database (the provider, and each organisation's members)…
    const emails = [admin.email];
    for (const org of await provider.organizations.list()) {
      for (const m of await provider.members.list({ organizationId: org.id })) emails.push(m.email);
    }
    expect(emails).toHaveLength(13);
    const table = formatCredentials(demo.credentials).join("\n");
    expect(demo.credentials.accounts.map((a) => a.email).sort()).toEqual([...emails].sort());
    for (const account of demo.credentials.accounts) {
      // …is listed with its password, and (a client user) a chat token that works at the proxy.
      const row = table.split("\n").find((l) => l.includes(` ${account.email} `))!;
      expect(row, account.email).toContain(account.password);
      if (account.role === "provider_admin") continue;
      expect(account.token).toMatch(/^mai_/);
      expect(row).toContain(account.token!);
    }
    // The passwords are the real ones: each signs in.
    for (const account of demo.credentials.accounts.slice(0, 3)) {
      const caller = createLocalCaller(demo.stack.api.deps, null, { via: "test" });
      await expect(caller.auth.login({ email: account.email, password: account.password }), account.email).resolves.toBeDefined();
    }
    // OpenRouter keys: every organisation's and the provisioning key, masked, never in full.
    expect(demo.credentials.keys).toHaveLength(DEMO_ORGS.length + 1);
    for (const org of DEMO_ORGS) expect(table).toContain(`${org.key.slice(0, 13)}…${org.key.slice(-4)}`);
    expect(table).not.toMatch(FULL_KEY);
  });

  it("the near-limit organisation is refused (402 monthly_limit_exceeded) within 25 live requests (about a minute of the demo's traffic)", async () => {
    const nowak = demo!.credentials.accounts.filter((a) => a.organization === "Nowak Logistics");
    const rnd = random(42);
    let refusedAt = 0;
    for (let n = 1; n <= 25 && refusedAt === 0; n++) {
      const { status, body } = await sendLiveRequest(demo!.stack.proxyBaseUrl, demo!.sim, nowak[n % nowak.length]!.token!, rnd);
      if (status === 402) {
        expect(body).toContain("monthly_limit_exceeded");
        refusedAt = n;
      } else expect(status, body).toBe(200);
    }
    expect(refusedAt, "no 402 within 25 requests").toBeGreaterThan(0);
    // Another organisation is not affected.
    const ola = demo!.credentials.accounts.find((a) => a.email === "ola@kowalski.demo")!;
    expect((await sendLiveRequest(demo!.stack.proxyBaseUrl, demo!.sim, ola.token!, rnd)).status).toBe(200);
  });

  it("a key minted through the simulator before a restart still works after it, on the same simulator URL", async () => {
    const first = demo!;
    const { db } = first.stack.api.deps;
    const admin = (await getAuthUser(db, (await findFirstProviderAdmin(db))!.id))!;
    const provider = createLocalCaller(first.stack.api.deps, admin, { via: "test" });
    const created = await provider.organizations.create({ name: "Minted Sp. z o.o.", provisionKey: true });
    expect(created.provisionedKey).toMatch(/^sk-or-v1-/);
    // A user of the minted organisation with a chat token (as `mai users create --org` and `mai tokens create` make them).
    const user = await createUser(db, { email: "minted@demo.test", name: "Minted", role: "org_admin", passwordHash: await hashPassword("copper kettles whistle at noon") });
    await mapUserToOrganization(db, { userId: user.id, organizationId: created.organization.id });
    const { token } = await mintToken(db, (await getAuthUser(db, user.id))!, { name: "test", scope: "chat", expiresAt: null });
    const rnd = random(5);
    expect((await sendLiveRequest(first.stack.proxyBaseUrl, first.sim, token, rnd)).status).toBe(200);
    const simUrl = first.sim.url;
    await first.close();
    demo = undefined;

    demo = await start();
    expect(demo.sim.url).toBe(simUrl);
    // Not 502: the new simulator knows the key the old one minted.
    const after = await sendLiveRequest(demo.stack.proxyBaseUrl, demo.sim, token, rnd);
    expect(after.status, after.body).toBe(200);
    // The proxy records usage after answering (batched): the reconciliation below compares against
    // what is recorded, so it waits for both of the minted organisation's requests to be in.
    const everything = [new Date(0), new Date("9999-01-01T00:00:00Z")] as const;
    await vi.waitFor(
      async () => expect((await recordedRawCost(demo!.stack.api.deps.db, created.organization.id, ...everything)).events).toBe(2),
      { timeout: 30_000, interval: 50 },
    );
    // OpenRouter's per-key counters are where the first run left them: no organisation shows usage
    // recorded but never charged, or the other way round.
    expect(await reconcileKeyUsage(demo.stack.api.deps)).toMatchObject({ checked: 4, failed: 0, unmetered: 0 });
    // And the banner's credentials are there again, with fresh tokens.
    expect(demo.credentials.accounts).toHaveLength(13);
  });

  it("after the restart, every generation the reconciliation job will ask about is known to the simulator, at the recorded cost", async () => {
    const { db, secrets } = demo!.stack.api.deps;
    const far = new Date("9999-01-01T00:00:00Z");
    const candidates = await listReconciliationCandidates(db, { olderThan: far, now: far, limit: 5_000 });
    // The seeded history's failed and sampled events, and the first run's live requests.
    expect(candidates.length).toBeGreaterThan(100);
    const keys = new Map<string, string>();
    for (const c of candidates) {
      if (!keys.has(c.organizationId)) keys.set(c.organizationId, (await getOrganizationKey(db, secrets, c.organizationId))!);
      const res = await fetch(`${demo!.sim.url}/generation?id=${encodeURIComponent(c.generationId)}`, { headers: { authorization: `Bearer ${keys.get(c.organizationId)}` } });
      expect(res.status, c.generationId).toBe(200);
      const { data } = (await res.json()) as { data: { total_cost: number } };
      expect(usdToNano(data.total_cost)).toBe(c.rawCostNano);
    }
  });
});
