// Requests refused before forwarding (the monthly limit spent: 402; the organisation deactivated:
// 403), reported to the API (internal.recordRefusals) so the Usage page counts them per day.
//
// Nothing was charged for these, so they take a lighter road than usage events: in memory only, sent
// in batches at most every flushIntervalMs, one send at a time, a failed batch kept for the next try.
// Each refusal carries an id made here, so a batch sent again after a lost answer counts once. What
// is bounded: at most maxPending wait (a long API outage drops the oldest, counted in `dropped`); an
// outage is logged once, at its start, and its end once; a batch the API refuses as invalid is dropped with a log line (sending it
// again cannot succeed). A crash loses what was still waiting — a count, never money.
import { randomUUID } from "node:crypto";
import { MAX_REFUSAL_BATCH, type RefusalReason } from "@mai/domain/schemas";
import type { Logger } from "pino";

export interface Refusal {
  id: string;
  organizationId: string;
  userId: string;
  reason: RefusalReason;
  occurredAt: Date;
}

export interface RefusalRecorder {
  /** Notes one refusal; never blocks, never throws. */
  refused(organizationId: string, userId: string, reason: RefusalReason): void;
  /** Sends what waits now (one batch after another); resolves when done or when a send failed. */
  flush(): Promise<void>;
  /** Stops the timer and sends what waits, bounded by timeoutMs (default 3000). */
  close(timeoutMs?: number): Promise<void>;
  stats(): { pending: number; sent: number; dropped: number };
}

export interface RefusalRecorderOptions {
  /** Resolves when the API recorded the batch; rejects otherwise. */
  send(batch: Refusal[]): Promise<void>;
  /** True when the failure means the batch can never be accepted (the API called it invalid). */
  isRejection(error: unknown): boolean;
  logger: Logger;
  /** Default 1000. */
  flushIntervalMs?: number;
  /** Default 10,000. */
  maxPending?: number;
  /** Default MAX_REFUSAL_BATCH. */
  maxBatch?: number;
}

export function createRefusalRecorder(options: RefusalRecorderOptions): RefusalRecorder {
  const flushIntervalMs = options.flushIntervalMs ?? 1_000;
  const maxPending = options.maxPending ?? 10_000;
  const maxBatch = Math.min(options.maxBatch ?? MAX_REFUSAL_BATCH, MAX_REFUSAL_BATCH);
  let pending: Refusal[] = [];
  let sent = 0;
  let dropped = 0;
  let droppingLogged = false;
  let failing = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let closed = false;

  function schedule(): void {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = null;
      // sendAll catches every failure of a send; nothing else in it can reject.
      flush().catch(() => undefined);
    }, flushIntervalMs);
    timer.unref();
  }

  /** Keeps at most maxPending waiting, dropping the oldest. */
  function trim(): void {
    const excess = pending.length - maxPending;
    if (excess <= 0) return;
    pending.splice(0, excess);
    dropped += excess;
    if (!droppingLogged) {
      droppingLogged = true;
      options.logger.warn({ maxPending }, "too many refusals waiting for the API; dropping the oldest");
    }
  }

  async function sendAll(): Promise<void> {
    while (pending.length > 0) {
      // Taken out while in flight: what arrives meanwhile queues behind, and a drop never hits it.
      const batch = pending.splice(0, maxBatch);
      try {
        await options.send(batch);
        sent += batch.length;
        droppingLogged = false;
        if (failing) {
          failing = false;
          options.logger.info({ refusals: batch.length }, "refusals recorded again");
        }
      } catch (error) {
        if (options.isRejection(error)) {
          options.logger.error({ refusals: batch.length }, "the API refused a batch of refusals as invalid; dropped");
          dropped += batch.length;
          continue;
        }
        pending = batch.concat(pending);
        trim();
        if (!failing) {
          failing = true;
          options.logger.warn({ refusals: pending.length, err: { name: (error as Error)?.name } }, "refusals not recorded yet; retrying until the API takes them");
        }
        schedule();
        return;
      }
    }
  }

  function flush(): Promise<void> {
    running ??= sendAll().finally(() => {
      running = null;
    });
    return running;
  }

  return {
    refused(organizationId, userId, reason) {
      if (closed) return;
      pending.push({ id: randomUUID(), organizationId, userId, reason, occurredAt: new Date() });
      trim();
      schedule();
    },
    flush,
    async close(timeoutMs = 3_000) {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([
        flush(),
        new Promise<void>((resolve) => {
          timeout = setTimeout(resolve, timeoutMs);
          timeout.unref();
        }),
      ]);
      clearTimeout(timeout);
    },
    stats: () => ({ pending: pending.length, sent, dropped }),
  };
}
