// The clock every usage figure is read by: now, in the billing time zone of the global settings.
import { getGlobalSettings } from "@mai/db";
import type { Context } from "../../context";

interface BillingClock {
  timeZone: string;
  now: Date;
}

export async function billingClock(ctx: Context): Promise<BillingClock> {
  const { billingTimeZone } = await getGlobalSettings(ctx.deps.db);
  return { timeZone: billingTimeZone, now: ctx.deps.now() };
}
