// Why: one formatter for money and dates, shared by the dashboard, the CSV statement and the CLI, so
// a figure reads the same everywhere. Money is bigint nano-USD; a figure is built as an exact
// decimal string from the integer (converted, when the organisation's currency is another, by an
// exact decimal rate: nano × rate is an integer at a known scale) and rounded once, half away from
// zero, before Intl.NumberFormat lays it out in the reader's locale — Intl formats decimal strings
// exactly and, given as many fraction digits as the string has, rounds nothing itself. Display
// rule: at least one minor unit (a cent, a grosz) → the currency's fraction digits; non-zero below
// it → 2 significant digits (never "0.00" for real spending); zero → "0.00". Dates: one style,
// "1 Dec 2026" and "1 Dec 2026, 13:10", in the billing time zone.
//
// No I/O and no zod: the dashboard imports this module directly (subpath `@mai/domain/format`).

import { localDate } from "./billing-period";
import { DomainError } from "./errors";

const NANO_DIGITS = 9;
/** At most this many decimals in a rate (NBP's table A has 4; room for other sources). */
export const MAX_RATE_DECIMALS = 10;
const RATE = /^(\d{1,8})(?:\.(\d{1,10}))?$/;

function invalid(message: string, details?: Record<string, unknown>): DomainError {
  return new DomainError("INVALID_INPUT", message, details ? { details } : undefined);
}

/** An exchange rate as an exact decimal: `units` / 10^`scale` units of the currency per USD. */
export interface DecimalRate {
  units: bigint;
  scale: number;
}

/** Where a rate came from: NBP's table A, or the provider when NBP was unreachable. */
export type ExchangeRateSource = "nbp" | "provider";

/** A stored rate, as the API hands it to a page or a statement. */
export interface ExchangeRate {
  /** The currency the figures are converted to ("PLN"); USD is the books' currency. */
  currency: string;
  /** Units of `currency` per 1 USD, an exact decimal string ("3.9876"). */
  rate: string;
  /** The day the rate is NBP's (its table's effective date), "YYYY-MM-DD". */
  effectiveDate: string;
  source: ExchangeRateSource;
  /** NBP's table number ("233/A/NBP/2026"); null for a provider-entered rate. */
  tableNo: string | null;
}

/**
 * A rate as written ("3.9876", "4.0"): a positive plain decimal, at most 8 integer digits and
 * {@link MAX_RATE_DECIMALS} decimals, no exponent, no sign, no separators. Refused in words.
 */
export function parseRate(text: string): DecimalRate {
  const m = typeof text === "string" ? RATE.exec(text.trim()) : null;
  if (!m) {
    throw invalid(
      `An exchange rate is a positive decimal such as 3.9876 (at most ${MAX_RATE_DECIMALS} decimals, a dot as the decimal sign).`,
    );
  }
  const fraction = (m[2] ?? "").replace(/0+$/, "");
  const units = BigInt(`${m[1]}${fraction}`);
  if (units === 0n) throw invalid("An exchange rate must be greater than zero.");
  return { units, scale: fraction.length };
}

/** The rate's canonical text: no leading or trailing zeros beyond one ("03.98760" → "3.9876"). */
export function normalizeRate(text: string): string {
  const { units, scale } = parseRate(text);
  return decimalString(units, scale);
}

function requireNano(nano: unknown): bigint {
  if (typeof nano !== "bigint") throw invalid("An amount must be a bigint of nano-USD.");
  return nano;
}

function rateOf(rate: string | DecimalRate | ExchangeRate | undefined): DecimalRate {
  if (rate === undefined) return { units: 1n, scale: 0 };
  if (typeof rate === "string") return parseRate(rate);
  if ("units" in rate) return rate;
  return parseRate(rate.rate);
}

/** `n` / 10^scale as a plain decimal string, trailing fraction zeros trimmed. */
function decimalString(n: bigint, scale: number): string {
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const unit = 10n ** BigInt(scale);
  const fraction = scale === 0 ? "" : (abs % unit).toString().padStart(scale, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${abs / unit}${fraction === "" ? "" : `.${fraction}`}`;
}

/** The exact amount as an integer at a scale: nano × rate = `value` / 10^`scale`. */
function exactAmount(nano: bigint, rate: DecimalRate): { value: bigint; scale: number } {
  return { value: requireNano(nano) * rate.units, scale: NANO_DIGITS + rate.scale };
}

/**
 * The amount as an exact plain decimal, dot-decimal, no symbol, no grouping, no rounding — USD, or
 * converted at `rate` (units of the other currency per USD): 16_000n → "0.000016"; with "3.9876",
 * 1_000_000_000n → "3.9876". The CSV statement's figures; they add up exactly.
 */
export function exactMoneyDecimal(
  nano: bigint,
  rate?: string | DecimalRate | ExchangeRate,
  options: { minFractionDigits?: number } = {},
): string {
  const { value, scale } = exactAmount(nano, rateOf(rate));
  const text = decimalString(value, scale);
  const min = options.minFractionDigits ?? 0;
  if (min <= 0) return text;
  const [whole, fraction = ""] = text.split(".");
  return `${whole}.${fraction.padEnd(min, "0")}`;
}

/** n / d rounded half away from zero, n ≥ 0, d > 0. */
function divideRounded(n: bigint, d: bigint): bigint {
  const q = n / d;
  return 2n * (n % d) >= d ? q + 1n : q;
}

/**
 * The figure rounded once by the display rule, as a decimal string and its fraction digits:
 * ≥ one minor unit → `minorDigits` decimals; non-zero below → 2 significant digits; zero → 0.
 */
export function roundForDisplay(
  nano: bigint,
  options: { rate?: string | DecimalRate | ExchangeRate; minorDigits?: number } = {},
): { decimal: string; fractionDigits: number } {
  const minorDigits = options.minorDigits ?? 2;
  const { value, scale } = exactAmount(nano, rateOf(options.rate));
  if (!Number.isInteger(minorDigits) || minorDigits < 0 || minorDigits > NANO_DIGITS) {
    throw invalid("A currency has 0 to 9 fraction digits.");
  }
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const signed = (q: bigint, digits: number) => ({ decimal: decimalString(negative ? -q : q, digits), fractionDigits: digits });
  if (abs === 0n) return { decimal: "0", fractionDigits: minorDigits };
  // scale ≥ 9 ≥ minorDigits: one minor unit is 10^(scale − minorDigits) of the integer.
  const minorUnit = 10n ** BigInt(scale - minorDigits);
  if (abs >= minorUnit) return signed(divideRounded(abs, minorUnit), minorDigits);
  // Below one minor unit: 2 significant digits, i.e. rounded at 10^(length − 2) of the integer.
  const drop = abs.toString().length - 2;
  if (drop <= 0) return signed(abs, scale); // one or two digits: exact as they are
  const step = 10n ** BigInt(drop);
  const q = divideRounded(abs, step);
  // Rounded up to a whole minor unit (0.00995 → 0.010): the minor-unit rule, from the exact value.
  if (q * step >= minorUnit) return signed(divideRounded(abs, minorUnit), minorDigits);
  // 0.0000995 → q = 100 would show three digits: 0.00010 is the same figure in two.
  return q === 100n ? signed(10n, scale - drop - 1) : signed(q, scale - drop);
}

export interface MoneyFormatOptions {
  /** A BCP 47 locale ("en-GB", "pl-PL"); the reader's. */
  locale: string;
  /** The currency shown (default USD). Any other needs `rate`: never a silent 1:1. */
  currency?: string;
  /** Units of `currency` per 1 USD. */
  rate?: string | DecimalRate | ExchangeRate;
}

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: string, currency: string, fractionDigits: number): Intl.NumberFormat {
  const key = `${locale}|${currency}|${fractionDigits}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, {
      style: "currency",
      currency,
      // "$" and "zł" rather than "US$": the reader knows which currency the page is in.
      currencyDisplay: "narrowSymbol",
      // "1 234,57 zł" as well as "12 345,67 zł": one grouping for every figure of a column.
      useGrouping: "always",
      minimumFractionDigits: fractionDigits,
      maximumFractionDigits: fractionDigits,
      // Nothing is left to round (the string has exactly these digits); said anyway, the package's rule.
      roundingMode: "halfExpand",
    });
    if (numberFormats.size > 500) numberFormats.clear();
    numberFormats.set(key, f);
  }
  return f;
}

function minorDigitsOf(locale: string, currency: string): number {
  return new Intl.NumberFormat(locale, { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * Nano-USD for display, in the reader's locale: "$114.03", "$0.000016", "$0.00";
 * `{ locale: "pl-PL", currency: "PLN", rate: "3.9876" }` → "1 234,57 zł". Rounded once, half away
 * from zero, from the exact amount (converted exactly when a rate is given).
 */
export function formatMoney(nano: bigint, options: MoneyFormatOptions): string {
  const currency = (options.currency ?? "USD").toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) throw invalid("A currency is a three-letter ISO 4217 code.");
  if (currency !== "USD" && options.rate === undefined) {
    throw invalid(`An amount in ${currency} needs an exchange rate; none was given.`);
  }
  if (currency === "USD" && options.rate !== undefined) {
    throw invalid("Amounts in USD are not converted: give a rate only with another currency.");
  }
  const { decimal, fractionDigits } = roundForDisplay(nano, {
    rate: options.rate,
    minorDigits: minorDigitsOf(options.locale, currency),
  });
  return numberFormat(options.locale, currency, fractionDigits).format(decimal as `${number}`);
}

export interface DateFormatOptions {
  locale: string;
  /** The billing time zone the page is dated in (IANA name); default UTC. */
  timeZone?: string;
}

const LOCAL_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function dayInstant(day: string): Date {
  const m = LOCAL_DAY.exec(day);
  if (!m) throw invalid("A day is written YYYY-MM-DD.", { day });
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12));
}

/**
 * "1 Dec 2026" (en-GB), "1 gru 2026" (pl-PL). An instant is dated in `timeZone`; a local day
 * ("2026-12-01", already in the billing time zone) is shown as is, never shifted.
 */
export function formatDate(date: Date | string, options: DateFormatOptions): string {
  if (typeof date === "string") {
    return new Intl.DateTimeFormat(options.locale, { dateStyle: "medium", timeZone: "UTC" }).format(dayInstant(date));
  }
  return new Intl.DateTimeFormat(options.locale, { dateStyle: "medium", timeZone: options.timeZone ?? "UTC" }).format(date);
}

/** "1 Dec 2026, 13:10" in `timeZone` (24-hour where the locale is). */
export function formatDateTime(date: Date, options: DateFormatOptions): string {
  return new Intl.DateTimeFormat(options.locale, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: options.timeZone ?? "UTC",
  }).format(date);
}

/** "1 Dec" — a chart axis's day, from a local day label. */
export function formatShortDay(day: string, options: { locale: string }): string {
  return new Intl.DateTimeFormat(options.locale, { day: "numeric", month: "short", timeZone: "UTC" }).format(dayInstant(day));
}

/** The day an instant falls on in `timeZone`, "YYYY-MM-DD" — the machine-readable date (CSV, --json, URLs). */
export function formatLocalDay(date: Date, timeZone: string): string {
  return localDate(date, timeZone);
}

/** A rate in the reader's locale with every digit it has: "3.9876", "3,9876". */
export function formatRate(rate: string, options: { locale: string }): string {
  const { units, scale } = parseRate(rate);
  return new Intl.NumberFormat(options.locale, { minimumFractionDigits: scale, maximumFractionDigits: scale }).format(
    decimalString(units, scale) as `${number}`,
  );
}

/**
 * The caption beside converted figures: "USD→PLN 3.9876 (NBP, 30 Nov 2026)" — the rate with every
 * digit it has, its source and its day, in the reader's locale.
 */
export function describeRate(rate: ExchangeRate, options: { locale: string }): string {
  const source = rate.source === "nbp" ? "NBP" : "entered by the provider";
  return `USD→${rate.currency} ${formatRate(rate.rate, options)} (${source}, ${formatDate(rate.effectiveDate, options)})`;
}
