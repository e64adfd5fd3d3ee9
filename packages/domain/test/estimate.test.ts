import { describe, expect, it } from "vitest";

import { billedCost, estimatePromptTokens, isUsablePricing, reservationNano, worstCaseRawCostNano } from "../src/index";

describe("worstCaseRawCostNano", () => {
  it.each([
    // 100 × 0.00000015 + 50 × 0.0000006 = 0.000015 + 0.00003 = 0.000045 USD = 45 000 nano
    [100, 50, { prompt: "0.00000015", completion: "0.0000006" }, 45_000n],
    // Sub-nano prices: 1 × 0.0000000375 = 37.5 nano → rounded up to 38
    [1, 0, { prompt: "0.0000000375", completion: "0" }, 38n],
    [0, 0, { prompt: "0.00000015", completion: "0.0000006", request: "0.005" }, 5_000_000n],
    [10, 10, { prompt: "0", completion: "0" }, 0n],
    // 1 atto-dollar still rounds up to a whole nano: reservations are upper bounds.
    [1, 0, { prompt: "0.000000000000000001", completion: "0" }, 1n],
  ])("%i prompt + %i completion tokens at %o → %s nano", (p, c, pricing, expected) => {
    expect(worstCaseRawCostNano({ promptTokens: p, maxCompletionTokens: c, pricing })).toBe(expected);
  });

  it.each([["-0.1"], ["1e-6"], ["abc"], ["0.0000000000000000001"]])("refuses the price %s", (price) => {
    expect(() => worstCaseRawCostNano({ promptTokens: 1, maxCompletionTokens: 1, pricing: { prompt: price, completion: "0" } })).toThrow();
  });

  it("refuses negative or fractional token counts", () => {
    expect(() => worstCaseRawCostNano({ promptTokens: -1, maxCompletionTokens: 0, pricing: { prompt: "0", completion: "0" } })).toThrow();
    expect(() => worstCaseRawCostNano({ promptTokens: 1.5, maxCompletionTokens: 0, pricing: { prompt: "0", completion: "0" } })).toThrow();
  });
});

describe("reservationNano", () => {
  it("is never below the billed cost of the worst case", () => {
    for (let raw = 1; raw < 2_000; raw += 7) {
      const pricing = { prompt: `0.${"0".repeat(8)}${raw}`, completion: "0" };
      const worst = worstCaseRawCostNano({ promptTokens: 1, maxCompletionTokens: 0, pricing });
      expect(reservationNano({ promptTokens: 1, maxCompletionTokens: 0, pricing, markupBp: 13_000 })).toBeGreaterThanOrEqual(billedCost(worst, 13_000));
    }
  });
  it("is zero for a free model", () => {
    expect(reservationNano({ promptTokens: 1_000, maxCompletionTokens: 1_000, pricing: { prompt: "0", completion: "0" }, markupBp: 13_000 })).toBe(0n);
  });
});

describe("isUsablePricing and estimatePromptTokens", () => {
  it.each([
    [{ prompt: "0.000001", completion: "0.000002" }, true],
    [{ prompt: "-1", completion: "-1" }, false],
    [{ prompt: "0.1" }, false],
    [null, false],
  ])("%o → %s", (pricing, ok) => {
    expect(isUsablePricing(pricing as never)).toBe(ok);
  });
  it("counts UTF-8 bytes, an upper bound on tokens", () => {
    expect(estimatePromptTokens('{"a":"Łukasz"}')).toBe(15);
  });
  it.each([
    ["", 0],
    ["ascii", 5],
    ["Łódź", 7],
    ["日本語", 9],
    ["emoji 😀 pair", 15],
    ["mixed ✓ 😀 Ł a", 19],
    // A lone surrogate is encoded as U+FFFD: 3 bytes.
    ["lone \ud800 high", 13],
    ["lone \udc00 low", 12],
    ["end \ud83d", 7],
  ])("counts %j as %i UTF-8 bytes", (text, bytes) => {
    expect(estimatePromptTokens(text)).toBe(bytes);
  });

});
