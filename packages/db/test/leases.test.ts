// Monthly-limit leases as rows with an owner and an expiry: what the period counter has reserved is
// always what the live leases hold — after grants, renewals, give-backs (retried or not), recorded
// events, expiry in the next reservation, and the API's sweep.
import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { externalUserId } from "@mai/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  closeLease,
  createOrganization,
  getPeriodCounter,
  recordUsageEvents,
  renewLeases,
  reserveSpend,
  schema,
  sweepExpiredLeases,
  type UsageEventInput,
} from "../src/index";
import { queryRows } from "../src/client";
import { createTestDb, testDrivers, type TestDb } from "../src/testing/index";

const PERIOD = "2026-11";
const LONG = 600_000;
// Long enough that a busy machine still reserves against a live lease right after taking it
// (a CI run once took more than 300 ms between two statements); expiry is waited for, by the database's clock.
const SHORT = 3_000;

let n = 0;
function event(org: string, lease: string, nano: bigint): UsageEventInput {
  n += 1;
  const user = randomUUID();
  return {
    generationId: `gen-lease-${randomUUID()}-${n}`,
    organizationId: org,
    userId: user,
    externalUserId: externalUserId(org, user),
    model: "openai/gpt-4o-mini",
    promptTokens: 1,
    completionTokens: 1,
    rawCostNano: nano,
    markupBp: 10_000,
    status: "ok",
    streamed: false,
    occurredAt: new Date("2026-11-10T12:00:00Z"),
    release: { period: PERIOD, nano, lease },
  };
}

describe.each(testDrivers())("limit leases on %s", (driver) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(driver, { max: 12 });
  });
  afterAll(() => t.close());

  const org = async (limit = 1_000_000n) => (await createOrganization(t.db, t.secrets, { name: `Lease ${randomUUID()}`, monthlyLimitNano: limit })).id;
  const reserved = async (id: string) => (await getPeriodCounter(t.db, id, PERIOD)).reservedNano;
  const leaseRows = (id: string) => t.db.select().from(schema.limitLeases).where(eq(schema.limitLeases.organizationId, id));
  /** Waits (by the database's clock) until every lease of the organisation has expired. */
  async function expired(id: string) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [row] = await t.db
        .select({ live: sql<number>`count(*)::int` })
        .from(schema.limitLeases)
        .where(and(eq(schema.limitLeases.organizationId, id), sql`${schema.limitLeases.expiresAt} > now()`));
      if (row?.live === 0) return;
      if (Date.now() > deadline) throw new Error("leases did not expire");
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it("tops up one lease per owner and renews it with each grant", async () => {
    const id = await org();
    const first = await reserveSpend(t.db, { organizationId: id, period: PERIOD, amountNano: 1_000n, owner: "owner-a-123", ttlMs: LONG });
    const again = await reserveSpend(t.db, { organizationId: id, period: PERIOD, amountNano: 2_000n, owner: "owner-a-123", leaseId: first.leaseId!, ttlMs: LONG });
    expect(again.leaseId).toBe(first.leaseId);
    // Another owner cannot grow someone else's lease: it gets its own.
    const other = await reserveSpend(t.db, { organizationId: id, period: PERIOD, amountNano: 500n, owner: "owner-b-123", leaseId: first.leaseId!, ttlMs: LONG });
    expect(other.leaseId).not.toBe(first.leaseId);
    const rows = await leaseRows(id);
    expect(rows.map((r) => [r.owner, r.grantedNano]).sort()).toEqual([
      ["owner-a-123", 3_000n],
      ["owner-b-123", 500n],
    ]);
    expect(await reserved(id)).toBe(3_500n);
  });

  it("an expired lease returns in the next reservation of its organisation, and its late events return nothing", async () => {
    const id = await org(10_000n);
    const dead = await reserveSpend(t.db, { organizationId: id, period: PERIOD, amountNano: 9_000n, owner: "crashed-proxy", ttlMs: SHORT });
    expect(dead.admitted).toBe(true);
    // While it lives, the limit is taken.
    expect((await reserveSpend(t.db, { organizationId: id, period: PERIOD, amountNano: 2_000n, owner: "live-proxy", ttlMs: LONG })).admitted).toBe(false);
    await expired(id);
    const live = await reserveSpend(t.db, { organizationId: id, period: PERIOD, amountNano: 2_000n, owner: "live-proxy", ttlMs: LONG });
    expect(live).toMatchObject({ admitted: true, grantedNano: 2_000n, reservedNano: 2_000n });
    expect((await leaseRows(id)).map((r) => r.owner)).toEqual(["live-proxy"]);
    // The crashed proxy's event arrives later (its spool): spent counts, nothing more is returned.
    await recordUsageEvents(t.db, [event(id, dead.leaseId!, 1_000n)]);
    expect(await getPeriodCounter(t.db, id, PERIOD)).toMatchObject({ spentNano: 1_000n, reservedNano: 2_000n });
    // Renewing or giving back a lease that expired says so and changes nothing.
    expect(await renewLeases(t.db, { owner: "crashed-proxy", leaseIds: [dead.leaseId!], ttlMs: LONG })).toEqual({ renewed: [], gone: [dead.leaseId] });
    expect(await closeLease(t.db, { owner: "crashed-proxy", leaseId: dead.leaseId!, consumedNano: 0n })).toEqual({ closed: false });
    expect(await reserved(id)).toBe(2_000n);
  });

  it("renewal keeps a lease alive past its first expiry; only its owner renews it", async () => {
    const id = await org();
    const lease = await reserveSpend(t.db, { organizationId: id, period: PERIOD, amountNano: 4_000n, owner: "renewing-proxy", ttlMs: SHORT });
    const renewed = await renewLeases(t.db, { owner: "renewing-proxy", leaseIds: [lease.leaseId!, randomUUID()], ttlMs: LONG });
    expect(renewed.renewed.map((r) => r.id)).toEqual([lease.leaseId]);
    expect(renewed.renewed[0]!.expiresAt.getTime()).toBeGreaterThan(lease.expiresAt!.getTime());
    expect(renewed.gone).toHaveLength(1);
    expect((await renewLeases(t.db, { owner: "someone-else", leaseIds: [lease.leaseId!], ttlMs: LONG })).gone).toEqual([lease.leaseId]);
    // Past the first expiry (SHORT), by the database's clock, the lease still holds: a sweep returns nothing of it.
    const deadline = Date.now() + 30_000;
    let past = false;
    while (!past && Date.now() < deadline) {
      const [row] = await queryRows<{ past: boolean }>(t.db, sql`select now() > ${lease.expiresAt!.toISOString()}::timestamptz as past`);
      past = row?.past === true;
      if (!past) await new Promise((r) => setTimeout(r, 25));
    }
    expect(past).toBe(true);
    await sweepExpiredLeases(t.db);
    expect(await reserved(id)).toBe(4_000n);
  });

  it("a give-back is absolute: a retry returns nothing twice, and events on their way keep their part until recorded", async () => {
    const id = await org();
    const lease = (await reserveSpend(t.db, { organizationId: id, period: PERIOD, amountNano: 10_000n, owner: "closing-proxy", ttlMs: LONG })).leaseId!;
    await recordUsageEvents(t.db, [event(id, lease, 1_000n)]);
    expect(await reserved(id)).toBe(9_000n);
    // Its requests consumed 3 000; 2 000 of it is still on its way.
    expect(await closeLease(t.db, { owner: "closing-proxy", leaseId: lease, consumedNano: 3_000n })).toEqual({ closed: true });
    expect(await reserved(id)).toBe(2_000n);
    expect(await closeLease(t.db, { owner: "closing-proxy", leaseId: lease, consumedNano: 3_000n })).toEqual({ closed: true });
    expect(await reserved(id)).toBe(2_000n);
    // A give-back never raises what a lease holds.
    await closeLease(t.db, { owner: "closing-proxy", leaseId: lease, consumedNano: 9_000n });
    expect(await reserved(id)).toBe(2_000n);
    const late = event(id, lease, 2_000n);
    await recordUsageEvents(t.db, [late]);
    await recordUsageEvents(t.db, [late]); // a replay
    expect(await getPeriodCounter(t.db, id, PERIOD)).toMatchObject({ spentNano: 3_000n, reservedNano: 0n });
    // Someone else cannot close it.
    expect(await closeLease(t.db, { owner: "someone-else", leaseId: lease, consumedNano: 0n })).toEqual({ closed: false });
  });

  it("the sweep returns expired leases of every organisation and heals a reserved amount no lease holds", async () => {
    const [a, b] = [await org(), await org()];
    await reserveSpend(t.db, { organizationId: a, period: PERIOD, amountNano: 5_000n, owner: "crashed-proxy", ttlMs: SHORT });
    await reserveSpend(t.db, { organizationId: b, period: PERIOD, amountNano: 7_000n, owner: "crashed-proxy", ttlMs: SHORT });
    const keep = await reserveSpend(t.db, { organizationId: b, period: PERIOD, amountNano: 1_000n, owner: "live-proxy", ttlMs: LONG });
    // A reservation made before leases were rows: reserved with no lease behind it.
    await t.db
      .update(schema.usagePeriodCounters)
      .set({ reservedNano: sql`${schema.usagePeriodCounters.reservedNano} + 4242` })
      .where(eq(schema.usagePeriodCounters.organizationId, b));
    await expired(a);
    const deadline = Date.now() + 30_000;
    while ((await leaseRows(b)).length > 1 && Date.now() < deadline) {
      await sweepExpiredLeases(t.db);
      await new Promise((r) => setTimeout(r, 25));
    }
    await sweepExpiredLeases(t.db);
    expect(await reserved(a)).toBe(0n);
    expect(await reserved(b)).toBe(1_000n);
    expect((await leaseRows(b)).map((r) => r.id)).toEqual([keep.leaseId]);
    expect(await leaseRows(a)).toEqual([]);
  });

  it("concurrent grants, renewals, recordings, give-backs and sweeps keep reserved = what the leases hold", async () => {
    const id = await org(50_000_000n);
    const owners = ["racer-one-1", "racer-two-2", "racer-three", "racer-four4"];
    // The last lease each owner was granted (concurrent grants of one owner may open several).
    const leaseOf = new Map<string, string>();
    const ownerOf = new Map<string, string>();
    const consumed = new Map<string, bigint>();
    const ops: Promise<unknown>[] = [];
    for (let round = 0; round < 12; round++) {
      for (const owner of owners) {
        ops.push(
          (async () => {
            const lease = leaseOf.get(owner);
            const outcome = await reserveSpend(t.db, { organizationId: id, period: PERIOD, amountNano: 10_000n, preferNano: 40_000n, owner, ttlMs: LONG, ...(lease ? { leaseId: lease } : {}) });
            if (!outcome.leaseId) return;
            leaseOf.set(owner, outcome.leaseId);
            ownerOf.set(outcome.leaseId, owner);
            consumed.set(outcome.leaseId, (consumed.get(outcome.leaseId) ?? 0n) + 3_000n);
            await recordUsageEvents(t.db, [event(id, outcome.leaseId, 1_000n), event(id, outcome.leaseId, 2_000n)]);
            await renewLeases(t.db, { owner, leaseIds: [outcome.leaseId], ttlMs: LONG });
          })(),
        );
      }
      ops.push(sweepExpiredLeases(t.db));
    }
    await Promise.all(ops);
    const held = async () => {
      const rows = await leaseRows(id);
      return rows.reduce((sum, r) => sum + (r.closedNano ?? r.grantedNano) - r.recordedNano, 0n);
    };
    expect(await reserved(id)).toBe(await held());
    // Give everything back concurrently (each twice: a retried give-back), with a sweep in between.
    await Promise.all(
      [...ownerOf.entries()].flatMap(([lease, owner]) => [
        closeLease(t.db, { owner, leaseId: lease, consumedNano: consumed.get(lease)! }),
        closeLease(t.db, { owner, leaseId: lease, consumedNano: consumed.get(lease)! }),
        sweepExpiredLeases(t.db),
      ]),
    );
    expect(await reserved(id)).toBe(0n);
    expect((await getPeriodCounter(t.db, id, PERIOD)).spentNano).toBe(BigInt(12 * owners.length) * 3_000n);
  });

  it("remembers the smallest amount refused this period", async () => {
    const id = await org(10_000n);
    const owner = "refused-proxy";
    await reserveSpend(t.db, { organizationId: id, period: PERIOD, amountNano: 9_000n, owner, ttlMs: LONG });
    expect((await getPeriodCounter(t.db, id, PERIOD)).refusedMinNano).toBeNull();
    await reserveSpend(t.db, { organizationId: id, period: PERIOD, amountNano: 5_000n, owner, ttlMs: LONG });
    await reserveSpend(t.db, { organizationId: id, period: PERIOD, amountNano: 2_000n, owner, ttlMs: LONG });
    await reserveSpend(t.db, { organizationId: id, period: PERIOD, amountNano: 3_000n, owner, ttlMs: LONG });
    expect((await getPeriodCounter(t.db, id, PERIOD)).refusedMinNano).toBe(2_000n);
    // A top-up that lacked 1 500 for a request of 2 500 remembers the request, not the top-up.
    await reserveSpend(t.db, { organizationId: id, period: PERIOD, amountNano: 1_500n, requestNano: 2_500n, owner, ttlMs: LONG });
    expect((await getPeriodCounter(t.db, id, PERIOD)).refusedMinNano).toBe(2_000n);
    await reserveSpend(t.db, { organizationId: id, period: PERIOD, amountNano: 1_100n, requestNano: 1_500n, owner, ttlMs: LONG });
    expect((await getPeriodCounter(t.db, id, PERIOD)).refusedMinNano).toBe(1_500n);
  });
});
