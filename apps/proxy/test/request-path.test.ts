// Money never lost on the request path: a non-streamed request whose client leaves is still run to
// its end upstream (OpenRouter bills it in full) and recorded at what it cost; a key rotated while
// the proxy had the old one cached costs no request (401 → fresh context → one retry).
import { eq } from "drizzle-orm";
import { schema, setOrganizationKey } from "@mai/db";
import { asOpenRouterKey, testDrivers } from "@mai/db/testing";
import { billedCost } from "@mai/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type System, type TestOrg } from "./system";

const MODEL = "openai/gpt-4o-mini";

/** Polls until `probe` returns something: waiting for the condition, not for a time. */
async function until<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(testDrivers())("the request path on %s", (driver) => {
  let s: System;
  beforeAll(async () => {
    s = await startSystem(driver);
  });
  afterAll(() => s.close());

  const eventsOf = async (org: TestOrg) => {
    const rows = await s.t.db.select().from(schema.usageEvents).where(eq(schema.usageEvents.organizationId, org.id));
    return new Map(rows.map((r) => [r.generationId, r]));
  };
  const settled = async () => {
    while (s.proxy.deps.inflight.size > 0) await Promise.allSettled([...s.proxy.deps.inflight]);
    await s.proxy.deps.recorder.flush();
  };
  const post = (token: string, body: Record<string, unknown>, signal?: AbortSignal) =>
    fetch(`${s.proxyUrl}/v1/chat/completions`, {
      method: "POST",
      ...(signal ? { signal } : {}),
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "hello" }], ...body }),
    });

  it("a non-streamed request whose client leaves before the first byte runs to its end upstream and is recorded once, at the simulator's charge", async () => {
    const org = await s.org();
    const before = s.sim.stats().chatRequests;
    const controller = new AbortController();
    // About a second of generation; the client is gone long before the answer's headers.
    const pending = post(org.users[0]!.token, { model: `${MODEL}@sim:tokens=40,token-latency=25` }, controller.signal).catch(() => null);
    await until(() => (s.sim.stats().chatRequests > before ? true : undefined));
    controller.abort();
    expect(await pending).toBeNull();
    const charge = await until(() => s.sim.ledger({ keyHash: org.keyHash })[0]);
    expect(charge.cancelled).toBe(false);
    expect(charge.completionTokens).toBe(40);
    const events = await until(async () => {
      await settled();
      const recorded = await eventsOf(org);
      return recorded.size > 0 ? recorded : undefined;
    });
    expect([...events.keys()]).toEqual([charge.generationId]);
    const event = events.get(charge.generationId)!;
    expect(event).toMatchObject({ status: "aborted", streamed: false, rawCostNano: charge.costNano, billedCostNano: billedCost(charge.costNano, org.markupBp) });
    expect(event.completionTokens).toBe(40);
    // The journal record it opened (X-Generation-Id) was closed by its event.
    expect(s.proxy.deps.journal.isOpen(charge.generationId)).toBe(false);
  });

  it("a client leaving a non-streamed answer that is already flowing: read to the end, recorded at the full charge", async () => {
    const org = await s.org();
    const controller = new AbortController();
    // Whitespace keep-alives first (headers and X-Generation-Id early), the JSON after ~1 s.
    const res = await post(org.users[0]!.token, { model: `${MODEL}@sim:leading-newlines,tokens=40,token-latency=25` }, controller.signal);
    expect(res.status).toBe(200);
    const id = res.headers.get("x-generation-id")!;
    expect(id).toMatch(/^gen-/);
    controller.abort();
    const charge = await until(() => s.sim.ledger({ keyHash: org.keyHash })[0]);
    expect(charge.generationId).toBe(id);
    const event = await until(async () => {
      await settled();
      return (await eventsOf(org)).get(id);
    });
    expect(event).toMatchObject({ status: "aborted", streamed: false, rawCostNano: charge.costNano });
    expect((await eventsOf(org)).size).toBe(1);
  });

  it("a key rotated upstream while the proxy has the old one cached: the next requests (streamed or not) succeed with the new key", async () => {
    const org = await s.org({ members: 3 });
    // Every member's context (with the old key) is cached.
    for (const user of org.users) expect((await post(user.token, { model: MODEL })).status).toBe(200);
    const fresh = s.sim.addKey({ name: "rotated" });
    await setOrganizationKey(s.t.db, s.t.secrets, org.id, { key: asOpenRouterKey(fresh.key), source: "client" });
    const deleted = await fetch(`${s.sim.url}/keys/${org.keyHash}`, { method: "DELETE", headers: { authorization: `Bearer ${s.sim.managementKey}` } });
    expect(deleted.status).toBe(200);

    const answers = await Promise.all(
      org.users.flatMap((user, i) => [
        post(user.token, { model: MODEL, stream: i % 2 === 0 }).then(async (r) => ({ status: r.status, body: await r.text() })),
        post(user.token, { model: MODEL, stream: i % 2 === 1 }).then(async (r) => ({ status: r.status, body: await r.text() })),
      ]),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(answers.filter((a) => a.body.includes("[DONE]"))).toHaveLength(3);
    const charges = s.sim.ledger({ keyHash: fresh.hash });
    expect(charges).toHaveLength(6);
    await settled();
    const events = await until(async () => {
      const recorded = await eventsOf(org);
      return recorded.size === 9 ? recorded : undefined;
    });
    for (const charge of charges) expect(events.get(charge.generationId)?.rawCostNano).toBe(charge.costNano);
  });

  it("a key OpenRouter refuses that is still the organisation's key: one 502 upstream_key_rejected, no retry loop", async () => {
    const org = await s.org();
    s.sim.updateKey(org.key, { disabled: true });
    const before = s.sim.stats().chatRequests;
    const res = await post(org.users[0]!.token, { model: MODEL });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("upstream_key_rejected");
    expect(s.sim.stats().chatRequests - before).toBe(1);
  });
});
