import fc from "fast-check";
import { describe, expect, it } from "vitest";

import {
  describeRate,
  DomainError,
  exactMoneyDecimal,
  formatDate,
  formatDateTime,
  formatLocalDay,
  formatMoney,
  formatRate,
  noRateMessage,
  parseNbpRates,
  parseRate,
  rateBefore,
  statementDate,
} from "../src/index";

// Independent of the module: the exact amount nano × units / 10^(9 + scale) as a fraction, and a
// formatted figure read back into a fraction (digits only; the decimal sign given).
interface Fraction {
  n: bigint;
  d: bigint;
}
const exact = (nano: bigint, units: bigint, scale: number): Fraction => ({ n: nano * units, d: 10n ** BigInt(9 + scale) });
function reparse(text: string, decimalSign: "." | ","): Fraction & { digits: number } {
  const negative = /^-|−/.test(text.trim());
  const kept = text.replace(new RegExp(`[^0-9${decimalSign === "." ? "\\." : ","}]`, "g"), "");
  const [whole, fraction = ""] = kept.split(decimalSign);
  const n = BigInt(`${whole}${fraction}`);
  return { n: negative ? -n : n, d: 10n ** BigInt(fraction.length), digits: fraction.length };
}
const abs = (x: bigint) => (x < 0n ? -x : x);
/** |a − b| compared with ulp / 2, as integers over a common denominator: −1, 0 or 1. */
function compareErrorWithHalfUlp(a: Fraction, b: Fraction, ulp: Fraction): number {
  const diff = abs(a.n * b.d - b.n * a.d) * 2n * ulp.d; // over a.d × b.d × ulp.d, doubled
  const half = ulp.n * a.d * b.d;
  return diff < half ? -1 : diff === half ? 0 : 1;
}

const amounts = fc.oneof(
  fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
  fc.bigInt({ min: -10_000_000n, max: 10_000_000n }), // around and below a cent
  fc.bigInt({ min: 1n, max: 10_000n }),
);
const rates = fc.record({ units: fc.bigInt({ min: 1n, max: 99_999_999n }), scale: fc.integer({ min: 0, max: 6 }) });
const rateText = (r: { units: bigint; scale: number }) => {
  const s = r.units.toString().padStart(r.scale + 1, "0");
  return r.scale === 0 ? s : `${s.slice(0, -r.scale)}.${s.slice(-r.scale)}`;
};

describe("formatMoney", () => {
  it("shows what was seen, fixed: cents from a cent up, significant digits below, zero as 0.00", () => {
    const gb = { locale: "en-GB" };
    expect(formatMoney(114_030_000_000n, gb)).toBe("$114.03");
    expect(formatMoney(16_000n, gb)).toBe("$0.000016");
    expect(formatMoney(0n, gb)).toBe("$0.00");
    expect(formatMoney(1_234_567_890_123n, gb)).toBe("$1,234.57");
    expect(formatMoney(1_234_565_000_000n, gb)).toBe("$1,234.57"); // half away from zero
    expect(formatMoney(-1_234_565_000_000n, gb)).toBe("-$1,234.57");
    expect(formatMoney(9_949_999n, gb)).toBe("$0.0099");
    expect(formatMoney(9_950_000n, gb)).toBe("$0.01"); // rounds up to a cent: the cent rule
    expect(formatMoney(99_500n, gb)).toBe("$0.00010"); // two significant digits, not three
    expect(formatMoney(1n, gb)).toBe("$0.000000001");
  });

  it("converts exactly and rounds once: pl-PL gives 1 234,57 zł", () => {
    // 309.59 USD × 3.9876 = 1234.521084 PLN
    expect(formatMoney(309_590_000_000n, { locale: "pl-PL", currency: "PLN", rate: "3.9876" })).toBe("1\u00a0234,52\u00a0zł");
    expect(formatMoney(1_000_000_000n, { locale: "pl-PL", currency: "PLN", rate: "1234.57" })).toBe("1\u00a0234,57\u00a0zł");
    expect(formatMoney(16_000n, { locale: "pl-PL", currency: "PLN", rate: "3.9876" })).toBe("0,000064\u00a0zł");
    expect(formatMoney(0n, { locale: "pl-PL", currency: "PLN", rate: "3.9876" })).toBe("0,00\u00a0zł");
    // 0.001253 USD × 3.99 = 0.00499947 → 0,0050 once; through the USD figure shown (0.0013) it would be 0,0052.
    expect(formatMoney(1_253_000n, { locale: "pl-PL", currency: "PLN", rate: "3.99" })).toBe("0,0050\u00a0zł");
    // 0.0149 → 0.01 once; 0.0149 → 0.015 → 0.02 would be twice.
    expect(formatMoney(14_900_000n, { locale: "en-GB" })).toBe("$0.01");
  });

  it("never converts without a rate (no silent 1:1)", () => {
    expect(() => formatMoney(1n, { locale: "pl-PL", currency: "PLN" })).toThrow(DomainError);
    expect(() => formatMoney(1n, { locale: "pl-PL", currency: "USD", rate: "4" })).toThrow(DomainError);
  });

  it("property: the figure read back is the exact amount rounded once (within half its last digit, ties away from zero)", () => {
    fc.assert(
      fc.property(amounts, rates, (nano, r) => {
        const text = formatMoney(nano, { locale: "en-US", currency: "EUR", rate: rateText(r) });
        const shown = reparse(text, ".");
        const truth = exact(nano, r.units, r.scale);
        const ulp = { n: 1n, d: 10n ** BigInt(shown.digits) };
        const c = compareErrorWithHalfUlp(shown, truth, ulp);
        if (c > 0) return false;
        if (c === 0) {
          // A tie: rounded away from zero.
          if (abs(shown.n * truth.d) < abs(truth.n * shown.d)) return false;
        }
        // The precision: cents from a cent up; otherwise 2 significant digits (fewer when exact).
        const atLeastCent = abs(truth.n) * 100n >= truth.d;
        if (atLeastCent) return shown.digits === 2;
        return truth.n === 0n ? shown.digits === 2 : abs(shown.n) < 100n;
      }),
      { numRuns: 3000 },
    );
  });

  it("property: a non-zero amount below a cent never shows as zero, and keeps its sign", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -9_999_999n, max: 9_999_999n }).filter((n) => n !== 0n), (nano) => {
        const text = formatMoney(nano, { locale: "en-GB" });
        const shown = reparse(text, ".");
        return shown.n !== 0n && shown.n < 0n === nano < 0n && !/^\$?0\.00$/.test(text);
      }),
      { numRuns: 3000 },
    );
  });

  it("property: pl-PL figures are grouped by spaces, a comma before grosze, zł after", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 10_000_000n, max: 10n ** 16n }), rates.filter((r) => r.units >= 10n ** BigInt(r.scale)), (nano, r) => {
        const text = formatMoney(nano * 1000n, { locale: "pl-PL", currency: "PLN", rate: rateText(r) });
        return /^\d{1,3}(\u00a0\d{3})*,\d{2}\u00a0zł$/.test(text);
      }),
    );
  });
});

describe("exactMoneyDecimal (the CSV's figures)", () => {
  it("is exact, dot-decimal, no symbol or grouping", () => {
    expect(exactMoneyDecimal(16_000n)).toBe("0.000016");
    expect(exactMoneyDecimal(1_234_567_890_123n)).toBe("1234.567890123");
    expect(exactMoneyDecimal(1_000_000_000n, "3.9876")).toBe("3.9876");
    expect(exactMoneyDecimal(-16_000n, "3.9876")).toBe("-0.0000638016");
    expect(exactMoneyDecimal(0n, "3.9876")).toBe("0");
    expect(exactMoneyDecimal(800n * 1_000_000_000n + 5n, undefined, { minFractionDigits: 9 })).toBe("800.000000005");
  });

  it("property: read back × 10^(9 + scale) is nano × rate exactly", () => {
    fc.assert(
      fc.property(amounts, rates, (nano, r) => {
        const shown = reparse(exactMoneyDecimal(nano, rateText(r)), ".");
        const truth = exact(nano, r.units, r.scale);
        return shown.n * truth.d === truth.n * shown.d;
      }),
    );
  });
});

describe("rates", () => {
  it("parses exact decimals and refuses the rest in words", () => {
    expect(parseRate("3.9876")).toEqual({ units: 39876n, scale: 4 });
    expect(parseRate("4.10")).toEqual({ units: 41n, scale: 1 });
    for (const bad of ["0", "-3.9", "3,98", "1e3", "", "3.12345678901"]) expect(() => parseRate(bad)).toThrow(DomainError);
    expect(formatRate("3.9876", { locale: "pl-PL" })).toBe("3,9876");
    expect(
      describeRate({ currency: "PLN", rate: "3.9876", effectiveDate: "2026-11-30", source: "nbp", tableNo: "233/A/NBP/2026" }, { locale: "en-GB" }),
    ).toBe("USD→PLN 3.9876 (NBP, 30 Nov 2026)");
  });

  it("reads NBP's mid from the JSON text's digits, never through a float", () => {
    const body =
      '{"table":"A","currency":"dolar amerykański","code":"USD","rates":[{"no":"232/A/NBP/2026","effectiveDate":"2026-11-27","mid":3.9912},{"no":"233/A/NBP/2026","effectiveDate":"2026-11-30","mid":3.98760}]}';
    expect(parseNbpRates(body, "USD")).toEqual([
      { effectiveDate: "2026-11-27", mid: "3.9912", tableNo: "232/A/NBP/2026" },
      { effectiveDate: "2026-11-30", mid: "3.9876", tableNo: "233/A/NBP/2026" },
    ]);
    // More digits than a double holds would be kept as written (here 10 decimals, the most a rate may have).
    const precise = body.replace("3.9912", "3.1234567891");
    expect(parseNbpRates(precise, "USD")[0]!.mid).toBe("3.1234567891");
    // A "mid" inside a string is not a key.
    const tricky = body.replace('"currency":"dolar amerykański"', '"currency":"\\"mid\\":1.5"');
    expect(parseNbpRates(tricky, "USD").map((r) => r.mid)).toEqual(["3.9912", "3.9876"]);
    expect(() => parseNbpRates(body, "EUR")).toThrow(DomainError);
    expect(() => parseNbpRates("Not Found - Brak danych", "USD")).toThrow(DomainError);
    expect(() => parseNbpRates(body.replace('"table":"A"', '"table":"C"'), "USD")).toThrow(DomainError);
  });

  it("a statement uses the last rate strictly before its date: the day after the month, or today", () => {
    expect(statementDate("2026-11", "2026-12-02")).toBe("2026-12-01");
    expect(statementDate("2026-12", "2026-12-02")).toBe("2026-12-02");
    expect(statementDate("2026-12", "2027-03-01")).toBe("2027-01-01");
    const rates = [{ effectiveDate: "2026-11-27" }, { effectiveDate: "2026-11-30" }, { effectiveDate: "2026-12-01" }];
    expect(rateBefore(rates, "2026-12-01")).toEqual({ effectiveDate: "2026-11-30" });
    // Sunday 29 Nov: Friday's rate.
    expect(rateBefore(rates, "2026-11-29")).toEqual({ effectiveDate: "2026-11-27" });
    expect(rateBefore(rates, "2026-11-27")).toBeNull();
    expect(noRateMessage("PLN", "2026-11-27")).toMatch(/No USD→PLN exchange rate is known/);
  });
});

describe("dates: one style", () => {
  it("dates 1 Dec 2026, date-times 1 Dec 2026, 13:10 in the billing time zone, days YYYY-MM-DD", () => {
    const at = new Date("2026-12-01T12:10:39Z");
    expect(formatDate("2026-12-01", { locale: "en-GB" })).toBe("1 Dec 2026");
    expect(formatDate(at, { locale: "en-GB", timeZone: "Europe/Warsaw" })).toBe("1 Dec 2026");
    expect(formatDate(new Date("2026-11-30T23:30:00Z"), { locale: "en-GB", timeZone: "Europe/Warsaw" })).toBe("1 Dec 2026");
    expect(formatDateTime(at, { locale: "en-GB", timeZone: "Europe/Warsaw" })).toBe("1 Dec 2026, 13:10");
    expect(formatDateTime(at, { locale: "pl-PL", timeZone: "Europe/Warsaw" })).toBe("1 gru 2026, 13:10");
    expect(formatLocalDay(new Date("2026-11-30T23:30:00Z"), "Europe/Warsaw")).toBe("2026-12-01");
  });
});
