// Per-key usage counters, as key-level reconciliation reads them: `GET /key` with the key itself
// and `GET /keys/:hash` with the management key answer the same `usage_daily` / `usage_monthly`
// (UTC day, UTC month) from the simulator's ledger, and the windows turn over exactly at UTC
// midnight (the simulator's clock is injected).
import { usdToNano } from "@mai/domain";
import { describe, expect, it } from "vitest";
import { OpenRouterClient } from "../src/index";
import { startSimulator } from "../src/simulator/index";
import { chatRequest } from "./helpers";

describe("simulator per-key usage counters", () => {
  it("getCurrentKey and getKey(hash, managementKey) agree with the ledger; day and month turn over at 00:00:00.000 UTC", async () => {
    let now = Date.UTC(2026, 0, 31, 23, 59, 59, 999); // the last millisecond of January
    const sim = await startSimulator({ now: () => now, generationDelayMs: 0 });
    try {
      const key = sim.addKey({ name: "org" });
      const other = sim.addKey({ name: "someone else" });
      const client = new OpenRouterClient({ baseUrl: sim.url, managementKey: sim.managementKey });

      expect((await chatRequest(sim.url, { key: key.key })).status).toBe(200);
      expect((await chatRequest(sim.url, { key: other.key })).status).toBe(200);
      const january = sim.totalNano({ key: key.key });
      expect(january).toBeGreaterThan(0n);

      const before = await client.getCurrentKey(key.key);
      expect(usdToNano(before.usage_daily)).toBe(january);
      expect(usdToNano(before.usage_monthly)).toBe(january);
      const viaHash = await client.getKey(key.hash, sim.managementKey);
      expect(usdToNano(viaHash.usage_daily ?? -1)).toBe(january);
      expect(usdToNano(viaHash.usage_monthly ?? -1)).toBe(january);

      now = Date.UTC(2026, 1, 1, 0, 0, 0, 0); // the first millisecond of February
      const turned = await client.getCurrentKey(key.key);
      expect(turned.usage_daily).toBe(0);
      expect(turned.usage_monthly).toBe(0);
      expect(usdToNano(turned.usage)).toBe(january);

      expect((await chatRequest(sim.url, { key: key.key, body: { max_tokens: 3 } })).status).toBe(200);
      const february = sim.totalNano({ key: key.key }) - january;
      const after = await client.getKey(key.hash, sim.managementKey);
      expect(usdToNano(after.usage_daily ?? -1)).toBe(february);
      expect(usdToNano(after.usage_monthly ?? -1)).toBe(february);
      expect(usdToNano(after.usage)).toBe(january + february);
      // The other key's spend never shows on this one.
      expect(usdToNano((await client.getCurrentKey(other.key)).usage)).toBe(sim.totalNano({ key: other.key }));
    } finally {
      await sim.close();
    }
  });

  it("getCurrentKey refuses a /key answer without the per-period counters (invalid_response)", async () => {
    const answer = { data: { label: "sk-or-v1-abc...def", limit: null, usage: 1, is_free_tier: false } };
    const client = new OpenRouterClient({
      baseUrl: "http://simulated.invalid/api/v1",
      fetch: () => Promise.resolve(new Response(JSON.stringify(answer), { headers: { "content-type": "application/json" } })),
    });
    await expect(client.getCurrentKey(`sk-or-v1-${"ab".repeat(32)}`)).rejects.toMatchObject({ code: "invalid_response" });
    // The older, lenient getKeyInfo still takes it.
    expect((await client.getKeyInfo(`sk-or-v1-${"ab".repeat(32)}`)).usage).toBe(1);
  });
});

describe("a bounded simulator ledger (benchmarks)", () => {
  it("keeps the latest entries, numbered on, while per-key usage still counts every charge", async () => {
    const sim = await startSimulator({ generationDelayMs: 0, maxLedgerEntries: 5 });
    try {
      const key = sim.addKey({ name: "bench" });
      const client = new OpenRouterClient({ baseUrl: sim.url });
      for (let i = 0; i < 23; i++) expect((await chatRequest(sim.url, { key: key.key })).status).toBe(200);
      const kept = sim.ledger({ key: key.key });
      expect(kept.length).toBeGreaterThanOrEqual(5);
      expect(kept.length).toBeLessThan(10);
      expect(kept.map((e) => e.seq)).toEqual(Array.from({ length: kept.length }, (_, i) => 23 - kept.length + 1 + i));
      // The key's counters saw all 23 charges (the same request, the same cost each time).
      expect(new Set(kept.map((e) => e.costNano)).size).toBe(1);
      const usage = await client.getCurrentKey(key.key);
      expect(usdToNano(usage.usage_monthly)).toBe(kept[0]!.costNano * 23n);
    } finally {
      await sim.close();
    }
  });
});

describe("the simulator's generations, bounded (benchmarks)", () => {
  it("forgets the oldest first", async () => {
    const sim = await startSimulator({ generationDelayMs: 0, maxGenerations: 5 });
    try {
      const key = sim.addKey({ name: "bounded" });
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        const res = await chatRequest(sim.url, { key: key.key });
        ids.push(res.headers.get("x-generation-id")!);
        await res.arrayBuffer();
      }
      const status = async (id: string) =>
        (await fetch(`${sim.url}/generation?id=${id}`, { headers: { Authorization: `Bearer ${key.key}` } })).status;
      expect(await Promise.all(ids.map(status))).toEqual([...Array.from({ length: 7 }, () => 404), ...Array.from({ length: 5 }, () => 200)]);
    } finally {
      await sim.close();
    }
  });
});
