// Monthly-limit admission for the proxy, atomic in the database.
//   reserve  budget against the current period with one row-locked update: at least `amountNano`
//            (the request's worst case, or what the proxy's lease lacks for it) and up to
//            `preferNano` (a lease; @mai/domain lease.ts decides the grant). The period's end
//            tells the proxy when a lease stops being usable.
//   settle   gives back the unused part of a reservation or lease (idle, expired, shutdown, a
//            request that failed).
import { getGlobalSettings, releaseReservation, reserveSpend } from "@mai/db";
import { billingPeriod } from "@mai/domain";
import type { ReserveInput, SettleInput } from "@mai/domain/schemas";
import type { Context } from "../../context";

export async function reserve(ctx: Context, input: ReserveInput) {
  const { billingTimeZone } = await getGlobalSettings(ctx.deps.db);
  const period = billingPeriod(ctx.deps.now(), billingTimeZone);
  const outcome = await reserveSpend(ctx.deps.db, { ...input, period: period.key });
  return { ...outcome, period: period.key, periodEndsAt: period.end };
}

export async function settle(ctx: Context, input: SettleInput): Promise<{ ok: true }> {
  await releaseReservation(ctx.deps.db, { organizationId: input.organizationId, period: input.period, amountNano: input.reservedNano });
  return { ok: true };
}
