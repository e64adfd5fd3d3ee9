// The refusal recorder: refusals go to the API in batches, each with its own id (so a batch sent
// again counts once there); a failed send keeps them for the next try, logging the outage once; a
// batch the API calls invalid is dropped; at most maxPending wait, the oldest dropped first.
import { pino } from "pino";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createRefusalRecorder, type Refusal } from "../src/metering/refusals";

const ORG = "00000000-0000-4000-8000-000000000001";
const USER = "00000000-0000-4000-8000-000000000002";

function capturingLogger() {
  const lines: { msg: string; level: number }[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)) as { msg: string; level: number });
      done();
    },
  });
  return { logger: pino({ level: "info" }, stream), lines };
}

class Invalid extends Error {}

/** The API's recordRefusals as the recorder sees it: it takes batches, or is down (connection refused). */
function fakeApi(options: { down?: boolean } = {}) {
  const api = {
    down: options.down ?? false,
    received: [] as Refusal[],
    send: async (batch: Refusal[]) => {
      if (api.down) throw new Error("ECONNREFUSED");
      api.received.push(...batch);
    },
  };
  return api;
}

describe("refusal recorder", () => {
  it("sends batches of at most maxBatch, each refusal with a distinct id", async () => {
    const batches: Refusal[][] = [];
    const r = createRefusalRecorder({ send: async (b) => void batches.push(b), isRejection: () => false, logger: capturingLogger().logger, maxBatch: 2, flushIntervalMs: 60_000 });
    for (let i = 0; i < 5; i++) r.refused(ORG, USER, i % 2 ? "monthly_limit" : "organization_inactive");
    await r.flush();
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
    const all = batches.flat();
    expect(new Set(all.map((x) => x.id)).size).toBe(5);
    expect(all.map((x) => x.reason)).toEqual(["organization_inactive", "monthly_limit", "organization_inactive", "monthly_limit", "organization_inactive"]);
    expect(r.stats()).toEqual({ pending: 0, sent: 5, dropped: 0 });
    await r.close();
  });

  it("keeps a batch the API did not take, sends the same refusals (same ids) once it is back, and says so once", async () => {
    const { logger, lines } = capturingLogger();
    const api = fakeApi({ down: true });
    const r = createRefusalRecorder({ send: api.send, isRejection: () => false, logger, flushIntervalMs: 60_000 });
    r.refused(ORG, USER, "monthly_limit");
    await r.flush();
    r.refused(ORG, USER, "monthly_limit");
    await r.flush();
    expect(r.stats()).toEqual({ pending: 2, sent: 0, dropped: 0 });
    expect(lines.filter((l) => /not recorded yet/.test(l.msg))).toHaveLength(1);
    api.down = false;
    await r.flush();
    expect(api.received).toHaveLength(2);
    expect(r.stats()).toEqual({ pending: 0, sent: 2, dropped: 0 });
    expect(lines.filter((l) => /recorded again/.test(l.msg))).toHaveLength(1);
    await r.close();
  });

  it("drops a batch the API refuses as invalid, and goes on with the next", async () => {
    const received: Refusal[] = [];
    let first = true;
    const r = createRefusalRecorder({
      send: async (b) => {
        if (first) {
          first = false;
          throw new Invalid("BAD_REQUEST");
        }
        received.push(...b);
      },
      isRejection: (e) => e instanceof Invalid,
      logger: capturingLogger().logger,
      maxBatch: 1,
      flushIntervalMs: 60_000,
    });
    r.refused(ORG, USER, "monthly_limit");
    r.refused(ORG, USER, "organization_inactive");
    await r.flush();
    expect(received.map((x) => x.reason)).toEqual(["organization_inactive"]);
    expect(r.stats()).toEqual({ pending: 0, sent: 1, dropped: 1 });
    await r.close();
  });

  it("keeps at most maxPending during an outage, dropping the oldest, and flushes on its own timer", async () => {
    const api = fakeApi({ down: true });
    const r = createRefusalRecorder({ send: api.send, isRejection: () => false, logger: capturingLogger().logger, maxPending: 3, flushIntervalMs: 10 });
    const orgs = Array.from({ length: 5 }, (_, i) => `00000000-0000-4000-8000-00000000001${i}`);
    for (const org of orgs) r.refused(org, USER, "monthly_limit");
    expect(r.stats()).toMatchObject({ pending: 3, dropped: 2 });
    api.down = false;
    // No flush() here: the recorder's own timer sends them.
    await expect.poll(() => api.received.length, { timeout: 10_000 }).toBe(3);
    expect(api.received.map((x) => x.organizationId)).toEqual(orgs.slice(2));
    await r.close();
  });

  it("close() sends what waits, and notes nothing after", async () => {
    const api = fakeApi();
    const r = createRefusalRecorder({ send: api.send, isRejection: () => false, logger: capturingLogger().logger, flushIntervalMs: 60_000 });
    r.refused(ORG, USER, "monthly_limit");
    await r.close();
    r.refused(ORG, USER, "monthly_limit");
    expect(api.received).toHaveLength(1);
    expect(r.stats().pending).toBe(0);
  });
});
