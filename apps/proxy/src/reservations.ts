// Monthly-limit admission by reservation. Before forwarding, the request's worst-case billed cost
// is reserved with internal.reserve (one atomic UPDATE in PostgreSQL, so all proxies agree); the
// reservation is given back once the request's usage event is recorded (then `spent` carries the
// real cost) or as soon as the request fails without a charge. Concurrent requests at the limit
// can overshoot only by what was already reserved and in flight.
import { isUsablePricing, reservationNano, estimatePromptTokens, usdToNano, billedCost } from "@mai/domain";
import type { Logger } from "pino";
import type { ApiClient } from "./api-client";
import type { ModelCatalog } from "./models";

export interface Reservation {
  organizationId: string;
  period: string;
  amountNano: bigint;
}

export interface Reservations {
  /** The worst-case billed cost of a request (at least 1 nano, so a spent limit refuses even free models). */
  estimate(input: { model: string | undefined; payload: string; maxTokens: number | undefined; markupBp: number }): Promise<bigint>;
  reserve(organizationId: string, amountNano: bigint): Promise<{ admitted: true; reservation: Reservation } | { admitted: false }>;
  /** Release now (request failed without a generation). Never throws. */
  release(reservation: Reservation): void;
  /** Keep until the generation's usage is recorded. */
  hold(generationId: string, reservation: Reservation): void;
  /** Called with recorded generation ids: their reservations are released. */
  settle(generationIds: readonly string[]): Promise<void>;
  held(): number;
  /** Resolves when every release started so far has reached the API (shutdown, tests). */
  idle(): Promise<void>;
}

export function createReservations(deps: {
  api: ApiClient;
  models: ModelCatalog;
  logger: Logger;
  fallbackUsd: string;
  defaultMaxCompletionTokens: number;
}): Reservations {
  const held = new Map<string, Reservation>();
  const pending = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
    return p;
  };
  const fallbackRaw = usdToNano(deps.fallbackUsd);

  const release = async (r: Reservation) => {
    if (r.amountNano === 0n) return;
    try {
      await deps.api.internal.settle.mutate({ organizationId: r.organizationId, period: r.period, reservedNano: r.amountNano });
    } catch (error) {
      // A lost release only keeps the counter conservative (higher) for this period.
      deps.logger.warn({ organizationId: r.organizationId, err: { name: (error as Error).name } }, "reservation release failed");
    }
  };

  return {
    async estimate({ model, payload, maxTokens, markupBp }) {
      const entry = model ? await deps.models.find(model) : undefined;
      if (!entry || !isUsablePricing(entry.pricing)) return billedCost(fallbackRaw, markupBp) + 1n;
      const maxCompletionTokens = maxTokens ?? entry.top_provider?.max_completion_tokens ?? entry.context_length ?? deps.defaultMaxCompletionTokens;
      const amount = reservationNano({
        promptTokens: estimatePromptTokens(payload),
        maxCompletionTokens,
        pricing: entry.pricing,
        markupBp,
      });
      return amount > 0n ? amount : 1n;
    },
    async reserve(organizationId, amountNano) {
      const outcome = await deps.api.internal.reserve.mutate({ organizationId, amountNano });
      if (!outcome.admitted) return { admitted: false };
      return { admitted: true, reservation: { organizationId, period: outcome.period, amountNano } };
    },
    release(reservation) {
      void track(release(reservation));
    },
    hold(generationId, reservation) {
      held.set(generationId, reservation);
    },
    async settle(generationIds) {
      const due: Reservation[] = [];
      for (const id of generationIds) {
        const r = held.get(id);
        if (r) {
          held.delete(id);
          due.push(r);
        }
      }
      await Promise.all(due.map((r) => track(release(r))));
    },
    held: () => held.size,
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
