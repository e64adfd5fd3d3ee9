// Display formatting: a thin layer over @mai/domain's one formatter (format.ts), which the CLI and
// the CSV statement use too. Money arrives as bigint nano-USD and is formatted from the integer
// (never through a float sum); ≥ a cent → cents, non-zero below → 2 significant digits, never
// "$0.00" for real spending. One date style on every page: dates "1 Dec 2026", date-times
// "1 Dec 2026, 13:10", in the billing time zone once it is known.
//
// The reader's locale: the browser's language (navigator.language), en-GB when there is none.
// `setDisplayLocale` is the one way to change it (an i18n layer's language switch calls it);
// `setDisplayTimeZone` is called once the billing time zone is known (usage.currency).
// The format subpath only: the package index also holds zod schemas the dashboard does not need.
import {
  describeRate,
  formatDate,
  formatDateTime,
  formatMoney,
  formatRate,
  formatShortDay,
  type ExchangeRate,
} from "@mai/domain/format";

export const FALLBACK_LOCALE = "en-GB";

function browserLocale(): string {
  const language = typeof navigator === "undefined" ? undefined : navigator.language;
  return language && isSupportedLocale(language) ? language : FALLBACK_LOCALE;
}

function isSupportedLocale(locale: string): boolean {
  try {
    return Intl.NumberFormat.supportedLocalesOf([locale]).length > 0;
  } catch {
    return false;
  }
}

const display = { locale: browserLocale(), timeZone: undefined as string | undefined };

/** The locale every figure and date is written in. */
export const displayLocale = (): string => display.locale;
/** Set the reader's locale (e.g. "pl-PL"); an unknown one falls back to en-GB. */
export function setDisplayLocale(locale: string | null | undefined): void {
  display.locale = locale && isSupportedLocale(locale) ? locale : FALLBACK_LOCALE;
}
/** The billing time zone the page's dates are written in (unset: the browser's). */
export function setDisplayTimeZone(timeZone: string | null | undefined): void {
  display.timeZone = timeZone ?? undefined;
}

/** "$1,234.57", "$0.000016", "$0.00" — cents, or 2 significant digits below a cent. */
export const money = (nano: bigint): string => formatMoney(nano, { locale: display.locale });
/** The same figure: one rule for every amount (kept as a name for the pages that used it). */
export const moneyExact = money;
/** A figure converted to the organisation's currency at `rate`: "1 234,57 zł" — rounded once. */
export const moneyIn = (nano: bigint, rate: ExchangeRate): string =>
  formatMoney(nano, { locale: display.locale, currency: rate.currency, rate });
/** The caption of converted figures: "USD→PLN 3.9876 (NBP, 30 Nov 2026)". */
export const rateCaption = (rate: ExchangeRate): string => describeRate(rate, { locale: display.locale });

/** A rate with every digit it has, in the reader's locale: "3.9876", "3,9876". */
export const formatRateText = (rate: string): string => formatRate(rate, { locale: display.locale });

/** A markup multiplier as the API writes it ("1.3") with every digit, in the reader's locale: "1.3", "1,3". */
export const markupText = (markup: string): string => formatRate(markup, { locale: display.locale });

/** Money for chart axes and tooltips (charts work in numbers; only for drawing, never summed). */
export const nanoToChartUsd = (nano: bigint) => Number(nano) / 1e9;
export const count = (n: number) => new Intl.NumberFormat(display.locale).format(n);
export const compactCount = (n: number) =>
  new Intl.NumberFormat(display.locale, { notation: "compact", maximumFractionDigits: 1 }).format(n);

/** "1 Dec 2026, 13:10" in the billing time zone (`timeZone` overrides it). */
export function dateTime(d: Date, timeZone?: string): string {
  return formatDateTime(d, { locale: display.locale, timeZone: timeZone ?? display.timeZone ?? browserTimeZone() });
}
/** "1 Dec 2026": an instant in the billing time zone, or a local day label ("2026-12-01") as is. */
export function date(d: Date | string, timeZone?: string): string {
  return formatDate(d, { locale: display.locale, timeZone: timeZone ?? display.timeZone ?? browserTimeZone() });
}
/** "1 Dec" — a chart's day, from a local day label of the billing time zone (never shifted). */
export const shortDate = (isoDate: string): string => formatShortDay(isoDate, { locale: display.locale });
/** "12.5", "12,5": a number with exactly `digits` decimals in the reader's locale, ungrouped (a share in a sentence). */
export const fixed = (value: number, digits = 1) =>
  new Intl.NumberFormat(display.locale, { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false }).format(value);
/** "12.5 %", "12,5 %": a share with `digits` decimals in the reader's locale (a space before %, as the pages write it). */
export const percent = (value: number, digits = 1) => `${fixed(value, digits)} %`;
/** A USD chart's axis tick with `digits` decimals in the reader's locale: "$1.50" (en), "1,50 $" (pl), as money() writes USD. */
export const chartUsd = (value: number, digits: number) =>
  new Intl.NumberFormat(display.locale, { style: "currency", currency: "USD", currencyDisplay: "narrowSymbol", minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);

function browserTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone;
}
