import { eq } from "drizzle-orm";
import { schema } from "@mai/db";
import { testDrivers } from "@mai/db/testing";
import { billedCost } from "@mai/domain";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type System, type TestOrg } from "./system";

/** Polls until `probe` returns something: waiting for the condition, not for a time. */
async function until<T>(probe: () => T | undefined): Promise<T> {
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const MODEL = "openai/gpt-4o-mini";
const FULL_KEY = /sk-or-v1-[0-9a-f]{64}/;
const TOKEN = /mai_[0-9a-f]{48}/;

describe.each(testDrivers())("the proxy on %s", (driver) => {
  let s: System;
  beforeAll(async () => {
    s = await startSystem(driver);
  });
  afterAll(() => s.close());

  const sdk = (token: string) => new OpenAI({ apiKey: token, baseURL: `${s.proxyUrl}/v1`, maxRetries: 0 });

  /** Waits for everything in flight, flushes usage, returns the org's recorded events by generation id. */
  async function recorded(org: TestOrg) {
    while (s.proxy.deps.inflight.size > 0) await Promise.allSettled([...s.proxy.deps.inflight]);
    await s.proxy.deps.recorder.flush();
    await s.proxy.deps.reservations.idle();
    const rows = await s.t.db.select().from(schema.usageEvents).where(eq(schema.usageEvents.organizationId, org.id));
    return new Map(rows.map((r) => [r.generationId, r]));
  }

  it("non-streaming through the official SDK: the answer, and an event billed at raw × markup from OpenRouter's charge", async () => {
    const org = await s.org();
    const completion = await sdk(org.users[0]!.token).chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Hello" }] });
    expect(completion.choices[0]?.message.content).toBeTruthy();
    const [charge] = s.sim.ledger({ keyHash: org.keyHash });
    expect(charge?.generationId).toBe(completion.id);
    expect(charge?.user).toBe(org.users[0]!.externalUserId);
    const event = (await recorded(org)).get(completion.id)!;
    expect(event).toMatchObject({ status: "ok", streamed: false, rawCostNano: charge!.costNano, billedCostNano: billedCost(charge!.costNano, org.markupBp) });
    expect(event.promptTokens).toBe(charge!.promptTokens);
  });

  it("streaming through the official SDK: chunks arrive, usage is read from the tee, nothing re-serialised", async () => {
    const org = await s.org();
    const stream = await sdk(org.users[0]!.token).chat.completions.create({ model: MODEL, stream: true, messages: [{ role: "user", content: "Stream please" }] });
    let text = "";
    let id = "";
    let cost: unknown;
    for await (const chunk of stream) {
      id = chunk.id;
      text += chunk.choices[0]?.delta?.content ?? "";
      if (chunk.usage) cost = (chunk.usage as { cost?: number }).cost;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(typeof cost).toBe("number");
    const [charge] = s.sim.ledger({ keyHash: org.keyHash });
    const event = (await recorded(org)).get(id)!;
    expect(event).toMatchObject({ status: "ok", streamed: true, rawCostNano: charge!.costNano, billedCostNano: billedCost(charge!.costNano, org.markupBp) });
    expect(event.ttfbMs).not.toBeNull();
  });

  it("attributes per user: two users → two distinct `user` values; a client-supplied `user` is overridden", async () => {
    const org = await s.org({ members: 2 });
    for (const user of org.users) {
      await sdk(user.token).chat.completions.create({ model: MODEL, user: "i-choose-my-own-attribution", messages: [{ role: "user", content: "hi" }] });
    }
    const users = s.sim.ledger({ keyHash: org.keyHash }).map((c) => c.user);
    expect(users).toEqual(org.users.map((u) => u.externalUserId));
    expect(new Set(users).size).toBe(2);
  });

  it("also serves /api/v1/… so the proxy is a drop-in OpenRouter base URL", async () => {
    const org = await s.org();
    const res = await fetch(`${s.proxyUrl}/api/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${org.users[0]!.token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-generation-id")).toMatch(/^gen-/);
  });

  it.each([
    ["no Authorization", undefined, 401, "missing_api_key"],
    ["a malformed token", "Bearer nope", 401, "invalid_api_key"],
    ["an unknown token", `Bearer mai_${"0".repeat(48)}`, 401, "invalid_api_key"],
  ])("refuses %s with an OpenAI-shaped error", async (_name, authorization, status, code) => {
    const res = await fetch(`${s.proxyUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ model: MODEL, messages: [] }),
    });
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ error: { message: expect.any(String), type: "invalid_request_error", code } });
  });

  it("an inactive organisation → 403; bad JSON → 400; OpenRouter's 429 passes with Retry-After", async () => {
    const inactive = await s.org({ active: false });
    const call = (token: string, body: string) =>
      fetch(`${s.proxyUrl}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body });
    const refused = await call(inactive.users[0]!.token, JSON.stringify({ model: MODEL, messages: [] }));
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("organization_inactive");
    await s.proxy.deps.refusals.flush();
    const refusals = await s.t.db.select().from(schema.requestRefusals).where(eq(schema.requestRefusals.organizationId, inactive.id));
    expect(refusals.map((r) => [r.reason, r.userId])).toEqual([["organization_inactive", inactive.users[0]!.id]]);

    const org = await s.org();
    expect((await call(org.users[0]!.token, "{nope")).status).toBe(400);
    const limited = await call(org.users[0]!.token, JSON.stringify({ model: `${MODEL}@sim:status=429,retry-after=7`, messages: [{ role: "user", content: "x" }] }));
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    expect(((await limited.json()) as { error: unknown }).error).toMatchObject({ type: "rate_limit_error", code: "rate_limit_exceeded" });
    // Nothing was generated, so nothing was consumed: the worst case went back to the lease.
    await recorded(org);
    expect(s.proxy.deps.reservations.stats().inFlightNano).toBe(0n);
  });

  it("a spent monthly limit answers 402 monthly_limit_exceeded before anything reaches OpenRouter", async () => {
    const org = await s.org({ monthlyLimitNano: 1_000n });
    const before = s.sim.ledger().length;
    const res = await fetch(`${s.proxyUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${org.users[0]!.token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: MODEL, max_tokens: 1000, messages: [{ role: "user", content: "too expensive" }] }),
    });
    expect(res.status).toBe(402);
    expect(await res.json()).toEqual({ error: { message: expect.any(String), type: "insufficient_quota", code: "monthly_limit_exceeded" } });
    expect(s.sim.ledger().length).toBe(before);
  });

  it("answers CORS preflights for configured origins only", async () => {
    const ok = await fetch(`${s.proxyUrl}/v1/chat/completions`, {
      method: "OPTIONS",
      headers: { origin: "https://chat.example.com", "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://chat.example.com");
    expect(ok.headers.get("access-control-allow-headers")).toMatch(/Authorization/);
    const other = await fetch(`${s.proxyUrl}/v1/chat/completions`, { method: "OPTIONS", headers: { origin: "https://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("lists models, and serves health, readiness and Prometheus metrics", async () => {
    const org = await s.org();
    const models = await sdk(org.users[0]!.token).models.list();
    expect(models.data.map((m) => m.id)).toContain(MODEL);
    expect((await fetch(`${s.proxyUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${s.proxyUrl}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${s.proxyUrl}/metrics`)).text();
    expect(metrics).toContain("mai_proxy_requests_total");
    expect(metrics).toContain("mai_proxy_time_to_first_byte_seconds");
    expect(metrics).toContain("mai_proxy_usage_queue_depth");
  });

  it("a client that disconnects mid-stream aborts upstream; the partial charge is still recorded, from /generation", async () => {
    const org = await s.org();
    const controller = new AbortController();
    const res = await fetch(`${s.proxyUrl}/v1/chat/completions`, {
      method: "POST",
      signal: controller.signal,
      headers: { authorization: `Bearer ${org.users[0]!.token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: `${MODEL}@sim:tokens=200,token-latency=5`, stream: true, messages: [{ role: "user", content: "long" }] }),
    });
    const reader = res.body!.getReader();
    await reader.read();
    await reader.read();
    controller.abort();
    // The abort travels to the proxy and on to OpenRouter, which charges the part it generated.
    const charge = await until(() => s.sim.ledger({ keyHash: org.keyHash })[0]);
    expect(charge.cancelled).toBe(true);
    const event = (await recorded(org)).get(charge.generationId)!;
    expect(event.status).toBe("aborted");
    expect(event.rawCostNano).toBe(charge.costNano);
    expect(event.rawCostNano).toBeGreaterThan(0n);
  });

  it("a few hundred mixed requests: recorded billed totals equal the simulator's ledger × markup, to the nano-dollar", async () => {
    const org = await s.org({ members: 3, markupBp: 13_333 });
    const variants = [
      { stream: false, model: MODEL },
      { stream: true, model: MODEL },
      { stream: true, model: `${MODEL}@sim:error-after=3` },
      { stream: true, model: `${MODEL}@sim:drop-after=2` },
      { stream: true, model: `${MODEL}@sim:no-usage` },
      { stream: false, model: `${MODEL}@sim:status=503` },
      { stream: true, model: "anthropic/claude-sonnet-4" },
      { stream: false, model: "google/gemini-2.5-flash" },
      { stream: false, model: `${MODEL}@sim:leading-newlines` },
      { stream: true, model: `${MODEL}@sim:usage-chunk=empty` },
      { stream: false, model: `${MODEL}@sim:status=429,retry-after=1` },
      // The client walks away after the first chunk: partial (cancellable) charge, via /generation.
      { stream: true, model: `${MODEL}@sim:tokens=60,token-latency=5`, abort: true },
    ];
    const jobs = Array.from({ length: 264 }, (_, i) => async () => {
      const v: { stream: boolean; model: string; abort?: boolean } = variants[i % variants.length]!;
      const user = org.users[i % org.users.length]!;
      const controller = new AbortController();
      const res = await fetch(`${s.proxyUrl}/v1/chat/completions`, {
        method: "POST",
        signal: controller.signal,
        headers: { authorization: `Bearer ${user.token}`, "content-type": "application/json" },
        body: JSON.stringify({ model: v.model, stream: v.stream, messages: [{ role: "user", content: `request ${i}` }] }),
      }).catch(() => null);
      if (v.abort && res?.body) {
        await res.body.getReader().read().catch(() => undefined);
        controller.abort();
        return;
      }
      await res?.text().catch(() => "");
    });
    for (let i = 0; i < jobs.length; i += 24) await Promise.all(jobs.slice(i, i + 24).map((j) => j()));
    const events = await recorded(org);
    const ledger = s.sim.ledger({ keyHash: org.keyHash });
    expect(ledger.length).toBeGreaterThan(200);
    // Every charge is recorded once, with OpenRouter's exact cost and the org's markup.
    expect(new Set(events.keys())).toEqual(new Set(ledger.map((c) => c.generationId)));
    for (const charge of ledger) {
      const e = events.get(charge.generationId)!;
      expect(e.rawCostNano).toBe(charge.costNano);
      expect(e.billedCostNano).toBe(billedCost(charge.costNano, 13_333));
      expect(e.externalUserId).toBe(charge.user);
    }
    const expected = ledger.reduce((a, c) => a + billedCost(c.costNano, 13_333), 0n);
    const [counter] = await s.t.db.select().from(schema.usagePeriodCounters).where(eq(schema.usagePeriodCounters.organizationId, org.id));
    expect(counter?.spentNano).toBe(expected);
    // Every recorded event gave back exactly what it used: what is still reserved is what the
    // proxy's lease holds, and giving the lease back leaves nothing reserved.
    expect(counter?.reservedNano).toBe(s.proxy.deps.reservations.heldNano(org.id));
    await s.proxy.deps.reservations.returnAll();
    const [after] = await s.t.db.select().from(schema.usagePeriodCounters).where(eq(schema.usagePeriodCounters.organizationId, org.id));
    expect(after?.reservedNano).toBe(0n);
    const statuses = new Set([...events.values()].map((e) => e.status));
    expect(statuses).toEqual(new Set(["ok", "error", "incomplete", "aborted"]));
  });

  it("leaks no OpenRouter key and no mai_ token in any proxy log line or error body", async () => {
    const org = await s.org();
    const res = await fetch(`${s.proxyUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${org.users[0]!.token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: `${MODEL}@sim:status=500`, messages: [{ role: "user", content: "x" }] }),
    });
    const body = await res.text();
    expect(body).not.toMatch(FULL_KEY);
    expect(body).not.toMatch(TOKEN);
    const logs = s.logs.join("\n");
    expect(s.logs.length).toBeGreaterThan(0);
    expect(logs).not.toMatch(FULL_KEY);
    expect(logs).not.toMatch(TOKEN);
  });

});
