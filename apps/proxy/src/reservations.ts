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
// A lease is a row in PostgreSQL owned by this process (`owner`, random per process) that expires
// unless renewed (the API's MAI_LEASE_TTL_MS, told with every grant):
//   admit   worst case taken from the lease (in flight) — only while the lease is alive by this
//           proxy's own clock: its expiry is counted from when the reserve or renew request that
//           last extended it was SENT, so it is never later than the database's
//   renew   every quarter lifetime, the leases this proxy holds are renewed in one call; a lease the
//           API says is gone holds nothing any more (its budget went back): it admits no more
//   consume the request's billed cost is known: its worst case leaves the flight, the cost leaves
//           the lease and rides on the usage event as `release` (with the lease id), so the API
//           converts exactly that from reserved to spent when it records the event (once, even on
//           replay; nothing when the lease is gone — its amount was already returned)
//   release the request failed without a charge: its worst case goes back to the lease
//   give back a lease unused for MAI_PROXY_LEASE_IDLE_MS, or whose billing period ended, is closed
//           with internal.settle and the total its requests consumed (an absolute figure: a retry
//           cannot return anything twice). A failed give-back is retried with backoff until it
//           succeeds or the lease has expired — never dropped; returnAll() (shutdown) gives back
//           every lease and tries each once more on failure: what is left expires by itself.
// A proxy that crashes or is cut off from the API stops renewing: its leases expire and return to
// their organisations within one lease lifetime (the API's sweep, or the next reservation).
import { randomUUID } from "node:crypto";
import { billedCost, estimatePromptTokens, INT4_MAX, isUsablePricing, LEASE_RENEWALS_PER_LIFETIME, leaseRequestNano, reservationNano, usdToNano } from "@mai/domain";
import type { Logger } from "pino";
import type { ApiClient } from "./api-client";
import type { ModelCatalog } from "./models";

interface Lease {
  organizationId: string;
  /** The lease row in PostgreSQL; null until the first grant. */
  id: string | null;
  /** Set by the first grant; "" while the first top-up is on its way. */
  period: string;
  endsAt: number;
  /** This proxy's monotonic clock (ms): the lease admits nothing from then on unless renewed before. */
  expiresAt: number;
  /** Reserved in PostgreSQL for this proxy and not yet used by a consumed request. */
  granted: bigint;
  /** What its consumed requests used in total: the give-back's absolute figure. */
  consumed: bigint;
  /** Worst cases of the admitted requests still running. */
  inFlight: bigint;
  /** Worst cases admitted since the last top-up, and when that was: the demand a top-up sizes for. */
  demand: bigint;
  toppedUpAt: number;
  lastUsed: number;
  topUp: Promise<boolean> | null;
  retired: boolean;
  /** Expired or gone in the API (or given back): holds nothing, admits nothing, is not renewed. */
  dead: boolean;
  /** The give-back has started. */
  closing: boolean;
}

export interface Ticket {
  readonly organizationId: string;
  readonly amountNano: bigint;
  lease: Lease;
  done: boolean;
}

/** What the API said when it last refused an organisation's reservation (the 402's words). */
export interface Refusal {
  spentNano: bigint;
  reservedNano: bigint;
  limitNano: bigint;
}

interface LeaseStats {
  leases: number;
  grantedNano: bigint;
  inFlightNano: bigint;
  topUps: number;
  refusals: number;
  renewals: number;
  /** Give-backs that failed and were tried again. */
  giveBackRetries: number;
}

export interface Reservations {
  /** This process's lease owner id. */
  readonly owner: string;
  /** The worst-case billed cost of a request (at least 1 nano, so a spent limit refuses even free models). */
  /**
   * The request's worst case: the largest over `model` and every model of its `fallbacks` (the
   * body's `models`, which OpenRouter may route to and charge at that model's price); with none of
   * them named, or one without a usable price, the configured fallback reservation.
   */
  estimate(input: {
    model: string | undefined;
    fallbacks?: readonly string[];
    payload: string;
    maxTokens: number | undefined;
    markupBp: number;
  }): Promise<bigint>;
  /** Null when the monthly limit cannot take the request's worst case. Throws when the API is unreachable and the lease cannot cover it. */
  admit(organizationId: string, amountNano: bigint): Promise<Ticket | null>;
  /** Why the organisation's last reservation was refused (undefined: none was by this process). */
  lastRefusal(organizationId: string): Refusal | undefined;
  /** The request ended without a charge: its worst case returns to the lease. */
  release(ticket: Ticket): void;
  /** The request cost `rawCostNano` at `markupBp`: what its usage event gives back of the reservation, and from which lease. */
  consume(ticket: Ticket, cost: { rawCostNano: bigint; markupBp: number }): { period: string; nano: bigint; lease?: string };
  stats(): LeaseStats;
  /** What this proxy holds reserved for the organisation (its live leases, in flight included). */
  heldNano(organizationId: string): bigint;
  /** Renew every lease now (normally on a timer every quarter lifetime). */
  renew(): Promise<void>;
  /** Give back every unused lease (shutdown, after the in-flight requests ended). */
  returnAll(): Promise<void>;
  /** Resolves when every give-back started so far has reached the API or given up (shutdown, tests). */
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
  monotonicNow?: () => number;
}): Reservations {
  const now = deps.now ?? Date.now;
  // Lease expiry runs on a monotonic clock: a wall clock set back must not stretch a lease past
  // the database's expiry.
  const clock = deps.monotonicNow ?? (() => performance.now());
  const owner = `proxy-${randomUUID()}`;
  const leases = new Map<string, Lease>();
  const retired = new Set<Lease>();
  const pending = new Set<Promise<void>>();
  const refusals = new Map<string, Refusal>();
  const counts = { topUps: 0, refusals: 0, renewals: 0, giveBackRetries: 0 };
  const fallbackRaw = usdToNano(deps.fallbackUsd);
  let closed = false;
  let shuttingDown = false;
  /** The lease lifetime the API last told (ms); renewals run every quarter of it. */
  let ttlMs = 0;
  let renewTimer: NodeJS.Timeout | null = null;
  let renewing: Promise<void> | null = null;

  const alive = (lease: Lease) => !lease.dead && lease.id !== null && clock() < lease.expiresAt;

  /** The lease holds nothing any more (expired, gone, given back): it admits nothing and is not renewed. */
  const kill = (lease: Lease) => {
    lease.dead = true;
    lease.granted = 0n;
    if (leases.get(lease.organizationId) === lease) leases.delete(lease.organizationId);
  };

  const giveBack = (lease: Lease) => {
    if (lease.closing) return;
    lease.closing = true;
    const id = lease.id;
    if (id === null || lease.dead) {
      kill(lease);
      return;
    }
    const consumedNano = lease.consumed;
    const expiresAt = lease.expiresAt;
    lease.granted = 0n;
    const p = (async () => {
      for (let attempt = 0, delay = 100; ; attempt++) {
        try {
          await deps.api.internal.settle.mutate({ owner, leaseId: id, consumedNano });
          break;
        } catch (error) {
          // Never dropped: retried until it succeeds or the lease has expired (then the API has
          // returned it by itself). At shutdown one more try, then the expiry does it.
          const giveUp = closed || clock() + delay >= expiresAt || (shuttingDown && attempt >= 1);
          deps.logger.warn(
            { organizationId: lease.organizationId, attempt, willRetry: !giveUp, err: { name: (error as Error).name } },
            "lease give-back failed",
          );
          if (giveUp) break;
          counts.giveBackRetries += 1;
          await new Promise((r) => setTimeout(r, delay).unref());
          delay = Math.min(delay * 2, 5_000, Math.max(100, ttlMs / 8));
        }
      }
      lease.dead = true;
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
    giveBack(lease);
  };

  const newLease = (organizationId: string): Lease => {
    const lease: Lease = {
      organizationId,
      id: null,
      period: "",
      endsAt: Infinity,
      expiresAt: 0,
      granted: 0n,
      consumed: 0n,
      inFlight: 0n,
      demand: 0n,
      toppedUpAt: now(),
      lastUsed: now(),
      topUp: null,
      retired: false,
      dead: false,
      closing: false,
    };
    leases.set(organizationId, lease);
    return lease;
  };

  const learnTtl = (ms: number) => {
    if (ms === ttlMs || closed) return;
    ttlMs = ms;
    if (renewTimer) clearInterval(renewTimer);
    renewTimer = setInterval(() => {
      renewAll().catch(() => undefined);
    }, Math.max(20, Math.floor(ttlMs / LEASE_RENEWALS_PER_LIFETIME)));
    renewTimer.unref();
  };

  /** One call renews every lease this proxy still holds (active, or retired with requests in flight). */
  const renewAll = (): Promise<void> => {
    if (renewing) return renewing;
    const held = [...leases.values(), ...retired].filter((l) => !l.dead && !l.closing && l.id !== null && l.period !== "");
    if (held.length === 0) return Promise.resolve();
    const sentAt = clock();
    const p = (async () => {
      try {
        const outcome = await deps.api.internal.renewLeases.mutate({ owner, leaseIds: held.map((l) => l.id!) });
        counts.renewals += 1;
        learnTtl(outcome.leaseTtlMs);
        const byId = new Map(held.map((l) => [l.id!, l] as const));
        for (const r of outcome.renewed) {
          const lease = byId.get(r.id);
          if (lease && !lease.dead) lease.expiresAt = Math.max(lease.expiresAt, sentAt + outcome.leaseTtlMs);
        }
        for (const id of outcome.gone) {
          const lease = byId.get(id);
          if (lease && !lease.closing) kill(lease);
        }
      } catch (error) {
        // Tried again at the next tick; a lease not renewed by its expiry stops admitting by itself.
        deps.logger.warn({ leases: held.length, err: { name: (error as Error).name } }, "lease renewal failed");
      }
    })();
    renewing = p;
    p.finally(() => {
      renewing = null;
    }).catch(() => undefined);
    return p;
  };

  /** Asks the API for at least `need` more; false when the limit cannot take it. */
  const topUp = (lease: Lease, need: bigint, worstCase: bigint): Promise<boolean> => {
    const ask = leaseRequestNano({ needNano: need, worstCaseNano: worstCase, demandNano: lease.demand, elapsedMs: now() - lease.toppedUpAt });
    const p = (async () => {
      counts.topUps += 1;
      const sentAt = clock();
      const outcome = await deps.api.internal.reserve.mutate({
        organizationId: lease.organizationId,
        amountNano: need,
        preferNano: ask,
        requestNano: worstCase,
        owner,
        ...(lease.id && !lease.dead ? { leaseId: lease.id } : {}),
      });
      learnTtl(outcome.leaseTtlMs);
      if (!outcome.admitted) {
        refusals.set(lease.organizationId, { spentNano: outcome.spentNano, reservedNano: outcome.reservedNano, limitNano: outcome.limitNano });
        if (!lease.period) {
          lease.period = outcome.period;
          lease.endsAt = outcome.periodEndsAt.getTime();
        }
        return false;
      }
      refusals.delete(lease.organizationId);
      const expiresAt = sentAt + outcome.leaseTtlMs;
      if (lease.id !== null && (outcome.leaseId !== lease.id || outcome.period !== lease.period)) {
        // The billing period turned, or the API no longer had this lease (it expired: its budget
        // went back): the grant is a fresh lease; the old one admits no more and, if it still
        // lives, is given back as its requests end.
        if (outcome.period === lease.period) kill(lease);
        retire(lease);
        const fresh = leases.get(lease.organizationId) ?? newLease(lease.organizationId);
        if (fresh.id === null) Object.assign(fresh, { id: outcome.leaseId, period: outcome.period, endsAt: outcome.periodEndsAt.getTime() });
        if (fresh.id === outcome.leaseId) {
          fresh.granted += outcome.grantedNano;
          fresh.expiresAt = Math.max(fresh.expiresAt, expiresAt);
        }
        return true;
      }
      lease.id = outcome.leaseId;
      lease.period = outcome.period;
      lease.endsAt = outcome.periodEndsAt.getTime();
      lease.expiresAt = Math.max(lease.expiresAt, expiresAt);
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
        if (lease.id !== null && clock() >= lease.expiresAt && !lease.topUp) kill(lease);
        else if (t >= lease.endsAt) retire(lease);
        else if (lease.inFlight === 0n && !lease.topUp && t - lease.lastUsed >= deps.idleMs) retire(lease);
      }
    },
    Math.max(50, Math.min(1_000, deps.idleMs)),
  );
  sweeper.unref();

  /** One model's worst case for a prompt of `promptTokens`: its price × the most it may answer, marked up. */
  async function worstCaseOf(model: string, promptTokens: number, maxTokens: number | undefined, markupBp: number): Promise<bigint> {
    const entry = await deps.models.find(model);
    if (!entry || !isUsablePricing(entry.pricing)) return billedCost(fallbackRaw, markupBp) + 1n;
    // The model cannot produce more than its stated maximum, whatever max_tokens says: a client's
    // 9007199254740991 reserves that maximum (OpenRouter refuses or caps the request itself), not
    // an amount no bigint column holds. Without a stated maximum, INT4_MAX bounds it.
    const stated = [entry.top_provider?.max_completion_tokens, entry.context_length].find(
      (v): v is number => typeof v === "number" && Number.isSafeInteger(v) && v > 0,
    );
    const ceiling = stated ?? INT4_MAX;
    const maxCompletionTokens = maxTokens === undefined ? (stated ?? deps.defaultMaxCompletionTokens) : Math.min(maxTokens, ceiling);
    const amount = reservationNano({ promptTokens, maxCompletionTokens, pricing: entry.pricing, markupBp });
    return amount > 0n ? amount : 1n;
  }

  return {
    owner,

    async estimate({ model, fallbacks = [], payload, maxTokens, markupBp }) {
      const candidates = [...new Set([model, ...fallbacks].filter((m): m is string => m !== undefined))];
      if (candidates.length === 0) return billedCost(fallbackRaw, markupBp) + 1n;
      const promptTokens = estimatePromptTokens(payload);
      let worst = 0n;
      for (const candidate of candidates) {
        const amount = await worstCaseOf(candidate, promptTokens, maxTokens, markupBp);
        if (amount > worst) worst = amount;
      }
      return worst;
    },

    async admit(organizationId, amountNano) {
      for (;;) {
        let lease = leases.get(organizationId);
        if (lease && now() >= lease.endsAt) {
          retire(lease);
          lease = undefined;
        } else if (lease && lease.id !== null && !alive(lease) && !lease.topUp) {
          // Not renewed in time (the API is away): by our own clock it may have expired in the
          // database, and its budget be someone else's. Admit nothing more against it.
          kill(lease);
          lease = undefined;
        }
        lease ??= newLease(organizationId);
        const available = lease.granted - lease.inFlight;
        if (lease.period && alive(lease) && available >= amountNano) {
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

    lastRefusal(organizationId) {
      return refusals.get(organizationId);
    },

    consume(ticket, cost) {
      const lease = ticket.lease;
      if (ticket.done) return { period: lease.period, nano: 0n, ...(lease.id ? { lease: lease.id } : {}) };
      ticket.done = true;
      const billed = billedCost(cost.rawCostNano, cost.markupBp);
      // What the request used of its own reservation; a cost above the worst case (a wrong price
      // list) is spend beyond what was reserved, not a give-back.
      const used = billed < ticket.amountNano ? billed : ticket.amountNano;
      lease.inFlight -= ticket.amountNano;
      if (!lease.dead && !lease.closing) {
        lease.granted -= used;
        lease.consumed += used;
      }
      lease.lastUsed = now();
      drainRetired(lease);
      return { period: lease.period, nano: used, ...(lease.id ? { lease: lease.id } : {}) };
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
      for (const lease of [...leases.values(), ...retired]) if (lease.organizationId === organizationId && !lease.dead) held += lease.granted;
      return held;
    },

    renew: () => renewAll(),

    async returnAll() {
      shuttingDown = true;
      for (const lease of [...leases.values()]) retire(lease);
      for (const lease of [...retired]) drainRetired(lease);
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },

    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },

    close() {
      closed = true;
      clearInterval(sweeper);
      if (renewTimer) clearInterval(renewTimer);
    },
  };
}
