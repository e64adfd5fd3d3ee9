// internal.recordUsage: idempotent — events are keyed by generation id, so a replayed batch changes
// nothing. The batch travels in the usage-event line format (@mai/domain usage-event.ts, also the
// proxy's spool format); one invalid event refuses the whole batch (INVALID_INPUT → BAD_REQUEST,
// which the proxy reads as "never send this again").
import { recordUsageEvents } from "@mai/db";
import { parseUsageEvents } from "@mai/domain";
import type { RecordUsageInput } from "@mai/domain/schemas";
import type { Context } from "../../context";

export function recordUsage(ctx: Context, input: RecordUsageInput) {
  // Which new events wait for a check against /generation is decided here, as they are recorded.
  return recordUsageEvents(ctx.deps.db, parseUsageEvents(input.ndjson), { reconcileSampleBp: ctx.deps.env.MAI_RECONCILE_SAMPLE_BP });
}
