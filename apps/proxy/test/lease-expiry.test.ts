// A proxy that dies holding monthly-limit leases gives its budget back by itself: its leases are
// rows that expire unless renewed, and the API's sweep returns expired ones. A real proxy process
// (bench/proxy-child.ts) is SIGKILLed while it holds leases for two organisations, one of which a
// live proxy (in-process, renewing) also uses; after one lease lifetime the reserved amount of each
// is exactly what the live proxy holds — 0 for the organisation only the dead one used — and the
// live proxy's lease survived many lifetimes by renewal alone.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDeps, loadEnv, scheduleLeaseSweep } from "@mai/api";
import { and, eq, ne } from "drizzle-orm";
import { schema } from "@mai/db";
import { testDrivers } from "@mai/db/testing";
import { billedCost } from "@mai/domain";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exited, startProxyChild } from "./proxy-child";
import { INTERNAL_TOKEN, startSystem, type System, type TestOrg } from "./system";

const MODEL = "openai/gpt-4o-mini";
/** The lease lifetime here: short, so a test waits for it; the API's default is 60 s. */
const TTL_MS = 1_500;

async function until(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(testDrivers())("leases of a killed proxy expire on %s", (driver) => {
  let s: System;
  let sweep: { stop(): void };
  const spoolDir = mkdtempSync(join(tmpdir(), "mai-lease-crash-spool-"));
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    // The live proxy keeps its lease (no idle give-back during the test): only renewal keeps it alive.
    s = await startSystem(driver, { MAI_PROXY_LEASE_IDLE_MS: "600000" }, { MAI_LEASE_TTL_MS: String(TTL_MS) });
    // The API's sweep, as startApiService schedules it (every quarter lifetime).
    const env = loadEnv({ NODE_ENV: "test", MAI_INTERNAL_TOKEN: INTERNAL_TOKEN, MAI_LEASE_TTL_MS: String(TTL_MS), LOG_LEVEL: "silent" });
    sweep = scheduleLeaseSweep(createDeps({ db: s.t.db, secrets: s.t.secrets, env, logger: pino({ level: "silent" }) }));
  });
  afterAll(async () => {
    sweep.stop();
    for (const child of children) child.kill("SIGKILL");
    await Promise.all(children.map(exited));
    await s.close();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  const call = (url: string, org: TestOrg, i: number) =>
    fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${org.users[i % org.users.length]!.token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: MODEL, max_tokens: 50, messages: [{ role: "user", content: `lease crash ${i}` }] }),
    }).then((res) => res.status);
  const counterOf = async (org: TestOrg) =>
    (await s.t.db.select().from(schema.usagePeriodCounters).where(eq(schema.usagePeriodCounters.organizationId, org.id)))[0] ?? {
      spentNano: 0n,
      reservedNano: 0n,
    };
  const leasesOf = (org: TestOrg) => s.t.db.select().from(schema.limitLeases).where(eq(schema.limitLeases.organizationId, org.id));
  const ledgerBilled = (org: TestOrg) => s.sim.ledger({ keyHash: org.keyHash }).reduce((sum, c) => sum + billedCost(c.costNano, org.markupBp), 0n);

  it("SIGKILL a proxy holding leases: within a lease lifetime reserved is what the live proxy holds (0 where it holds none)", async () => {
    const shared = await s.org({ members: 2 });
    const deadOnly = await s.org();
    const child = await startProxyChild({
      MAI_API_URL: s.apiUrl,
      MAI_INTERNAL_TOKEN: INTERNAL_TOKEN,
      MAI_OPENROUTER_BASE_URL: s.sim.url,
      MAI_PROXY_SPOOL_DIR: spoolDir,
      MAI_PROXY_LEASE_IDLE_MS: "600000",
      LOG_LEVEL: "warn",
    });
    children.push(child.process);
    const live = s.proxy.deps.reservations;
    for (let i = 0; i < 6; i++) {
      expect(await call(child.url, shared, i)).toBe(200);
      expect(await call(child.url, deadOnly, i)).toBe(200);
      expect(await call(s.proxyUrl, shared, 100 + i)).toBe(200);
    }
    // Every charge recorded (so spent is exact and what stays reserved is only what leases hold).
    await s.proxy.deps.recorder.flush();
    await until(async () => (await counterOf(shared)).spentNano === ledgerBilled(shared) && (await counterOf(deadOnly)).spentNano === ledgerBilled(deadOnly));
    const deadLeases = async (org: TestOrg) =>
      s.t.db
        .select()
        .from(schema.limitLeases)
        .where(and(eq(schema.limitLeases.organizationId, org.id), ne(schema.limitLeases.owner, live.owner)));
    expect(await deadLeases(shared)).toHaveLength(1);
    expect(await deadLeases(deadOnly)).toHaveLength(1);
    const liveLease = (await leasesOf(shared)).find((l) => l.owner === live.owner);
    expect(liveLease).toBeDefined();
    expect((await counterOf(shared)).reservedNano).toBeGreaterThan(live.heldNano(shared.id));
    expect((await counterOf(deadOnly)).reservedNano).toBeGreaterThan(0n);

    child.process.kill("SIGKILL");
    await exited(child.process);

    // Nothing gives the dead proxy's leases back but their expiry and the sweep.
    await until(async () => (await deadLeases(shared)).length === 0 && (await deadLeases(deadOnly)).length === 0);
    expect((await counterOf(deadOnly)).reservedNano).toBe(0n);
    expect((await counterOf(shared)).reservedNano).toBe(live.heldNano(shared.id));
    expect(live.heldNano(shared.id)).toBeGreaterThan(0n);
    // The live proxy's lease outlived several lifetimes by renewal (same row, never re-granted).
    const [stillThere] = await s.t.db.select().from(schema.limitLeases).where(eq(schema.limitLeases.id, liveLease!.id));
    expect(stillThere).toBeDefined();
    expect(stillThere!.renewedAt.getTime()).toBeGreaterThan(liveLease!.renewedAt.getTime());
    expect(live.stats().renewals).toBeGreaterThan(0);
    // It still admits, and the books still balance once its events are recorded.
    expect(await call(s.proxyUrl, shared, 200)).toBe(200);
    while (s.proxy.deps.inflight.size > 0) await Promise.allSettled([...s.proxy.deps.inflight]);
    await s.proxy.deps.recorder.flush();
    expect((await counterOf(shared)).spentNano).toBe(ledgerBilled(shared));
    expect((await counterOf(shared)).reservedNano).toBe(live.heldNano(shared.id));
    await live.returnAll();
    expect((await counterOf(shared)).reservedNano).toBe(0n);
  });

  it("cut off from the API, a proxy stops admitting against a lease it could not renew; the lease returns by itself", async () => {
    const org = await s.org();
    const live = s.proxy.deps.reservations;
    for (let i = 0; i < 3; i++) expect(await call(s.proxyUrl, org, i)).toBe(200);
    expect(live.heldNano(org.id)).toBeGreaterThan(0n);
    await s.stopApi();
    const statuses: number[] = [];
    try {
      // Admitted from the lease while it lives by the proxy's clock, then refused (503: the API is
      // needed for more), never admitted against a lease the database may already have returned.
      await until(async () => {
        statuses.push(await call(s.proxyUrl, org, 10 + statuses.length));
        return statuses.at(-1) === 503;
      });
      expect(live.heldNano(org.id)).toBe(0n);
    } finally {
      await s.startApi();
    }
    expect(statuses.slice(0, -1).every((status) => status === 200)).toBe(true);
    // The API back: the spooled events record, the expired lease is swept, nothing stays reserved.
    await until(async () => s.proxy.deps.recorder.stats().spooledEvents === 0 && s.proxy.deps.recorder.stats().queued === 0);
    await s.proxy.deps.recorder.flush();
    await until(async () => (await leasesOf(org)).length === 0);
    expect(await counterOf(org)).toMatchObject({ spentNano: ledgerBilled(org), reservedNano: 0n });
    // And it admits again, on a fresh lease.
    expect(await call(s.proxyUrl, org, 99)).toBe(200);
  });
});
