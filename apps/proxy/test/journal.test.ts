// The request journal alone (src/metering/journal.ts): records written and fsynced in groups,
// what a previous process left open comes back at start, compaction keeps exactly the open
// records, a torn last line is skipped; recovery settles from a /generation that answers 404 for a
// while, and gives up (closing the record) only after its deadline.
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UsageEvent } from "@mai/domain";
import { afterEach, describe, expect, it } from "vitest";
import { createRequestJournal, readJournal, settleRecovered, type JournalEntry } from "../src/metering/journal";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "mai-journal-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const entry = (i: number, overrides: Partial<JournalEntry> = {}): JournalEntry => ({
  generationId: `gen-1700000000-${String(i).padStart(20, "0")}`,
  organizationId: "6f1c3a52-3b7e-4c8e-9d0a-1b2c3d4e5f60",
  userId: "0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d",
  externalUserId: "mai_client_6f1c3a52_user_0a1b2c3d",
  model: "openai/gpt-4o-mini",
  markupBp: 13_000,
  streamed: i % 2 === 0,
  occurredAt: new Date("2026-12-01T10:00:00.000Z"),
  ...overrides,
});

describe("the request journal", () => {
  it("group-commits: 1,000 records share far fewer writes and fsyncs; open minus closed is what a reader sees", async () => {
    const dir = tempDir();
    const journal = await createRequestJournal({ dir });
    for (let i = 0; i < 1_000; i++) journal.open(entry(i));
    for (let i = 0; i < 1_000; i += 2) journal.close(entry(i).generationId);
    await journal.flush();
    const stats = journal.stats();
    expect(stats.open).toBe(500);
    expect(stats.lines).toBe(1_500);
    expect(stats.writes).toBeLessThan(100);
    expect(stats.syncs).toBeLessThanOrEqual(stats.writes);
    const read = await readJournal(dir);
    expect(read.open.size).toBe(500);
    expect(read.open.get(entry(1).generationId)).toEqual(entry(1));
    // Closing twice, or closing what was never opened, changes nothing.
    journal.close(entry(0).generationId);
    journal.close("gen-never-opened");
    await journal.flush();
    expect(journal.stats().lines).toBe(1_500);
    await journal.shutdown();
  });

  it("what a previous process left open comes back at start (a torn last line skipped), in a new file that replaces the old ones", async () => {
    const dir = tempDir();
    const crashed = await createRequestJournal({ dir });
    for (let i = 0; i < 10; i++) crashed.open(entry(i));
    for (let i = 0; i < 4; i++) crashed.close(entry(i).generationId);
    await crashed.flush();
    // No shutdown: the process "died". A write it was in the middle of left half a line.
    const [file] = readdirSync(dir);
    appendFileSync(join(dir, file!), '{"t":"open","generationId":"gen-torn');

    const restarted = await createRequestJournal({ dir });
    expect(restarted.recovered.map((e) => e.generationId).sort()).toEqual([4, 5, 6, 7, 8, 9].map((i) => entry(i).generationId));
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).not.toBe(file);
    // A crash right now would find the same records.
    expect((await readJournal(dir)).open.size).toBe(6);
    for (const e of restarted.recovered) restarted.close(e.generationId);
    await restarted.shutdown();
    // Nothing open at a clean shutdown: no file left.
    expect(readdirSync(dir)).toEqual([]);
  });

  it("compaction: past maxFileBytes a new file starts with exactly the open records, and the old file goes", async () => {
    const dir = tempDir();
    const journal = await createRequestJournal({ dir, maxFileBytes: 4_096 });
    for (let i = 0; i < 300; i++) {
      journal.open(entry(i));
      if (i >= 5) journal.close(entry(i - 5).generationId);
      if (i % 10 === 0) await journal.flush();
    }
    await journal.flush();
    expect(journal.stats().compactions).toBeGreaterThan(3);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(readFileSync(join(dir, files[0]!)).length).toBeLessThan(4_096 * 2);
    const open = (await readJournal(dir)).open;
    expect([...open.keys()].sort()).toEqual([295, 296, 297, 298, 299].map((i) => entry(i).generationId));
    await journal.shutdown();
    expect(readdirSync(dir)).toHaveLength(1); // five still open: kept for the next start
  });
});

describe("recovery of open records", () => {
  async function recovering(count: number) {
    const dir = tempDir();
    const crashed = await createRequestJournal({ dir });
    for (let i = 0; i < count; i++) crashed.open(entry(i));
    await crashed.flush();
    return createRequestJournal({ dir });
  }

  it("settles each from /generation — retrying the 404 of a generation not known yet — as one event at its cost, closed once durable", async () => {
    const journal = await recovering(5);
    const asked = new Map<string, number>();
    const recorded: UsageEvent[] = [];
    const recovery = settleRecovered({
      journal,
      organizationKey: () => Promise.resolve(`sk-or-v1-${"ab".repeat(32)}`),
      generation: (id) => {
        const n = (asked.get(id) ?? 0) + 1;
        asked.set(id, n);
        if (n < 3) return Promise.reject(Object.assign(new Error("Generation not found"), { status: 404 }));
        return Promise.resolve({ total_cost: 0.000012345, native_tokens_prompt: 12, native_tokens_completion: 40, provider_name: "OpenAI", model: "openai/gpt-4o-mini" });
      },
      record: (event) => {
        recorded.push(event);
        journal.close(event.generationId); // what the recorder's onDurable does
      },
      initialDelayMs: 5,
      maxDelayMs: 20,
      // A minute after the records were made (their date is fixed): well within the day it keeps trying.
      now: () => entry(0).occurredAt.getTime() + 60_000,
    });
    await recovery.done;
    expect(recorded).toHaveLength(5);
    expect([...asked.values()]).toEqual([3, 3, 3, 3, 3]);
    expect(recorded[0]).toMatchObject({ rawCostNano: 12_345n, promptTokens: 12, completionTokens: 40, status: "incomplete", release: null, markupBp: 13_000, provider: "OpenAI" });
    expect(journal.stats().open).toBe(0);
    await journal.shutdown();
  });

  it("a generation OpenRouter never knows is given up after the deadline, logged, and its record closed", async () => {
    const journal = await recovering(1);
    const lines: string[] = [];
    const { pino } = await import("pino");
    const logger = pino({ level: "warn" }, { write: (line: string) => lines.push(line) });
    let now = new Date("2026-12-01T10:00:00.000Z").getTime();
    const recovery = settleRecovered({
      journal,
      organizationKey: () => Promise.resolve(`sk-or-v1-${"ab".repeat(32)}`),
      generation: () => {
        now += 60 * 60_000; // an hour per attempt
        return Promise.reject(new Error("Generation not found"));
      },
      record: () => expect.unreachable(),
      now: () => now,
      initialDelayMs: 1,
      maxDelayMs: 2,
      logger,
    });
    await recovery.done;
    expect(journal.stats().open).toBe(0);
    expect(lines.join("")).toContain("gave up settling a journal record");
    await journal.shutdown();
  });
});
