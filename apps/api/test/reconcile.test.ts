import { createOrganization, listAudit, schema } from "@mai/db";
import { asOpenRouterKey, eq, testDrivers } from "@mai/db/testing";
import { billedCost, externalUserId } from "@mai/domain";
import { OpenRouterClient } from "@mai/openrouter";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcileUsage } from "../src/services/usage/reconcile";
import { createHarness, type Harness, usageBatch } from "./harness";

describe.each(testDrivers())("usage reconciliation with /generation on %s", (driver) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(driver);
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

    const summary = await reconcileUsage(h.deps, { sampleBp: 10_000, minAgeMs: 60_000 });
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
    expect(counter).toMatchObject({ rawSpentNano: sumRaw, spentNano: sumBilled });

    const audit = await listAudit(h.t.db, { organizationId: org.id, action: "usage.corrected" });
    expect(audit.items).toHaveLength(2);
    // Checked events are not checked again.
    expect((await reconcileUsage(h.deps, { sampleBp: 10_000, minAgeMs: 60_000 })).checked).toBe(0);
  });

  it("leaves young events alone and samples ordinary ones deterministically", async () => {
    const org = await h.org();
    const user = await h.user("member", { organizationId: org.id });
    const events = Array.from({ length: 40 }, (_, i) => ({
      generationId: `gen-1763700000-sample${String(i).padStart(14, "0")}`,
      organizationId: org.id,
      userId: user.id,
      externalUserId: user.externalUserId!,
      model: "openai/gpt-4o-mini",
      promptTokens: 1,
      completionTokens: 1,
      rawCostNano: 100n,
      markupBp: 13_000,
      status: "ok" as const,
      streamed: false,
      occurredAt: new Date(),
    }));
    await h.internal().internal.recordUsage(usageBatch(events));
    // Too young to check: nothing is asked of OpenRouter.
    expect((await reconcileUsage(h.deps, { sampleBp: 10_000, minAgeMs: 60_000 })).checked).toBe(0);
    // A 0 % sample checks no ordinary event, however old.
    expect((await reconcileUsage(h.deps, { sampleBp: 0, minAgeMs: 0 })).checked).toBe(0);
  });
});
