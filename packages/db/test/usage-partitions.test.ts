// The ledger is partitioned by UTC month: each month's events land in their own partition, made on
// demand; recording stays idempotent by generation id across partitions; an event no partition
// covers is kept by the DEFAULT one and moves when its month gets a partition; retention drops
// whole old months of raw events and nothing else; and the migration moves an existing
// unpartitioned ledger over without losing or doubling a row.
import { randomUUID } from "node:crypto";
import { externalUserId } from "@mai/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createOrganization,
  dropUsageMonthsBefore,
  ensureUsagePartitions,
  ensureUsagePartitionsAhead,
  getPeriodCounter,
  listUsagePartitions,
  migrate,
  recordUsageEvents,
  reportUsageTotals,
  vacuumUpdatedUsageTables,
  type UsageEventInput,
} from "../src/index";
import { createTestDb, createTestDbBefore, queryRows, sql, testDrivers, type TestDb } from "../src/testing/index";

describe.each(testDrivers())("usage partitions on %s", (driver) => {
  let t: TestDb;
  let org: string;
  const user = randomUUID();
  let n = 0;
  const event = (occurredAt: string, overrides: Partial<UsageEventInput> = {}): UsageEventInput => ({
    generationId: `gen-part-${driver}-${++n}`,
    organizationId: org,
    userId: user,
    externalUserId: externalUserId(org, user),
    model: "openai/gpt-4o-mini",
    promptTokens: 10,
    completionTokens: 5,
    rawCostNano: 1_000_000n + BigInt(n),
    markupBp: 13_000,
    status: "ok",
    streamed: false,
    occurredAt: new Date(occurredAt),
    ...overrides,
  });
  const partitionOf = async (generationId: string) =>
    (
      await queryRows<{ part: string }>(
        t.db,
        sql`select tableoid::regclass::text as part from usage_events where generation_id = ${generationId}`,
      )
    ).map((r) => r.part);

  beforeAll(async () => {
    t = await createTestDb(driver, { max: 12 });
    org = (await createOrganization(t.db, t.secrets, { name: "Partitioned Co" })).id;
  });
  afterAll(() => t.close());

  it("puts each month's events in that month's partition, made on demand", async () => {
    const events = [event("2025-01-31T23:59:59.999Z"), event("2025-02-01T00:00:00.000Z"), event("2025-03-15T12:00:00Z")];
    expect(await recordUsageEvents(t.db, events)).toEqual({ inserted: 3, duplicates: 0 });
    expect(await partitionOf(events[0]!.generationId)).toEqual(["usage_events_2025_01"]);
    expect(await partitionOf(events[1]!.generationId)).toEqual(["usage_events_2025_02"]);
    expect(await partitionOf(events[2]!.generationId)).toEqual(["usage_events_2025_03"]);
    expect(await listUsagePartitions(t.db)).toEqual(expect.arrayContaining(["2025-01", "2025-02", "2025-03"]));
  });

  it("stays idempotent by generation id across partitions: a replay with another date counts nothing", async () => {
    const first = event("2025-04-10T10:00:00Z");
    expect((await recordUsageEvents(t.db, [first])).inserted).toBe(1);
    const before = await getPeriodCounter(t.db, org, "2025-05");
    const replay = { ...first, occurredAt: new Date("2025-05-02T10:00:00Z") };
    expect(await recordUsageEvents(t.db, [replay, first])).toEqual({ inserted: 0, duplicates: 2 });
    expect(await partitionOf(first.generationId)).toEqual(["usage_events_2025_04"]);
    expect(await getPeriodCounter(t.db, org, "2025-05")).toEqual(before);
  });

  it("keeps an event no partition covers in the DEFAULT partition, and moves it when its month gets one", async () => {
    // Written beneath recordUsageEvents (which makes the partition first), as a process that
    // recorded before the month's partition existed would have. A month long past: the migration
    // makes the partition of the month it runs in (the real one), so a month still to come would
    // have one already when a run falls in it.
    const id = `gen-default-${driver}`;
    await t.db.execute(sql`insert into usage_events (generation_id, organization_id, user_id, external_user_id, model,
        raw_cost_nano, billed_cost_nano, markup_bp, status, occurred_at, period, usage_date)
      values (${id}, ${org}, ${user}, 'x', 'm', 5, 6, 13000, 'ok', '2019-07-04T00:00:00Z', '2019-07', '2019-07-04')`);
    expect(await partitionOf(id)).toEqual(["usage_events_default"]);
    expect(await ensureUsagePartitions(t.db, ["2019-07"])).toEqual(["2019-07"]);
    expect(await partitionOf(id)).toEqual(["usage_events_2019_07"]);
    expect(await ensureUsagePartitions(t.db, ["2019-07"])).toEqual([]);
  });

  it("makes a month's partition once when many sessions ask at the same moment", async () => {
    // A month long past, which no partition covers yet (not a month to come: see above).
    const ask = () => queryRows<{ made: boolean }>(t.db, sql`select usage_events_ensure_partition('2019-05-01'::date) as made`);
    if (driver === "pglite") {
      // One connection: the calls take turns; only the first makes it.
      const made = await Promise.all(Array.from({ length: 4 }, ask));
      expect(made.map(([row]) => row!.made)).toEqual([true, false, false, false]);
      return;
    }
    // PostgreSQL: a session holds the function's advisory lock while eight others, each on its own
    // pooled connection, find no partition and wait for the lock; the holder then makes the month
    // and commits. Each waiter must then see that table — waiting on an advisory lock does not
    // refresh a session's catalog cache — and answer false instead of failing on it.
    let waiters: Promise<{ made: boolean }[]>[] = [];
    await t.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(7346518290)`);
      waiters = Array.from({ length: 8 }, ask);
      const started = Date.now();
      for (;;) {
        const [row] = await queryRows<{ n: number }>(t.db, sql`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`);
        if (row!.n >= 8) break;
        if (Date.now() - started > 60_000) throw new Error("the eight sessions never waited for the lock");
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const [mine] = await queryRows<{ made: boolean }>(tx, sql`select usage_events_ensure_partition('2019-05-01'::date) as made`);
      expect(mine!.made).toBe(true);
    });
    const made = await Promise.all(waiters);
    expect(made.map(([row]) => row!.made)).toEqual(Array.from({ length: 8 }, () => false));
    expect(await listUsagePartitions(t.db)).toContain("2019-05");
  });

  it("creates this month's partition and the next ones ahead", async () => {
    await ensureUsagePartitionsAhead(t.db, new Date("2032-11-20T00:00:00Z"), 2);
    expect(await listUsagePartitions(t.db)).toEqual(expect.arrayContaining(["2032-11", "2032-12", "2033-01"]));
  });

  it("retention drops whole old months of raw events, their ids and queued checks; rollups and counters stay", async () => {
    const old = event("2024-06-10T10:00:00Z");
    const kept = event("2024-07-01T00:00:00Z");
    // Both queued for a check (a 100 % sample).
    await recordUsageEvents(t.db, [old, kept], { reconcileSampleBp: 10_000 });
    const range = { organizationId: org, from: "2024-06-01", to: "2024-07-31" };
    const totalsBefore = await reportUsageTotals(t.db, range);
    const counterBefore = await getPeriodCounter(t.db, org, "2024-06");

    const dropped = await dropUsageMonthsBefore(t.db, "2024-07");
    expect(dropped).toContain("2024-06");
    expect(dropped.every((m) => m < "2024-07")).toBe(true);
    expect(await partitionOf(old.generationId)).toEqual([]);
    expect(await partitionOf(kept.generationId)).toEqual(["usage_events_2024_07"]);
    const ids = await queryRows<{ id: string }>(t.db, sql`select generation_id as id from usage_event_ids where generation_id in (${old.generationId}, ${kept.generationId})`);
    expect(ids.map((r) => r.id)).toEqual([kept.generationId]);
    const queued = await queryRows<{ id: string }>(t.db, sql`select generation_id as id from reconciliation_queue where generation_id in (${old.generationId}, ${kept.generationId})`);
    expect(queued.map((r) => r.id)).toEqual([kept.generationId]);
    expect(await reportUsageTotals(t.db, range)).toEqual(totalsBefore);
    expect(await getPeriodCounter(t.db, org, "2024-06")).toEqual(counterBefore);
    expect(await listUsagePartitions(t.db)).not.toContain("2024-06");
  });

  it("refuses a month that is not YYYY-MM", async () => {
    await expect(dropUsageMonthsBefore(t.db, "2024-07'; drop table users; --")).rejects.toThrow(/not a month/);
    await expect(ensureUsagePartitions(t.db, ["20x4-01"])).rejects.toThrow(/not a month/);
  });
});

describe.each(testDrivers())("the partitioning migration on %s", (driver) => {
  it("moves an unpartitioned ledger over: every row in its month's partition, every id remembered", async () => {
    // A database as it was before 0007: an unpartitioned ledger.
    const handle = await createTestDbBefore(driver, "0007");
    try {
      const org = randomUUID();
      await handle.db.execute(sql`insert into client_organizations (id, name, markup_bp, monthly_limit_nano) values (${org}, 'Old Co', 13000, 0)`);
      for (const [i, at] of ["2025-08-31T23:00:00Z", "2025-09-01T01:00:00Z", "2025-09-20T01:00:00Z"].entries()) {
        await handle.db.execute(sql`insert into usage_events (generation_id, organization_id, user_id, external_user_id, model,
            raw_cost_nano, billed_cost_nano, markup_bp, status, occurred_at, period, usage_date)
          values (${`gen-old-${i}`}, ${org}, ${randomUUID()}, 'x', 'm', 5, 6, 13000, 'ok', ${at}, '2025-09', '2025-09-01')`);
      }
      await migrate(handle.db);
      const rows = await queryRows<{ id: string; part: string }>(
        handle.db,
        sql`select generation_id as id, tableoid::regclass::text as part from usage_events order by generation_id`,
      );
      expect(rows).toEqual([
        { id: "gen-old-0", part: "usage_events_2025_08" },
        { id: "gen-old-1", part: "usage_events_2025_09" },
        { id: "gen-old-2", part: "usage_events_2025_09" },
      ]);
      const ids = await queryRows<{ n: number }>(handle.db, sql`select count(*)::int as n from usage_event_ids`);
      expect(ids[0]!.n).toBe(3);
      const leftovers = await queryRows<{ n: number }>(handle.db, sql`select count(*)::int as n from pg_class where relname = 'usage_events_unpartitioned'`);
      expect(leftovers[0]!.n).toBe(0);
    } finally {
      await handle.close();
    }
  });
});

describe.each(testDrivers())("vacuuming what the ingest updates in place on %s", (driver) => {
  it("leaves no dead rollup row behind", async () => {
    const t = await createTestDb(driver);
    try {
      const org = (await createOrganization(t.db, t.secrets, { name: "Vacuum Co" })).id;
      const user = randomUUID();
      // Ten batches adding to the same rollup rows: nine dead versions of each.
      for (let b = 0; b < 10; b++) {
        await recordUsageEvents(t.db, [
          {
            generationId: `gen-vacuum-${b}`,
            organizationId: org,
            userId: user,
            externalUserId: externalUserId(org, user),
            model: "openai/gpt-4o-mini",
            promptTokens: 1,
            completionTokens: 1,
            rawCostNano: 10n,
            markupBp: 13_000,
            status: "ok",
            streamed: false,
            occurredAt: new Date("2026-11-10T10:00:00Z"),
          },
        ]);
      }
      const dead = async () => {
        await t.db.execute(sql`select pg_stat_force_next_flush()`);
        const [row] = await queryRows<{ n: string }>(t.db, sql`select coalesce(sum(n_dead_tup), 0)::text as n from pg_stat_user_tables where relname in ('usage_daily', 'usage_monthly')`);
        return Number(row!.n);
      };
      expect(await dead()).toBeGreaterThanOrEqual(18);
      await vacuumUpdatedUsageTables(t.db);
      expect(await dead()).toBe(0);
    } finally {
      await t.close();
    }
  });
});
