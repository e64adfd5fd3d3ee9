import { describe, expect, it } from "vitest";
import {
  addDays,
  daysBetween,
  isCurrencyCode,
  looksLikeApiToken,
  monthDates,
  parseBearer,
  rangeOrCurrentMonth,
  sumUsageFigures,
  validateMarkupBp,
  validateOrganizationName,
} from "../src/index";

describe("validateOrganizationName", () => {
  it("trims and accepts 1 to 200 characters", () => {
    expect(validateOrganizationName("  Acme sp. z o.o.  ")).toBe("Acme sp. z o.o.");
    expect(validateOrganizationName("x".repeat(200))).toHaveLength(200);
  });
  it.each([[""], ["   "], ["x".repeat(201)], ["Acme\u0000"]])("refuses %j in words", (name) => {
    expect(() => validateOrganizationName(name)).toThrow(/organisation name/);
  });
});

describe("validateMarkupBp", () => {
  it.each([10_000, 13_000, 1_000_000])("accepts %i", (bp) => expect(validateMarkupBp(bp)).toBe(bp));
  it.each([9_999, 1_000_001, 1.5, Number.NaN])("refuses %s", (bp) => expect(() => validateMarkupBp(bp)).toThrow(/markup/i));
});

describe("isCurrencyCode", () => {
  it.each([["USD", true], ["PLN", true], ["usd", false], ["US", false], ["USDT", false], ["", false]] as const)("%j → %s", (code, ok) =>
    expect(isCurrencyCode(code)).toBe(ok),
  );
});

describe("API tokens and Bearer credentials", () => {
  const token = `mai_${"0a".repeat(24)}`;
  it("recognises a token by its shape only", () => {
    expect(looksLikeApiToken(token)).toBe(true);
    expect(looksLikeApiToken(token.toUpperCase())).toBe(false);
    expect(looksLikeApiToken(`${token}0`)).toBe(false);
    expect(looksLikeApiToken("sk-or-v1-x")).toBe(false);
  });
  it.each([
    [`Bearer ${token}`, token],
    [`bearer   ${token}  `, token],
    ["Basic abc", null],
    ["Bearer", null],
    ["Bearer a b", null],
    [undefined, null],
  ] as const)("%j → %j", (header, expected) => expect(parseBearer(header)).toBe(expected));
});

describe("local dates", () => {
  it("adds days across month, year and DST boundaries on the label", () => {
    expect(addDays("2026-03-28", 2)).toBe("2026-03-30");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(daysBetween("2026-02-01", "2026-02-28")).toBe(28);
    expect(monthDates("2028-02")).toEqual({ from: "2028-02-01", to: "2028-02-29" });
  });
  it("defaults a range to the billing month and refuses an inverted one", () => {
    expect(rangeOrCurrentMonth({}, new Date("2026-11-30T23:30:00Z"), "Europe/Warsaw")).toEqual({ from: "2026-12-01", to: "2026-12-31" });
    expect(() => rangeOrCurrentMonth({ from: "2026-12-02", to: "2026-12-01" }, new Date(), "UTC")).toThrow(/start date/);
    expect(() => addDays("2026-02-30", 1)).toThrow(/YYYY-MM-DD/);
  });
});

describe("sumUsageFigures", () => {
  it("sums exactly, bigint money past 2^53, missing figures as zero", () => {
    const total = sumUsageFigures([
      { requests: 1, promptTokens: 2, rawCostNano: 9_007_199_254_740_993n, billedCostNano: 1n },
      { requests: 2, errorRequests: 1, completionTokens: 5, totalTokens: 7, rawCostNano: 1n, billedCostNano: 2n },
    ]);
    expect(total).toEqual({
      requests: 3,
      errorRequests: 1,
      promptTokens: 2,
      completionTokens: 5,
      totalTokens: 7,
      rawCostNano: 9_007_199_254_740_994n,
      billedCostNano: 3n,
    });
    expect(sumUsageFigures([])).toEqual({ requests: 0, errorRequests: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, rawCostNano: 0n, billedCostNano: 0n });
  });
});
