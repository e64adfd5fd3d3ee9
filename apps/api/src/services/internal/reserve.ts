// Monthly-limit admission for the proxy, atomic in the database, by leases that expire
// (@mai/db limits.ts): every lease has an owner (one proxy process) and lives MAI_LEASE_TTL_MS
// unless its owner renews it, so a proxy that crashes or is cut off gives its budget back by itself.
//   reserve      budget against the current period with one row-locked transaction: at least
//                `amountNano` (what the proxy's lease lacks for a request) and up to `preferNano`
//                (@mai/domain lease.ts decides the grant), into the caller's lease. The period's end
//                tells the proxy when a lease stops being usable; `leaseTtlMs` how long it lives
//                counted from when the proxy sent the request (its own clock: it stops admitting
//                against a lease it could not renew by then).
//   renewLeases  pushes back the expiry of the caller's leases; says which ones are gone.
//   settle       the give-back (idle, period end, shutdown): closes a lease with the total its
//                requests consumed — an absolute figure, so a retried give-back returns nothing twice.
//   sweepLeases  the API's timer: expired leases of every organisation return, every quarter lifetime.
import { closeLease, getGlobalSettings, renewLeases as renewLeaseRows, reserveSpend, sweepExpiredLeases } from "@mai/db";
import { billingPeriod, LEASE_RENEWALS_PER_LIFETIME } from "@mai/domain";
import type { RenewLeasesInput, ReserveInput, SettleInput } from "@mai/domain/schemas";
import type { Context } from "../../context";
import type { AppDeps } from "../../deps";
import { nudgeLimitAlerts } from "../alerts/run";
import { scheduleJob } from "../schedule";

export async function reserve(ctx: Context, input: ReserveInput) {
  const { billingTimeZone } = await getGlobalSettings(ctx.deps.db);
  const period = billingPeriod(ctx.deps.now(), billingTimeZone);
  const leaseTtlMs = ctx.deps.env.MAI_LEASE_TTL_MS;
  const outcome = await reserveSpend(ctx.deps.db, { ...input, period: period.key, ttlMs: leaseTtlMs });
  // A refusal at the limit may cross the 100 % alert now: the alert job runs at once, not at its next tick.
  if (!outcome.admitted) nudgeLimitAlerts(ctx.deps);
  return { ...outcome, period: period.key, periodEndsAt: period.end, leaseTtlMs };
}

export async function renewLeases(ctx: Context, input: RenewLeasesInput) {
  const leaseTtlMs = ctx.deps.env.MAI_LEASE_TTL_MS;
  return { ...(await renewLeaseRows(ctx.deps.db, { ...input, ttlMs: leaseTtlMs })), leaseTtlMs };
}

export async function settle(ctx: Context, input: SettleInput): Promise<{ ok: true; closed: boolean }> {
  const { closed } = await closeLease(ctx.deps.db, input);
  return { ok: true, closed };
}

/** Returns expired leases of every organisation every quarter lifetime; never two sweeps at once. */
export function scheduleLeaseSweep(deps: AppDeps): { stop(): void } {
  const every = Math.max(50, Math.floor(deps.env.MAI_LEASE_TTL_MS / LEASE_RENEWALS_PER_LIFETIME));
  return scheduleJob(deps, every, "lease sweep failed", async () => {
    const r = await sweepExpiredLeases(deps.db);
    if (r.returnedNano > 0n) deps.logger.info({ counters: r.counters, returnedNano: r.returnedNano.toString() }, "expired limit leases returned");
  });
}
