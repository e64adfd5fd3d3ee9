// Display formatting. Money arrives as bigint nano-USD and is formatted from the integer by
// @mai/domain (never through a float sum); counts and dates through Intl.
// The money subpath only: the package index also holds zod schemas the dashboard does not need.
import { formatUsd, formatUsdPrecise } from "@mai/domain/money";

const integer = new Intl.NumberFormat("en-US");
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

/**
 * "$1,234.57": cents, rounded half away from zero from nano-USD. Below a cent, cents would say
 * "$0.00" about real spending, so six decimals are shown instead ("$0.000035").
 */
export function money(nano: bigint): string {
  const abs = nano < 0n ? -nano : nano;
  if (abs !== 0n && abs < 10_000_000n) return formatUsd(nano, { fractionDigits: 6 });
  return formatUsd(nano);
}
/** "$0.000123456" — every nano-dollar, for single events and exact checks. */
export const moneyExact = (nano: bigint) => formatUsdPrecise(nano);
/** Money for chart axes and tooltips (charts work in numbers; only for drawing, never summed). */
export const nanoToChartUsd = (nano: bigint) => Number(nano) / 1e9;
export const count = (n: number) => integer.format(n);
export const compactCount = (n: number) => compact.format(n);

export function dateTime(d: Date, timeZone?: string): string {
  return new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone }).format(d);
}
export function shortDate(isoDate: string): string {
  // A YYYY-MM-DD local date of the billing time zone: formatted as is, not shifted through UTC.
  const [y, m, d] = isoDate.split("-").map(Number);
  return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" }).format(new Date(Date.UTC(y!, m! - 1, d)));
}
export const percent = (value: number, digits = 1) => `${value.toFixed(digits)} %`;
