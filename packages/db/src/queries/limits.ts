// Monthly-limit admission by reservation, enforced by PostgreSQL so every proxy replica agrees.
// A proxy reserves budget — one request's worst case, or a block of them (a lease, see
// @mai/domain lease.ts) — under a row lock on the organisation's period counter: spent + reserved
// never exceeds the limit, whatever the number of proxies. Recording an event adds its billed cost
// to `spent` and gives back the part of the reservation it used (usage.ts); the proxy returns the
// unused rest of a lease with releaseReservation.
import { and, eq, sql } from "drizzle-orm";
import { DomainError, leaseGrantNano } from "@mai/domain";
import type { ReserveInput, SettleInput } from "@mai/domain/schemas";
import type { Executor } from "../client";
import { clientOrganizations, usagePeriodCounters } from "../schema/index";
import { isForeignKeyViolation } from "./errors";

export interface ReservationOutcome {
  admitted: boolean;
  /** What was reserved: between amountNano and preferNano; 0 when refused. */
  grantedNano: bigint;
  spentNano: bigint;
  reservedNano: bigint;
  limitNano: bigint;
}

function requireAmount(amountNano: bigint, what = "A reservation"): void {
  if (amountNano < 0n) throw new DomainError("INVALID_INPUT", `${what} cannot be negative.`);
}

/**
 * Reserves at least `amountNano` and up to `preferNano` (default: exactly `amountNano`) of the
 * organisation's limit for `period`, as leaseGrantNano decides; refuses when `amountNano` does not fit.
 * `input` is internal.reserve's, plus the period the API computed.
 */
export async function reserveSpend(
  db: Executor,
  input: ReserveInput & { period: string },
): Promise<ReservationOutcome> {
  requireAmount(input.amountNano);
  const preferNano = input.preferNano ?? input.amountNano;
  requireAmount(preferNano, "A preferred reservation");
  const c = usagePeriodCounters;
  const where = and(eq(c.organizationId, input.organizationId), eq(c.period, input.period));
  return db.transaction(async (tx) => {
    try {
      await tx.insert(c).values({ organizationId: input.organizationId, period: input.period }).onConflictDoNothing();
    } catch (error) {
      // The counter row references the organisation: an unknown id is the caller's mistake.
      if (isForeignKeyViolation(error)) throw new DomainError("NOT_FOUND", "Organisation not found.");
      throw error;
    }
    const [current] = await tx
      .select({ spentNano: c.spentNano, reservedNano: c.reservedNano, limitNano: clientOrganizations.monthlyLimitNano })
      .from(c)
      .innerJoin(clientOrganizations, eq(clientOrganizations.id, c.organizationId))
      .where(where)
      .for("update", { of: c });
    if (!current) throw new DomainError("NOT_FOUND", "Organisation not found.");
    const grantedNano = leaseGrantNano({
      minimumNano: input.amountNano,
      preferredNano: preferNano,
      remainingNano: current.limitNano - current.spentNano - current.reservedNano,
    });
    if (grantedNano === null) return { admitted: false, grantedNano: 0n, ...current };
    if (grantedNano > 0n) {
      await tx
        .update(c)
        .set({ reservedNano: sql`${c.reservedNano} + ${grantedNano}`, updatedAt: sql`now()` })
        .where(where);
    }
    return { admitted: true, grantedNano, ...current, reservedNano: current.reservedNano + grantedNano };
  });
}

/** Gives back (part of) a reservation (internal.settle's `reservedNano`); never drives the counter below zero. */
export async function releaseReservation(
  db: Executor,
  input: Pick<SettleInput, "organizationId" | "period"> & { amountNano: bigint },
): Promise<void> {
  requireAmount(input.amountNano);
  const c = usagePeriodCounters;
  await db
    .update(c)
    .set({ reservedNano: sql`greatest(${c.reservedNano} - ${input.amountNano}, 0)`, updatedAt: sql`now()` })
    .where(and(eq(c.organizationId, input.organizationId), eq(c.period, input.period)));
}
