// The monthly limit under a burst: admission reserves each request's worst case against a lease the
// database granted atomically, so concurrent requests can never spend past the limit; the rest get 402.
import { eq } from "drizzle-orm";
import { schema } from "@mai/db";
import { testDrivers } from "@mai/db/testing";
import { evaluateMonthlyLimit } from "@mai/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type System } from "./system";

describe.each(testDrivers())("monthly limit race on %s", (driver) => {
  let s: System;
  beforeAll(async () => {
    s = await startSystem(driver);
  });
  afterAll(() => s.close());

  it("100 concurrent requests against a small limit: billed total ≤ limit, the rest refused with 402", async () => {
    // About a dozen requests' worst case fits (gpt-4o-mini, max_tokens 50, a short prompt).
    const limit = 600_000n; // $0.0006
    const org = await s.org({ monthlyLimitNano: limit, members: 4 });
    const results = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const res = await fetch(`${s.proxyUrl}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${org.users[i % 4]!.token}`, "content-type": "application/json" },
          body: JSON.stringify({ model: "openai/gpt-4o-mini", max_tokens: 50, messages: [{ role: "user", content: `burst ${i}` }] }),
        });
        return { status: res.status, body: (await res.json()) as { error?: { code?: string } } };
      }),
    );
    const admitted = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 402);
    expect(admitted.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    expect(admitted.length + refused.length).toBe(100);
    expect(refused.every((r) => r.body.error?.code === "monthly_limit_exceeded")).toBe(true);

    while (s.proxy.deps.inflight.size > 0) await Promise.allSettled([...s.proxy.deps.inflight]);
    await s.proxy.deps.recorder.flush();
    const counterOf = async () => (await s.t.db.select().from(schema.usagePeriodCounters).where(eq(schema.usagePeriodCounters.organizationId, org.id)))[0]!;
    const counter = await counterOf();
    expect(counter.spentNano).toBeGreaterThan(0n);
    expect(counter.spentNano + counter.reservedNano).toBeLessThanOrEqual(limit);
    // Every recorded event converted exactly its cost from reserved to spent: what is still
    // reserved is what the proxy's lease holds, and giving the lease back leaves nothing.
    expect(counter.reservedNano).toBe(s.proxy.deps.reservations.heldNano(org.id));
    await s.proxy.deps.reservations.returnAll();
    expect((await counterOf()).reservedNano).toBe(0n);
    // What OpenRouter charged is exactly what was admitted.
    expect(s.sim.ledger({ keyHash: org.keyHash })).toHaveLength(admitted.length);
    // Every 402 reached the API as a refusal of that organisation, by the user who asked, once.
    await s.proxy.deps.refusals.flush();
    const refusals = await s.t.db.select().from(schema.requestRefusals).where(eq(schema.requestRefusals.organizationId, org.id));
    expect(refusals).toHaveLength(refused.length);
    expect(refusals.every((r) => r.reason === "monthly_limit" && org.users.some((u) => u.id === r.userId))).toBe(true);
  });

  it("a fallback list reserves its dearest model's worst case: refused with 402 where the primary alone fits", async () => {
    const markupBp = 13_000;
    const worst = (model: string, fallbacks?: string[]) =>
      s.proxy.deps.reservations.estimate({ model, fallbacks, payload: '{"messages":[]}', maxTokens: 50, markupBp });
    const mini = await worst("openai/gpt-4o-mini");
    const dear = await worst("openai/gpt-4o");
    expect(dear).toBeGreaterThan(mini * 4n);
    expect(await worst("openai/gpt-4o-mini", ["openai/gpt-4o-mini", "openai/gpt-4o"])).toBe(dear);
    // With no model at all, OpenRouter routes to the first of `models`.
    expect(await s.proxy.deps.reservations.estimate({ model: undefined, fallbacks: ["openai/gpt-4o"], payload: "{}", maxTokens: 50, markupBp })).toBe(
      await s.proxy.deps.reservations.estimate({ model: "openai/gpt-4o", payload: "{}", maxTokens: 50, markupBp }),
    );

    // A limit between the two worst cases (gpt-4o-mini's is about $0.00004, gpt-4o's about $0.0007).
    const org = await s.org({ monthlyLimitNano: 200_000n });
    const ask = (extra: Record<string, unknown>) =>
      fetch(`${s.proxyUrl}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${org.users[0]!.token}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "openai/gpt-4o-mini", max_tokens: 50, messages: [{ role: "user", content: "fallbacks" }], ...extra }),
      });
    const refused = await ask({ models: ["openai/gpt-4o-mini", "openai/gpt-4o"] });
    expect(refused.status).toBe(402);
    expect(((await refused.json()) as { error?: { code?: string } }).error?.code).toBe("monthly_limit_exceeded");
    expect(s.sim.ledger({ keyHash: org.keyHash })).toHaveLength(0);
    const alone = await ask({});
    expect(alone.status).toBe(200);
    await alone.text();
    expect(s.sim.ledger({ keyHash: org.keyHash })).toHaveLength(1);
  });

  it("the 402 and the limit level agree: 'spent' exactly when the dashboard says exceeded", async () => {
    const limit = 600_000n;
    const org = await s.org({ monthlyLimitNano: limit });
    const request = () =>
      fetch(`${s.proxyUrl}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${org.users[0]!.token}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "openai/gpt-4o-mini", max_tokens: 50, messages: [{ role: "user", content: "one at a time" }] }),
      }).then(async (res) => ({ status: res.status, body: (await res.json()) as { error?: { code?: string; message?: string } } }));
    const counterOf = async () => (await s.t.db.select().from(schema.usagePeriodCounters).where(eq(schema.usagePeriodCounters.organizationId, org.id)))[0]!;
    const level = async () => {
      const c = await counterOf();
      return evaluateMonthlyLimit({ spentNano: c.spentNano, reservedNano: c.reservedNano, requestNano: 0n, limitNano: limit, refusedMinNano: c.refusedMinNano }).level;
    };
    // One at a time, each recorded before the next (nothing in flight, nothing on its way): the
    // first refusal is a request that cannot fit at all.
    let last = await request();
    for (let i = 0; i < 100 && last.status === 200; i++) {
      while (s.proxy.deps.inflight.size > 0) await Promise.allSettled([...s.proxy.deps.inflight]);
      await s.proxy.deps.recorder.flush();
      expect(await level()).not.toBe("exceeded");
      last = await request();
    }
    expect(last.status).toBe(402);
    expect(last.body.error?.code).toBe("monthly_limit_exceeded");
    expect(last.body.error?.message).toMatch(/monthly limit is spent/);
    expect(await level()).toBe("exceeded");
    const counter = await counterOf();
    expect(counter.spentNano).toBeLessThan(limit); // below 100 %, and still "exceeded"
    await s.proxy.deps.reservations.returnAll();
  });
});
