// Why: money is resold with a markup and summed over millions of requests, so it is never a float.
// Every amount is an integer number of nano-USD (1 USD = 10^9 nano) in a bigint; decimal input is
// converted through its decimal digits, never by float multiplication (1.005 * 1e9 is
// 1004999999.9999999). There is exactly one rounding rule — half away from zero — and a request's
// billed cost is rounded once; totals are sums of those per-request amounts, never re-multiplied.

import { DomainError } from "./errors";
import { exactMoneyDecimal } from "./format";

export const NANO_PER_USD = 1_000_000_000n;
/** Markup is stored in basis points of the raw cost: 10 000 = 1×, 13 000 = 1.3×. */
export const BP_PER_UNIT = 10_000;
export const DEFAULT_MARKUP_BP = 13_000;
export const DEFAULT_MONTHLY_LIMIT_NANO = 1_000n * NANO_PER_USD;

const NANO_DIGITS = 9;
const BP_DIGITS = 4;
/** 1×: a lower markup would sell below the OpenRouter cost. */
export const MIN_MARKUP_BP = BP_PER_UNIT;
/** 100×. */
export const MAX_MARKUP_BP = 100 * BP_PER_UNIT;
// Guards against pathological input ("1e999999999" would otherwise build a billion-digit bigint).
const MAX_TEXT_LENGTH = 400;
const MAX_RESULT_DIGITS = 64;

// sign, integer digits, fraction digits, exponent. No grouping, no spaces inside, no "Infinity".
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

function invalid(message: string, details?: Record<string, unknown>): DomainError {
  return new DomainError("INVALID_INPUT", message, details ? { details } : undefined);
}

/** n / d rounded half away from zero; d > 0. The package's one rounding rule. */
function divideRounded(n: bigint, d: bigint): bigint {
  const negative = n < 0n;
  const abs = negative ? -n : n;
  let q = abs / d;
  if (2n * (abs % d) >= d) q += 1n;
  return negative ? -q : q;
}

/**
 * The decimal `input` × 10^scale, rounded half away from zero, and whether that was exact.
 * Numbers go through String(n) — the shortest decimal that round-trips the double — so 0.1 means
 * the 0.1 the user typed, not 0.1000000000000000055….
 */
function toScaledInteger(
  input: number | string,
  scale: number,
  what: string,
): { value: bigint; exact: boolean } {
  let text: string;
  if (typeof input === "number") {
    if (!Number.isFinite(input)) throw invalid(`${what} must be a finite number.`);
    text = String(input);
  } else if (typeof input === "string") {
    text = input.trim();
  } else {
    throw invalid(`${what} must be a number or a decimal string.`);
  }
  if (text.length > MAX_TEXT_LENGTH) throw invalid(`${what} is too long to be a decimal number.`);
  const m = DECIMAL.exec(text);
  const intPart = m?.[2] ?? "";
  const fracPart = m?.[3] ?? "";
  if (!m || (intPart === "" && fracPart === "")) {
    throw invalid(`${what} must be a plain decimal number such as 12.5 (no thousands separators).`);
  }
  const negative = m[1] === "-";
  const digits = (intPart + fracPart).replace(/^0+/, "");
  if (digits === "") return { value: 0n, exact: true };

  const exponent = m[4] === undefined ? 0 : Number(m[4]);
  // value = digits × 10^(exponent − fracPart.length); we want value × 10^scale.
  const shift = exponent - fracPart.length + scale;
  if (!Number.isSafeInteger(shift)) {
    // An absurd exponent: far below the smallest unit rounds to 0, far above is refused.
    if (shift < 0) return { value: 0n, exact: false };
    throw invalid(`${what} is too large.`);
  }
  // The result has about digits.length + shift digits.
  if (digits.length + shift > MAX_RESULT_DIGITS) throw invalid(`${what} is too large.`);
  const mantissa = BigInt(digits);
  let value: bigint;
  let exact = true;
  if (shift >= 0) {
    value = mantissa * 10n ** BigInt(shift);
  } else if (-shift > digits.length) {
    // mantissa < 10^digits.length, so the scaled value is below 0.1 of a unit: rounds to 0.
    value = 0n;
    exact = false;
  } else {
    const divisor = 10n ** BigInt(-shift);
    exact = mantissa % divisor === 0n;
    value = divideRounded(mantissa, divisor);
  }
  return { value: negative ? -value : value, exact };
}

function requireBigint(value: unknown, what: string): bigint {
  if (typeof value !== "bigint") throw invalid(`${what} must be a bigint amount of nano-USD.`);
  return value;
}

/**
 * USD (a number or a decimal string) → nano-USD, exactly. Digits beyond the 9th decimal are
 * rounded half away from zero: 0.0000000005 → 1n, -0.0000000005 → -1n, 0.00000000049 → 0n.
 */
export function usdToNano(usd: number | string): bigint {
  return toScaledInteger(usd, NANO_DIGITS, "An amount in USD").value;
}

/**
 * USD → nano-USD when the amount is a whole number of nano-dollars (at most 9 decimals after
 * trailing zeros); an amount that would be rounded is refused in words. For amounts a person types
 * (limits): silently storing 0.0000000001 as 0 would turn a limit into "refuse everything".
 */
export function usdToNanoExact(usd: number | string, what = "The amount"): bigint {
  const { value, exact } = toScaledInteger(usd, NANO_DIGITS, what);
  if (!exact) throw invalid(`${what} can have at most 9 decimals (one nano-dollar).`);
  return value;
}

/** Exact plain decimal, no exponent, trailing zeros trimmed: 4200n → "0.0000042". */
export function nanoToUsdString(nano: bigint): string {
  // The one exact decimal of format.ts (the CSV's and --json's), in USD.
  return exactMoneyDecimal(requireBigint(nano, "The amount"));
}

/**
 * A multiplier ("1.3" or 1.3) → basis points (13000). It must be exact in basis points (at most 4
 * significant decimals; trailing zeros are fine) and within [1×, 100×].
 */
export function markupFromMultiplier(m: number | string): number {
  const { value, exact } = toScaledInteger(m, BP_DIGITS, "The markup");
  if (!exact) throw invalid("The markup can have at most 4 decimals (e.g. 1.2345).");
  if (value < BigInt(MIN_MARKUP_BP)) {
    throw invalid(
      "The markup must be at least 1 (1×): a lower markup would sell below the OpenRouter cost, at a loss.",
    );
  }
  if (value > BigInt(MAX_MARKUP_BP)) throw invalid("The markup can be at most 100 (100×).");
  return Number(value);
}

/** A markup already in basis points (as stored): an integer within [1×, 100×]. */
export function validateMarkupBp(bp: number): number {
  if (!Number.isSafeInteger(bp)) throw invalid("A markup in basis points must be an integer.");
  if (bp < MIN_MARKUP_BP) throw invalid("The markup must be at least 1× (10 000 basis points).");
  if (bp > MAX_MARKUP_BP) throw invalid("The markup can be at most 100× (1 000 000 basis points).");
  return bp;
}

/** Basis points → the multiplier as an exact decimal string: 13000 → "1.3", 10000 → "1". */
export function markupToMultiplier(bp: number): string {
  if (!Number.isSafeInteger(bp) || bp < 0)
    throw invalid("A markup in basis points must be a non-negative integer.");
  const whole = Math.trunc(bp / BP_PER_UNIT);
  const fraction = String(bp % BP_PER_UNIT)
    .padStart(BP_DIGITS, "0")
    .replace(/0+$/, "");
  return fraction === "" ? String(whole) : `${whole}.${fraction}`;
}

/**
 * The billed cost of one request: raw × markup, rounded once, half away from zero, to the
 * nano-dollar. Totals are sums of these per-request billed costs, never a re-multiplied raw total
 * (which could differ by the accumulated rounding).
 */
export function billedCost(rawNano: bigint, markupBp: number): bigint {
  const raw = requireBigint(rawNano, "The raw cost");
  if (!Number.isSafeInteger(markupBp) || markupBp < 0) {
    throw invalid("A markup in basis points must be a non-negative integer.");
  }
  return divideRounded(raw * BigInt(markupBp), BigInt(BP_PER_UNIT));
}

function groupThousands(digits: string): string {
  let out = "";
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ",";
    out += digits[i];
  }
  return out;
}

function symbolOf(options: { symbol?: string } | undefined): string {
  const symbol = options?.symbol ?? "$";
  if (typeof symbol !== "string") throw invalid("A currency symbol must be a string.");
  return symbol;
}

/**
 * For display: "$1,234.57", "-$1,234.57". Rounded half away from zero to `fractionDigits` (0–9,
 * default 2). A negative amount that rounds to zero shows no minus sign ("$0.00").
 */
export function formatUsd(nano: bigint, options?: { fractionDigits?: number; symbol?: string }): string {
  const n = requireBigint(nano, "The amount");
  const digits = options?.fractionDigits ?? 2;
  if (!Number.isInteger(digits) || digits < 0 || digits > NANO_DIGITS) {
    throw invalid("fractionDigits must be an integer from 0 to 9.");
  }
  const symbol = symbolOf(options);
  const unit = 10n ** BigInt(digits);
  const rounded = divideRounded(n < 0n ? -n : n, 10n ** BigInt(NANO_DIGITS - digits));
  const whole = groupThousands((rounded / unit).toString());
  const fraction = digits === 0 ? "" : `.${(rounded % unit).toString().padStart(digits, "0")}`;
  return `${n < 0n && rounded !== 0n ? "-" : ""}${symbol}${whole}${fraction}`;
}

/** Every significant digit (up to 9 decimals, at least 2): "$0.0000042", "$12.50", "$1,000.00". */
export function formatUsdPrecise(nano: bigint, options?: { symbol?: string }): string {
  const n = requireBigint(nano, "The amount");
  const symbol = symbolOf(options);
  const abs = n < 0n ? -n : n;
  const whole = groupThousands((abs / NANO_PER_USD).toString());
  const fraction = (abs % NANO_PER_USD)
    .toString()
    .padStart(NANO_DIGITS, "0")
    .replace(/0+$/, "")
    .padEnd(2, "0");
  return `${n < 0n ? "-" : ""}${symbol}${whole}.${fraction}`;
}
