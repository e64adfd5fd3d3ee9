// Why: the simulator is the yardstick the proxy's accounting is checked against, so its own money
// must be exact. Prices are per-token decimal strings (like /models) that can be finer than a
// nano-dollar ($0.0075 per million tokens is 7.5 nano per token), so costs are computed in
// pico-USD (10^-12) with BigInt and each request's cost is then rounded once, half up, to the
// nano-dollar: that rounded amount is what is charged, emitted as `usage.cost` and recorded.
import { nanoToUsdString } from "@mai/domain";

const PICO_PER_NANO = 1000n;
const PICO_DIGITS = 12;

/** A non-negative decimal string → an integer at 10^-12 (pico) scale. Refuses finer digits. */
export function priceToPico(text: string): bigint {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new Error(`Not a plain non-negative decimal price: ${text}`);
  const fraction = match[2] ?? "";
  if (fraction.length > PICO_DIGITS) throw new Error(`Price ${text} is finer than a pico-dollar`);
  return (
    BigInt(match[1] as string) * 10n ** BigInt(PICO_DIGITS) + BigInt(fraction.padEnd(PICO_DIGITS, "0") || "0")
  );
}

/** Pico → nano, half up (costs are never negative). */
export function picoToNano(pico: bigint): bigint {
  return (pico + PICO_PER_NANO / 2n) / PICO_PER_NANO;
}

/** Nano-USD → the canonical decimal text used as a raw JSON number ("0.0000042"). */
export function usdText(nano: bigint): string {
  return nanoToUsdString(nano);
}

// --- JSON with exact money -------------------------------------------------------------------
// Node 20 has no JSON.rawJSON, and JSON.stringify(4.2e-7) prints "4.2e-7". Money values are put in
// the object as marked strings and unwrapped into bare number text after stringifying, so the wire
// carries exactly the decimal text the ledger records.

const RAW_MARK = "\u0000#";
const RAW_PATTERN = /"\\u0000#([-0-9.eE+]+)"/g;

/** Marks decimal text to be emitted as a bare JSON number by `stringifyExact`. */
export function rawNumber(text: string): string {
  return RAW_MARK + text;
}

export function stringifyExact(value: unknown): string {
  return JSON.stringify(value).replace(RAW_PATTERN, "$1");
}
