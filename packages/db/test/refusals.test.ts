// Requests the proxy refused are recorded once each (a batch sent twice counts once), dated by the
// billing time zone's local day, counted per day by reason within one organisation (and one user
// when asked), and dropped by retention with the ledger's month.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createOrganization,
  dropUsageMonthsBefore,
  ensureUsagePartitions,
  recordRefusals,
  reportRefusalsByDay,
  updateGlobalSettings,
  type RefusalInput,
} from "../src/index";
import { createTestDb, fakeOpenRouterKey, queryRows, sql, testDrivers, type TestDb } from "../src/testing/index";

describe.each(testDrivers())("request refusals on %s", (driver) => {
  let t: TestDb;
  let org: string;
  let other: string;
  const alice = randomUUID();
  const bob = randomUUID();
  const refusal = (organizationId: string, userId: string, reason: RefusalInput["reason"], at: string): RefusalInput => ({
    id: randomUUID(),
    organizationId,
    userId,
    reason,
    occurredAt: new Date(at),
  });

  beforeAll(async () => {
    t = await createTestDb(driver);
    await updateGlobalSettings(t.db, t.secrets, { billingTimeZone: "Europe/Warsaw" }, null);
    org = (await createOrganization(t.db, t.secrets, { name: `Refusing ${driver}`, key: fakeOpenRouterKey(driver === "pglite" ? "a1" : "b1") })).id;
    other = (await createOrganization(t.db, t.secrets, { name: `Other ${driver}`, key: fakeOpenRouterKey(driver === "pglite" ? "a2" : "b2") })).id;
  });
  afterAll(() => t?.close());

  it("records each refusal once and counts them per local day and reason", async () => {
    const batch = [
      // 23:30 UTC on 31 March is 1 April in Warsaw (summer time): the local day counts.
      refusal(org, alice, "monthly_limit", "2026-03-31T22:30:00Z"),
      refusal(org, alice, "monthly_limit", "2026-04-01T09:00:00Z"),
      refusal(org, bob, "organization_inactive", "2026-04-01T10:00:00Z"),
      refusal(org, bob, "monthly_limit", "2026-04-02T10:00:00Z"),
      refusal(other, alice, "monthly_limit", "2026-04-01T10:00:00Z"),
    ];
    expect(await recordRefusals(t.db, batch)).toEqual({ inserted: 5, duplicates: 0, unknown: 0 });
    // The same batch again (a retry after a lost answer) counts nothing twice.
    expect(await recordRefusals(t.db, batch)).toEqual({ inserted: 0, duplicates: 5, unknown: 0 });
    // An organisation that no longer exists: skipped (sending again could never succeed), the rest recorded.
    const late = refusal(org, alice, "monthly_limit", "2026-04-03T10:00:00Z");
    expect(await recordRefusals(t.db, [refusal(randomUUID(), alice, "monthly_limit", "2026-04-03T10:00:00Z"), late])).toEqual({ inserted: 1, duplicates: 0, unknown: 1 });

    expect(await reportRefusalsByDay(t.db, { organizationId: org, from: "2026-03-01", to: "2026-04-30" })).toEqual([
      { date: "2026-04-01", monthlyLimit: 2, organizationInactive: 1 },
      { date: "2026-04-02", monthlyLimit: 1, organizationInactive: 0 },
      { date: "2026-04-03", monthlyLimit: 1, organizationInactive: 0 },
    ]);
    expect(await reportRefusalsByDay(t.db, { organizationId: org, userId: bob, from: "2026-04-01", to: "2026-04-01" })).toEqual([
      { date: "2026-04-01", monthlyLimit: 0, organizationInactive: 1 },
    ]);
    expect(await reportRefusalsByDay(t.db, { organizationId: other, from: "2026-04-02", to: "2026-04-30" })).toEqual([]);
  });

  it("refuses a reason it does not know, writing nothing", async () => {
    const bad = { ...refusal(org, alice, "monthly_limit", "2026-05-01T10:00:00Z"), reason: "bored" as RefusalInput["reason"] };
    await expect(recordRefusals(t.db, [refusal(org, alice, "monthly_limit", "2026-05-01T10:00:00Z"), bad])).rejects.toThrow();
    expect(await reportRefusalsByDay(t.db, { organizationId: org, from: "2026-05-01", to: "2026-05-31" })).toEqual([]);
  });

  it("retention drops the refusals of the months it drops, and only those", async () => {
    await ensureUsagePartitions(t.db, ["2026-02", "2026-06"]);
    await recordRefusals(t.db, [refusal(org, alice, "monthly_limit", "2026-02-10T10:00:00Z"), refusal(org, alice, "monthly_limit", "2026-06-10T10:00:00Z")]);
    await dropUsageMonthsBefore(t.db, "2026-03");
    const days = await queryRows<{ d: string }>(t.db, sql`select usage_date::text as d from request_refusals where organization_id = ${org} order by 1`);
    expect(days.map((r) => r.d)).toEqual(["2026-04-01", "2026-04-01", "2026-04-01", "2026-04-02", "2026-04-03", "2026-06-10"]);
  });
});
