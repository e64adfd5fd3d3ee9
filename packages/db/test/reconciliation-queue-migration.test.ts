// Migration 0012 moves the choice of events to check into reconciliation_queue and drops what the
// ledger no longer needs: events still waiting for a check (failed ones and the default sample of
// the rest, as the ingest now chooses them) are queued; checked ones are not; the partial index of
// unchecked events and the ledger's own (generation_id, occurred_at) key are gone.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { migrate } from "../src/index";
import { createTestDbBefore, queryRows, sql, testDrivers } from "../src/testing/index";

describe.each(testDrivers())("the reconciliation queue migration on %s", (driver) => {
  it("queues the unchecked failed events and the default sample, and drops the index and key the queue replaces", async () => {
    const handle = await createTestDbBefore(driver, "0012");
    try {
      const org = randomUUID();
      await handle.db.execute(sql`insert into client_organizations (id, name, markup_bp, monthly_limit_nano) values (${org}, 'Old Co', 13000, 0)`);
      await handle.db.execute(sql`select usage_events_ensure_partition('2025-09-01')`);
      const events: [string, string, boolean][] = Array.from({ length: 60 }, (_, i) => [
        `gen-old-${String(i).padStart(4, "0")}`,
        i % 3 === 0 ? "error" : "ok",
        i % 10 === 9, // some already checked
      ]);
      for (const [id, status, checked] of events) {
        await handle.db.execute(sql`insert into usage_events (generation_id, organization_id, user_id, external_user_id, model,
            raw_cost_nano, billed_cost_nano, markup_bp, status, occurred_at, period, usage_date, reconciled_at)
          values (${id}, ${org}, ${randomUUID()}, 'x', 'm', 5, 6, 13000, ${status}, '2025-09-10T10:00:00Z', '2025-09', '2025-09-10',
            ${checked ? "2025-09-11T00:00:00Z" : null})`);
      }
      const sampled = new Set(
        (await queryRows<{ id: string }>(handle.db, sql`select generation_id as id from usage_events where mod(abs(hashtext(generation_id)), 10000) < 500`)).map(
          (r) => r.id,
        ),
      );
      await migrate(handle.db);
      const queued = (await queryRows<{ id: string; org: string }>(handle.db, sql`select generation_id as id, organization_id as org from reconciliation_queue order by 1`)).map(
        (r) => r.id,
      );
      const expected = events.filter(([id, status, checked]) => !checked && (status !== "ok" || sampled.has(id))).map(([id]) => id);
      expect(queued).toEqual(expected.sort());
      expect(queued.length).toBeGreaterThan(10);
      const left = await queryRows<{ name: string }>(
        handle.db,
        sql`select conname as name from pg_constraint where conname = 'usage_events_generation_id_occurred_at_pk'
            union all select relname from pg_class where relname = 'usage_events_unreconciled_idx'`,
      );
      expect(left).toEqual([]);
    } finally {
      await handle.close();
    }
  });
});
