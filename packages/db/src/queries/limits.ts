// Monthly-limit admission by leases, enforced by PostgreSQL so every proxy replica agrees.
// A proxy reserves budget in blocks — leases (@mai/domain lease.ts) — under a row lock on the
// organisation's period counter: spent + reserved never exceeds the limit, whatever the number of
// proxies. A lease is a row (limit_leases) with an owner (one proxy process) and an expiry:
//   reserveSpend  grants into the caller's lease (a new one when it has none usable) and pushes its
//                 expiry to now + the lifetime
//   renewLeases   pushes back the expiry of the caller's live leases
//   closeLease    the give-back: the total its requests consumed, an absolute figure (idempotent)
//   recording     a usage event naming its lease moves its used part from held to spent (usage.ts)
//   expiry        a lease not renewed in time holds nothing: it is deleted, and what it held leaves
//                 `reserved`, in the next reservation for its organisation and period or in the
//                 API's sweep (sweepExpiredLeases)
// The invariant: the counter's reserved_nano = the sum of what the lease rows of its organisation
// and period hold (leaseHeldSql), kept in every transaction that changes a lease. Reservations and
// sweeps recompute it under the counter's lock, so a drift (reservations made before leases were
// rows) heals by itself.
//
// Lock order, everywhere: lease rows first, then the counter row (recording's statement updates
// leases before it can aggregate the counter's move) — so the two never wait on each other in a cycle.
import { and, asc, eq, gt, inArray, lte, sql, type SQL } from "drizzle-orm";
import { DomainError, domainError, leaseGrantNano, leaseHeldNano } from "@mai/domain";
import type { RenewLeasesInput, ReserveInput, SettleInput } from "@mai/domain/schemas";
import { queryRows, type Executor } from "../client";
import { clientOrganizations, limitLeases, usagePeriodCounters } from "../schema/index";
import { isForeignKeyViolation, retryOnRace } from "./errors";

export interface ReservationOutcome {
  admitted: boolean;
  /** What was reserved: between amountNano and preferNano; 0 when refused. */
  grantedNano: bigint;
  spentNano: bigint;
  reservedNano: bigint;
  limitNano: bigint;
  /** The lease the grant went into (null when refused). */
  leaseId: string | null;
  /** When that lease expires unless renewed (database clock; null when refused). */
  expiresAt: Date | null;
}

function requireAmount(amountNano: bigint, what = "A reservation"): void {
  if (amountNano < 0n) throw new DomainError("INVALID_INPUT", `${what} cannot be negative.`);
}

function requireTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new DomainError("INVALID_INPUT", "A lease lifetime is a positive number of milliseconds.");
}

/** What a lease holds, in SQL over its columns (the same rule as @mai/domain leaseHeldNano). */
export function leaseHeldSql(columns: { granted: SQL; recorded: SQL; closed: SQL }): SQL {
  return sql`greatest(coalesce(${columns.closed}, ${columns.granted}) - (${columns.recorded}), 0)`;
}
const L = limitLeases;
const HELD = leaseHeldSql({ granted: sql`${L.grantedNano}`, recorded: sql`${L.recordedNano}`, closed: sql`${L.closedNano}` });
const expiry = (ttlMs: number) => sql`now() + ${ttlMs}::integer * interval '1 millisecond'`;

/**
 * Inside a transaction that holds the counter's lock and the expired leases' locks: deletes the
 * expired leases of (organisation, period) and returns what the live ones hold — the counter's
 * reserved_nano as it must be.
 */
async function returnExpired(tx: Executor, organizationId: string, period: string, expiredIds: string[]): Promise<bigint> {
  if (expiredIds.length > 0) await tx.delete(L).where(inArray(L.id, expiredIds));
  const [live] = await tx
    .select({ held: sql<string>`coalesce(sum(${HELD}), 0)::text` })
    .from(L)
    .where(and(eq(L.organizationId, organizationId), eq(L.period, period)));
  return BigInt(live?.held ?? "0");
}

/**
 * Reserves at least `amountNano` and up to `preferNano` (default: exactly `amountNano`) of the
 * organisation's limit for `period`, as leaseGrantNano decides, into the caller's lease `leaseId`
 * (or a new lease of `owner` when that one is absent, expired, closed or of another period), whose
 * expiry becomes now + `ttlMs`. Refuses when `amountNano` does not fit, and then remembers the
 * smallest request refused this period (`requestNano`, else `amountNano`: the limit level's
 * "exceeded", @mai/domain monthly-limit.ts).
 * Expired leases of the organisation and period are returned first.
 */
export async function reserveSpend(
  db: Executor,
  input: ReserveInput & { period: string; ttlMs: number },
): Promise<ReservationOutcome> {
  requireAmount(input.amountNano);
  const preferNano = input.preferNano ?? input.amountNano;
  requireAmount(preferNano, "A preferred reservation");
  requireTtl(input.ttlMs);
  const c = usagePeriodCounters;
  const where = and(eq(c.organizationId, input.organizationId), eq(c.period, input.period));
  return retryOnRace(() =>
    db.transaction(async (tx) => {
      try {
        await tx.insert(c).values({ organizationId: input.organizationId, period: input.period }).onConflictDoNothing();
      } catch (error) {
        // The counter row references the organisation: an unknown id is the caller's mistake.
        if (isForeignKeyViolation(error)) throw domainError("NOT_FOUND", "organization.notFound");
        throw error;
      }
      // Lease rows first (the expired ones, and the caller's), in id order; then the counter.
      const own = input.leaseId ?? null;
      const locked = await tx
        .select({ id: L.id, owner: L.owner, closedNano: L.closedNano, expired: sql<boolean>`${L.expiresAt} <= now()` })
        .from(L)
        .where(
          and(
            eq(L.organizationId, input.organizationId),
            eq(L.period, input.period),
            own ? sql`(${L.expiresAt} <= now() or ${L.id} = ${own})` : lte(L.expiresAt, sql`now()`),
          ),
        )
        .orderBy(asc(L.id))
        .for("update");
      const [current] = await tx
        .select({ spentNano: c.spentNano, limitNano: clientOrganizations.monthlyLimitNano })
        .from(c)
        .innerJoin(clientOrganizations, eq(clientOrganizations.id, c.organizationId))
        .where(where)
        .for("update", { of: c });
      if (!current) throw domainError("NOT_FOUND", "organization.notFound");
      const reservedNano = await returnExpired(
        tx,
        input.organizationId,
        input.period,
        locked.filter((l) => l.expired).map((l) => l.id),
      );
      const grantedNano = leaseGrantNano({
        minimumNano: input.amountNano,
        preferredNano: preferNano,
        remainingNano: current.limitNano - current.spentNano - reservedNano,
      });
      if (grantedNano === null) {
        // A refusal is remembered: the smallest request refused this period decides "exceeded".
        const refused = input.requestNano ?? input.amountNano;
        await tx
          .update(c)
          .set({
            reservedNano,
            refusedMinNano: sql`least(coalesce(${c.refusedMinNano}, ${refused}), ${refused})`,
            updatedAt: sql`now()`,
          })
          .where(where);
        return { admitted: false, grantedNano: 0n, ...current, reservedNano, leaseId: null, expiresAt: null };
      }
      const usable = locked.find((l) => l.id === own && !l.expired && l.owner === input.owner && l.closedNano === null);
      const [lease] = usable
        ? await tx
            .update(L)
            .set({ grantedNano: sql`${L.grantedNano} + ${grantedNano}`, expiresAt: expiry(input.ttlMs), renewedAt: sql`now()` })
            .where(eq(L.id, usable.id))
            .returning({ id: L.id, expiresAt: L.expiresAt })
        : await tx
            .insert(L)
            .values({ organizationId: input.organizationId, period: input.period, owner: input.owner, grantedNano, expiresAt: expiry(input.ttlMs) })
            .returning({ id: L.id, expiresAt: L.expiresAt });
      await tx
        .update(c)
        .set({ reservedNano: reservedNano + grantedNano, updatedAt: sql`now()` })
        .where(where);
      return {
        admitted: true,
        grantedNano,
        ...current,
        reservedNano: reservedNano + grantedNano,
        leaseId: lease!.id,
        expiresAt: lease!.expiresAt,
      };
    }),
  );
}

export interface RenewOutcome {
  renewed: { id: string; expiresAt: Date }[];
  /** Leases of the caller that no longer exist or had expired: what they held was returned. */
  gone: string[];
}

/** Pushes the expiry of `owner`'s live leases among `leaseIds` to now + `ttlMs`; an expired lease stays expired. */
export async function renewLeases(db: Executor, input: RenewLeasesInput & { ttlMs: number }): Promise<RenewOutcome> {
  requireTtl(input.ttlMs);
  const ids = [...new Set(input.leaseIds)];
  if (ids.length === 0) return { renewed: [], gone: [] };
  const renewed = await db
    .update(L)
    .set({ expiresAt: expiry(input.ttlMs), renewedAt: sql`now()` })
    .where(and(inArray(L.id, ids), eq(L.owner, input.owner), gt(L.expiresAt, sql`now()`)))
    .returning({ id: L.id, expiresAt: L.expiresAt });
  const alive = new Set(renewed.map((r) => r.id));
  return { renewed, gone: ids.filter((id) => !alive.has(id)) };
}

/**
 * Gives a lease back: its requests consumed `consumedNano` in total (absolute, so a retry changes
 * nothing), and what their events have not recorded yet stays held until they are. Never raises
 * what a lease holds. `closed: false` when the lease is gone or expired (nothing left to give back).
 */
export async function closeLease(db: Executor, input: SettleInput): Promise<{ closed: boolean }> {
  requireAmount(input.consumedNano, "A consumed amount");
  const c = usagePeriodCounters;
  return retryOnRace(() =>
    db.transaction(async (tx) => {
      const [lease] = await tx
        .select({
          id: L.id,
          organizationId: L.organizationId,
          period: L.period,
          grantedNano: L.grantedNano,
          recordedNano: L.recordedNano,
          closedNano: L.closedNano,
          expired: sql<boolean>`${L.expiresAt} <= now()`,
        })
        .from(L)
        .where(and(eq(L.id, input.leaseId), eq(L.owner, input.owner)))
        .for("update");
      if (!lease || lease.expired) return { closed: false };
      let closedNano = input.consumedNano < lease.grantedNano ? input.consumedNano : lease.grantedNano;
      if (lease.closedNano !== null && lease.closedNano < closedNano) closedNano = lease.closedNano;
      const before = leaseHeldNano(lease);
      const after = leaseHeldNano({ ...lease, closedNano });
      // Nothing left to hold: the row has done its work (its late events find no lease, as after expiry).
      if (after === 0n) await tx.delete(L).where(eq(L.id, lease.id));
      else await tx.update(L).set({ closedNano }).where(eq(L.id, lease.id));
      if (before !== after) {
        await tx
          .update(c)
          .set({ reservedNano: sql`greatest(${c.reservedNano} - ${before - after}, 0)`, updatedAt: sql`now()` })
          .where(and(eq(c.organizationId, lease.organizationId), eq(c.period, lease.period)));
      }
      return { closed: true };
    }),
  );
}

/**
 * The API's sweep: every (organisation, period) with an expired lease, or whose reserved amount
 * differs from what its leases hold, gets its expired leases deleted and its reserved amount set to
 * what the live ones hold — each in its own short transaction, in the locking order of reserveSpend.
 */
export async function sweepExpiredLeases(db: Executor): Promise<{ counters: number; returnedNano: bigint }> {
  const c = usagePeriodCounters;
  const rows = await queryRows<{ organization_id: string; period: string }>(
    db,
    sql`select organization_id, period from ${L} where expires_at <= now()
        union
        select c.organization_id, c.period
        from ${c} c
        left join (
          select organization_id, period, sum(${HELD}) as held from ${L} group by organization_id, period
        ) l using (organization_id, period)
        where c.reserved_nano <> coalesce(l.held, 0)
        order by 1, 2`,
  );
  let returnedNano = 0n;
  for (const { organization_id: organizationId, period } of rows) {
    returnedNano += await retryOnRace(() =>
      db.transaction(async (tx) => {
        const expired = await tx
          .select({ id: L.id })
          .from(L)
          .where(and(eq(L.organizationId, organizationId), eq(L.period, period), lte(L.expiresAt, sql`now()`)))
          .orderBy(asc(L.id))
          .for("update");
        const [counter] = await tx
          .select({ reservedNano: c.reservedNano })
          .from(c)
          .where(and(eq(c.organizationId, organizationId), eq(c.period, period)))
          .for("update");
        const live = await returnExpired(
          tx,
          organizationId,
          period,
          expired.map((l) => l.id),
        );
        if (!counter) return 0n;
        if (counter.reservedNano !== live) {
          await tx
            .update(c)
            .set({ reservedNano: live, updatedAt: sql`now()` })
            .where(and(eq(c.organizationId, organizationId), eq(c.period, period)));
        }
        return counter.reservedNano > live ? counter.reservedNano - live : 0n;
      }),
    );
  }
  return { counters: rows.length, returnedNano };
}
