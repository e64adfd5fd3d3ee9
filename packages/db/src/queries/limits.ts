// Monthly-limit admission by reservation, enforced by PostgreSQL so every proxy replica agrees.
// A request reserves its worst-case billed cost with ONE conditional UPDATE (spent + reserved +
// amount <= limit); concurrent requests at the limit can therefore overshoot only by what was
// already reserved and in flight. Recording the event adds to `spent`; the proxy then releases
// its reservation.
import { and, eq, sql } from "drizzle-orm";
import { DomainError } from "@mai/domain";
import type { Executor } from "../client";
import { clientOrganizations, usagePeriodCounters } from "../schema/index";

export interface ReservationOutcome {
  admitted: boolean;
  spentNano: bigint;
  reservedNano: bigint;
  limitNano: bigint;
}

function requireAmount(amountNano: bigint): void {
  if (amountNano < 0n) throw new DomainError("INVALID_INPUT", "A reservation cannot be negative.");
}

export async function reserveSpend(
  db: Executor,
  input: { organizationId: string; period: string; amountNano: bigint },
): Promise<ReservationOutcome> {
  requireAmount(input.amountNano);
  await db
    .insert(usagePeriodCounters)
    .values({ organizationId: input.organizationId, period: input.period })
    .onConflictDoNothing();
  const c = usagePeriodCounters;
  const [admitted] = await db
    .update(c)
    .set({ reservedNano: sql`${c.reservedNano} + ${input.amountNano}`, updatedAt: sql`now()` })
    .from(clientOrganizations)
    .where(
      and(
        eq(c.organizationId, input.organizationId),
        eq(c.period, input.period),
        eq(clientOrganizations.id, c.organizationId),
        sql`${c.spentNano} + ${c.reservedNano} + ${input.amountNano} <= ${clientOrganizations.monthlyLimitNano}`,
      ),
    )
    .returning({ spentNano: c.spentNano, reservedNano: c.reservedNano, limitNano: clientOrganizations.monthlyLimitNano });
  if (admitted) return { admitted: true, ...admitted };
  const [current] = await db
    .select({ spentNano: c.spentNano, reservedNano: c.reservedNano, limitNano: clientOrganizations.monthlyLimitNano })
    .from(c)
    .innerJoin(clientOrganizations, eq(clientOrganizations.id, c.organizationId))
    .where(and(eq(c.organizationId, input.organizationId), eq(c.period, input.period)));
  if (!current) throw new DomainError("NOT_FOUND", "Organisation not found.");
  return { admitted: false, ...current };
}

/** Gives back (part of) a reservation; never drives the counter below zero. */
export async function releaseReservation(
  db: Executor,
  input: { organizationId: string; period: string; amountNano: bigint },
): Promise<void> {
  requireAmount(input.amountNano);
  const c = usagePeriodCounters;
  await db
    .update(c)
    .set({ reservedNano: sql`greatest(${c.reservedNano} - ${input.amountNano}, 0)`, updatedAt: sql`now()` })
    .where(and(eq(c.organizationId, input.organizationId), eq(c.period, input.period)));
}
