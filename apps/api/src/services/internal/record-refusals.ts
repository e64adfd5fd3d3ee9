// internal.recordRefusals: requests the proxy refused before forwarding them (402 at the monthly
// limit, 403 for a deactivated organisation), counted per day on the Usage page. Idempotent by the
// proxy's id for each; a refusal of an organisation that no longer exists is skipped (packages/db).
import { recordRefusals as record } from "@mai/db";
import type { RecordRefusalsInput } from "@mai/domain/schemas";
import type { Context } from "../../context";

export function recordRefusals(ctx: Context, input: RecordRefusalsInput) {
  return record(ctx.deps.db, input.refusals);
}
