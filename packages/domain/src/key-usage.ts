// Key-level reconciliation: OpenRouter's own per-key counters (`usage_daily`, `usage_monthly`, UTC)
// against the raw cost recorded for the same key over the same span. The difference is "unmetered
// usage" — traffic that bypassed the gateway (the client holds its key and can use it elsewhere) or
// charges lost to a crash. Pure rules only: which UTC periods, what counts as rounding, what a
// billable remainder is.

/** One UTC calendar day or month, as OpenRouter counts `usage_daily` / `usage_monthly`. */
export interface UtcPeriod {
  scope: "day" | "month";
  /** "YYYY-MM-DD" (the first day, for a month). */
  periodStart: string;
  /** "YYYY-MM" of the month this period lies in (the statement period of an adjustment). */
  month: string;
  /** First instant of the period. */
  start: Date;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** The UTC day and UTC month that contain `now` — the windows OpenRouter's counters cover. */
export function utcPeriodsOf(now: Date): { day: UtcPeriod; month: UtcPeriod } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  const month = `${y}-${pad(m + 1)}`;
  return {
    day: { scope: "day", periodStart: `${month}-${pad(d)}`, month, start: new Date(Date.UTC(y, m, d)) },
    month: { scope: "month", periodStart: `${month}-01`, month, start: new Date(Date.UTC(y, m, 1)) },
  };
}

/** The UTC month "YYYY-MM" as its first day ("YYYY-MM-01"), the key of its month-scope check. */
export function monthPeriodStart(month: string): string {
  return `${month}-01`;
}

/**
 * How far OpenRouter's counter and the recorded sum may differ by rounding alone, nano-USD.
 *
 * - Each recorded event's cost went through usdToNano once (OpenRouter's `usage.cost` may carry
 *   digits below the nano-dollar): at most ½ nano per event, so ⌈events / 2⌉.
 * - The counter itself is a JSON double converted once with usdToNano: ½ nano, plus the double's
 *   own representation error — about 2⁻⁵² of the amount (a double holds ~15.9 significant digits,
 *   so $1,000,000.000000001 is already not exact) — rounded up: amount / 2⁵⁰ + 1 covers it with
 *   margin.
 *
 * Anything beyond is money charged on the key that the gateway did not record (or the reverse).
 * With the simulator (costs are whole nano-dollars) the difference is exactly 0 when nothing
 * bypassed the gateway, so the tolerance only matters against live OpenRouter.
 */
export function unmeteredToleranceNano(recordedEvents: number, openrouterUsageNano: bigint): bigint {
  const events = BigInt(Math.max(0, Math.trunc(recordedEvents)));
  const magnitude = openrouterUsageNano < 0n ? -openrouterUsageNano : openrouterUsageNano;
  return (events + 1n) / 2n + magnitude / 2n ** 50n + 1n;
}

/** Whether a difference is unmetered usage (beyond rounding) rather than noise. */
export function isUnmetered(unmeteredNano: bigint, toleranceNano: bigint): boolean {
  return unmeteredNano > toleranceNano || unmeteredNano < -toleranceNano;
}

/**
 * Whether a new observation is worth an audit entry: the amount first appears beyond tolerance, or
 * moved beyond tolerance since the previous observation (including back to within tolerance). A
 * steady amount is audited once, not on every run.
 */
export function unmeteredChanged(previousNano: bigint | null, currentNano: bigint, toleranceNano: bigint): boolean {
  const before = previousNano ?? 0n;
  const wasShown = isUnmetered(before, toleranceNano);
  const isShown = isUnmetered(currentNano, toleranceNano);
  if (!wasShown && !isShown) return false;
  const delta = currentNano - before;
  return delta > toleranceNano || delta < -toleranceNano || wasShown !== isShown;
}

/**
 * What an explicit "bill unmetered usage" may still add for a month: the unmetered raw amount
 * minus what earlier adjustments already billed. Zero or less (already billed, or recorded more
 * than OpenRouter counted) → nothing to bill: an adjustment is never negative and never repeated.
 */
export function unbilledUnmeteredNano(unmeteredNano: bigint, alreadyBilledRawNano: bigint): bigint {
  const rest = unmeteredNano - alreadyBilledRawNano;
  return rest > 0n ? rest : 0n;
}
