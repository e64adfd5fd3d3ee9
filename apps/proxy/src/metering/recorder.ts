// Usage recording off the request path: the request handler calls record() (synchronous, no I/O) and
// moves on; batches go to the API's internal.recordUsage in the background.
//
// The one rule: an event leaves memory only into the API (the sink resolved) or into an fsynced spool
// segment (see spool.ts for the format). Everything else follows from it:
// - a batch the API did not take is written to a new spool segment; if that write fails too (disk
//   full), the batch goes back to the queue and both are retried later — memory is the last resort;
// - a replay loop sends spooled segments oldest first and deletes a segment only once all of its
//   events were accepted; segments left by a previous process are replayed on start;
// - the recorder never deduplicates: a resend (partial replay, timed-out call that did land, restart)
//   is harmless because the API records idempotently by generation id. Never dropping is our job,
//   never counting twice is the API's.
//
// Decisions worth knowing:
// - At most one live flush and one replay run at a time; events recorded during a flush stay queued
//   for the next one. Order across batches is not preserved (nothing depends on it).
// - Every sink call gets an AbortSignal and a timeout (sinkTimeoutMs): a hung API must not hold the
//   live queue hostage. A call that times out counts as failed even if it later lands.
// - Circuit breaker: once a live batch failed, and while spooled segments exist, live flushes write
//   straight to the spool and only the replay loop probes the API. Without it, each flush would wait
//   for a doomed call while its events sit unsynced in memory, and would leave a small segment behind.
//   The breaker closes on the first successful replay.
// - A sink that throws UsageRejectedError says "the API refused this batch as invalid; retrying cannot
//   help" (tRPC BAD_REQUEST). Resending it forever would block replay behind a poison event, and
//   dropping it would break the rule, so the batch is bisected until the refused events are isolated;
//   those go to a dead-letter file (`rejected-*.ndjson`, never replayed) and are logged by id.
// - A sink failure is one of three kinds, and only the sink can tell them apart (it knows the wire):
//     invalid       UsageRejectedError (BAD_REQUEST): bisect at once, dead-letter what is refused;
//     server error  UsageServerError (HTTP 500, INTERNAL_SERVER_ERROR): the API ran and failed on
//                   this batch — a passing outage, or one event the database cannot take (a
//                   constraint or trigger that raises) that would otherwise be retried forever
//                   while the breaker spools everything behind it;
//     away          anything else (network, timeout, 503 "database unreachable", a 502 from a proxy
//                   in between): spool and retry as long as it takes; never bisected, never
//                   dead-lettered — an outage says nothing about the events.
// - Poisoned events (server errors). Each event counts the server errors of the calls it was in
//   ("strikes"). A batch is retried whole (on the normal schedule: spooled, then replayed) until one
//   of its events has maxServerErrors strikes (default 3) — a blip or a short incident costs nothing
//   more. Then the batch is split in halves, and both halves are sent before either is split
//   further: a half that is accepted records its events and proves the API is recording; a half that
//   fails again is split the same way. A single event that fails is dead-lettered only with that
//   proof: some other part of this isolation was accepted. An API that answers 500 to everything
//   yields no proof: the isolation stops at the first single event (one descent, about 2·log2(batch)
//   calls), nothing is dead-lettered, the strikes of the batch start again from zero (the next
//   attempt waits for maxServerErrors more failures), and the events stay spooled until it
//   recovers. Several poisoned events in one batch are each found in their half; events poisoned so
//   densely that every part fails look like an API failing everything, and stay spooled (safe side).
//   Dead-lettered poisoned events go to the same `rejected-*.ndjson` files, logged with the reason:
//   once the API is fixed an operator replays one by renaming it `usage-<same suffix>` in the
//   spool directory (read at the next start; recording is idempotent).
// - onRecorded runs after each accepted batch (live or replayed). It can see a generation id more than
//   once (resends after a restart or a partial replay), so it must be idempotent per generation id.
// - onDurable runs (synchronously) for every event as soon as it can no longer be lost: accepted by
//   the API, written to an fsynced spool segment, or dead-lettered. The request journal closes its
//   records with it (journal.ts): a record closed earlier could lose a charge in a crash.
// - Logs carry counts, segment names and generation ids only — never tokens, costs, users or models.
import { pino, type Logger } from "pino";
import type { UsageEvent } from "@mai/domain";
import { Spool } from "./spool";

/** One usage event, as @mai/domain defines it for the proxy, its spool and internal.recordUsage. */
export type { UsageEvent } from "@mai/domain";

interface SinkContext {
  /** Aborted when the call timed out (sinkTimeoutMs) or the recorder is closing: cancel the request. */
  signal: AbortSignal;
}

export interface RecorderOptions {
  /** Sends one batch; resolves when the API has recorded it; rejects if it did not (network, 5xx). */
  sink: (events: UsageEvent[], context: SinkContext) => Promise<void>;
  /** Created if missing (mode 0700). One directory per proxy process. */
  spoolDir: string;
  /** Default 200: flush as soon as this many are queued; also the largest batch handed to the sink. */
  maxBatch?: number;
  /** Default 200: otherwise flush within this delay. */
  flushIntervalMs?: number;
  /** Default 2000: how often spooled segments are retried. */
  replayIntervalMs?: number;
  /** Default 10000: a sink call that has not settled by then counts as failed. */
  sinkTimeoutMs?: number;
  /** Default 3: server errors (UsageServerError) an event's batches may get before the batch is split to find it. */
  maxServerErrors?: number;
  /** Never receives event contents beyond counts and ids. */
  logger?: Logger;
  /** Called with each batch after the sink accepted it (live or from replay). Must be idempotent per generation id. */
  onRecorded?: (events: UsageEvent[]) => void | Promise<void>;
  /** Called with events that are durable (accepted, spooled or dead-lettered). Synchronous; must not throw. */
  onDurable?: (events: readonly UsageEvent[]) => void;
}

interface RecorderStats {
  /** In memory, waiting for a flush (includes batches kept because the spool could not be written). */
  queued: number;
  /** Taken by the live flush that is running now. */
  inFlight: number;
  /** Events in spool segments not yet accepted by the API. */
  spooledEvents: number;
  spooledSegments: number;
  /** Events the sink accepted (live and replayed; a resent event counts again). */
  recorded: number;
  /** Segments written. */
  spoolWrites: number;
  /** Events the sink accepted from the spool. */
  replayed: number;
  /** Spool lines that could not be read (e.g. a torn last line after a crash), skipped. */
  corruptLines: number;
  /** Events the API refused as invalid, written to a dead-letter file. */
  rejected: number;
  /** Events the API failed on repeatedly (server error) while it recorded others, written to a dead-letter file. */
  poisoned: number;
  /** Spool writes that failed (the batch stayed in memory). */
  spoolFailures: number;
}

export interface UsageRecorder {
  /** Synchronous, never throws, never blocks on I/O. */
  record(event: UsageEvent): void;
  /** Send what is queued now (spooling on failure). */
  flush(): Promise<void>;
  /** Stop timers, final flush (spool on failure), bounded by timeoutMs (default 5000). */
  close(timeoutMs?: number): Promise<void>;
  stats(): RecorderStats;
}

/** Thrown by a sink when the API refused the batch as invalid (e.g. tRPC BAD_REQUEST): never retried as is. */
export class UsageRejectedError extends Error {
  override name = "UsageRejectedError";
}

/**
 * Thrown by a sink when the API failed on the batch with a server error (HTTP 500, tRPC
 * INTERNAL_SERVER_ERROR): retried, and after repeated failures searched for a poisoned event. Not
 * for 503 or network errors — those mean the API is away.
 */
export class UsageServerError extends Error {
  override name = "UsageServerError";
}

/** How one sink call ended. */
type Attempt = { kind: "accepted" } | { kind: "rejected" | "server" | "away"; error: unknown };

/** One search for poisoned events: `accepted` sink calls so far prove the API records events. */
interface Isolation {
  accepted: number;
  stopped: null | "away" | "unproven";
}

/** Strikes are remembered for at most this many events (then forgotten: an isolation only comes later). */
const MAX_STRIKE_ENTRIES = 100_000;

interface SegmentState {
  /** Events in the file (a line count until the file was parsed in this process). */
  events: number;
  /** Leading events already accepted in this process: the next attempt resumes after them. */
  accepted: number;
  parsed: boolean;
}

type Source = "live" | "replay";

function message(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function positiveInt(name: string, value: number | undefined, fallback: number, min = 1): number {
  const result = value ?? fallback;
  if (!Number.isSafeInteger(result) || result < min)
    throw new RangeError(`${name} must be an integer ≥ ${min}.`);
  return result;
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}

export async function createUsageRecorder(options: RecorderOptions): Promise<UsageRecorder> {
  const maxBatch = positiveInt("maxBatch", options.maxBatch, 200);
  const flushIntervalMs = positiveInt("flushIntervalMs", options.flushIntervalMs, 200, 0);
  const replayIntervalMs = positiveInt("replayIntervalMs", options.replayIntervalMs, 2000);
  const sinkTimeoutMs = positiveInt("sinkTimeoutMs", options.sinkTimeoutMs, 10_000);
  const maxServerErrors = positiveInt("maxServerErrors", options.maxServerErrors, 3);
  const { sink, onRecorded } = options;
  const durable = (events: readonly UsageEvent[]) => {
    if (!options.onDurable) return;
    try {
      options.onDurable(events);
    } catch (error) {
      log.error({ err: message(error) }, "onDurable failed");
    }
  };
  const log = (options.logger ?? pino({ enabled: false })).child({ component: "usage-recorder" });
  // flush() and runReplay() catch their own failures; this is the belt to those braces.
  const unexpected = (error: unknown) => log.error({ err: message(error) }, "usage recorder failed unexpectedly");
  const spool = new Spool(options.spoolDir);

  let queue: UsageEvent[] = [];
  let inFlight = 0;
  let flushing: Promise<void> | null = null;
  let replaying: Promise<void> | null = null;
  let flushTimer: NodeJS.Timeout | null = null;
  let flushDue = Infinity;
  let replayTimer: NodeJS.Timeout | null = null;
  let apiDown = false;
  let spoolFailing = false;
  let closed = false;
  let closing: Promise<void> | null = null;
  const stopLive = new AbortController(); // aborts live sink calls when close runs out of time
  const stopReplay = new AbortController(); // aborts replay at close: segments wait for the next start
  const segments = new Map<string, SegmentState>(); // insertion order = oldest first
  const callbacks = new Set<Promise<void>>();
  /** Server errors seen by the calls each event was in (by generation id); cleared once it is settled. */
  const strikes = new Map<string, number>();
  const counters = {
    recorded: 0,
    spoolWrites: 0,
    replayed: 0,
    corruptLines: 0,
    rejected: 0,
    poisoned: 0,
    spoolFailures: 0,
  };

  // --- start-up: leftovers of a previous process --------------------------------------------------
  await spool.init();
  let leftoverEvents = 0;
  for (const name of await spool.list()) {
    let events = 0;
    try {
      events = await spool.countLines(name);
    } catch (error) {
      log.error({ segment: name, err: message(error) }, "cannot read spooled usage segment; will retry");
    }
    leftoverEvents += events;
    segments.set(name, { events, accepted: 0, parsed: false });
  }
  if (segments.size > 0) {
    log.info(
      { segments: segments.size, events: leftoverEvents },
      "replaying usage spooled by a previous run",
    );
  }

  // --- sending -----------------------------------------------------------------------------------
  function setDown(down: boolean, source: Source): void {
    if (down === apiDown) return;
    apiDown = down;
    if (down) log.warn({ source }, "usage API unavailable; spooling usage events");
    else log.info({ source }, "usage API reachable again");
  }

  function notify(batch: UsageEvent[]): void {
    if (!onRecorded) return;
    let result: Promise<void>;
    try {
      result = Promise.resolve(onRecorded(batch));
    } catch (error) {
      result = Promise.reject(error);
    }
    const tracked: Promise<void> = result
      .catch((error: unknown) =>
        log.error({ events: batch.length, err: message(error) }, "onRecorded failed"),
      )
      .finally(() => callbacks.delete(tracked));
    callbacks.add(tracked);
  }

  // A per-call controller rather than AbortSignal.any/timeout: no listeners pile up on the
  // long-lived stop signals, and the timer is cleared as soon as the call settles.
  async function send(batch: UsageEvent[], stop: AbortSignal): Promise<void> {
    if (stop.aborted) throw new Error("usage recorder closing");
    const call = new AbortController();
    await new Promise<void>((resolve, reject) => {
      const fail = (error: Error) => {
        cleanup();
        reject(error);
      };
      const onStop = () => {
        call.abort();
        fail(new Error("usage recorder closing"));
      };
      const timer = setTimeout(() => {
        call.abort();
        fail(new Error(`usage sink timed out after ${sinkTimeoutMs} ms`));
      }, sinkTimeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        stop.removeEventListener("abort", onStop);
      };
      stop.addEventListener("abort", onStop, { once: true });
      let pending: Promise<void>;
      try {
        pending = Promise.resolve(sink(batch, { signal: call.signal }));
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        () => {
          cleanup();
          resolve();
        },
        (error: unknown) => {
          cleanup();
          reject(error);
        },
      );
    });
  }

  /** One sink call, classified; an accepted batch is counted and reported here. */
  async function attempt(batch: UsageEvent[], source: Source, stop: AbortSignal): Promise<Attempt> {
    try {
      await send(batch, stop);
    } catch (error) {
      if (error instanceof UsageRejectedError) return { kind: "rejected", error };
      if (error instanceof UsageServerError) return { kind: "server", error };
      log.debug({ source, events: batch.length, err: message(error) }, "usage batch not accepted");
      return { kind: "away", error };
    }
    counters.recorded += batch.length;
    if (source === "replay") counters.replayed += batch.length;
    for (const event of batch) strikes.delete(event.generationId);
    setDown(false, source);
    durable(batch);
    notify(batch);
    return { kind: "accepted" };
  }

  /** Counts a server error against every event of the batch; returns the most any of them has. */
  function strike(batch: UsageEvent[]): number {
    if (strikes.size + batch.length > MAX_STRIKE_ENTRIES) strikes.clear();
    let most = 0;
    for (const { generationId } of batch) {
      const count = (strikes.get(generationId) ?? 0) + 1;
      strikes.set(generationId, count);
      if (count > most) most = count;
    }
    return most;
  }

  /**
   * True when every event of the batch is settled: accepted by the API or dead-lettered. False means
   * "try again later" for the whole batch (resending the accepted part of a bisected batch is harmless).
   */
  async function deliver(batch: UsageEvent[], source: Source, stop: AbortSignal): Promise<boolean> {
    const result = await attempt(batch, source, stop);
    switch (result.kind) {
      case "accepted":
        return true;
      case "away":
        return false;
      case "rejected":
        return settleRejected(batch, result.error, source, stop);
      case "server": {
        const most = strike(batch);
        if (most < maxServerErrors) {
          log.warn({ source, events: batch.length, serverErrors: most, err: message(result.error) }, "the usage API failed on a batch; retrying it later");
          return false;
        }
        return isolate(batch, source, stop);
      }
    }
  }

  /** A batch refused as invalid: bisected until the refused events are alone, which are dead-lettered. */
  async function settleRejected(batch: UsageEvent[], error: unknown, source: Source, stop: AbortSignal): Promise<boolean> {
    if (batch.length > 1) {
      const half = Math.ceil(batch.length / 2);
      return (await deliver(batch.slice(0, half), source, stop)) && (await deliver(batch.slice(half), source, stop));
    }
    return deadLetter(batch, "invalid", error);
  }

  /** The search for poisoned events in a batch the API keeps failing on (see the header). */
  async function isolate(batch: UsageEvent[], source: Source, stop: AbortSignal): Promise<boolean> {
    log.warn(
      { source, events: batch.length, serverErrors: maxServerErrors },
      "the usage API keeps failing on a batch; splitting it to find the event it fails on",
    );
    const run: Isolation = { accepted: 0, stopped: null };
    const settled = await split(batch, run, source, stop);
    if (run.stopped === "unproven") {
      for (const { generationId } of batch) strikes.delete(generationId);
      log.warn(
        { source, events: batch.length },
        "the usage API failed on every part of the batch tried; nothing dead-lettered, the batch is kept and retried",
      );
    }
    return settled;
  }

  /** `batch` has just failed with a server error. Both halves are tried before either is split. */
  async function split(batch: UsageEvent[], run: Isolation, source: Source, stop: AbortSignal): Promise<boolean> {
    if (batch.length === 1) {
      if (run.accepted === 0) {
        run.stopped = "unproven";
        return false;
      }
      return deadLetter(batch, "server", null);
    }
    const half = Math.ceil(batch.length / 2);
    const failing: UsageEvent[][] = [];
    let settled = true;
    for (const part of [batch.slice(0, half), batch.slice(half)]) {
      const result = await attempt(part, source, stop);
      if (result.kind === "accepted") run.accepted += 1;
      else if (result.kind === "away") {
        run.stopped = "away";
        return false;
      } else if (result.kind === "rejected") {
        if (!(await settleRejected(part, result.error, source, stop))) settled = false;
      } else {
        strike(part);
        failing.push(part);
      }
    }
    for (const part of failing) {
      if (run.stopped || !(await split(part, run, source, stop))) settled = false;
      if (run.stopped) return false;
    }
    return settled;
  }

  async function deadLetter(batch: UsageEvent[], reason: "invalid" | "server", error: unknown): Promise<boolean> {
    try {
      const name = await spool.write("rejected", batch);
      if (reason === "invalid") counters.rejected += batch.length;
      else counters.poisoned += batch.length;
      for (const { generationId } of batch) strikes.delete(generationId);
      durable(batch);
      log.error(
        { generationIds: batch.map((e) => e.generationId), deadLetter: name, ...(error ? { err: message(error) } : {}) },
        reason === "invalid"
          ? "usage event refused by the API as invalid; kept in the dead-letter file"
          : "the usage API fails on this event every time while it records others; kept in the dead-letter file",
      );
      return true;
    } catch (writeError) {
      log.error({ events: batch.length, err: message(writeError) }, "cannot write the usage dead-letter file");
      return false;
    }
  }

  // --- live flushing -----------------------------------------------------------------------------
  async function persist(events: UsageEvent[]): Promise<void> {
    try {
      const name = await spool.write("usage", events);
      segments.set(name, { events: events.length, accepted: 0, parsed: true });
      counters.spoolWrites += 1;
      durable(events);
      if (spoolFailing) log.info("usage spool writable again");
      spoolFailing = false;
      log.debug({ segment: name, events: events.length }, "usage batch spooled");
    } catch (error) {
      // The rule: not accepted and not durable → stays in memory. Put back in front, retry later.
      queue = events.concat(queue);
      counters.spoolFailures += 1;
      spoolFailing = true;
      log.error(
        { events: events.length, queued: queue.length, err: message(error) },
        "cannot write the usage spool; events kept in memory and retried",
      );
    }
  }

  async function runFlush(): Promise<void> {
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    inFlight = batch.length;
    try {
      // Breaker (see header): while the API is known down and replay has segments to probe it with,
      // go straight to the spool. After a spool failure the sink is tried first again: it may be the
      // only way out for these events.
      let failedAt = apiDown && segments.size > 0 && !spoolFailing ? 0 : -1;
      for (let i = 0; failedAt < 0 && i < batch.length; i += maxBatch) {
        if (!(await deliver(batch.slice(i, i + maxBatch), "live", stopLive.signal))) failedAt = i;
      }
      if (failedAt >= 0) {
        setDown(true, "live");
        await persist(batch.slice(failedAt));
      }
    } finally {
      inFlight = 0;
    }
  }

  function scheduleFlush(delay: number): void {
    if (closed) return;
    const due = Date.now() + delay;
    if (flushTimer && flushDue <= due) return;
    if (flushTimer) clearTimeout(flushTimer);
    flushDue = due;
    flushTimer = setTimeout(() => {
      flushTimer = null;
      flushDue = Infinity;
      if (!flushing) flush().catch(unexpected);
    }, delay);
    flushTimer.unref();
  }

  function nextDelay(): number {
    if (spoolFailing) return replayIntervalMs;
    return queue.length >= maxBatch ? 0 : flushIntervalMs;
  }

  function flush(): Promise<void> {
    if (flushing) return flushing.then(flush);
    if (queue.length === 0) return Promise.resolve();
    flushing = runFlush()
      .catch((error: unknown) => log.error({ err: message(error) }, "usage flush failed unexpectedly"))
      .finally(() => {
        flushing = null;
        if (queue.length > 0) scheduleFlush(nextDelay());
      });
    return flushing;
  }

  // --- replay ------------------------------------------------------------------------------------
  async function removeSegment(name: string): Promise<boolean> {
    try {
      await spool.remove(name);
      segments.delete(name);
      return true;
    } catch (error) {
      log.error({ segment: name, err: message(error) }, "cannot delete a replayed usage segment; will retry");
      return false;
    }
  }

  async function load(name: string, state: SegmentState): Promise<UsageEvent[] | null> {
    try {
      const { events, corrupt } = await spool.read(name);
      if (!state.parsed) {
        state.parsed = true;
        if (corrupt > 0) {
          counters.corruptLines += corrupt;
          log.warn(
            { segment: name, corrupt, events: events.length },
            "skipped corrupt lines in a usage segment",
          );
        }
      }
      state.events = events.length;
      return events;
    } catch (error) {
      if (isErrno(error, "ENOENT")) {
        segments.delete(name);
        log.warn({ segment: name }, "a spooled usage segment disappeared");
      } else {
        log.error({ segment: name, err: message(error) }, "cannot read a usage segment; will retry");
      }
      return null;
    }
  }

  /** One pass: drains segments, oldest first, in chunks of maxBatch (a chunk may span segments). */
  async function replayPass(): Promise<void> {
    const stop = stopReplay.signal;
    const loaded = new Map<string, UsageEvent[]>();
    while (!stop.aborted && segments.size > 0) {
      const chunk: UsageEvent[] = [];
      const parts: { name: string; state: SegmentState; events: UsageEvent[]; count: number }[] = [];
      for (const [name, state] of [...segments]) {
        if (chunk.length >= maxBatch) break;
        let events = loaded.get(name);
        if (!events) {
          const read = await load(name, state);
          if (!read) continue; // unreadable now: try the others, this one next pass
          events = read;
          loaded.set(name, events);
        }
        const take = events.slice(state.accepted, state.accepted + maxBatch - chunk.length);
        for (const event of take) chunk.push(event);
        parts.push({ name, state, events, count: take.length });
      }
      if (parts.length === 0) return; // nothing readable
      if (chunk.length > 0 && !(await deliver(chunk, "replay", stop))) {
        setDown(true, "replay");
        return;
      }
      let progressed = chunk.length > 0;
      for (const part of parts) {
        part.state.accepted += part.count;
        if (part.state.accepted >= part.events.length) {
          loaded.delete(part.name);
          if (await removeSegment(part.name)) progressed = true;
        }
      }
      if (!progressed) return; // e.g. an undeletable empty segment: do not spin
    }
  }

  function runReplay(): Promise<void> {
    if (replaying) return replaying;
    replaying = replayPass()
      .catch((error: unknown) => log.error({ err: message(error) }, "usage replay failed unexpectedly"))
      .finally(() => {
        replaying = null;
      });
    return replaying;
  }

  function scheduleReplay(delay: number): void {
    if (closed) return;
    replayTimer = setTimeout(() => {
      replayTimer = null;
      runReplay()
        .catch(unexpected)
        .finally(() => scheduleReplay(replayIntervalMs))
        .catch(unexpected);
    }, delay);
    replayTimer.unref();
  }

  scheduleReplay(segments.size > 0 ? 0 : replayIntervalMs);

  // --- public API --------------------------------------------------------------------------------
  function record(event: UsageEvent): void {
    try {
      queue.push({ ...event });
      if (closed) {
        // A request that finished after shutdown began: the sink is no longer tried, the event goes
        // straight to the spool (stopLive is aborted once close has finished).
        log.warn({ generationId: event.generationId }, "usage recorded after close; spooling it");
        flush().catch(unexpected);
        return;
      }
      scheduleFlush(queue.length >= maxBatch ? 0 : spoolFailing ? replayIntervalMs : flushIntervalMs);
    } catch (error) {
      try {
        log.error({ err: message(error) }, "usage record failed");
      } catch {
        // record() never throws
      }
    }
  }

  async function shutdown(timeoutMs: number): Promise<void> {
    closed = true;
    if (flushTimer) clearTimeout(flushTimer);
    if (replayTimer) clearTimeout(replayTimer);
    flushTimer = replayTimer = null;
    stopReplay.abort(new Error("usage recorder closing"));
    // Leave part of the budget to spool what the API did not take in time.
    const sendBudget = Math.max(0, timeoutMs - Math.min(1000, Math.floor(timeoutMs / 4)));
    // Both close timers keep the process alive on purpose: exiting before they fire could lose events.
    const abortTimer = setTimeout(() => stopLive.abort(new Error("usage recorder closing")), sendBudget);
    let deadline: NodeJS.Timeout | undefined;
    const work = (async () => {
      await flush();
      await replaying;
      await Promise.allSettled([...callbacks]);
    })();
    const finished = await Promise.race([
      work.then(() => true),
      new Promise<false>((resolve) => (deadline = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(abortTimer);
    clearTimeout(deadline);
    stopLive.abort(new Error("usage recorder closed"));
    const unsaved = queue.length + inFlight;
    if (!finished || unsaved > 0) {
      log.error(
        { unsaved, pendingCallbacks: callbacks.size },
        "usage recorder closed before everything was saved",
      );
    } else {
      log.info({ spooledSegments: segments.size }, "usage recorder closed");
    }
  }

  return {
    record,
    flush,
    close(timeoutMs = 5000) {
      closing ??= shutdown(timeoutMs);
      return closing;
    },
    stats() {
      let spooledEvents = 0;
      for (const state of segments.values()) spooledEvents += Math.max(0, state.events - state.accepted);
      return { queued: queue.length, inFlight, spooledEvents, spooledSegments: segments.size, ...counters };
    },
  };
}
