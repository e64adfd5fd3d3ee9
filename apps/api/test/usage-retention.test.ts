// Retention of raw usage events (MAI_USAGE_RETENTION_MONTHS): the maintenance pass drops the event
// lists of months older than the retention, and every figure of those months — summary, daily,
// breakdowns, the CSV statement — stays exactly what it was; partitions are made ahead of time.
import { listUsagePartitions } from "@mai/db";
import { testDrivers } from "@mai/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEnv } from "../src/env";
import { firstKeptMonth, maintainUsagePartitions } from "../src/services/usage/partitions";
import { createHarness, type Harness, usageBatch } from "./harness";

const NOW = new Date("2026-06-15T12:00:00.000Z");

describe("MAI_USAGE_RETENTION_MONTHS", () => {
  it("is 0 (keep every event) or at least 2, refused in words otherwise", () => {
    expect(loadEnv({}).MAI_USAGE_RETENTION_MONTHS).toBe(0);
    expect(loadEnv({ MAI_USAGE_RETENTION_MONTHS: "3" }).MAI_USAGE_RETENTION_MONTHS).toBe(3);
    expect(() => loadEnv({ MAI_USAGE_RETENTION_MONTHS: "1" })).toThrow(/MAI_USAGE_RETENTION_MONTHS: 0 \(keep every event\) or at least 2 months/);
    expect(() => loadEnv({ MAI_USAGE_RETENTION_MONTHS: "-1" })).toThrow(/MAI_USAGE_RETENTION_MONTHS/);
  });

  it("keeps the current month and N whole months before it", () => {
    expect(firstKeptMonth(NOW, 0)).toBeNull();
    expect(firstKeptMonth(NOW, 2)).toBe("2026-04");
    expect(firstKeptMonth(new Date("2026-01-31T23:59:59Z"), 2)).toBe("2025-11");
  });
});

describe.each(testDrivers())("usage retention on %s", (driver) => {
  let h: Harness;
  let org: Awaited<ReturnType<Harness["org"]>>;
  beforeAll(async () => {
    h = await createHarness(driver, { MAI_USAGE_RETENTION_MONTHS: "2" });
    h.deps.now = () => NOW;
    org = await h.org("Retention Co");
    const member = await h.user("member", { organizationId: org.id });
    const at = ["2026-02-10T10:00:00Z", "2026-03-31T23:00:00Z", "2026-04-01T00:30:00Z", "2026-06-01T08:00:00Z"];
    await h.internal().internal.recordUsage(
      usageBatch(
        at.map((when, i) => ({
          generationId: `gen-retention-${i}`,
          organizationId: org.id,
          userId: member.id,
          externalUserId: `ext-${member.id}`,
          model: "openai/gpt-4o-mini",
          promptTokens: 10,
          completionTokens: 5,
          rawCostNano: 1_000_003n * BigInt(i + 1),
          markupBp: 13_000,
          status: "ok" as const,
          streamed: false,
          occurredAt: new Date(when),
        })),
      ),
    );
  });
  afterAll(() => h?.close());

  it("drops the event lists of old months; every figure of those months stays", async () => {
    const provider = await h.user("provider_admin");
    const c = h.caller(provider);
    const figures = async () => ({
      daily: await c.usage.daily({ organizationId: org.id, days: 180 }),
      february: await c.usage.byUser({ organizationId: org.id, from: "2026-02-01", to: "2026-02-28" }),
      march: await c.usage.byUser({ organizationId: org.id, from: "2026-03-01", to: "2026-03-31" }),
      models: await c.usage.byModel({ organizationId: org.id, from: "2026-01-01", to: "2026-06-30" }),
      statement: await c.usage.exportCsv({ organizationId: org.id, month: "2026-03" }),
    });
    const before = await figures();
    const ids = async () => (await c.usage.events({ organizationId: org.id, limit: 200 })).items.map((e) => e.generationId).sort();
    expect(await ids()).toEqual(["gen-retention-0", "gen-retention-1", "gen-retention-2", "gen-retention-3"]);

    const { created, dropped } = await maintainUsagePartitions(h.deps);
    expect(dropped).toEqual(expect.arrayContaining(["2026-02", "2026-03"]));
    expect(dropped.every((m) => m < "2026-04")).toBe(true);
    expect(created.every((m) => m >= "2026-06")).toBe(true);
    expect(await listUsagePartitions(h.t.db)).toEqual(expect.arrayContaining(["2026-04", "2026-06", "2026-07", "2026-08"]));

    expect(await ids()).toEqual(["gen-retention-2", "gen-retention-3"]);
    expect(await figures()).toEqual(before);
    // A second pass has nothing left to do.
    expect(await maintainUsagePartitions(h.deps)).toEqual({ created: [], dropped: [] });
  });
});
