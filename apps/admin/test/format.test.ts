// The dashboard's formatter: @mai/domain's one formatter with the reader's locale (the browser's
// language, en-GB without one; setDisplayLocale for an i18n layer) and the billing time zone.
// What was seen, fixed: one column mixing $114.03 and $0.000016 is the rule (cents from a cent up,
// 2 significant digits below), events no longer show 9 decimals or "$0.000000" for a real cost,
// and one page no longer mixes 12/01/2026, "1 Dec 2026, 13:10:39" and 2026-12-01.
import { afterEach, describe, expect, it } from "vitest";
import {
  date,
  dateTime,
  displayLocale,
  chartUsd,
  money,
  moneyExact,
  moneyIn,
  percent,
  rateCaption,
  setDisplayLocale,
  setDisplayTimeZone,
  shortDate,
} from "../src/lib/format";

const rate = { currency: "PLN", rate: "3.9876", effectiveDate: "2026-11-30", source: "nbp" as const, tableNo: "233/A/NBP/2026" };

afterEach(() => {
  setDisplayLocale("en-GB");
  setDisplayTimeZone(undefined);
});

describe("money", () => {
  it("cents from a cent up, 2 significant digits below, never $0.00 or nine decimals for a real cost", () => {
    setDisplayLocale("en-GB");
    expect(money(114_030_000_000n)).toBe("$114.03");
    expect(money(16_000n)).toBe("$0.000016");
    expect(moneyExact(123_456n)).toBe("$0.00012"); // was "$0.000123456"
    expect(moneyExact(400n)).toBe("$0.00000040"); // was "$0.000000" at six decimals
    expect(money(0n)).toBe("$0.00");
    expect(money(1_234_567_890_000n)).toBe("$1,234.57");
  });

  it("in the reader's locale, and converted at a rate with its caption", () => {
    setDisplayLocale("pl-PL");
    expect(displayLocale()).toBe("pl-PL");
    expect(moneyIn(309_600_000_000n, rate)).toBe("1\u00a0234,56\u00a0zł");
    expect(moneyIn(16_000n, rate)).toBe("0,000064\u00a0zł");
    expect(rateCaption(rate)).toBe("USD→PLN 3,9876 (NBP, 30 lis 2026)");
    setDisplayLocale("en-GB");
    expect(rateCaption(rate)).toBe("USD→PLN 3.9876 (NBP, 30 Nov 2026)");
  });

  it("an unknown locale falls back to en-GB", () => {
    setDisplayLocale("xx-not-a-locale-!!");
    expect(displayLocale()).toBe("en-GB");
    setDisplayLocale(undefined);
    expect(displayLocale()).toBe("en-GB");
  });
});

describe("dates: one style on every page, in the billing time zone", () => {
  it("date-times 1 Dec 2026, 13:10; dates 1 Dec 2026; day labels never shifted", () => {
    setDisplayTimeZone("Europe/Warsaw");
    const at = new Date("2026-12-01T12:10:39Z");
    expect(dateTime(at)).toBe("1 Dec 2026, 13:10");
    expect(date(at)).toBe("1 Dec 2026");
    expect(date(new Date("2026-11-30T23:30:00Z"))).toBe("1 Dec 2026"); // already 1 December in Warsaw
    expect(date("2026-12-01")).toBe("1 Dec 2026");
    expect(shortDate("2026-12-01")).toBe("1 Dec");
    setDisplayTimeZone("UTC");
    expect(dateTime(at)).toBe("1 Dec 2026, 12:10");
  });
});

describe("shares and chart ticks", () => {
  it("follow the reader's locale: a decimal comma in Polish, never a thousands separator in a share", () => {
    setDisplayLocale("en-GB");
    expect(percent(87.25)).toBe("87.3 %");
    expect(percent(1234.5, 0)).toBe("1235 %");
    expect(chartUsd(1.5, 2)).toBe("$1.50");
    setDisplayLocale("pl-PL");
    expect(percent(87.25)).toBe("87,3 %");
    expect(chartUsd(1.5, 2)).toMatch(/^1,50\s\$$/);
  });
});
