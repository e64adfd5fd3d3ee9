// Migration 0011 adds the monthly rollup (the statement's source) and fills it from usage_daily, so
// a ledger recorded before it gets statements equal to its events: each (organisation, local month,
// user, model) row is the sum of that month's daily rows — across a month boundary too.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { migrate } from "../src/index";
import { createTestDbBefore, queryRows, sql, testDrivers } from "../src/testing/index";

describe.each(testDrivers())("the monthly rollup migration on %s", (driver) => {
  it("fills usage_monthly from usage_daily, one row per organisation × month × user × model", async () => {
    const handle = await createTestDbBefore(driver, "0011");
    try {
      const org = randomUUID();
      const [alice, bob] = [randomUUID(), randomUUID()];
      await handle.db.execute(sql`insert into client_organizations (id, name, markup_bp, monthly_limit_nano) values (${org}, 'Old Co', 13000, 0)`);
      const daily: [string, string, string, number, bigint][] = [
        ["2025-08-31", alice, "m1", 2, 9_000_000_001n],
        ["2025-09-01", alice, "m1", 3, 5n],
        ["2025-09-30", alice, "m1", 1, 7n],
        ["2025-09-02", alice, "m2", 4, 11n],
        ["2025-09-02", bob, "m1", 5, 13n],
      ];
      for (const [day, user, model, requests, billed] of daily) {
        await handle.db.execute(sql`insert into usage_daily (organization_id, usage_date, user_id, model, requests, error_requests,
            prompt_tokens, completion_tokens, reasoning_tokens, cached_tokens, raw_cost_nano, billed_cost_nano)
          values (${org}, ${day}, ${user}, ${model}, ${requests}, 1, ${requests * 10}, ${requests * 3}, 0, 0, ${billed - 1n}, ${billed})`);
      }
      await migrate(handle.db);
      const rows = await queryRows<{ period: string; user_id: string; model: string; requests: number; error_requests: number; prompt_tokens: string; billed: string; raw: string }>(
        handle.db,
        sql`select period, user_id, model, requests, error_requests, prompt_tokens::text, billed_cost_nano::text as billed, raw_cost_nano::text as raw
            from usage_monthly where organization_id = ${org} order by period, model, user_id = ${alice} desc`,
      );
      expect(rows).toEqual([
        { period: "2025-08", user_id: alice, model: "m1", requests: 2, error_requests: 1, prompt_tokens: "20", billed: "9000000001", raw: "9000000000" },
        { period: "2025-09", user_id: alice, model: "m1", requests: 4, error_requests: 2, prompt_tokens: "40", billed: "12", raw: "10" },
        { period: "2025-09", user_id: bob, model: "m1", requests: 5, error_requests: 1, prompt_tokens: "50", billed: "13", raw: "12" },
        { period: "2025-09", user_id: alice, model: "m2", requests: 4, error_requests: 1, prompt_tokens: "40", billed: "11", raw: "10" },
      ]);
    } finally {
      await handle.close();
    }
  });
});
