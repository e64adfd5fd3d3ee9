// A proxy killed with SIGKILL while 50 streams and 50 non-streamed answers are in flight, started
// again on the same spool directory: every charge in OpenRouter's (the simulator's) ledger ends up
// recorded exactly once, at its exact cost — from the request journal (src/metering/journal.ts),
// settled from GET /generation after the restart — and the monthly-limit lease the dead proxy held
// expires within one lease lifetime of the kill, so reserved returns to what the live proxy holds
// (nothing). The proxy runs as a real child process (bench/proxy-child.ts: built as src/main.ts
// builds it), so the kill is a real one.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { createDeps, loadEnv, scheduleLeaseSweep } from "@mai/api";
import { schema } from "@mai/db";
import { testDrivers } from "@mai/db/testing";
import { billedCost } from "@mai/domain";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readJournal } from "../src/metering/journal";
import { exited, startProxyChild } from "./proxy-child";
import { INTERNAL_TOKEN, startSystem, type System } from "./system";

// About 12 s per answer: long enough for all 100 to be in flight at once on a loaded machine (at 4 s a
// CI run saw 21 answers end before the kill).
const SLOW = "openai/gpt-4o-mini@sim:token-latency=50,tokens=240";
// Whitespace keep-alives first: the answer's headers (and X-Generation-Id) come at once, the JSON at the end.
const SLOW_JSON = "openai/gpt-4o-mini@sim:leading-newlines,token-latency=50,tokens=240";
/** The API's lease lifetime here (MAI_LEASE_TTL_MS): short, so a dead proxy's lease is seen to expire. */
const LEASE_TTL_MS = 3_000;

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(testDrivers())("a proxy killed mid-traffic on %s", (driver) => {
  let s: System;
  let sweep: { stop(): void } | undefined;
  const spoolDir = mkdtempSync(join(tmpdir(), "mai-crash-spool-"));
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    s = await startSystem(driver, {}, { MAI_LEASE_TTL_MS: String(LEASE_TTL_MS) });
    // The API's lease sweep, as startApiService schedules it (every quarter lifetime).
    const env = loadEnv({ NODE_ENV: "test", MAI_INTERNAL_TOKEN: INTERNAL_TOKEN, MAI_LEASE_TTL_MS: String(LEASE_TTL_MS), LOG_LEVEL: "silent" });
    sweep = scheduleLeaseSweep(createDeps({ db: s.t.db, secrets: s.t.secrets, env, logger: pino({ level: "silent" }) }));
  });
  afterAll(async () => {
    sweep?.stop();
    for (const child of children) child.kill("SIGKILL");
    await Promise.all(children.map(exited));
    await s.close();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  const start = async () => {
    const child = await startProxyChild({
      MAI_API_URL: s.apiUrl,
      MAI_INTERNAL_TOKEN: INTERNAL_TOKEN,
      MAI_OPENROUTER_BASE_URL: s.sim.url,
      MAI_PROXY_SPOOL_DIR: spoolDir,
      LOG_LEVEL: "warn",
    });
    children.push(child.process);
    return child;
  };

  it("SIGKILL with 50 streams and 50 non-streamed answers in flight, then a restart: every charge recorded exactly once, to the nano", async () => {
    const org = await s.org({ members: 2 });
    const first = await start();
    const requests = Array.from({ length: 100 }, (_, i) => {
      const streamed = i % 2 === 0;
      return fetch(`${first.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${org.users[i % 2]!.token}`, "content-type": "application/json" },
        body: JSON.stringify({ model: streamed ? SLOW : SLOW_JSON, stream: streamed, messages: [{ role: "user", content: `request ${i}` }] }),
      }).then(
        async (res) => ({ status: res.status, body: await res.text().catch(() => null) }),
        () => ({ status: 0, body: null }),
      );
    });
    // All 100 in flight with their generation ids journaled, the 50 streams flowing upstream.
    await until(async () => ((await readJournal(spoolDir)).open.size === 100 && s.sim.stats().activeStreams === 50 ? true : undefined));
    const killedAt = Date.now();
    first.process.kill("SIGKILL");
    await exited(first.process);
    // The lease it held was renewed at most until the kill: it expires within one lifetime of it
    // (1 s of slack for the clocks of the database and this process).
    const leases = await s.t.db.select().from(schema.limitLeases).where(eq(schema.limitLeases.organizationId, org.id));
    expect(leases.length).toBeGreaterThan(0);
    for (const lease of leases) expect(lease.expiresAt.getTime()).toBeLessThanOrEqual(killedAt + LEASE_TTL_MS + 1_000);
    const answers = await Promise.all(requests);
    // Cut, every one of them (a status may have arrived, the body did not).
    expect(answers.filter((a) => a.body !== null && (a.body.includes("[DONE]") || a.body.includes('"usage"')))).toHaveLength(0);

    // OpenRouter charged all 100: the streams' partial cost at once, the non-streamed ones in full
    // once they ran to their end.
    const ledger = await until(() => {
      const charges = s.sim.ledger({ keyHash: org.keyHash });
      return charges.length === 100 ? charges : undefined;
    });
    expect(ledger.filter((c) => c.streamed)).toHaveLength(50);
    const eventsOf = async () => s.t.db.select().from(schema.usageEvents).where(eq(schema.usageEvents.organizationId, org.id));
    expect((await eventsOf()).length).toBeLessThan(100);

    const second = await start();
    const events = await until(async () => {
      const rows = await eventsOf();
      return rows.length >= 100 ? rows : undefined;
    });
    expect(events).toHaveLength(100);
    const byId = new Map(events.map((e) => [e.generationId, e]));
    expect(new Set(byId.keys())).toEqual(new Set(ledger.map((c) => c.generationId)));
    for (const charge of ledger) {
      const event = byId.get(charge.generationId)!;
      expect(event.rawCostNano).toBe(charge.costNano);
      expect(event.billedCostNano).toBe(billedCost(charge.costNano, org.markupBp));
      expect(event.externalUserId).toBe(charge.user);
      expect(event.streamed).toBe(charge.streamed);
      expect(event.completionTokens).toBe(charge.completionTokens);
    }
    const raw = (rows: { rawCostNano: bigint }[]) => rows.reduce((a, r) => a + r.rawCostNano, 0n);
    expect(raw(events)).toBe(raw(ledger.map((c) => ({ rawCostNano: c.costNano }))));
    const [counter] = await s.t.db.select().from(schema.usagePeriodCounters).where(eq(schema.usagePeriodCounters.organizationId, org.id));
    expect(counter?.spentNano).toBe(ledger.reduce((a, c) => a + billedCost(c.costNano, org.markupBp), 0n));

    // The dead proxy's lease expires by itself; then reserved is what the live proxy holds —
    // nothing: it only settled the journal, admitting no request.
    await until(async () => {
      const [row] = await s.t.db.select().from(schema.usagePeriodCounters).where(eq(schema.usagePeriodCounters.organizationId, org.id));
      return row?.reservedNano === 0n ? true : undefined;
    });

    // The records are closed once their events are durable; nothing is left to settle.
    await until(async () => ((await readJournal(spoolDir)).open.size === 0 ? true : undefined));
    second.process.send({ type: "close" });
    await exited(second.process);
    expect(second.process.exitCode).toBe(0);
    // Recorded exactly once, still.
    expect(await eventsOf()).toHaveLength(100);
  });
});
