// Monthly-limit leases: the proxy reserves budget in blocks with the API's atomic reservation and
// admits requests against its block in memory. These tests hold the books: after any run, what the
// database has reserved equals what the proxies hold; spent equals OpenRouter's charges × markup;
// two replicas together never pass the limit; an idle lease goes back by itself; a lease keeps
// admitting while the API is away, and its events settle the books when it returns.
import { eq } from "drizzle-orm";
import { schema } from "@mai/db";
import { testDrivers } from "@mai/db/testing";
import { billedCost } from "@mai/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProxyServer } from "../src/index";
import { startSystem, type System, type TestOrg } from "./system";

const MODEL = "openai/gpt-4o-mini";

async function until(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(testDrivers())("monthly-limit leases on %s", (driver) => {
  let s: System;
  beforeAll(async () => {
    s = await startSystem(driver, { MAI_PROXY_LEASE_IDLE_MS: "300" });
  });
  afterAll(() => s.close());

  const call = (url: string, org: TestOrg, i: number, extra: Record<string, unknown> = {}) =>
    fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${org.users[i % org.users.length]!.token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: MODEL, max_tokens: 50, messages: [{ role: "user", content: `lease ${i}` }], ...extra }),
    }).then(async (res) => ({ status: res.status, body: await res.text() }));

  const counterOf = async (org: TestOrg) =>
    (await s.t.db.select().from(schema.usagePeriodCounters).where(eq(schema.usagePeriodCounters.organizationId, org.id)))[0] ?? { spentNano: 0n, reservedNano: 0n };

  async function settled(proxy: ProxyServer) {
    while (proxy.deps.inflight.size > 0) await Promise.allSettled([...proxy.deps.inflight]);
    await proxy.deps.recorder.flush();
    await proxy.deps.reservations.idle();
  }

  /**
   * The books: what the database holds reserved equals what the proxies hold. A lease the idle
   * sweeper retires is zeroed in the proxy before its give-back reaches the API, so the two are
   * compared once no give-back is on its way (they must meet; a leak never would).
   */
  async function booksBalance(org: TestOrg, proxies: ProxyServer[]): Promise<bigint> {
    let reserved = -1n;
    await until(async () => {
      await Promise.all(proxies.map((p) => p.deps.reservations.idle()));
      reserved = (await counterOf(org)).reservedNano;
      return reserved === proxies.reduce((sum, p) => sum + p.deps.reservations.heldNano(org.id), 0n);
    });
    return reserved;
  }

  const ledgerBilled = (org: TestOrg) => s.sim.ledger({ keyHash: org.keyHash }).reduce((sum, c) => sum + billedCost(c.costNano, org.markupBp), 0n);

  it("one lease serves many requests: few reservations in the database, and the books balance", async () => {
    // A replica whose leases do not retire after 300 ms idle: on a busy machine one request can
    // take longer than that, and each retirement would cost a top-up this test does not count.
    const proxy = await s.replica({ MAI_PROXY_LEASE_IDLE_MS: "60000" });
    const org = await s.org({ members: 2 });
    const before = proxy.proxy.deps.reservations.stats().topUps;
    for (let i = 0; i < 60; i++) expect((await call(proxy.url, org, i)).status).toBe(200);
    const topUps = proxy.proxy.deps.reservations.stats().topUps - before;
    expect(topUps).toBeGreaterThan(0);
    expect(topUps).toBeLessThanOrEqual(4);
    await settled(proxy.proxy);
    const counter = await counterOf(org);
    expect(counter.spentNano).toBe(ledgerBilled(org));
    await booksBalance(org, [proxy.proxy]);
    await proxy.proxy.deps.reservations.returnAll();
  });

  it("an idle lease is given back by itself", async () => {
    const org = await s.org();
    const before = s.proxy.deps.reservations.stats().topUps;
    for (let i = 0; i < 5; i++) expect((await call(s.proxyUrl, org, i)).status).toBe(200);
    await settled(s.proxy);
    // A lease was reserved in the database (counted when granted: on a busy machine the 300 ms of
    // idleness may already have passed by now, so the reserved amount itself may be back at 0).
    expect(s.proxy.deps.reservations.stats().topUps).toBeGreaterThan(before);
    // MAI_PROXY_LEASE_IDLE_MS is 300 here; nothing below gives the lease back but the proxy itself.
    await until(async () => (await counterOf(org)).reservedNano === 0n && s.proxy.deps.reservations.heldNano(org.id) === 0n);
    expect((await counterOf(org)).spentNano).toBe(ledgerBilled(org));
  });

  it("two replicas bursting at one small limit never spend past it together", async () => {
    const limit = 900_000n; // about twenty requests' worst case
    const org = await s.org({ monthlyLimitNano: limit, members: 3 });
    const other = await s.replica({ MAI_PROXY_LEASE_IDLE_MS: "300" });
    const results = await Promise.all(Array.from({ length: 120 }, (_, i) => call(i % 2 ? other.url : s.proxyUrl, org, i)));
    const admitted = results.filter((r) => r.status === 200).length;
    const refused = results.filter((r) => r.status === 402);
    expect(admitted).toBeGreaterThan(0);
    expect(admitted + refused.length).toBe(120);
    expect(refused.every((r) => r.body.includes("monthly_limit_exceeded"))).toBe(true);
    await Promise.all([settled(s.proxy), settled(other.proxy)]);
    const counter = await counterOf(org);
    expect(counter.spentNano).toBe(ledgerBilled(org));
    expect(s.sim.ledger({ keyHash: org.keyHash })).toHaveLength(admitted);
    expect(counter.spentNano + counter.reservedNano).toBeLessThanOrEqual(limit);
    await booksBalance(org, [s.proxy, other.proxy]);
    await Promise.all([s.proxy.deps.reservations.returnAll(), other.proxy.deps.reservations.returnAll()]);
    expect((await counterOf(org)).reservedNano).toBe(0n);
  });

  it("API down while a lease goes idle, API back: the give-back is retried, nothing stays reserved", async () => {
    // The lease lives 60 s (the API's default) and nothing in this system sweeps: only the proxy's
    // own give-back can return it — a dropped give-back would leave it reserved past this test.
    const proxy = await s.replica({ MAI_PROXY_LEASE_IDLE_MS: "2000" });
    const org = await s.org();
    for (let i = 0; i < 5; i++) expect((await call(proxy.url, org, i)).status).toBe(200);
    // The API goes at once, while the lease is still in use (its last events may be spooled).
    const reservations = proxy.proxy.deps.reservations;
    const retriesBefore = reservations.stats().giveBackRetries;
    await s.stopApi();
    try {
      expect(reservations.heldNano(org.id)).toBeGreaterThan(0n);
      // The lease goes idle and its give-back fails against the absent API, more than once.
      await until(async () => reservations.heldNano(org.id) === 0n && reservations.stats().giveBackRetries >= retriesBefore + 2);
      expect((await counterOf(org)).reservedNano).toBeGreaterThan(0n);
    } finally {
      await s.startApi();
    }
    await reservations.idle();
    await until(async () => proxy.proxy.deps.recorder.stats().spooledEvents === 0 && proxy.proxy.deps.recorder.stats().queued === 0);
    await proxy.proxy.deps.recorder.flush();
    expect((await counterOf(org)).reservedNano).toBe(0n);
    expect((await counterOf(org)).spentNano).toBe(ledgerBilled(org));
  });

  it("a lease keeps admitting while the API is away; its events settle the books when it returns", async () => {
    const proxy = await s.replica({ MAI_PROXY_LEASE_IDLE_MS: "60000" });
    const org = await s.org();
    // Sequential requests grow the lease to about two seconds of demand.
    for (let i = 0; i < 20; i++) expect((await call(proxy.url, org, i)).status).toBe(200);
    await settled(proxy.proxy);
    await s.stopApi();
    try {
      const during = [];
      for (let i = 0; i < 10; i++) during.push((await call(proxy.url, org, 100 + i)).status);
      expect(during).toEqual(Array.from({ length: 10 }, () => 200));
      await settled(proxy.proxy);
      expect(proxy.proxy.deps.recorder.stats().spooledEvents).toBeGreaterThan(0);
    } finally {
      await s.startApi();
    }
    await until(async () => proxy.proxy.deps.recorder.stats().spooledEvents === 0 && proxy.proxy.deps.recorder.stats().queued === 0);
    await proxy.proxy.deps.recorder.flush();
    const counter = await counterOf(org);
    expect(s.sim.ledger({ keyHash: org.keyHash })).toHaveLength(30);
    expect(counter.spentNano).toBe(ledgerBilled(org));
    expect(counter.reservedNano).toBe(proxy.proxy.deps.reservations.heldNano(org.id));
    await proxy.proxy.deps.reservations.returnAll();
    expect((await counterOf(org)).reservedNano).toBe(0n);
  });
});
