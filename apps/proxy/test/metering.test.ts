// The usage recorder against real files and a fake API that can be switched down, hung or picky.
// The invariant under test everywhere: every event ends up accepted by the API (or dead-lettered
// when the API refuses it as invalid), whatever the API did in between.
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createUsageRecorder,
  UsageRejectedError,
  UsageServerError,
  type RecorderOptions,
  type UsageEvent,
  type UsageRecorder,
} from "../src/metering/recorder";
import { decodeEvent, decodeEvents, encodeEvent, encodeEvents } from "../src/metering/spool";

const ORG = "0b6c5c36-93a5-4a3e-9a53-2f4f1e0f7d11";
const USER = "6f1d2f1e-1c55-4bd5-8a51-4f1a3a2b9c01";

let seq = 0;
function usageEvent(overrides: Partial<UsageEvent> = {}): UsageEvent {
  seq += 1;
  return {
    generationId: `gen-${seq}`,
    organizationId: ORG,
    userId: USER,
    externalUserId: "mai_client_0b6c5c36_user_6f1d2f1e",
    model: "secret-model/visible-only-in-events",
    provider: "OpenAI",
    promptTokens: 12,
    completionTokens: 34,
    reasoningTokens: 0,
    cachedTokens: 0,
    rawCostNano: 1_234_567n,
    markupBp: 13_000,
    status: "ok",
    streamed: true,
    latencyMs: 420,
    ttfbMs: 90,
    occurredAt: new Date("2025-05-01T10:00:00.000Z"),
    ...overrides,
  };
}

type Mode = "up" | "down" | "hang" | "500";

/** A stand-in for internal.recordUsage: records every call, accepts only when up. */
function fakeApi() {
  const api = {
    mode: "up" as Mode,
    calls: [] as { ids: string[]; outcome: "accepted" | "failed" | "hung" }[],
    accepted: new Map<string, UsageEvent>(),
    /** Generation ids refused as invalid (BAD_REQUEST) whenever they are in a batch. */
    poison: new Set<string>(),
    /** Generation ids the API fails on (500: the database raised) whenever they are in a batch. */
    serverPoison: new Set<string>(),
    /** Generation ids whose batches fail as if the API were away (503 / network) whenever they are in one. */
    awayPoison: new Set<string>(),
    sink: async (events: UsageEvent[]): Promise<void> => {
      const ids = events.map((e) => e.generationId);
      if (api.mode === "hang") {
        api.calls.push({ ids, outcome: "hung" });
        return new Promise<void>(() => undefined);
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (api.mode === "down") {
        api.calls.push({ ids, outcome: "failed" });
        throw new Error("connect ECONNREFUSED 127.0.0.1:3000");
      }
      if (api.mode === "500") {
        api.calls.push({ ids, outcome: "failed" });
        throw new UsageServerError("Internal server error.");
      }
      if (ids.some((id) => api.poison.has(id))) {
        api.calls.push({ ids, outcome: "failed" });
        throw new UsageRejectedError("Usage event: promptTokens must be a non-negative integer.");
      }
      if (ids.some((id) => api.serverPoison.has(id))) {
        api.calls.push({ ids, outcome: "failed" });
        throw new UsageServerError("Internal server error.");
      }
      if (ids.some((id) => api.awayPoison.has(id))) {
        api.calls.push({ ids, outcome: "failed" });
        throw new Error("503 Service Unavailable");
      }
      api.calls.push({ ids, outcome: "accepted" });
      for (const e of events) api.accepted.set(e.generationId, e);
    },
    batchSizes: () => api.calls.filter((c) => c.outcome === "accepted").map((c) => c.ids.length),
  };
  return api;
}

/**
 * Polls until `condition` holds. The deadline is a safety net for a condition that never comes,
 * far above what a loaded machine needs: the waiting is on the condition, not on the clock.
 */
async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let dir: string;
let recorders: UsageRecorder[];
let logLines: string[];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "mai-metering-"));
  recorders = [];
  logLines = [];
});

afterEach(async () => {
  await Promise.all(recorders.map((r) => r.close(1000)));
  await rm(dir, { recursive: true, force: true });
  // Logs carry counts and ids, never what the events say.
  const logs = logLines.join("");
  expect(logs).not.toContain("secret-model");
  expect(logs).not.toContain("mai_client_");
  expect(logs).not.toContain(USER);
});

async function start(
  options: Partial<RecorderOptions> & Pick<RecorderOptions, "sink">,
): Promise<UsageRecorder> {
  const logger = pino(
    { level: "debug" },
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logLines.push(chunk.toString());
        callback();
      },
    }),
  );
  const recorder = await createUsageRecorder({
    spoolDir: path.join(dir, "spool"),
    flushIntervalMs: 20,
    replayIntervalMs: 20,
    logger,
    ...options,
  });
  recorders.push(recorder);
  return recorder;
}

async function segmentFiles(prefix = "usage-"): Promise<string[]> {
  return (await readdir(path.join(dir, "spool"))).filter((n) => n.startsWith(prefix)).sort();
}

async function spooledLines(prefix = "usage-"): Promise<string[]> {
  const lines: string[] = [];
  for (const name of await segmentFiles(prefix)) {
    const text = await readFile(path.join(dir, "spool", name), "utf8");
    lines.push(...text.split("\n").filter((l) => l !== ""));
  }
  return lines;
}

describe("batching", () => {
  it("flushes as soon as maxBatch events are queued, and never sends more than maxBatch at once", async () => {
    const api = fakeApi();
    const recorder = await start({ sink: api.sink, maxBatch: 10, flushIntervalMs: 60_000 });

    for (let i = 0; i < 10; i++) recorder.record(usageEvent());
    await waitFor(() => api.accepted.size === 10);
    expect(api.batchSizes()).toEqual([10]);

    for (let i = 0; i < 3; i++) recorder.record(usageEvent());
    await sleep(60);
    expect(api.batchSizes()).toEqual([10]); // 3 < maxBatch and the interval is a minute away
    expect(recorder.stats().queued).toBe(3);

    for (let i = 0; i < 22; i++) recorder.record(usageEvent()); // 25 queued in one tick
    await waitFor(() => api.accepted.size === 35);
    expect(api.batchSizes()).toEqual([10, 10, 10, 5]);
    expect(recorder.stats()).toMatchObject({ queued: 0, inFlight: 0, recorded: 35, spoolWrites: 0 });
  });

  it("flushes a partial batch within flushIntervalMs", async () => {
    const api = fakeApi();
    const recorder = await start({ sink: api.sink, maxBatch: 200, flushIntervalMs: 40 });
    recorder.record(usageEvent());
    recorder.record(usageEvent());
    recorder.record(usageEvent());
    expect(api.calls).toHaveLength(0); // record() never sends synchronously
    await waitFor(() => api.accepted.size === 3);
    expect(api.batchSizes()).toEqual([3]);

    recorder.record(usageEvent());
    await waitFor(() => api.accepted.size === 4);
    expect(api.batchSizes()).toEqual([3, 1]);
  });

  it("keeps events recorded during an in-flight flush for the next batch", async () => {
    const api = fakeApi();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const recorder = await start({
      sink: async (events) => {
        await gate;
        await api.sink(events);
      },
      flushIntervalMs: 10,
    });
    recorder.record(usageEvent());
    await waitFor(() => recorder.stats().inFlight === 1);
    recorder.record(usageEvent());
    recorder.record(usageEvent());
    await sleep(40);
    expect(recorder.stats()).toMatchObject({ inFlight: 1, queued: 2 }); // one flush at a time
    release();
    await waitFor(() => api.accepted.size === 3);
    expect(api.batchSizes()).toEqual([1, 2]);
  });
});

describe("API down", () => {
  it("spools failed batches, replays them when the API is back, and reports each accepted batch once", async () => {
    const api = fakeApi();
    api.mode = "down";
    const recordedBatches: string[][] = [];
    const recorder = await start({
      sink: api.sink,
      maxBatch: 20,
      onRecorded: (events) => void recordedBatches.push(events.map((e) => e.generationId)),
    });
    const sent: string[] = [];
    for (let i = 0; i < 50; i++) {
      const event = usageEvent();
      sent.push(event.generationId);
      recorder.record(event);
    }
    await recorder.flush();
    expect(await spooledLines()).toHaveLength(50);
    expect(await segmentFiles()).toHaveLength(1); // a failed live batch goes to one new segment
    expect(recorder.stats()).toMatchObject({
      queued: 0,
      spooledEvents: 50,
      spooledSegments: 1,
      spoolWrites: 1,
    });

    // Still down: later batches are spooled too (straight away — replay is the one probing the API).
    for (let i = 0; i < 15; i++) {
      const event = usageEvent();
      sent.push(event.generationId);
      recorder.record(event);
    }
    await waitFor(() => recorder.stats().spooledEvents === 65);
    expect(await spooledLines()).toHaveLength(65);
    expect(api.accepted.size).toBe(0);

    api.mode = "up";
    await waitFor(async () => recorder.stats().spooledSegments === 0 && (await segmentFiles()).length === 0);
    expect(recorder.stats()).toMatchObject({ spooledEvents: 0, recorded: 65, replayed: 65, queued: 0 });

    // The sink saw every id, the accepted set is the sent set.
    const seen = new Set(api.calls.flatMap((c) => c.ids));
    for (const id of sent) expect(seen.has(id)).toBe(true);
    expect([...api.accepted.keys()].sort()).toEqual([...sent].sort());

    // onRecorded: once per accepted batch, with exactly that batch; here nothing was resent.
    const acceptedBatches = api.calls.filter((c) => c.outcome === "accepted").map((c) => c.ids);
    expect(recordedBatches).toEqual(acceptedBatches);
    expect(recordedBatches.flat().sort()).toEqual([...sent].sort());
    expect(Math.max(...acceptedBatches.map((b) => b.length))).toBeLessThanOrEqual(20);
  });

  it("times out a hung API call and spools the batch", async () => {
    const api = fakeApi();
    api.mode = "hang";
    const recorder = await start({ sink: api.sink, sinkTimeoutMs: 50 });
    recorder.record(usageEvent());
    recorder.record(usageEvent());
    await waitFor(() => recorder.stats().spooledEvents === 2);
    expect(await spooledLines()).toHaveLength(2);
    api.mode = "up";
    await waitFor(() => api.accepted.size === 2 && recorder.stats().spooledSegments === 0);
  });

  it("keeps a batch in memory when the spool cannot be written, and saves it once it can", async () => {
    const api = fakeApi();
    api.mode = "down";
    const recorder = await start({ sink: api.sink, replayIntervalMs: 30 });
    // Make the spool unwritable: replace the directory by a file.
    const spoolDir = path.join(dir, "spool");
    await rm(spoolDir, { recursive: true });
    await writeFile(spoolDir, "not a directory");

    for (let i = 0; i < 5; i++) recorder.record(usageEvent());
    await waitFor(() => recorder.stats().spoolFailures >= 1);
    expect(recorder.stats()).toMatchObject({ queued: 5, spooledEvents: 0 });
    expect(logLines.join("")).toContain("cannot write the usage spool");

    await rm(spoolDir);
    api.mode = "up";
    await waitFor(() => api.accepted.size === 5);
    expect(recorder.stats()).toMatchObject({ queued: 0, inFlight: 0 });
  });

  it("dead-letters only the events the API refuses as invalid", async () => {
    const api = fakeApi();
    const recorder = await start({ sink: api.sink, maxBatch: 8 });
    const events = Array.from({ length: 8 }, () => usageEvent());
    api.poison.add(events[5]!.generationId);
    for (const e of events) recorder.record(e);
    await waitFor(() => recorder.stats().rejected === 1 && recorder.stats().inFlight === 0);
    expect(api.accepted.size).toBe(7); // bisected: 8 → 4+4 → 2+2 → 1+1, the refused one isolated
    expect(api.accepted.has(events[5]!.generationId)).toBe(false);
    const deadLetters = await spooledLines("rejected-");
    expect(deadLetters).toHaveLength(1);
    expect(decodeEvent(deadLetters[0]!)).toEqual(events[5]);
    expect(await segmentFiles()).toHaveLength(0); // never replayed
    expect(logLines.join("")).toContain(events[5]!.generationId);
  });
});

describe("server errors (500): a poisoned event", () => {
  it("a batch the API keeps answering 500 is bisected down to the poisoned event: dead-lettered, every other event accepted", async () => {
    const api = fakeApi();
    const recorder = await start({ sink: api.sink, maxBatch: 100, maxServerErrors: 3 });
    const events = Array.from({ length: 300 }, () => usageEvent());
    const poisoned = events[137]!;
    api.serverPoison.add(poisoned.generationId);
    for (const e of events) recorder.record(e);
    await waitFor(() => {
      const s = recorder.stats();
      return s.poisoned === 1 && s.queued === 0 && s.inFlight === 0 && s.spooledSegments === 0;
    });
    expect(api.accepted.size).toBe(299);
    expect(api.accepted.has(poisoned.generationId)).toBe(false);
    const deadLetters = await spooledLines("rejected-");
    expect(deadLetters.map((l) => decodeEvent(l))).toEqual([poisoned]);
    expect(await segmentFiles()).toEqual([]);
    expect(recorder.stats()).toMatchObject({ rejected: 0, poisoned: 1, spooledEvents: 0 });
    // Whole batches first: the poisoned one failed 3 times before it was split.
    const whole = api.calls.filter((c) => c.ids.includes(poisoned.generationId) && c.ids.length === 100);
    expect(whole.length).toBe(3);
    expect(logLines.join("")).toContain(poisoned.generationId);
  });

  it("isolates several poisoned events of one batch, each in its own half", async () => {
    const api = fakeApi();
    const recorder = await start({ sink: api.sink, maxBatch: 64, maxServerErrors: 2 });
    const events = Array.from({ length: 64 }, () => usageEvent());
    const poisoned = [events[3]!, events[40]!, events[41]!];
    for (const e of poisoned) api.serverPoison.add(e.generationId);
    for (const e of events) recorder.record(e);
    await waitFor(() => recorder.stats().poisoned === 3 && recorder.stats().spooledSegments === 0);
    expect(api.accepted.size).toBe(61);
    const deadLetters = (await spooledLines("rejected-")).map((l) => decodeEvent(l)!.generationId).sort();
    expect(deadLetters).toEqual(poisoned.map((e) => e.generationId).sort());
  });

  it("an API answering 500 to everything dead-letters nothing: the events stay spooled, and are recorded once it recovers", async () => {
    const api = fakeApi();
    api.mode = "500";
    const recorder = await start({ sink: api.sink, maxBatch: 50, maxServerErrors: 2 });
    const sent = Array.from({ length: 120 }, () => usageEvent());
    for (const e of sent) recorder.record(e);
    // Long enough for several isolation attempts: each one reaches a single event and stops there.
    await waitFor(() => api.calls.filter((c) => c.ids.length === 1).length >= 3);
    expect(recorder.stats()).toMatchObject({ poisoned: 0, rejected: 0, spooledEvents: 120 });
    expect(await spooledLines("rejected-")).toEqual([]);
    // Every isolation attempt gave up after one descent: far fewer calls than bisecting everything.
    const singles = api.calls.filter((c) => c.ids.length === 1).length;
    expect(api.calls.length).toBeLessThan(singles * 2 * (Math.ceil(Math.log2(50)) + 2) + 20);

    api.mode = "up";
    await waitFor(() => recorder.stats().spooledSegments === 0 && api.accepted.size === 120);
    expect(recorder.stats().poisoned).toBe(0);
    expect(await spooledLines("rejected-")).toEqual([]);
  });

  it("a few 500s fewer than the threshold are retried whole, never split", async () => {
    const api = fakeApi();
    let failures = 2;
    const recorder = await start({
      sink: async (events) => {
        if (failures > 0) {
          failures -= 1;
          throw new UsageServerError("Internal server error.");
        }
        await api.sink(events);
      },
      maxBatch: 40,
      maxServerErrors: 3,
    });
    for (let i = 0; i < 40; i++) recorder.record(usageEvent());
    await waitFor(() => api.accepted.size === 40 && recorder.stats().spooledSegments === 0);
    expect(api.batchSizes()).toEqual([40]);
    expect(recorder.stats().poisoned).toBe(0);
  });

  it("network errors and 503s mean the API is away: never split, never dead-lettered, however often", async () => {
    const api = fakeApi();
    const recorder = await start({ sink: api.sink, maxBatch: 20, maxServerErrors: 1 });
    const events = Array.from({ length: 20 }, () => usageEvent());
    api.awayPoison.add(events[7]!.generationId);
    for (const e of events) recorder.record(e);
    await waitFor(() => api.calls.length >= 8);
    expect(api.calls.every((c) => c.ids.length === 20)).toBe(true);
    expect(recorder.stats()).toMatchObject({ poisoned: 0, rejected: 0, spooledEvents: 20 });
    api.awayPoison.clear();
    await waitFor(() => api.accepted.size === 20 && recorder.stats().spooledSegments === 0);
  });
});

describe("restart", () => {
  it("replays a previous run's leftovers, skipping and counting a torn last line", async () => {
    const api = fakeApi();
    api.mode = "down";
    const first = await start({ sink: api.sink, maxBatch: 10 });
    const sent: string[] = [];
    for (let i = 0; i < 30; i++) {
      const event = usageEvent();
      sent.push(event.generationId);
      first.record(event);
    }
    await first.close(1000);
    const files = await segmentFiles();
    expect(files.length).toBeGreaterThanOrEqual(1);
    expect(await spooledLines()).toHaveLength(30);

    // The process died while writing: the last segment ends with half a line.
    await appendFile(
      path.join(dir, "spool", files.at(-1)!),
      '{"generationId":"gen-torn","organizationId":"0b6c',
    );
    // And an older run left a segment of its own (name order is numeric: 999 < 1700000000000).
    const older = usageEvent();
    sent.push(older.generationId);
    await writeFile(path.join(dir, "spool", "usage-999-7.ndjson"), encodeEvents([older]));

    api.mode = "up";
    const recorded: string[] = [];
    const second = await start({
      sink: api.sink,
      maxBatch: 10,
      onRecorded: (events) => void recorded.push(...events.map((e) => e.generationId)),
    });
    expect(second.stats().spooledSegments).toBe(files.length + 1);
    await waitFor(async () => second.stats().spooledSegments === 0 && (await segmentFiles()).length === 0);
    expect(second.stats()).toMatchObject({ corruptLines: 1, replayed: 31, spooledEvents: 0 });
    expect([...api.accepted.keys()].sort()).toEqual([...sent].sort());
    expect(api.accepted.has("gen-torn")).toBe(false);
    expect(recorded.sort()).toEqual([...sent].sort());
    expect(api.calls.find((c) => c.outcome === "accepted")!.ids).toEqual([
      older.generationId,
      ...sent.slice(0, 9),
    ]);
  });
});

describe("close", () => {
  it("flushes what is queued", async () => {
    const api = fakeApi();
    const recorder = await start({ sink: api.sink, flushIntervalMs: 60_000 });
    for (let i = 0; i < 7; i++) recorder.record(usageEvent());
    await recorder.close();
    expect(api.batchSizes()).toEqual([7]);
    expect(recorder.stats()).toMatchObject({ queued: 0, inFlight: 0, recorded: 7 });
    expect(await segmentFiles()).toHaveLength(0);
  });

  it("spools when the API is down and returns without waiting out its timeout", async () => {
    const api = fakeApi();
    api.mode = "down";
    const recorder = await start({ sink: api.sink, flushIntervalMs: 60_000 });
    for (let i = 0; i < 4; i++) recorder.record(usageEvent());
    // A deadline far beyond the test's own timeout: close() returns because the failed batch is
    // spooled, not because its time ran out (no wall-clock reading to go wrong on a busy machine).
    await recorder.close(3_600_000);
    expect(await spooledLines()).toHaveLength(4);
  });

  it("spools when the API hangs, within its timeout, and spools events recorded after close", async () => {
    const api = fakeApi();
    api.mode = "hang";
    const recorder = await start({ sink: api.sink, flushIntervalMs: 60_000, sinkTimeoutMs: 60_000 });
    for (let i = 0; i < 4; i++) recorder.record(usageEvent());
    const started = Date.now();
    // The API never answers: only the deadline ends this. 3 s leaves the spool its last second
    // (400 ms left it 100 ms, which a loaded 2-core machine missed: close returned mid-write).
    await recorder.close(3_000);
    // It gave the API most of the budget (a lower bound: a busy machine only makes it longer).
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(await spooledLines()).toHaveLength(4);
    expect(recorder.stats()).toMatchObject({ queued: 0, inFlight: 0, spooledEvents: 4 });

    recorder.record(usageEvent()); // a request that finished late
    await waitFor(() => recorder.stats().spooledEvents === 5);
    expect(await spooledLines()).toHaveLength(5);
  });
});

describe("spool format", () => {
  it("round-trips bigint, Date and optional fields exactly", () => {
    const full = usageEvent({
      rawCostNano: 9_007_199_254_740_993n,
      occurredAt: new Date("2025-03-30T01:59:59.999Z"),
      release: { period: "2025-03", nano: 9_007_199_254_740_995n },
    });
    const sparse: UsageEvent = {
      generationId: "gen-sparse",
      organizationId: ORG,
      userId: USER,
      externalUserId: "x",
      model: "m",
      provider: null,
      promptTokens: 0,
      completionTokens: 0,
      rawCostNano: 0n,
      markupBp: 10_000,
      status: "aborted",
      streamed: false,
      latencyMs: null,
      occurredAt: new Date(0),
    };
    for (const event of [full, sparse]) expect(decodeEvent(encodeEvent(event))).toStrictEqual(event);
    expect(encodeEvent(full)).toContain('"rawCostNano":"9007199254740993"');
    expect(encodeEvent(full)).toContain('"release":{"period":"2025-03","nano":"9007199254740995"}');
    expect(decodeEvents(encodeEvents([full, sparse]) + "{torn")).toEqual({
      events: [full, sparse],
      corrupt: 1,
    });
    for (const bad of ["", "[]", "42", "null", '{"organizationId":"x"}', "{"])
      expect(decodeEvent(bad)).toBeNull();
  });

  it("bigint and Date survive a real spool and replay", async () => {
    const api = fakeApi();
    api.mode = "down";
    const recorder = await start({ sink: api.sink });
    const event = usageEvent({
      rawCostNano: 9_007_199_254_740_993n,
      occurredAt: new Date("2024-02-29T23:59:59.123Z"),
    });
    recorder.record(event);
    await recorder.flush();
    expect(await spooledLines()).toHaveLength(1);
    api.mode = "up";
    await waitFor(() => api.accepted.size === 1);
    const received = api.accepted.get(event.generationId)!;
    expect(received).toStrictEqual(event);
    expect(received.rawCostNano).toBe(9_007_199_254_740_993n);
    expect(received.occurredAt.getTime()).toBe(event.occurredAt.getTime());
  });
});

describe("property: a flapping API", () => {
  /** mulberry32: small, seeded, good enough to make the flapping reproducible. */
  function prng(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it.each([1, 2, 3])("every one of 1,000 events is accepted at least once (seed %i)", async (seed) => {
    const random = prng(seed);
    const api = fakeApi();
    const recorded = new Set<string>();
    const recorder = await start({
      // The API also fails single calls at random, on top of longer outages.
      sink: async (events) => {
        if (random() < 0.15) throw new Error("502 Bad Gateway");
        await api.sink(events);
      },
      maxBatch: 25,
      flushIntervalMs: 5,
      replayIntervalMs: 10,
      onRecorded: (events) => events.forEach((e) => recorded.add(e.generationId)),
    });
    const sent: string[] = [];
    let flapping = true;
    const flapper = (async () => {
      while (flapping) {
        api.mode = random() < 0.5 ? "down" : "up";
        await sleep(Math.floor(random() * 30));
      }
    })();
    for (let i = 0; i < 1000; i++) {
      const event = usageEvent();
      sent.push(event.generationId);
      recorder.record(event);
      if (random() < 0.05) await sleep(Math.floor(random() * 10));
    }
    await sleep(100);
    flapping = false;
    await flapper;
    api.mode = "up";
    await waitFor(() => {
      const s = recorder.stats();
      return s.queued === 0 && s.inFlight === 0 && s.spooledSegments === 0;
    });
    await recorder.close(2000);

    const seen = new Set(api.calls.flatMap((c) => c.ids));
    const missing = sent.filter((id) => !api.accepted.has(id));
    expect(missing).toEqual([]);
    expect(sent.every((id) => seen.has(id) && recorded.has(id))).toBe(true);
    expect(api.accepted.size).toBe(1000);
    expect(await segmentFiles()).toEqual([]);
    expect(api.calls.some((c) => c.outcome === "failed")).toBe(true); // the API did flap
    expect(recorder.stats().spoolWrites).toBeGreaterThan(0);
  });
});
