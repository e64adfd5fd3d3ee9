// Key-level reconciliation's pure rules: UTC periods, the rounding tolerance, when an amount is
// worth an audit entry, and what may still be billed. Table-driven, no mocks.
import { describe, expect, it } from "vitest";
import {
  isUnmetered,
  unbilledUnmeteredNano,
  unmeteredChanged,
  unmeteredToleranceNano,
  usdToNano,
  utcPeriodsOf,
} from "../src/index";

describe("utcPeriodsOf", () => {
  it.each([
    ["2030-07-31T23:59:59.999Z", "2030-07-31", "2030-07-01", "2030-07"],
    ["2030-08-01T00:00:00.000Z", "2030-08-01", "2030-08-01", "2030-08"],
    ["2028-02-29T12:00:00.000Z", "2028-02-29", "2028-02-01", "2028-02"],
    ["2030-12-31T23:59:59.999Z", "2030-12-31", "2030-12-01", "2030-12"],
  ])("%s → day %s, month from %s", (instant, day, monthStart, month) => {
    const p = utcPeriodsOf(new Date(instant));
    expect(p.day).toMatchObject({ scope: "day", periodStart: day, month });
    expect(p.day.start.toISOString()).toBe(`${day}T00:00:00.000Z`);
    expect(p.month).toMatchObject({ scope: "month", periodStart: monthStart, month });
    expect(p.month.start.toISOString()).toBe(`${monthStart}T00:00:00.000Z`);
  });
});

describe("unmeteredToleranceNano", () => {
  it.each([
    [0, 0n, 1n],
    [1, 0n, 2n],
    [2, 0n, 2n],
    [3, 0n, 3n],
    [1000, 0n, 501n],
    // $1,000,000 as a double: ~2⁻⁵² relative error is well under 1 nano; amount / 2⁵⁰ adds one.
    [0, usdToNano("1000000"), 1n + usdToNano("1000000") / 2n ** 50n],
  ])("%i events, %s nano counted → %s", (events, counted, expected) => {
    expect(unmeteredToleranceNano(events, counted)).toBe(expected);
  });

  it("covers the worst case of per-event rounding: n costs each ½ nano below their recorded value", () => {
    // OpenRouter charged 0.0000000015 USD ten times (1.5 nano each); each was recorded as 2 nano.
    const counted = usdToNano(10 * 0.0000000015); // 15 nano
    const recorded = 10n * usdToNano("0.0000000015"); // 20 nano
    expect(isUnmetered(counted - recorded, unmeteredToleranceNano(10, counted))).toBe(false);
    // One nano-dollar beyond that is not rounding.
    expect(isUnmetered(counted - recorded - 7n, unmeteredToleranceNano(10, counted))).toBe(true);
  });
});

describe("unmeteredChanged (audit once per appearance or move)", () => {
  it.each([
    [null, 0n, 5n, false],
    [null, 5n, 5n, false],
    [null, 6n, 5n, true],
    [6n, 6n, 5n, false],
    [6n, 11n, 5n, false],
    [6n, 12n, 5n, true],
    [1000n, 0n, 5n, true],
    [3n, -10n, 5n, true],
  ] as const)("before %s, now %s, tolerance %s → %s", (before, now, tolerance, expected) => {
    expect(unmeteredChanged(before, now, tolerance)).toBe(expected);
  });
});

describe("unbilledUnmeteredNano (never negative, never twice)", () => {
  it.each([
    [100n, 0n, 100n],
    [100n, 40n, 60n],
    [100n, 100n, 0n],
    [100n, 150n, 0n],
    [-20n, 0n, 0n],
  ])("unmetered %s, billed %s → %s", (unmetered, billed, expected) => {
    expect(unbilledUnmeteredNano(unmetered, billed)).toBe(expected);
  });
});
