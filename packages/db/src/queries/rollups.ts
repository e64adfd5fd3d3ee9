// The rollups of the usage events, listed once (not exported from @mai/db's main entry).
import type { PgTable } from "drizzle-orm/pg-core";
import { usageDaily, usageDailyModels, usageDailyUsers, usageMonthly } from "../schema/index";

/** A rollup key: the event properties (and their columns) a rollup sums events by. */
export type RollupKey = "organizationId" | "usageDate" | "period" | "userId" | "model";

/**
 * Every rollup of the events and its key. The ingest statement writes each (usage.ts rollupUpsert, one
 * CTE per entry) and a reconciliation correction moves each by the same delta (reconciliation.ts), so
 * a new rollup is one line here, not a copy in both.
 */
export const USAGE_ROLLUPS = [
  { alias: "daily", table: usageDaily, keys: ["organizationId", "usageDate", "userId", "model"] },
  { alias: "daily_users", table: usageDailyUsers, keys: ["organizationId", "usageDate", "userId"] },
  { alias: "daily_models", table: usageDailyModels, keys: ["organizationId", "usageDate", "model"] },
  { alias: "monthly", table: usageMonthly, keys: ["organizationId", "period", "userId", "model"] },
] as const satisfies readonly { alias: string; table: PgTable; keys: readonly RollupKey[] }[];
