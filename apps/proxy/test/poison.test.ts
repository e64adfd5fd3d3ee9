// Defect 4 of issue 12: one usage event that passes validation but fails in the database stalled
// all recording — retried forever, with the circuit breaker spooling every later event behind it.
// The poison is real: a trigger on the real database raises for one generation id (SQLSTATE P0001),
// so the real API answers 500 for every batch that carries it.
import { randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { and, count, eq, sum } from "drizzle-orm";
import { sql } from "drizzle-orm";
import { schema } from "@mai/db";
import { testDrivers } from "@mai/db/testing";
import { billedCost, decodeUsageEventLine, type UsageEvent } from "@mai/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type System } from "./system";

async function until(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(testDrivers())("a poisoned usage event on %s", (driver) => {
  let s: System;
  beforeAll(async () => {
    s = await startSystem(driver);
  });
  afterAll(() => s.close());

  it("one event among 1,000 that the database refuses: 999 recorded, 1 dead-lettered, nothing left spooled", async () => {
    const org = await s.org();
    const user = org.users[0]!;
    const run = randomUUID().slice(0, 8);
    const poisonId = `gen-poison-${run}`;
    // A constraint the API's validation cannot know about: the database raises for this one event.
    await s.t.db.execute(
      sql.raw(`create function mai_test_poison_${run}() returns trigger language plpgsql as $$
        begin
          if new.generation_id = '${poisonId}' then
            raise exception 'usage event % is poisoned', new.generation_id;
          end if;
          return new;
        end $$`),
    );
    await s.t.db.execute(sql.raw(`create trigger mai_test_poison_${run} before insert on usage_events for each row execute function mai_test_poison_${run}()`));

    const events: UsageEvent[] = Array.from({ length: 1_000 }, (_, i) => ({
      generationId: i === 613 ? poisonId : `gen-${run}-${i}`,
      organizationId: org.id,
      userId: user.id,
      externalUserId: user.externalUserId,
      model: "openai/gpt-4o-mini",
      provider: "OpenAI",
      promptTokens: 10 + i,
      completionTokens: 20,
      rawCostNano: BigInt(1_000 + i),
      markupBp: org.markupBp,
      status: "ok",
      streamed: i % 2 === 0,
      latencyMs: 100,
      ttfbMs: 20,
      occurredAt: new Date(),
    }));
    const recorder = s.proxy.deps.recorder;
    for (const event of events) recorder.record(event);

    const recorded = async () => {
      const [row] = await s.t.db.select({ n: count() }).from(schema.usageEvents).where(eq(schema.usageEvents.organizationId, org.id));
      return row?.n ?? 0;
    };
    await until(async () => {
      const stats = recorder.stats();
      // The spool's last segment file goes a moment after its events are counted out: both are waited for.
      return stats.poisoned === 1 && stats.queued === 0 && stats.inFlight === 0 && stats.spooledEvents === 0 && stats.spooledSegments === 0 && (await recorded()) === 999;
    });

    // The API answered 500 (a server error), not 400: the event was valid, the database refused it.
    expect(recorder.stats()).toMatchObject({ rejected: 0, poisoned: 1, spooledSegments: 0 });
    const [poisonRow] = await s.t.db.select().from(schema.usageEvents).where(eq(schema.usageEvents.generationId, poisonId));
    expect(poisonRow).toBeUndefined();

    const spoolDir = s.proxy.deps.env.MAI_PROXY_SPOOL_DIR;
    const files = await readdir(spoolDir);
    expect(files.filter((f) => f.startsWith("usage-"))).toEqual([]);
    const deadLetters: UsageEvent[] = [];
    for (const file of files.filter((f) => f.startsWith("rejected-"))) {
      for (const line of (await readFile(join(spoolDir, file), "utf8")).split("\n")) {
        if (line) deadLetters.push(decodeUsageEventLine(line)!);
      }
    }
    expect(deadLetters).toEqual([events[613]]);

    // The books: the daily rollup holds exactly the 999 recorded events.
    const expected = events.filter((e) => e.generationId !== poisonId).reduce((a, e) => a + billedCost(e.rawCostNano, e.markupBp), 0n);
    const [daily] = await s.t.db
      .select({ billed: sum(schema.usageDaily.billedCostNano), requests: sum(schema.usageDaily.requests) })
      .from(schema.usageDaily)
      .where(and(eq(schema.usageDaily.organizationId, org.id), eq(schema.usageDaily.userId, user.id)));
    expect(BigInt(daily!.billed!)).toBe(expected);
    expect(Number(daily!.requests)).toBe(999);
    // Logged by id, with the reason.
    expect(s.logs.some((l) => l.includes(poisonId) && l.includes("dead-letter"))).toBe(true);
  });
});
