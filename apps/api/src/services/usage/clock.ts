// The clock every usage figure is read by: now, in the billing time zone of the global settings —
// read from the same database as the figures it dates (the reports pass ctx.deps.readDb).
import { getGlobalSettings, type Executor } from "@mai/db";
import type { Context } from "../../context";

interface BillingClock {
  timeZone: string;
  now: Date;
}

export async function billingClock(ctx: Context, db: Executor): Promise<BillingClock> {
  const { billingTimeZone } = await getGlobalSettings(db);
  return { timeZone: billingTimeZone, now: ctx.deps.now() };
}
