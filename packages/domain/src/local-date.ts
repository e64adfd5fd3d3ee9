// Calendar arithmetic on local dates ("YYYY-MM-DD") in the billing time zone. A local date is a
// label, not an instant, so adding days is done on the label (via UTC, which has no DST); only the
// conversion to instants (zonedMidnight) needs the time zone.
import { billingPeriod } from "./billing-period";
import { domainError } from "./errors";

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH = /^(\d{4})-(\d{2})$/;
const DAY_MS = 86_400_000;

function parse(date: string): number {
  const m = DATE.exec(date);
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== date) {
    throw domainError("INVALID_INPUT", "dates.calendarDates", {}, { details: { date } });
  }
  return t;
}

export function addDays(date: string, days: number): string {
  return new Date(parse(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Inclusive count of days from `from` to `to`. */
export function daysBetween(from: string, to: string): number {
  return Math.round((parse(to) - parse(from)) / DAY_MS) + 1;
}

/** The first and last local date of a "YYYY-MM" period. */
export function monthDates(period: string): { from: string; to: string } {
  const m = MONTH.exec(period);
  const month = Number(m?.[2]);
  if (!m || month < 1 || month > 12)
    throw domainError("INVALID_INPUT", "dates.month", {}, { details: { period } });
  const from = `${m[1]}-${m[2]}-01`;
  const next =
    month === 12
      ? `${String(Number(m[1]) + 1).padStart(4, "0")}-01-01`
      : `${m[1]}-${String(month + 1).padStart(2, "0")}-01`;
  return { from, to: addDays(next, -1) };
}

export interface DateRange {
  from: string;
  to: string;
}

/** A caller's optional from/to, defaulting to the current billing month; from must not follow to. */
export function rangeOrCurrentMonth(
  input: { from?: string | undefined; to?: string | undefined },
  now: Date,
  timeZone: string,
): DateRange {
  const month = monthDates(billingPeriod(now, timeZone).key);
  const range = { from: input.from ?? month.from, to: input.to ?? month.to };
  if (parse(range.from) > parse(range.to))
    throw domainError("INVALID_INPUT", "dates.startAfterEnd");
  return range;
}
