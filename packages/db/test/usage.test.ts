import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { billedCost, externalUserId, localDate, periodKeyOf, zonedMidnight } from "@mai/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  closeLease,
  createOrganization,
  getPeriodCounter,
  recordUsageEvents,
  reserveSpend,
  schema,
  updateGlobalSettings,
  type UsageEventInput,
} from "../src/index";
import { createTestDb, queryRows, testDrivers, type TestDb } from "../src/testing/index";

let n = 0;
function event(org: string, user: string, overrides: Partial<UsageEventInput> = {}): UsageEventInput {
  n += 1;
  return {
    generationId: `gen-1763700000-${String(n).padStart(20, "0")}`,
    organizationId: org,
    userId: user,
    externalUserId: externalUserId(org, user),
    model: n % 2 ? "openai/gpt-4o-mini" : "anthropic/claude-3.5-haiku",
    provider: "OpenAI",
    promptTokens: 10 + (n % 7),
    completionTokens: 3 + (n % 5),
    reasoningTokens: n % 3,
    cachedTokens: 0,
    // Deliberately awkward costs: odd nano amounts make markup rounding visible.
    rawCostNano: BigInt(4_200 + n * 37),
    markupBp: 13_000,
    status: n % 11 === 0 ? "error" : "ok",
    streamed: n % 2 === 0,
    latencyMs: 120,
    ttfbMs: 40,
    occurredAt: new Date(Date.UTC(2026, 10, 1 + (n % 20), 12, 0, 0)),
    ...overrides,
  };
}

async function totals(t: TestDb, org: string) {
  const rows = await t.db.select().from(schema.usageEvents).where(eq(schema.usageEvents.organizationId, org));
  const rollups = await t.db.select().from(schema.usageDaily).where(eq(schema.usageDaily.organizationId, org));
  const perUser = await t.db.select().from(schema.usageDailyUsers).where(eq(schema.usageDailyUsers.organizationId, org));
  const perModel = await t.db.select().from(schema.usageDailyModels).where(eq(schema.usageDailyModels.organizationId, org));
  const monthly = await t.db.select().from(schema.usageMonthly).where(eq(schema.usageMonthly.organizationId, org));
  const counters = await t.db.select().from(schema.usagePeriodCounters).where(eq(schema.usagePeriodCounters.organizationId, org));
  const sum = <T>(xs: T[], f: (x: T) => bigint) => xs.reduce((a, x) => a + f(x), 0n);
  return {
    events: rows.length,
    eventsBilled: sum(rows, (r) => r.billedCostNano),
    eventsRaw: sum(rows, (r) => r.rawCostNano),
    eventsPrompt: rows.reduce((a, r) => a + r.promptTokens, 0),
    rollupRequests: rollups.reduce((a, r) => a + r.requests, 0),
    rollupErrors: rollups.reduce((a, r) => a + r.errorRequests, 0),
    rollupBilled: sum(rollups, (r) => r.billedCostNano),
    rollupRaw: sum(rollups, (r) => r.rawCostNano),
    rollupPrompt: rollups.reduce((a, r) => a + r.promptTokens, 0),
    perUserRequests: perUser.reduce((a, r) => a + r.requests, 0),
    perUserErrors: perUser.reduce((a, r) => a + r.errorRequests, 0),
    perUserBilled: sum(perUser, (r) => r.billedCostNano),
    perUserRaw: sum(perUser, (r) => r.rawCostNano),
    perUserPrompt: perUser.reduce((a, r) => a + r.promptTokens, 0),
    perModelRequests: perModel.reduce((a, r) => a + r.requests, 0),
    perModelErrors: perModel.reduce((a, r) => a + r.errorRequests, 0),
    perModelBilled: sum(perModel, (r) => r.billedCostNano),
    perModelRaw: sum(perModel, (r) => r.rawCostNano),
    perModelPrompt: perModel.reduce((a, r) => a + r.promptTokens, 0),
    monthlyRequests: monthly.reduce((a, r) => a + r.requests, 0),
    monthlyErrors: monthly.reduce((a, r) => a + r.errorRequests, 0),
    monthlyBilled: sum(monthly, (r) => r.billedCostNano),
    monthlyRaw: sum(monthly, (r) => r.rawCostNano),
    monthlyPrompt: monthly.reduce((a, r) => a + r.promptTokens, 0),
    counterBilled: sum(counters, (r) => r.spentNano),
    counterRaw: sum(counters, (r) => r.rawSpentNano),
    counterRequests: counters.reduce((a, r) => a + r.requests, 0),
  };
}

describe.each(testDrivers())("usage recording on %s", (driver) => {
  let t: TestDb;
  let org: string;
  const user = randomUUID();
  beforeAll(async () => {
    t = await createTestDb(driver, { max: 12 });
    org = (await createOrganization(t.db, t.secrets, { name: "Usage Co" })).id;
  });
  afterAll(() => t.close());

  it("records events, derives billed cost once per request, and keeps rollups and counters equal to the events", async () => {
    const batch = Array.from({ length: 40 }, () => event(org, user));
    expect(await recordUsageEvents(t.db, batch)).toEqual({ inserted: 40, duplicates: 0 });
    const s = await totals(t, org);
    const expectedBilled = batch.reduce((a, e) => a + billedCost(e.rawCostNano, e.markupBp), 0n);
    expect(s.events).toBe(40);
    expect(s.eventsBilled).toBe(expectedBilled);
    expect(s.rollupBilled).toBe(expectedBilled);
    expect(s.counterBilled).toBe(expectedBilled);
    expect(s.rollupRaw).toBe(s.eventsRaw);
    expect(s.counterRaw).toBe(s.eventsRaw);
    expect(s.rollupPrompt).toBe(s.eventsPrompt);
    expect(s.rollupRequests).toBe(40);
    // The per-user rollup (all models together) holds the same sums.
    expect(s.perUserBilled).toBe(expectedBilled);
    expect(s.perUserRaw).toBe(s.eventsRaw);
    expect(s.perUserPrompt).toBe(s.eventsPrompt);
    expect(s.perUserRequests).toBe(40);
    expect(s.perUserErrors).toBe(s.rollupErrors);
    // And the per-model rollup (all users together).
    expect(s.perModelBilled).toBe(expectedBilled);
    expect(s.perModelRaw).toBe(s.eventsRaw);
    expect(s.perModelPrompt).toBe(s.eventsPrompt);
    expect(s.perModelRequests).toBe(40);
    expect(s.perModelErrors).toBe(s.rollupErrors);
    // And the monthly rollup (the statement), row by row: each (period, user, model) sums its events.
    expect(s.monthlyBilled).toBe(expectedBilled);
    expect(s.monthlyRaw).toBe(s.eventsRaw);
    expect(s.monthlyPrompt).toBe(s.eventsPrompt);
    expect(s.monthlyRequests).toBe(40);
    expect(s.monthlyErrors).toBe(s.rollupErrors);
    const stored = await t.db.select().from(schema.usageEvents).where(eq(schema.usageEvents.organizationId, org));
    const expected = new Map<string, { requests: number; billed: bigint }>();
    for (const e of stored) {
      const key = `${e.period}|${e.userId}|${e.model}`;
      const row = expected.get(key) ?? { requests: 0, billed: 0n };
      expected.set(key, { requests: row.requests + 1, billed: row.billed + e.billedCostNano });
    }
    const monthly = await t.db.select().from(schema.usageMonthly).where(eq(schema.usageMonthly.organizationId, org));
    expect(new Map(monthly.map((m) => [`${m.period}|${m.userId}|${m.model}`, { requests: m.requests, billed: m.billedCostNano }]))).toEqual(expected);
    expect(s.counterRequests).toBe(40);
    expect(s.rollupErrors).toBe(batch.filter((e) => e.status !== "ok").length);
  });

  it("replaying the same events twice changes no total", async () => {
    const batch = Array.from({ length: 25 }, () => event(org, user));
    await recordUsageEvents(t.db, batch);
    const before = await totals(t, org);
    expect(await recordUsageEvents(t.db, batch)).toEqual({ inserted: 0, duplicates: 25 });
    expect(await recordUsageEvents(t.db, [...batch].reverse())).toEqual({ inserted: 0, duplicates: 25 });
    expect(await totals(t, org)).toEqual(before);
  });

  it("counts only the new events of a partly replayed batch, and duplicates inside one batch once", async () => {
    const old = Array.from({ length: 5 }, () => event(org, user));
    await recordUsageEvents(t.db, old);
    const before = await totals(t, org);
    const fresh = Array.from({ length: 3 }, () => event(org, user));
    expect(await recordUsageEvents(t.db, [...old, ...fresh, fresh[0]!])).toEqual({ inserted: 3, duplicates: 6 });
    const after = await totals(t, org);
    expect(after.events).toBe(before.events + 3);
    expect(after.counterBilled - before.counterBilled).toBe(fresh.reduce((a, e) => a + billedCost(e.rawCostNano, e.markupBp), 0n));
  });

  it("concurrent overlapping batches never double count", async () => {
    const pool = Array.from({ length: 60 }, () => event(org, user));
    const before = await totals(t, org);
    const batches = Array.from({ length: 6 }, (_, i) => pool.slice(i * 5, i * 5 + 30));
    const results = await Promise.all(batches.map((b) => recordUsageEvents(t.db, b)));
    expect(results.reduce((a, r) => a + r.inserted, 0)).toBe(55);
    const after = await totals(t, org);
    expect(after.events - before.events).toBe(55);
    expect(after.counterBilled - before.counterBilled).toBe(after.eventsBilled - before.eventsBilled);
    expect(after.rollupBilled).toBe(after.eventsBilled);
  });

  it("files events under the billing time zone's period and day", async () => {
    const tzOrg = (await createOrganization(t.db, t.secrets, { name: "Warsaw Co" })).id;
    await updateGlobalSettings(t.db, t.secrets, { billingTimeZone: "Europe/Warsaw" }, null);
    try {
      const late = event(tzOrg, user, { occurredAt: new Date("2026-10-31T23:30:00Z") }); // 00:30 on 1 Nov in Warsaw
      const early = event(tzOrg, user, { occurredAt: new Date("2026-10-31T22:30:00Z") }); // 23:30 on 31 Oct
      await recordUsageEvents(t.db, [late, early]);
      const rows = await t.db.select().from(schema.usageEvents).where(eq(schema.usageEvents.organizationId, tzOrg));
      const byId = new Map(rows.map((r) => [r.generationId, r]));
      expect(byId.get(late.generationId)).toMatchObject({ period: "2026-11", usageDate: "2026-11-01" });
      expect(byId.get(early.generationId)).toMatchObject({ period: "2026-10", usageDate: "2026-10-31" });
      expect((await getPeriodCounter(t.db, tzOrg, "2026-11")).spentNano).toBe(billedCost(late.rawCostNano, 13_000));
      expect((await getPeriodCounter(t.db, tzOrg, "2026-10")).spentNano).toBe(billedCost(early.rawCostNano, 13_000));
    } finally {
      await updateGlobalSettings(t.db, t.secrets, { billingTimeZone: "UTC" }, null);
    }
  });

  it.each(["Asia/Kathmandu", "Pacific/Chatham", "America/St_Johns", "Australia/Lord_Howe", "Europe/Warsaw"])(
    "files each event on its local day in %s, to the millisecond either side of local midnight",
    async (zone) => {
      const zoneOrg = (await createOrganization(t.db, t.secrets, { name: `Zone ${zone}` })).id;
      await updateGlobalSettings(t.db, t.secrets, { billingTimeZone: zone }, null);
      try {
        // Local midnights around a month's end and both DST changes of the southern and northern year.
        const days = ["2026-04-01", "2026-04-05", "2026-10-04", "2026-10-25", "2026-11-01", "2027-01-01"];
        const instants = days.flatMap((day) => {
          const midnight = zonedMidnight(day, zone).getTime();
          return [midnight - 1, midnight, midnight + 1, midnight + 7 * 60 * 1000];
        });
        const events = instants.map((ms) => event(zoneOrg, user, { occurredAt: new Date(ms) }));
        await recordUsageEvents(t.db, events);
        const rows = await t.db.select().from(schema.usageEvents).where(eq(schema.usageEvents.organizationId, zoneOrg));
        const byId = new Map(rows.map((r) => [r.generationId, r]));
        for (const e of events) {
          expect(byId.get(e.generationId), e.occurredAt.toISOString()).toMatchObject({
            usageDate: localDate(e.occurredAt, zone),
            period: periodKeyOf(e.occurredAt, zone),
          });
        }
      } finally {
        await updateGlobalSettings(t.db, t.secrets, { billingTimeZone: "UTC" }, null);
      }
    },
  );

  it.each([
    ["a negative cost", { rawCostNano: -1n }],
    ["fractional tokens", { promptTokens: 1.5 }],
    ["an empty generation id", { generationId: "" }],
    ["an invalid date", { occurredAt: new Date("nope") }],
  ])("rejects %s and writes nothing", async (_name, overrides) => {
    const before = await totals(t, org);
    await expect(recordUsageEvents(t.db, [event(org, user), event(org, user, overrides)])).rejects.toThrow();
    expect(await totals(t, org)).toEqual(before);
  });

  it("refuses a whole batch with an event of an unknown organisation: nothing of it is recorded", async () => {
    // usage_events has no foreign key (it cost a trigger per event); the rollup's, in the same
    // statement, refuses the batch instead.
    const before = await totals(t, org);
    const good = event(org, user);
    const stray = event(randomUUID(), user);
    await expect(recordUsageEvents(t.db, [good, stray])).rejects.toThrow();
    expect(await totals(t, org)).toEqual(before);
    const [row] = await t.db.execute(sql`select count(*)::int as n from usage_event_ids where generation_id in (${good.generationId}, ${stray.generationId})`).then((r) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as { n: number }[]);
    expect(row!.n).toBe(0);
    expect((await recordUsageEvents(t.db, [good])).inserted).toBe(1);
  });

  it("stores every text exactly as sent: quotes, backslashes, commas, braces, NULL as a word, emoji", async () => {
    const texts = ['a "quoted" model', "back\\slash\\", "comma, {brace} }", "NULL", "null", " spaced ", "zażółć 🚀", "'; drop table users; --"];
    const events = texts.map((text, i) => event(org, user, { model: text, provider: i % 2 ? text : null, externalUserId: `ext ${text}` }));
    expect((await recordUsageEvents(t.db, events)).inserted).toBe(texts.length);
    for (const [i, e] of events.entries()) {
      const [row] = await t.db.select().from(schema.usageEvents).where(eq(schema.usageEvents.generationId, e.generationId));
      expect(row).toMatchObject({ model: texts[i], provider: i % 2 ? texts[i] : null, externalUserId: `ext ${texts[i]}` });
    }
  });

  it("stores money as exact integers far beyond float precision", async () => {
    const big = event(org, user, { rawCostNano: 9_007_199_254_740_993n }); // 2^53 + 1
    await recordUsageEvents(t.db, [big]);
    const [row] = await t.db.select().from(schema.usageEvents).where(eq(schema.usageEvents.generationId, big.generationId));
    expect(row?.rawCostNano).toBe(9_007_199_254_740_993n);
    expect(row?.billedCostNano).toBe(billedCost(9_007_199_254_740_993n, 13_000));
    await t.db.execute(sql`delete from usage_events where generation_id = ${big.generationId}`);
  });

  it("queues for a check every failed new event and a fixed sample of the rest, once", async () => {
    const queueOrg = (await createOrganization(t.db, t.secrets, { name: "Queue Co" })).id;
    const statuses = ["ok", "ok", "ok", "error", "aborted", "incomplete"] as const;
    const batch = Array.from({ length: 120 }, (_, i) => event(queueOrg, user, { status: statuses[i % statuses.length]! }));
    const queued = async () =>
      (await t.db.select().from(schema.reconciliationQueue).where(eq(schema.reconciliationQueue.organizationId, queueOrg)))
        .map((r) => r.generationId)
        .sort();
    // The sample: a quarter of generation ids, by PostgreSQL's hash of the id (the same on both drivers).
    const hashes = await queryRows<{ id: string; h: number }>(
      t.db,
      sql`select id, mod(abs(hashtext(id)), 10000) as h from unnest(${`{${batch.map((e) => `"${e.generationId}"`).join(",")}}`}::text[]) as id`,
    );
    const sampled = new Set(hashes.filter((r) => Number(r.h) < 2_500).map((r) => r.id));
    const expected = batch.filter((e) => e.status !== "ok" || sampled.has(e.generationId)).map((e) => e.generationId).sort();
    expect(sampled.size).toBeGreaterThan(5); // a real sample: some ordinary events in, most out
    expect(sampled.size).toBeLessThan(60);

    await recordUsageEvents(t.db, batch, { reconcileSampleBp: 2_500 });
    expect(await queued()).toEqual(expected);
    // A replay (whatever the sample then) queues nothing again; a 0 % sample queues only failures.
    await recordUsageEvents(t.db, batch, { reconcileSampleBp: 10_000 });
    expect(await queued()).toEqual(expected);
    const more = Array.from({ length: 12 }, (_, i) => event(queueOrg, user, { status: statuses[i % statuses.length]! }));
    await recordUsageEvents(t.db, more, { reconcileSampleBp: 0 });
    const failedMore = more.filter((e) => e.status !== "ok").map((e) => e.generationId);
    expect(await queued()).toEqual([...expected, ...failedMore].sort());
  });
});

describe.each(testDrivers())("monthly-limit reservations on %s", (driver) => {
  let t: TestDb;
  // Every reservation here is a lease of one owner; without a lease id each call opens a new one.
  const LEASE = { owner: "db-test-owner", ttlMs: 60_000 };
  beforeAll(async () => {
    t = await createTestDb(driver, { max: 12 });
  });
  afterAll(() => t.close());

  it("admits up to the limit exactly and refuses one nano more", async () => {
    const org = (await createOrganization(t.db, t.secrets, { name: "Tight", monthlyLimitNano: 1_000n })).id;
    expect(await reserveSpend(t.db, { ...LEASE, organizationId: org, period: "2026-11", amountNano: 600n })).toMatchObject({ admitted: true, reservedNano: 600n });
    expect(await reserveSpend(t.db, { ...LEASE, organizationId: org, period: "2026-11", amountNano: 401n })).toMatchObject({
      admitted: false,
      reservedNano: 600n,
      limitNano: 1_000n,
    });
    const last = await reserveSpend(t.db, { ...LEASE, organizationId: org, period: "2026-11", amountNano: 400n });
    expect(last.admitted).toBe(true);
    // Giving the leases back with nothing consumed returns everything.
    for (const lease of await t.db.select().from(schema.limitLeases).where(eq(schema.limitLeases.organizationId, org))) {
      expect(await closeLease(t.db, { owner: LEASE.owner, leaseId: lease.id, consumedNano: 0n })).toEqual({ closed: true });
    }
    expect((await getPeriodCounter(t.db, org, "2026-11")).reservedNano).toBe(0n);
  });

  it("counts recorded spend against the limit", async () => {
    const org = (await createOrganization(t.db, t.secrets, { name: "Spent", monthlyLimitNano: 10_000n })).id;
    await recordUsageEvents(t.db, [
      event(org, randomUUID(), { rawCostNano: 7_000n, markupBp: 10_000, occurredAt: new Date("2026-11-10T00:00:00Z") }),
    ]);
    expect((await reserveSpend(t.db, { ...LEASE, organizationId: org, period: "2026-11", amountNano: 3_001n })).admitted).toBe(false);
    expect((await reserveSpend(t.db, { ...LEASE, organizationId: org, period: "2026-11", amountNano: 3_000n })).admitted).toBe(true);
    expect((await reserveSpend(t.db, { ...LEASE, organizationId: org, period: "2026-12", amountNano: 10_000n })).admitted).toBe(true);
  });

  it("concurrent reservations never exceed the limit", async () => {
    const org = (await createOrganization(t.db, t.secrets, { name: "Race", monthlyLimitNano: 10_000n })).id;
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, () => reserveSpend(t.db, { ...LEASE, organizationId: org, period: "2026-11", amountNano: 700n })),
    );
    expect(outcomes.filter((o) => o.admitted)).toHaveLength(14);
    expect((await getPeriodCounter(t.db, org, "2026-11")).reservedNano).toBe(9_800n);
  });

  it("grants a lease between the need and the preference, capped by a share of what is left", async () => {
    const org = (await createOrganization(t.db, t.secrets, { name: "Lease", monthlyLimitNano: 10_000n })).id;
    // Plenty left: what was preferred.
    expect(await reserveSpend(t.db, { ...LEASE, organizationId: org, period: "2026-11", amountNano: 100n, preferNano: 1_000n })).toMatchObject({ admitted: true, grantedNano: 1_000n, reservedNano: 1_000n });
    // 9 000 left: a quarter (2 250) rather than the 5 000 asked for.
    expect(await reserveSpend(t.db, { ...LEASE, organizationId: org, period: "2026-11", amountNano: 100n, preferNano: 5_000n })).toMatchObject({ admitted: true, grantedNano: 2_250n, reservedNano: 3_250n });
    // Near the limit the grant shrinks to exactly the need.
    await reserveSpend(t.db, { ...LEASE, organizationId: org, period: "2026-11", amountNano: 6_650n });
    expect(await reserveSpend(t.db, { ...LEASE, organizationId: org, period: "2026-11", amountNano: 90n, preferNano: 900n })).toMatchObject({ admitted: true, grantedNano: 90n, reservedNano: 9_990n });
    expect(await reserveSpend(t.db, { ...LEASE, organizationId: org, period: "2026-11", amountNano: 11n, preferNano: 900n })).toMatchObject({ admitted: false, grantedNano: 0n, reservedNano: 9_990n });
  });

  it("concurrent leases never exceed the limit", async () => {
    const org = (await createOrganization(t.db, t.secrets, { name: "Lease race", monthlyLimitNano: 100_000n })).id;
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, () => reserveSpend(t.db, { ...LEASE, organizationId: org, period: "2026-11", amountNano: 700n, preferNano: 20_000n })),
    );
    const granted = outcomes.reduce((sum, o) => sum + o.grantedNano, 0n);
    const counter = await getPeriodCounter(t.db, org, "2026-11");
    expect(counter.reservedNano).toBe(granted);
    expect(granted).toBeLessThanOrEqual(100_000n);
    for (const o of outcomes) if (o.admitted) expect(o.grantedNano).toBeGreaterThanOrEqual(700n);
    // Once full, what is left is below one request's need.
    expect(100_000n - granted).toBeLessThan(700n * 4n);
  });

  it("a recorded event gives back the reservation it used, once, in the reservation's period", async () => {
    const org = (await createOrganization(t.db, t.secrets, { name: "Release", monthlyLimitNano: 1_000_000n })).id;
    const nov = (await reserveSpend(t.db, { ...LEASE, organizationId: org, period: "2026-11", amountNano: 50_000n })).leaseId!;
    const dec = (await reserveSpend(t.db, { ...LEASE, organizationId: org, period: "2026-12", amountNano: 5_000n })).leaseId!;
    const e1 = event(org, randomUUID(), { rawCostNano: 10_000n, markupBp: 10_000, occurredAt: new Date("2026-11-10T00:00:00Z"), release: { period: "2026-11", nano: 10_000n, lease: nov } });
    // Made in November, answered in December: spent counts in December, the reservation is November's.
    const e2 = event(org, randomUUID(), { rawCostNano: 3_000n, markupBp: 10_000, occurredAt: new Date("2026-12-01T00:00:00Z"), release: { period: "2026-11", nano: 3_000n, lease: nov } });
    const e3 = event(org, randomUUID(), { rawCostNano: 2_000n, markupBp: 10_000, occurredAt: new Date("2026-12-02T00:00:00Z"), release: { period: "2026-12", nano: 2_000n, lease: dec } });
    await recordUsageEvents(t.db, [e1, e2, e3]);
    await recordUsageEvents(t.db, [e1, e2, e3]); // a replay gives nothing back twice
    const novCounter = await getPeriodCounter(t.db, org, "2026-11");
    const decCounter = await getPeriodCounter(t.db, org, "2026-12");
    expect([novCounter.spentNano, novCounter.reservedNano]).toEqual([10_000n, 37_000n]);
    expect([decCounter.spentNano, decCounter.reservedNano]).toEqual([5_000n, 3_000n]);
    // A lease never returns more than it holds, and a bad release is refused with nothing written.
    await recordUsageEvents(t.db, [event(org, randomUUID(), { occurredAt: new Date("2026-12-03T00:00:00Z"), release: { period: "2026-12", nano: 999_999n, lease: dec } })]);
    expect((await getPeriodCounter(t.db, org, "2026-12")).reservedNano).toBe(0n);
    // An event without a lease (spooled before leases were rows) records; its release is ignored.
    await recordUsageEvents(t.db, [event(org, randomUUID(), { rawCostNano: 1_000n, markupBp: 10_000, occurredAt: new Date("2026-11-20T00:00:00Z"), release: { period: "2026-11", nano: 1_000n } })]);
    expect(await getPeriodCounter(t.db, org, "2026-11")).toMatchObject({ spentNano: 11_000n, reservedNano: 37_000n });
    await expect(recordUsageEvents(t.db, [event(org, randomUUID(), { release: { period: "2026-13x", nano: 1n } })])).rejects.toThrow(/release/);
  });

  it("refuses a negative amount and an unknown organisation", async () => {
    await expect(reserveSpend(t.db, { ...LEASE, organizationId: randomUUID(), period: "2026-11", amountNano: -1n })).rejects.toThrow(/negative/);
    await expect(reserveSpend(t.db, { ...LEASE, organizationId: randomUUID(), period: "2026-11", amountNano: 1n })).rejects.toThrow();
  });
});
