import { describe, expect, it } from "vitest";

import {
  billedCost,
  BP_PER_UNIT,
  DEFAULT_MARKUP_BP,
  DEFAULT_MONTHLY_LIMIT_NANO,
  DomainError,
  formatUsd,
  formatUsdPrecise,
  markupFromMultiplier,
  markupToMultiplier,
  NANO_PER_USD,
  nanoToUsdString,
  usdToNano,
} from "../src/index";

function invalidInput(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError && e.code === "INVALID_INPUT") return e;
    throw new Error(`expected DomainError INVALID_INPUT, got ${String(e)}`, { cause: e });
  }
  throw new Error("expected DomainError INVALID_INPUT, nothing was thrown");
}

describe("constants", () => {
  it("match the design's defaults", () => {
    expect(NANO_PER_USD).toBe(1_000_000_000n);
    expect(BP_PER_UNIT).toBe(10_000);
    expect(DEFAULT_MARKUP_BP).toBe(13_000);
    expect(DEFAULT_MONTHLY_LIMIT_NANO).toBe(1_000_000_000_000n);
  });
});

describe("usdToNano", () => {
  it.each<[number | string, bigint]>([
    [0.0000042, 4200n],
    ["0.0000042", 4200n],
    ["0.000000001", 1n],
    [1e-9, 1n],
    [4.2e-7, 420n],
    ["4.2e-7", 420n],
    ["4.2E-7", 420n],
    ["12.5", 12_500_000_000n],
    [12.5, 12_500_000_000n],
    [0, 0n],
    [-0, 0n],
    ["0", 0n],
    ["-0", 0n],
    ["0.000", 0n],
    [-0.000001, -1000n],
    ["-0.000001", -1000n],
    ["+3", 3_000_000_000n],
    [".5", 500_000_000n],
    ["5.", 5_000_000_000n],
    ["007.25", 7_250_000_000n],
    ["  1.5 ", 1_500_000_000n],
    [1000, 1_000_000_000_000n],
    [0.1, 100_000_000n],
    [0.3, 300_000_000n],
    [1e21, 1_000_000_000_000_000_000_000_000_000_000n],
    ["1.5e3", 1_500_000_000_000n],
    ["1.5e+3", 1_500_000_000_000n],
    ["15e-1", 1_500_000_000n],
    [123456789.12345679, 123_456_789_123_456_790n],
    ["123456789.123456789", 123_456_789_123_456_789n],
    ["9007199254740993.000000001", 9_007_199_254_740_993_000_000_001n], // beyond 2^53, exact
    // Beyond nine decimals: half away from zero.
    [0.0000000005, 1n],
    ["0.0000000005", 1n],
    [0.00000000049, 0n],
    ["0.00000000049999", 0n],
    ["0.0000000015", 2n],
    ["0.0000000025", 3n],
    [-0.0000000005, -1n],
    ["-0.0000000005", -1n],
    ["-0.00000000049", 0n],
    ["1.0000000004", 1_000_000_000n],
    ["1.0000000005", 1_000_000_001n],
    ["1e-400", 0n],
    ["5e-10", 1n],
    ["4.9999999999e-10", 0n],
    ["0.99999999999", 1_000_000_000n],
  ])("%j → %s", (usd, nano) => {
    expect(usdToNano(usd)).toBe(nano);
  });

  it.each<[string, unknown]>([
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["-Infinity", Number.NEGATIVE_INFINITY],
    ["the empty string", ""],
    ["a blank string", "   "],
    ["letters", "abc"],
    ["two decimal points", "1.2.3"],
    ["thousands separators", "1,000.00"],
    ["a decimal comma", "0,5"],
    ["space grouping", "1 000"],
    ["underscore grouping", "1_000"],
    ["a currency symbol", "$1.00"],
    ["the string Infinity", "Infinity"],
    ["the string NaN", "NaN"],
    ["hexadecimal", "0x10"],
    ["a bare sign", "-"],
    ["a bare point", "."],
    ["an exponent without digits", "1e"],
    ["an exponent without mantissa", "e5"],
    ["a double sign", "--1"],
    ["a Unicode minus", "−1"],
    ["an absurdly large exponent", "1e999999999"],
    ["an absurdly long number", "1".repeat(500)],
    ["a bigint", 1n],
    ["null", null],
    ["undefined", undefined],
  ])("rejects %s with INVALID_INPUT", (_label, input) => {
    invalidInput(() => usdToNano(input as number));
  });

  it.each<[number, bigint]>([
    [1.005, 1_005_000_000n],
    [0.000123, 123_000n],
  ])("never multiplies floats (%s × 1e9 is not an integer)", (usd, nano) => {
    expect(Number.isInteger(usd * 1e9)).toBe(false);
    expect(usdToNano(usd)).toBe(nano);
  });
});

describe("nanoToUsdString", () => {
  it.each<[bigint, string]>([
    [4200n, "0.0000042"],
    [12_500_000_000n, "12.5"],
    [0n, "0"],
    [1n, "0.000000001"],
    [-1n, "-0.000000001"],
    [-1000n, "-0.000001"],
    [1_000_000_000n, "1"],
    [1_000_000_001n, "1.000000001"],
    [999_999_999n, "0.999999999"],
    [123_456_789_123_456_789n, "123456789.123456789"],
    [2n ** 80n, "1208925819614629.174706176"],
  ])("%s → %s", (nano, usd) => {
    expect(nanoToUsdString(nano)).toBe(usd);
    expect(usdToNano(usd)).toBe(nano); // exact inverse
  });

  it("rejects a number instead of a bigint", () => {
    invalidInput(() => nanoToUsdString(4200 as unknown as bigint));
  });

  // xorshift64*, seeded: the same "random" values on every run, so a failure is reproducible.
  function* randomBelow(limit: bigint, count: number, seed = 0x9e3779b97f4a7c15n): Generator<bigint> {
    const mask = (1n << 64n) - 1n;
    let x = seed;
    for (let i = 0; i < count; i++) {
      x ^= x >> 12n;
      x ^= (x << 25n) & mask;
      x ^= x >> 27n;
      yield ((x * 0x2545f4914f6cdd1dn) & mask) % limit;
    }
  }

  it("round-trips through a JavaScript number for 20 000 random amounts below 10^15 nano", () => {
    const failures: string[] = [];
    for (const k of [0n, 1n, 10n ** 15n - 1n, ...randomBelow(10n ** 15n, 20_000)]) {
      const asNumber = Number(nanoToUsdString(k));
      if (usdToNano(asNumber) !== k) failures.push(`${k} → ${asNumber}`);
      if (usdToNano(-asNumber) !== -k) failures.push(`-${k} → ${-asNumber}`);
    }
    expect(failures).toEqual([]);
  });
});

describe("markupFromMultiplier and markupToMultiplier", () => {
  it.each<[number | string, number]>([
    ["1.3", 13_000],
    [1.3, 13_000],
    [1, 10_000],
    ["1", 10_000],
    ["1.0", 10_000],
    ["1.30000", 13_000], // trailing zeros are exact, hence fine
    [1.2345, 12_345],
    ["2.5", 25_000],
    [100, 1_000_000],
    ["100.0000", 1_000_000],
    ["1e0", 10_000],
    ["13e-1", 13_000],
  ])("%j → %i bp", (m, bp) => {
    expect(markupFromMultiplier(m)).toBe(bp);
  });

  it.each<[string, unknown, RegExp]>([
    ["more than 4 decimals", "1.23456", /4 decimals/],
    ["more than 4 decimals as a number", 1.00001, /4 decimals/],
    ["a float artefact", 1 + Number.EPSILON, /4 decimals/], // 1.0000000000000002
    ["a value far below a basis point", "1e-9", /4 decimals/],
    ["a markup below 1×", "0.99", /loss/],
    ["zero", 0, /loss/],
    ["a negative markup", "-1.3", /loss/],
    ["a markup above 100×", "100.0001", /100/],
    ["NaN", Number.NaN, /finite/],
    ["a decimal comma", "1,3", /decimal/],
    ["the empty string", "", /decimal/],
  ])("rejects %s", (_label, m, message) => {
    expect(invalidInput(() => markupFromMultiplier(m as number)).message).toMatch(message);
  });

  it.each<[number, string]>([
    [13_000, "1.3"],
    [10_000, "1"],
    [12_345, "1.2345"],
    [10_001, "1.0001"],
    [25_000, "2.5"],
    [1_000_000, "100"],
    [5_000, "0.5"],
    [0, "0"],
  ])("%i bp → %s", (bp, m) => {
    expect(markupToMultiplier(bp)).toBe(m);
    if (bp >= 10_000) expect(markupFromMultiplier(m)).toBe(bp);
  });

  it.each<[string, number]>([
    ["a fraction of a basis point", 13_000.5],
    ["a negative number", -1],
    ["NaN", Number.NaN],
    ["an unsafe integer", 2 ** 53],
  ])("markupToMultiplier rejects %s", (_label, bp) => {
    invalidInput(() => markupToMultiplier(bp));
  });
});

describe("billedCost: raw × markup, rounded once, half away from zero", () => {
  it.each<[bigint, number, bigint]>([
    [4200n, 13_000, 5460n],
    [1n, 13_000, 1n], // 1.3 → 1
    [5n, 13_000, 7n], // 6.5 → 7
    [0n, 13_000, 0n],
    [0n, 0, 0n],
    [3n, 15_000, 5n], // 4.5 → 5
    [2n, 12_500, 3n], // 2.5 → 3
    [1n, 14_999, 1n], // 1.4999 → 1
    [1n, 15_000, 2n], // 1.5 → 2
    [7n, 10_000, 7n], // 1× is the identity
    [123_456_789n, 12_345, 152_407_406n], // 152 407 406.0205 → 152 407 406
    [-5n, 13_000, -7n], // a credit rounds symmetrically: -6.5 → -7
    [-1n, 13_000, -1n],
    [2n ** 70n, 13_000, 1_534_769_106_932_634_694_451n], // …694 451.2, far beyond 2^53, exact
    [10n ** 12n, 1_000_000, 10n ** 14n],
  ])("billedCost(%s, %i) = %s", (raw, bp, billed) => {
    expect(billedCost(raw, bp)).toBe(billed);
  });

  it("sums per-request billed costs; re-multiplying the raw total would differ", () => {
    const raws = [1n, 1n, 1n, 1n, 1n]; // each 1.3 → 1
    const perRequest = raws.reduce((sum, raw) => sum + billedCost(raw, DEFAULT_MARKUP_BP), 0n);
    expect(perRequest).toBe(5n);
    expect(billedCost(5n, DEFAULT_MARKUP_BP)).toBe(7n);
  });

  it.each<[string, unknown, unknown]>([
    ["a negative markup", 100n, -1],
    ["a fractional markup", 100n, 13_000.5],
    ["a NaN markup", 100n, Number.NaN],
    ["an unsafe markup", 100n, 2 ** 53],
    ["a string markup", 100n, "13000"],
    ["a number raw cost", 100, 13_000],
  ])("rejects %s", (_label, raw, bp) => {
    invalidInput(() => billedCost(raw as bigint, bp as number));
  });
});

describe("formatUsd", () => {
  it.each<[bigint, { fractionDigits?: number; symbol?: string } | undefined, string]>([
    [0n, undefined, "$0.00"],
    [4200n, undefined, "$0.00"],
    [5_000_000n, undefined, "$0.01"], // 0.005 → 0.01
    [4_999_999n, undefined, "$0.00"],
    [1_234_565_000_000n, undefined, "$1,234.57"],
    [1_234_564_999_999n, undefined, "$1,234.56"],
    [-1_234_565_000_000n, undefined, "-$1,234.57"],
    [-4_999_999n, undefined, "$0.00"], // rounds to zero: no minus sign
    [-5_000_000n, undefined, "-$0.01"],
    [999_995_000_000n, undefined, "$1,000.00"], // the carry reaches the thousands
    [1_000_000_000_000n, undefined, "$1,000.00"],
    [123_456_789_000_000_000n, undefined, "$123,456,789.00"],
    [2n ** 100n, undefined, "$1,267,650,600,228,229,401,496.70"], // 1 267 650 600 228 229 401 496.703205376
    [12_500_000_000n, { fractionDigits: 0 }, "$13"], // 12.5 → 13
    [-12_500_000_000n, { fractionDigits: 0 }, "-$13"],
    [12_499_999_999n, { fractionDigits: 0 }, "$12"],
    [4200n, { fractionDigits: 6 }, "$0.000004"],
    [4500n, { fractionDigits: 6 }, "$0.000005"],
    [4200n, { fractionDigits: 9 }, "$0.000004200"],
    [1_500_000_000n, { symbol: "" }, "1.50"],
    [1_500_000_000n, { symbol: "USD " }, "USD 1.50"],
    [-1_500_000_000n, { symbol: "€" }, "-€1.50"],
  ])("formatUsd(%s, %j) = %s", (nano, options, text) => {
    expect(formatUsd(nano, options)).toBe(text);
  });

  it.each<[string, unknown]>([
    ["-1", -1],
    ["10", 10],
    ["1.5", 1.5],
    ["NaN", Number.NaN],
  ])("rejects fractionDigits %s", (_label, fractionDigits) => {
    invalidInput(() => formatUsd(1n, { fractionDigits: fractionDigits as number }));
  });

  it("rejects a number instead of a bigint", () => {
    invalidInput(() => formatUsd(100 as unknown as bigint));
  });
});

describe("formatUsdPrecise", () => {
  it.each<[bigint, { symbol?: string } | undefined, string]>([
    [4200n, undefined, "$0.0000042"],
    [12_500_000_000n, undefined, "$12.50"],
    [1_000_000_000_000n, undefined, "$1,000.00"],
    [0n, undefined, "$0.00"],
    [1n, undefined, "$0.000000001"],
    [-4200n, undefined, "-$0.0000042"],
    [1_234_567_891_234n, undefined, "$1,234.567891234"],
    [10_000_000n, undefined, "$0.01"],
    [100_000_000n, undefined, "$0.10"],
    [2n ** 100n, undefined, "$1,267,650,600,228,229,401,496.703205376"],
    [4200n, { symbol: "" }, "0.0000042"],
  ])("formatUsdPrecise(%s, %j) = %s", (nano, options, text) => {
    expect(formatUsdPrecise(nano, options)).toBe(text);
  });
});
