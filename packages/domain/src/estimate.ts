// Why: monthly limits are enforced by reserving a request's worst case before it is forwarded.
// The worst case must never be below what OpenRouter can charge, so it is computed exactly from
// the model's per-token decimal prices (strings, as /models gives them) and rounded UP to the
// nano-dollar — the one place where rounding is not half away from zero, because a reservation
// that is too small would let a request overshoot the limit.

import { DomainError } from "./errors";
import { billedCost } from "./money";

export interface ModelPricing {
  /** USD per prompt token, decimal string ("0.00000015"). */
  prompt: string;
  /** USD per completion token. */
  completion: string;
  /** USD per request, if any. */
  request?: string | undefined;
}

// Prices are carried at 10^-18 USD ("atto") so any decimal price OpenRouter publishes is exact.
const ATTO_DIGITS = 18;
const ATTO_PER_NANO = 10n ** 9n;

// Model catalogues repeat a few hundred price strings: parsed once each (bounded, so odd input
// cannot grow it without limit).
const attoCache = new Map<string, bigint>();

function priceToAtto(price: string | undefined, what: string): bigint {
  if (price === undefined || price === "") return 0n;
  const cached = attoCache.get(price);
  if (cached !== undefined) return cached;
  const atto = parsePriceToAtto(price, what);
  if (attoCache.size >= 4_096) attoCache.clear();
  attoCache.set(price, atto);
  return atto;
}

function parsePriceToAtto(price: string, what: string): bigint {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(price.trim());
  if (!m) throw new DomainError("INVALID_INPUT", `The ${what} price "${price}" is not a non-negative decimal.`);
  const fraction = (m[2] ?? "").padEnd(ATTO_DIGITS, "0");
  if (fraction.length > ATTO_DIGITS) throw new DomainError("INVALID_INPUT", `The ${what} price has more than 18 decimals.`);
  return BigInt(m[1]!) * 10n ** BigInt(ATTO_DIGITS) + BigInt(fraction);
}

/** True when the pricing is usable for an estimate (router models publish "-1"). */
export function isUsablePricing(pricing: Partial<ModelPricing> | null | undefined): pricing is ModelPricing {
  const ok = (p: unknown) => typeof p === "string" && /^\d+(\.\d+)?$/.test(p.trim());
  return !!pricing && ok(pricing.prompt) && ok(pricing.completion) && (pricing.request === undefined || pricing.request === "" || ok(pricing.request));
}

/** The most a request can cost upstream (raw, nano-USD, rounded up). */
export function worstCaseRawCostNano(input: { promptTokens: number; maxCompletionTokens: number; pricing: ModelPricing }): bigint {
  for (const [name, value] of [
    ["promptTokens", input.promptTokens],
    ["maxCompletionTokens", input.maxCompletionTokens],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new DomainError("INVALID_INPUT", `${name} must be a non-negative integer.`);
  }
  const atto =
    BigInt(input.promptTokens) * priceToAtto(input.pricing.prompt, "prompt") +
    BigInt(input.maxCompletionTokens) * priceToAtto(input.pricing.completion, "completion") +
    priceToAtto(input.pricing.request, "request");
  return (atto + ATTO_PER_NANO - 1n) / ATTO_PER_NANO;
}

/** The reservation for a request: the worst-case raw cost with the markup, rounded up. */
export function reservationNano(input: {
  promptTokens: number;
  maxCompletionTokens: number;
  pricing: ModelPricing;
  markupBp: number;
}): bigint {
  const raw = worstCaseRawCostNano(input);
  // billedCost rounds half away from zero; one extra nano keeps the reservation an upper bound.
  return billedCost(raw, input.markupBp) + (raw > 0n ? 1n : 0n);
}

/**
 * An upper estimate of a request's prompt tokens from its serialized size: no tokenizer in
 * common use produces more than one token per byte of UTF-8 JSON text, and the JSON overhead
 * (keys, quotes) only adds slack. Overestimating merely holds a larger reservation briefly.
 */
export function estimatePromptTokens(serializedBody: string): number {
  // UTF-8 length without TextEncoder (this package declares no host APIs beyond ES2023).
  // UTF-16 code units, no iterator (this runs on every request, over the whole conversation): a
  // surrogate pair is one 4-byte code point; a lone surrogate is encoded as U+FFFD (3 bytes).
  let bytes = 0;
  const n = serializedBody.length;
  for (let i = 0; i < n; i++) {
    const c = serializedBody.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (serializedBody.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
