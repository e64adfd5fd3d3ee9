// Monthly-limit admission by reservation, without a database round trip per request.
//
// Every request still reserves its worst-case billed cost before it is forwarded, but against a
// lease: a block of the organisation's limit this proxy has reserved in PostgreSQL with the atomic
// internal.reserve (row-locked, so all proxies agree). A request that fits in the lease is admitted
// in memory; one that does not asks the API for what is missing plus about two seconds of the
// demand seen (@mai/domain lease.ts). The API never grants beyond the limit and, near it, only a
// quarter of what is left or exactly the need, so the sum of all leases and the spend stays within
// the limit: leasing changes how often the database is asked, not what it admits. At the limit every
// request asks the API and is refused with 402 when its worst case does not fit.
//
// The life of the budget:
//   admit   worst case taken from the lease (in flight)
//   consume the request's billed cost is known: its worst case leaves the flight, the cost leaves
//           the lease and rides on the usage event as `release`, so the API converts exactly that
//           from reserved to spent in the transaction that records the event (once, even on replay)
//   release the request failed without a charge: its worst case goes back to the lease
//   idle    a lease unused for MAI_PROXY_LEASE_IDLE_MS, or whose billing period ended, is given back
//           with internal.settle; close() gives back every lease
// A proxy that crashes keeps its leases reserved until the period ends (conservative: it can only
// refuse early, never overspend); MAI_PROXY_LEASE_IDLE_MS and the quarter-of-what-is-left cap bound
// how much that can be.
import { billedCost, estimatePromptTokens, INT4_MAX, isUsablePricing, leaseRequestNano, reservationNano, usdToNano } from "@mai/domain";
import type { Logger } from "pino";
import type { ApiClient } from "./api-client";
import type { ModelCatalog } from "./models";

interface Lease {
  organizationId: string;
  /** Set by the first grant; "" while the first top-up is on its way. */
  period: string;
  endsAt: number;
  /** Reserved in PostgreSQL for this proxy and not yet used by a consumed request. */
  granted: bigint;
  /** Worst cases of the admitted requests still running. */
  inFlight: bigint;
  /** Worst cases admitted since the last top-up, and when that was: the demand a top-up sizes for. */
  demand: bigint;
  toppedUpAt: number;
  lastUsed: number;
  topUp: Promise<boolean> | null;
  retired: boolean;
}

export interface Ticket {
  readonly organizationId: string;
  readonly amountNano: bigint;
  lease: Lease;
  done: boolean;
}

interface LeaseStats {
  leases: number;
  grantedNano: bigint;
  inFlightNano: bigint;
  topUps: number;
  refusals: number;
}

export interface Reservations {
  /** The worst-case billed cost of a request (at least 1 nano, so a spent limit refuses even free models). */
  estimate(input: { model: string | undefined; payload: string; maxTokens: number | undefined; markupBp: number }): Promise<bigint>;
  /** Null when the monthly limit cannot take the request's worst case. Throws when the API is unreachable and the lease cannot cover it. */
  admit(organizationId: string, amountNano: bigint): Promise<Ticket | null>;
  /** The request ended without a charge: its worst case returns to the lease. */
  release(ticket: Ticket): void;
  /** The request cost `rawCostNano` at `markupBp`: what its usage event gives back of the reservation. */
  consume(ticket: Ticket, cost: { rawCostNano: bigint; markupBp: number }): { period: string; nano: bigint };
  stats(): LeaseStats;
  /** What this proxy holds reserved for the organisation (its leases, in flight included). */
  heldNano(organizationId: string): bigint;
  /** Give back every unused lease (shutdown, after the in-flight requests ended). */
  returnAll(): Promise<void>;
  /** Resolves when every give-back started so far has reached the API (shutdown, tests). */
  idle(): Promise<void>;
  close(): void;
}

export function createReservations(deps: {
  api: ApiClient;
  models: ModelCatalog;
  logger: Logger;
  fallbackUsd: string;
  defaultMaxCompletionTokens: number;
  /** A lease unused this long is given back. */
  idleMs: number;
  now?: () => number;
}): Reservations {
  const now = deps.now ?? Date.now;
  const leases = new Map<string, Lease>();
  const retired = new Set<Lease>();
  const pending = new Set<Promise<void>>();
  const counts = { topUps: 0, refusals: 0 };
  const fallbackRaw = usdToNano(deps.fallbackUsd);

  const giveBack = (lease: Lease, amountNano: bigint) => {
    if (amountNano <= 0n || !lease.period) return;
    lease.granted -= amountNano;
    const p = (async () => {
      try {
        await deps.api.internal.settle.mutate({ organizationId: lease.organizationId, period: lease.period, reservedNano: amountNano });
      } catch (error) {
        // A lost give-back only keeps the counter conservative (higher) for this period.
        deps.logger.warn({ organizationId: lease.organizationId, err: { name: (error as Error).name } }, "lease give-back failed");
      }
    })();
    pending.add(p);
    const forget = () => pending.delete(p);
    p.then(forget, forget);
  };

  /** Stops admitting against a lease; what it holds goes back once its requests have ended. */
  const retire = (lease: Lease) => {
    if (leases.get(lease.organizationId) === lease) leases.delete(lease.organizationId);
    lease.retired = true;
    retired.add(lease);
    drainRetired(lease);
  };
  const drainRetired = (lease: Lease) => {
    if (!lease.retired || lease.inFlight > 0n || lease.topUp) return;
    retired.delete(lease);
    giveBack(lease, lease.granted);
  };

  const newLease = (organizationId: string): Lease => {
    const lease: Lease = { organizationId, period: "", endsAt: Infinity, granted: 0n, inFlight: 0n, demand: 0n, toppedUpAt: now(), lastUsed: now(), topUp: null, retired: false };
    leases.set(organizationId, lease);
    return lease;
  };

  /** Asks the API for at least `need` more; false when the limit cannot take it. */
  const topUp = (lease: Lease, need: bigint, worstCase: bigint): Promise<boolean> => {
    const ask = leaseRequestNano({ needNano: need, worstCaseNano: worstCase, demandNano: lease.demand, elapsedMs: now() - lease.toppedUpAt });
    const p = (async () => {
      counts.topUps += 1;
      const outcome = await deps.api.internal.reserve.mutate({ organizationId: lease.organizationId, amountNano: need, preferNano: ask });
      if (lease.period && outcome.period !== lease.period) {
        // The billing period turned while this lease was in use: what was granted belongs to a
        // fresh lease for the new period; the old one is given back as its requests end.
        retire(lease);
        if (outcome.admitted) {
          const fresh = leases.get(lease.organizationId) ?? newLease(lease.organizationId);
          if (!fresh.period) Object.assign(fresh, { period: outcome.period, endsAt: outcome.periodEndsAt.getTime() });
          fresh.granted += outcome.grantedNano;
        }
        return outcome.admitted;
      }
      if (!lease.period) {
        lease.period = outcome.period;
        lease.endsAt = outcome.periodEndsAt.getTime();
      }
      if (!outcome.admitted) return false;
      lease.granted += outcome.grantedNano;
      lease.demand = 0n;
      lease.toppedUpAt = now();
      return true;
    })();
    lease.topUp = p;
    void p
      .catch(() => undefined)
      .finally(() => {
        lease.topUp = null;
        drainRetired(lease);
      });
    return p;
  };

  const sweeper = setInterval(
    () => {
      const t = now();
      for (const lease of [...leases.values()]) {
        if (t >= lease.endsAt) retire(lease);
        else if (lease.inFlight === 0n && !lease.topUp && t - lease.lastUsed >= deps.idleMs) retire(lease);
      }
    },
    Math.max(50, Math.min(1_000, deps.idleMs)),
  );
  sweeper.unref();

  return {
    async estimate({ model, payload, maxTokens, markupBp }) {
      const entry = model ? await deps.models.find(model) : undefined;
      if (!entry || !isUsablePricing(entry.pricing)) return billedCost(fallbackRaw, markupBp) + 1n;
      // The model cannot produce more than its stated maximum, whatever max_tokens says: a client's
      // 9007199254740991 reserves that maximum (OpenRouter refuses or caps the request itself), not
      // an amount no bigint column holds. Without a stated maximum, INT4_MAX bounds it.
      const stated = [entry.top_provider?.max_completion_tokens, entry.context_length].find(
        (v): v is number => typeof v === "number" && Number.isSafeInteger(v) && v > 0,
      );
      const ceiling = stated ?? INT4_MAX;
      const maxCompletionTokens = maxTokens === undefined ? (stated ?? deps.defaultMaxCompletionTokens) : Math.min(maxTokens, ceiling);
      const amount = reservationNano({
        promptTokens: estimatePromptTokens(payload),
        maxCompletionTokens,
        pricing: entry.pricing,
        markupBp,
      });
      return amount > 0n ? amount : 1n;
    },

    async admit(organizationId, amountNano) {
      for (;;) {
        let lease = leases.get(organizationId);
        if (lease && now() >= lease.endsAt) {
          retire(lease);
          lease = undefined;
        }
        lease ??= newLease(organizationId);
        const available = lease.granted - lease.inFlight;
        if (lease.period && available >= amountNano) {
          lease.inFlight += amountNano;
          lease.demand += amountNano;
          lease.lastUsed = now();
          return { organizationId, amountNano, lease, done: false };
        }
        if (lease.topUp) {
          // One top-up per organisation at a time: wait for it, then look again.
          await lease.topUp.catch(() => undefined);
          continue;
        }
        const need = amountNano - (available > 0n ? available : 0n);
        if (!(await topUp(lease, need, amountNano))) {
          counts.refusals += 1;
          return null;
        }
      }
    },

    release(ticket) {
      if (ticket.done) return;
      ticket.done = true;
      const lease = ticket.lease;
      lease.inFlight -= ticket.amountNano;
      lease.lastUsed = now();
      drainRetired(lease);
    },

    consume(ticket, cost) {
      const lease = ticket.lease;
      if (ticket.done) return { period: lease.period, nano: 0n };
      ticket.done = true;
      const billed = billedCost(cost.rawCostNano, cost.markupBp);
      // What the request used of its own reservation; a cost above the worst case (a wrong price
      // list) is spend beyond what was reserved, not a give-back.
      const used = billed < ticket.amountNano ? billed : ticket.amountNano;
      lease.inFlight -= ticket.amountNano;
      lease.granted -= used;
      lease.lastUsed = now();
      drainRetired(lease);
      return { period: lease.period, nano: used };
    },

    stats() {
      let granted = 0n;
      let inFlight = 0n;
      for (const lease of [...leases.values(), ...retired]) {
        granted += lease.granted;
        inFlight += lease.inFlight;
      }
      return { leases: leases.size, grantedNano: granted, inFlightNano: inFlight, ...counts };
    },

    heldNano(organizationId) {
      let held = 0n;
      for (const lease of [...leases.values(), ...retired]) if (lease.organizationId === organizationId) held += lease.granted;
      return held;
    },

    async returnAll() {
      for (const lease of [...leases.values()]) retire(lease);
      for (const lease of [...retired]) drainRetired(lease);
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },

    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },

    close() {
      clearInterval(sweeper);
    },
  };
}
