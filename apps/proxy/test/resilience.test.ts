// Nothing lost, nothing counted twice: the API dies while streams are in flight; their usage is
// spooled to disk and replayed when it returns. And a proxy shutting down drains its streams.
import { eq } from "drizzle-orm";
import { schema } from "@mai/db";
import { testDrivers } from "@mai/db/testing";
import { billedCost } from "@mai/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type System, type TestOrg } from "./system";

const SLOW = "openai/gpt-4o-mini@sim:tokens=40,token-latency=25";

async function until(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(testDrivers())("resilience on %s", (driver) => {
  let s: System;
  beforeAll(async () => {
    s = await startSystem(driver);
  });
  afterAll(() => s.close());

  /** Resolves once the stream is admitted and flowing (headers received); `.text()` reads the rest. */
  const stream = async (org: TestOrg, i: number) => {
    const res = await fetch(`${s.proxyUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${org.users[0]!.token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: SLOW, stream: true, messages: [{ role: "user", content: `stream ${i}` }] }),
    });
    expect(res.status).toBe(200);
    return res;
  };

  const eventsOf = (org: TestOrg) => s.t.db.select().from(schema.usageEvents).where(eq(schema.usageEvents.organizationId, org.id));

  it("kill the API mid-run: no event lost after it returns, none counted twice", async () => {
    const org = await s.org();
    const flowing = await Promise.all(Array.from({ length: 10 }, (_, i) => stream(org, i)));
    await s.stopApi();
    const bodies = await Promise.all(flowing.map((r) => r.text()));
    expect(bodies.every((b) => b.includes("[DONE]"))).toBe(true);
    while (s.proxy.deps.inflight.size > 0) await Promise.allSettled([...s.proxy.deps.inflight]);
    await s.proxy.deps.recorder.flush();
    // The streams ended while the API was down: their usage went to disk.
    expect(s.proxy.deps.recorder.stats().spooledEvents).toBeGreaterThan(0);

    await s.startApi();
    await until(async () => (await eventsOf(org)).length === 10);
    await until(async () => s.proxy.deps.recorder.stats().spooledEvents === 0);
    // Replaying again (as after a crash) changes nothing: recording is idempotent.
    const ledger = s.sim.ledger({ keyHash: org.keyHash });
    expect(ledger).toHaveLength(10);
    await s.proxy.deps.recorder.flush();
    const events = await eventsOf(org);
    expect(events).toHaveLength(10);
    const [counter] = await s.t.db.select().from(schema.usagePeriodCounters).where(eq(schema.usagePeriodCounters.organizationId, org.id));
    expect(counter?.spentNano).toBe(ledger.reduce((a, c) => a + billedCost(c.costNano, org.markupBp), 0n));
    await s.proxy.deps.reservations.returnAll();
    await until(async () => {
      const [c] = await s.t.db.select().from(schema.usagePeriodCounters).where(eq(schema.usagePeriodCounters.organizationId, org.id));
      return c?.reservedNano === 0n;
    });
  });

  it("a proxy shutting down finishes its in-flight streams and records them", async () => {
    const org = await s.org();
    const flowing = await Promise.all(Array.from({ length: 3 }, (_, i) => stream(org, i)));
    const reading = flowing.map((r) => r.text());
    await s.restartProxy();
    const bodies = await Promise.all(reading);
    expect(bodies.every((b) => b.includes("[DONE]"))).toBe(true);
    await until(async () => (await eventsOf(org)).length === 3);
    const events = await eventsOf(org);
    expect(events.every((e) => e.status === "ok")).toBe(true);
  });
});
