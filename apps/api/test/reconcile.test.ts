import { createOrganization, getReconciliationAttempt, listAudit, recordUsageEvents, schema } from "@mai/db";
import { asOpenRouterKey, eq, testDrivers } from "@mai/db/testing";
import { billedCost, externalUserId } from "@mai/domain";
import { OpenRouterClient } from "@mai/openrouter";
import { startSimulator } from "@mai/openrouter/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppDeps } from "../src/deps";
import {
  RECONCILE_GIVE_UP_AFTER_MS,
  RECONCILE_RETRY_BASE_MS,
  reconcileUsage,
} from "../src/services/usage/reconcile";
import { createHarness, type Harness, usageBatch } from "./harness";

/**
 * An OpenRouter client that counts /generation calls per generation id and the most it saw in
 * flight at once (wrapping the real client: every call still reaches the simulator).
 */
function countingOpenRouter(real: OpenRouterClient) {
  const asked = new Map<string, number>();
  let inFlight = 0;
  const stats = { maxInFlight: 0, asked, total: () => [...asked.values()].reduce((a, b) => a + b, 0) };
  const client = new Proxy(real, {
    get(target, property, receiver) {
      if (property !== "getGeneration") return Reflect.get(target, property, receiver) as unknown;
      return async (...args: Parameters<OpenRouterClient["getGeneration"]>) => {
        asked.set(args[0], (asked.get(args[0]) ?? 0) + 1);
        inFlight += 1;
        stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
        try {
          return await target.getGeneration(...args);
        } finally {
          inFlight -= 1;
        }
      };
    },
  });
  return { client, stats };
}

describe.each(testDrivers())("usage reconciliation with /generation on %s", (driver) => {
  let h: Harness;
  beforeAll(async () => {
    // Every event recorded through the API is queued for a check (ordinary ones too): a 100 % sample.
    h = await createHarness(driver, { MAI_RECONCILE_SAMPLE_BP: "10000" });
  });
  afterAll(() => h.close());

  it("corrects what streams under-reported or never reported, keeps rollups and counters equal to the events, audits it", async () => {
    const key = asOpenRouterKey(h.sim.addKey({ name: "reconcile" }).key);
    const org = await createOrganization(h.t.db, h.t.secrets, { name: "Reconciled Co", key, markupBp: 12_500 });
    const user = await h.user("member", { organizationId: org.id });
    const external = externalUserId(org.id, user.id);
    const client = new OpenRouterClient({ baseUrl: h.sim.url, apiKey: key });

    // What the proxy would have recorded from three requests:
    const stream = async (model: string) => {
      const s = await client.chatStream({ model, messages: [{ role: "user", content: "count" }], user: external });
      for await (const _ of s) {
        /* drain */
      }
      return s.summary!;
    };
    const tiered = await stream("openai/gpt-4o-mini@sim:low-stream-cost"); // streamed cost below the charge
    const silent = await stream("openai/gpt-4o-mini@sim:no-usage"); // no usage at all
    const clean = await client.chat({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }], user: external });
    const charged = new Map(h.sim.ledger({ key }).map((c) => [c.generationId, c.costNano]));
    const base = { organizationId: org.id, userId: user.id, externalUserId: external, model: "openai/gpt-4o-mini", promptTokens: 5, completionTokens: 5, markupBp: 12_500, occurredAt: new Date(Date.now() - 120_000) };
    await h.internal().internal.recordUsage(usageBatch([
        { ...base, generationId: tiered.id!, rawCostNano: tiered.costNano!, status: "ok", streamed: true },
        { ...base, generationId: silent.id!, rawCostNano: 0n, status: "incomplete", streamed: true },
        { ...base, generationId: clean.id, rawCostNano: charged.get(clean.id)!, status: "ok", streamed: false },
      ]));
    expect(charged.get(tiered.id!)).toBeGreaterThan(tiered.costNano!);

    const summary = await reconcileUsage(h.deps, { minAgeMs: 60_000 });
    expect(summary).toMatchObject({ checked: 3, corrected: 2, unchanged: 1, failed: 0 });

    const events = await h.t.db.select().from(schema.usageEvents).where(eq(schema.usageEvents.organizationId, org.id));
    for (const e of events) {
      expect(e.rawCostNano).toBe(charged.get(e.generationId));
      expect(e.billedCostNano).toBe(billedCost(e.rawCostNano, 12_500));
      expect(e.reconciledAt).toBeInstanceOf(Date);
    }
    expect(events.find((e) => e.generationId === silent.id)?.originalRawCostNano).toBe(0n);
    const sumBilled = events.reduce((a, e) => a + e.billedCostNano, 0n);
    const sumRaw = events.reduce((a, e) => a + e.rawCostNano, 0n);
    const [daily] = await h.t.db.select().from(schema.usageDaily).where(eq(schema.usageDaily.organizationId, org.id));
    const [counter] = await h.t.db.select().from(schema.usagePeriodCounters).where(eq(schema.usagePeriodCounters.organizationId, org.id));
    expect(daily).toMatchObject({ rawCostNano: sumRaw, billedCostNano: sumBilled });
    // The per-user rollup is corrected with it.
    const [perUser] = await h.t.db.select().from(schema.usageDailyUsers).where(eq(schema.usageDailyUsers.organizationId, org.id));
    expect(perUser).toMatchObject({ rawCostNano: sumRaw, billedCostNano: sumBilled });
    const perModel = await h.t.db.select().from(schema.usageDailyModels).where(eq(schema.usageDailyModels.organizationId, org.id));
    expect(perModel.reduce((a, r) => a + r.rawCostNano, 0n)).toBe(sumRaw);
    expect(perModel.reduce((a, r) => a + r.billedCostNano, 0n)).toBe(sumBilled);
    const monthly = await h.t.db.select().from(schema.usageMonthly).where(eq(schema.usageMonthly.organizationId, org.id));
    expect(monthly.reduce((a, r) => a + r.rawCostNano, 0n)).toBe(sumRaw);
    expect(monthly.reduce((a, r) => a + r.billedCostNano, 0n)).toBe(sumBilled);
    expect(counter).toMatchObject({ rawSpentNano: sumRaw, spentNano: sumBilled });

    const audit = await listAudit(h.t.db, { organizationId: org.id, action: "usage.corrected" });
    expect(audit.items).toHaveLength(2);
    // Checked events are not checked again: they left the queue.
    expect((await reconcileUsage(h.deps, { minAgeMs: 60_000 })).checked).toBe(0);
    expect(await h.t.db.select().from(schema.reconciliationQueue).where(eq(schema.reconciliationQueue.organizationId, org.id))).toEqual([]);
  });

  it("leaves young events alone, and never checks an ordinary event recorded outside the sample", async () => {
    const key = asOpenRouterKey(h.sim.addKey({ name: "young" }).key);
    const org = await createOrganization(h.t.db, h.t.secrets, { name: `Young Co ${driver} ${Date.now()}`, key, markupBp: 13_000 });
    const user = await h.user("member", { organizationId: org.id });
    const external = externalUserId(org.id, user.id);
    const answer = await new OpenRouterClient({ baseUrl: h.sim.url, apiKey: key }).chat({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "young" }], user: external });
    const charged = h.sim.ledger({ key })[0]!.costNano;
    const base = { organizationId: org.id, userId: user.id, externalUserId: external, model: "openai/gpt-4o-mini", promptTokens: 1, completionTokens: 1, markupBp: 13_000, streamed: false };
    // Queued (the sample is 100 %), but too young to check: nothing is asked of OpenRouter.
    await h.internal().internal.recordUsage(usageBatch([{ ...base, generationId: answer.id, rawCostNano: charged, status: "ok", occurredAt: new Date() }]));
    expect((await reconcileUsage(h.deps, { minAgeMs: 60_000 })).checked).toBe(0);
    // Recorded with a 0 % sample: never queued, so never checked, however old.
    const outside = Array.from({ length: 40 }, (_, i) => ({
      ...base,
      generationId: `gen-1763700000-sample${String(i).padStart(14, "0")}`,
      rawCostNano: 100n,
      status: "ok" as const,
      occurredAt: new Date(Date.now() - 3_600_000),
    }));
    await recordUsageEvents(h.t.db, outside, { reconcileSampleBp: 0 });
    // Only the queued one, once old enough: unchanged (the charge was recorded exactly).
    expect(await reconcileUsage(h.deps, { minAgeMs: 0 })).toMatchObject({ checked: 1, unchanged: 1 });
  });

  describe("generations /generation does not know: backoff per generation, then a visible give-up", () => {
    let seq = 0;
    /** `n` incomplete events of a fresh organisation whose generations the simulator never made. */
    async function unknownEvents(n: number) {
      const key = asOpenRouterKey(h.sim.addKey({ name: `unknown ${++seq}` }).key);
      const org = await createOrganization(h.t.db, h.t.secrets, { name: `Unknown Co ${driver} ${seq} ${Date.now()}`, key });
      const user = await h.user("member", { organizationId: org.id });
      const ids = Array.from({ length: n }, (_, i) => `gen-1763700000-unk${String(seq).padStart(3, "0")}${String(i).padStart(14, "0")}`);
      await h.internal().internal.recordUsage(
        usageBatch(
          ids.map((generationId) => ({
            generationId,
            organizationId: org.id,
            userId: user.id,
            externalUserId: externalUserId(org.id, user.id),
            model: "openai/gpt-4o-mini",
            promptTokens: 1,
            completionTokens: 0,
            rawCostNano: 0n,
            markupBp: 13_000,
            status: "incomplete" as const,
            streamed: true,
            occurredAt: new Date(Date.now() - 120_000),
          })),
        ),
      );
      return { org, ids };
    }
    /** deps on a clock the test moves, with a counting OpenRouter client. */
    function clocked(start = Date.now()) {
      const counting = countingOpenRouter(h.deps.openrouter);
      const clock = { t: start };
      const deps: AppDeps = { ...h.deps, openrouter: counting.client, now: () => new Date(clock.t) };
      // The queue holds only these tests' unknown generations by now (the others were checked).
      const run = () => reconcileUsage(deps, { minAgeMs: 60_000 });
      return { clock, stats: counting.stats, run };
    }

    it("an unknown generation is asked once per backoff step, not on every run; after 24 h the give-up is audited", async () => {
      const { org, ids } = await unknownEvents(1);
      const id = ids[0]!;
      const { clock, stats, run } = clocked();
      const start = clock.t;
      const asked = () => stats.asked.get(id) ?? 0;

      await run();
      expect(asked()).toBe(1); // once: no in-call retries of the 404 either
      expect(await getReconciliationAttempt(h.t.db, id)).toMatchObject({
        attempts: 1,
        lastStatus: 404,
        nextAttemptAt: new Date(start + RECONCILE_RETRY_BASE_MS),
        gaveUpAt: null,
      });
      // Runs within the first minute do not ask again.
      clock.t = start + 1_000;
      await run();
      clock.t = start + RECONCILE_RETRY_BASE_MS - 1;
      await run();
      expect(asked()).toBe(1);
      // Due: asked again, and the next wait doubles.
      clock.t = start + RECONCILE_RETRY_BASE_MS;
      await run();
      expect(asked()).toBe(2);
      const second = clock.t;
      expect(await getReconciliationAttempt(h.t.db, id)).toMatchObject({ attempts: 2, nextAttemptAt: new Date(second + 2 * RECONCILE_RETRY_BASE_MS) });
      clock.t = second + 2 * RECONCILE_RETRY_BASE_MS - 1;
      await run();
      expect(asked()).toBe(2);
      clock.t = second + 2 * RECONCILE_RETRY_BASE_MS;
      await run();
      expect(asked()).toBe(3);
      expect((await getReconciliationAttempt(h.t.db, id))?.firstFailedAt).toEqual(new Date(start));

      // A day after the first failure: one last check, then the job gives up, visibly.
      clock.t = start + RECONCILE_GIVE_UP_AFTER_MS;
      const last = await run();
      expect(asked()).toBe(4);
      expect(last.gaveUp).toBeGreaterThanOrEqual(1);
      expect(await getReconciliationAttempt(h.t.db, id)).toMatchObject({ attempts: 4, gaveUpAt: new Date(clock.t) });
      const [event] = await h.t.db.select().from(schema.usageEvents).where(eq(schema.usageEvents.generationId, id));
      expect(event).toMatchObject({ reconciledAt: new Date(clock.t), rawCostNano: 0n });
      const audit = await listAudit(h.t.db, { organizationId: org.id, action: "usage.reconciliation_gave_up" });
      expect(audit.items).toHaveLength(1);
      expect(audit.items[0]).toMatchObject({
        actorKind: "system",
        targetType: "usage_event",
        targetId: id,
        details: { attempts: 4, lastStatus: 404 },
      });
      // Never asked again.
      clock.t += 7 * RECONCILE_GIVE_UP_AFTER_MS;
      await run();
      expect(asked()).toBe(4);
    });

    it("many unknown generations are checked in parallel (bounded), and later runs do not ask them again before their time", async () => {
      const { ids } = await unknownEvents(40);
      const { clock, stats, run } = clocked();
      const start = clock.t;
      const askedOurs = () => ids.reduce((sum, id) => sum + (stats.asked.get(id) ?? 0), 0);

      await run();
      expect(askedOurs()).toBe(40);
      expect(ids.every((id) => stats.asked.get(id) === 1)).toBe(true);
      // MAI_RECONCILE_CONCURRENCY (8) at once: in parallel, and never more.
      expect(h.deps.env.MAI_RECONCILE_CONCURRENCY).toBe(8);
      expect(stats.maxInFlight).toBe(8);

      // The next runs cost nothing for them: they wait for their backoff.
      for (const offset of [1_000, 30_000, RECONCILE_RETRY_BASE_MS - 1]) {
        clock.t = start + offset;
        await run();
      }
      expect(askedOurs()).toBe(40);
      // Then each is asked once more — once, not once per run that went by.
      clock.t = start + RECONCILE_RETRY_BASE_MS;
      await run();
      expect(askedOurs()).toBe(80);
      expect(ids.every((id) => stats.asked.get(id) === 2)).toBe(true);
    });

    it("a generation /generation learns about later is corrected once it is known, and its failures are forgotten", async () => {
      // A simulator on a clock of its own: /generation answers 404 for ten minutes after the charge.
      let simNow = Date.now();
      const sim = await startSimulator({ port: 0, generationDelayMs: 10 * 60_000, now: () => simNow });
      try {
        const key = asOpenRouterKey(sim.addKey({ name: "late" }).key);
        const org = await createOrganization(h.t.db, h.t.secrets, { name: `Late Co ${driver} ${Date.now()}`, key });
        const user = await h.user("member", { organizationId: org.id });
        const external = externalUserId(org.id, user.id);
        const real = new OpenRouterClient({ baseUrl: sim.url, apiKey: key });
        const answer = await real.chat({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "late" }], user: external });
        const charged = sim.ledger({ key })[0]!.costNano;
        expect(charged).toBeGreaterThan(0n);
        await h.internal().internal.recordUsage(
          usageBatch([
            {
              generationId: answer.id,
              organizationId: org.id,
              userId: user.id,
              externalUserId: external,
              model: "openai/gpt-4o-mini",
              promptTokens: 5,
              completionTokens: 5,
              rawCostNano: 0n,
              markupBp: 13_000,
              status: "aborted",
              streamed: false,
              occurredAt: new Date(Date.now() - 120_000),
            },
          ]),
        );
        const counting = countingOpenRouter(new OpenRouterClient({ baseUrl: sim.url }));
        const clock = { t: Date.now() };
        const deps: AppDeps = { ...h.deps, openrouter: counting.client, now: () => new Date(clock.t) };
        const run = () => reconcileUsage(deps, { minAgeMs: 60_000 });

        await run(); // 404: not known yet
        expect(await getReconciliationAttempt(h.t.db, answer.id)).toMatchObject({ attempts: 1, lastStatus: 404 });
        clock.t += RECONCILE_RETRY_BASE_MS;
        simNow += RECONCILE_RETRY_BASE_MS;
        await run(); // still 404
        expect(await getReconciliationAttempt(h.t.db, answer.id)).toMatchObject({ attempts: 2 });
        clock.t += 10 * 60_000;
        simNow += 10 * 60_000;
        const summary = await run();
        expect(summary.corrected).toBeGreaterThanOrEqual(1);
        expect(counting.stats.asked.get(answer.id)).toBe(3);
        const [event] = await h.t.db.select().from(schema.usageEvents).where(eq(schema.usageEvents.generationId, answer.id));
        expect(event).toMatchObject({ rawCostNano: charged, billedCostNano: billedCost(charged, 13_000), originalRawCostNano: 0n });
        expect(event?.reconciledAt).toEqual(new Date(clock.t));
        expect(await getReconciliationAttempt(h.t.db, answer.id)).toBeUndefined();
        expect((await listAudit(h.t.db, { organizationId: org.id, action: "usage.corrected" })).items).toHaveLength(1);
        expect((await listAudit(h.t.db, { organizationId: org.id, action: "usage.reconciliation_gave_up" })).items).toHaveLength(0);
      } finally {
        await sim.close();
      }
    });
  });
});
