// usage.daily over a chosen range, with the requests the proxy refused counted per day beside the
// ledger's figures: recorded through internal.recordRefusals as the proxy sends them, dated by the
// billing time zone, scoped by role (a member sees their own), and refused in words for a bad range.
import { randomUUID } from "node:crypto";
import { updateGlobalSettings, type AuthUser } from "@mai/db";
import { testDrivers } from "@mai/db/testing";
import { externalUserId } from "@mai/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, trpcCode, usageBatch } from "./harness";

// Noon on 10 April 2026 in Warsaw (UTC+2).
const NOW = new Date("2026-04-10T10:00:00.000Z");

describe.each(testDrivers())("usage.daily with refusals on %s", (driver) => {
  let h: Harness;
  let org: { id: string; key: string; admin: AuthUser };
  let member: AuthUser;
  const refusal = (userId: string, reason: "monthly_limit" | "organization_inactive", at: string) => ({
    id: randomUUID(),
    organizationId: org.id,
    userId,
    reason,
    occurredAt: new Date(at),
  });

  beforeAll(async () => {
    h = await createHarness(driver);
    h.deps.now = () => NOW;
    await updateGlobalSettings(h.t.db, h.t.secrets, { billingTimeZone: "Europe/Warsaw" }, null);
    org = await h.org("Refused Sp. z o.o.");
    member = await h.user("member", { organizationId: org.id });
    await h.internal().internal.recordUsage(
      usageBatch([
        {
          generationId: `gen-refusals-${driver}`,
          organizationId: org.id,
          userId: member.id,
          externalUserId: externalUserId(org.id, member.id),
          model: "openai/gpt-4o-mini",
          promptTokens: 10,
          completionTokens: 5,
          rawCostNano: 1_000n,
          markupBp: 10_000,
          status: "ok",
          streamed: false,
          occurredAt: new Date("2026-04-02T08:00:00Z"),
        },
      ]),
    );
    const batch = [
      // 22:30 UTC on 1 April is 2 April in Warsaw.
      refusal(member.id, "monthly_limit", "2026-04-01T22:30:00Z"),
      refusal(member.id, "monthly_limit", "2026-04-02T09:00:00Z"),
      refusal(org.admin.id, "monthly_limit", "2026-04-02T09:30:00Z"),
      refusal(org.admin.id, "organization_inactive", "2026-04-04T09:30:00Z"),
    ];
    expect(await h.internal().internal.recordRefusals({ refusals: batch })).toEqual({ inserted: 4, duplicates: 0, unknown: 0 });
    // The proxy sending the same batch again (its answer lost) counts nothing twice.
    expect(await h.internal().internal.recordRefusals({ refusals: batch })).toEqual({ inserted: 0, duplicates: 4, unknown: 0 });
  });
  afterAll(() => h.close());

  it("a chosen range: one row per local day, the ledger's figures and the refusals beside them", async () => {
    const rows = await h.caller(org.admin).usage.daily({ from: "2026-04-01", to: "2026-04-04" });
    expect(rows.map((r) => [r.date, r.requests, r.refusedLimit, r.refusedInactive])).toEqual([
      ["2026-04-01", 0, 0, 0],
      ["2026-04-02", 1, 3, 0],
      ["2026-04-03", 0, 0, 0],
      ["2026-04-04", 0, 0, 1],
    ]);
    // The last N days still work, ending today.
    const week = await h.caller(org.admin).usage.daily({ days: 7 });
    expect(week.map((r) => r.date)).toEqual(["2026-04-04", "2026-04-05", "2026-04-06", "2026-04-07", "2026-04-08", "2026-04-09", "2026-04-10"]);
    expect(week[0]!.refusedInactive).toBe(1);
  });

  it("days still to come are not listed: a month's range ends today, a future range is empty", async () => {
    const month = await h.caller(org.admin).usage.daily({ from: "2026-04-01", to: "2026-04-30" });
    expect(month.map((r) => r.date)).toEqual(Array.from({ length: 10 }, (_, i) => `2026-04-${String(i + 1).padStart(2, "0")}`));
    expect(month.reduce((sum, r) => sum + r.requests, 0)).toBe(1);
    expect(await h.caller(org.admin).usage.daily({ from: "2026-04-10", to: "2026-04-10" })).toHaveLength(1);
    expect(await h.caller(org.admin).usage.daily({ from: "2026-05-01", to: "2026-05-31" })).toEqual([]);
    // Today is in Warsaw's time zone: 23:30 UTC on 10 April is already 11 April there.
    h.deps.now = () => new Date("2026-04-10T23:30:00.000Z");
    try {
      const late = await h.caller(org.admin).usage.daily({ from: "2026-04-09", to: "2026-04-30" });
      expect(late.map((r) => r.date)).toEqual(["2026-04-09", "2026-04-10", "2026-04-11"]);
    } finally {
      h.deps.now = () => NOW;
    }
  });

  it("a member sees only their own refusals; a model filter has none (refusals have no model)", async () => {
    const mine = await h.caller(member).usage.daily({ from: "2026-04-02", to: "2026-04-02" });
    expect(mine.map((r) => [r.requests, r.refusedLimit])).toEqual([[1, 2]]);
    const byModel = await h.caller(org.admin).usage.daily({ from: "2026-04-02", to: "2026-04-02", model: "openai/gpt-4o-mini" });
    expect(byModel.map((r) => [r.requests, r.refusedLimit])).toEqual([[1, 0]]);
  });

  it("a bad range is refused in words", async () => {
    expect(await trpcCode(h.caller(org.admin).usage.daily({ from: "2026-04-05", to: "2026-04-01" }))).toBe("BAD_REQUEST");
    expect(await trpcCode(h.caller(org.admin).usage.daily({ from: "2025-01-01", to: "2026-04-01" }))).toBe("BAD_REQUEST");
    expect(await trpcCode(h.caller(org.admin).usage.daily({ from: "2026-04-01" }))).toBe("BAD_REQUEST");
    await expect(h.caller(org.admin).usage.daily({ from: "2026-04-05", to: "2026-04-01" })).rejects.toThrow(/must not come before/);
  });
});
