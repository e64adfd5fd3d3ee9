// What the pages need to write figures and dates for the reader: the billing time zone (dates and
// date-times are in it on every page) and, for an organisation whose currency is not USD, the rate
// its figures are converted at (usage.currency: the last NBP rate before today, or before a
// month's statement date). Loaded once by the signed-in layout's guard; pages ask with the hook.
import type { QueryClient } from "@tanstack/react-query";
import { useQueries, useQuery } from "@tanstack/react-query";
import type { Me } from "../session";
import { trpc } from "../trpc";
import { setDisplayTimeZone } from "./format";

/** Sets the billing time zone for every page's dates; a failure leaves the browser's (never blocks a page). */
export async function loadDisplay(queryClient: QueryClient, me: Me): Promise<void> {
  try {
    if (me.role === "provider_admin") {
      setDisplayTimeZone((await queryClient.ensureQueryData(trpc.globalSettings.get.queryOptions())).billingTimeZone);
    } else if (me.organizationId) {
      setDisplayTimeZone((await queryClient.ensureQueryData(trpc.usage.currency.queryOptions())).timeZone);
    }
  } catch {
    // The pages still work; their dates are then in the browser's time zone.
  }
}

/** The organisation's display currency and its rate (month to date, or `month`'s statement). */
export function useDisplayCurrency(organizationId: string | undefined, month?: string) {
  return useQuery({
    ...trpc.usage.currency.queryOptions({ organizationId, ...(month ? { month } : {}) }),
    enabled: organizationId !== undefined || month !== undefined,
  });
}

/**
 * The month-to-date rate of every currency among `organizations` other than USD, by currency: a
 * rate is global per currency, so one usage.currency question per currency (asked for the first
 * organisation in it) serves the whole table.
 */
export function useDisplayCurrencies(organizations: readonly { id: string; currency: string }[]) {
  const representatives = new Map<string, string>();
  for (const o of organizations) if (o.currency !== "USD" && !representatives.has(o.currency)) representatives.set(o.currency, o.id);
  const entries = [...representatives].sort(([a], [b]) => a.localeCompare(b));
  const answers = useQueries({
    queries: entries.map(([, organizationId]) => trpc.usage.currency.queryOptions({ organizationId })),
  });
  const byCurrency = new Map<string, NonNullable<(typeof answers)[number]["data"]>>();
  entries.forEach(([currency], i) => {
    const data = answers[i]?.data;
    if (data) byCurrency.set(currency, data);
  });
  return byCurrency;
}
