import { describe, expect, it } from "vitest";

import {
  validateMonthlyLimit,
  DEFAULT_MONTHLY_LIMIT_NANO,
  DomainError,
  evaluateMonthlyLimit,
  LIMIT_WARNING_BP,
  type LimitEvaluation,
} from "../src/index";

const USD = 1_000_000_000n;
const LIMIT = DEFAULT_MONTHLY_LIMIT_NANO; // $1000

type Input = Parameters<typeof evaluateMonthlyLimit>[0];
const input = (spentNano: bigint, reservedNano: bigint, requestNano: bigint, limitNano = LIMIT): Input => ({
  spentNano,
  reservedNano,
  requestNano,
  limitNano,
});

describe("evaluateMonthlyLimit", () => {
  it.each<[string, Input, LimitEvaluation]>([
    ["nothing spent", input(0n, 0n, USD), { allowed: true, remainingNano: LIMIT, usedBp: 0, level: "ok" }],
    [
      "landing exactly on the limit is allowed",
      input(999n * USD, 0n, USD),
      { allowed: true, remainingNano: USD, usedBp: 9990, level: "warning" },
    ],
    [
      "one nano over the limit is refused",
      input(999n * USD, 0n, USD + 1n),
      { allowed: false, remainingNano: USD, usedBp: 9990, level: "warning" },
    ],
    [
      "reservations of in-flight requests count: exactly at the limit",
      input(900n * USD, 99n * USD, USD),
      { allowed: true, remainingNano: USD, usedBp: 9000, level: "warning" },
    ],
    [
      "reservations of in-flight requests count: one nano over",
      input(900n * USD, 99n * USD + 1n, USD),
      { allowed: false, remainingNano: USD - 1n, usedBp: 9000, level: "warning" },
    ],
    [
      "spent exactly the limit: exceeded, a paid request refused",
      input(LIMIT, 0n, 1n),
      { allowed: false, remainingNano: 0n, usedBp: 10_000, level: "exceeded" },
    ],
    [
      "spent exactly the limit: a zero-cost request still fits",
      input(LIMIT, 0n, 0n),
      { allowed: true, remainingNano: 0n, usedBp: 10_000, level: "exceeded" },
    ],
    [
      "overshoot by in-flight requests: usedBp is not capped, remaining is not negative",
      input(1025n * USD, 0n, 0n),
      { allowed: false, remainingNano: 0n, usedBp: 10_250, level: "exceeded" },
    ],
    [
      "one nano below the warning threshold",
      input(800n * USD - 1n, 0n, 0n),
      { allowed: true, remainingNano: 200n * USD + 1n, usedBp: 7999, level: "ok" },
    ],
    [
      "exactly at the warning threshold",
      input(800n * USD, 0n, 0n),
      { allowed: true, remainingNano: 200n * USD, usedBp: 8000, level: "warning" },
    ],
    [
      "one nano below the limit: usedBp rounds down, not exceeded yet",
      input(LIMIT - 1n, 0n, 1n),
      { allowed: true, remainingNano: 1n, usedBp: 9999, level: "warning" },
    ],
    [
      "reserved alone does not raise the level",
      input(0n, LIMIT, 1n),
      { allowed: false, remainingNano: 0n, usedBp: 0, level: "ok" },
    ],
    [
      "a zero limit is fully used from the start",
      input(0n, 0n, 1n, 0n),
      { allowed: false, remainingNano: 0n, usedBp: 10_000, level: "exceeded" },
    ],
    ["a one-nano limit", input(0n, 0n, 1n, 1n), { allowed: true, remainingNano: 1n, usedBp: 0, level: "ok" }],
    [
      "amounts far beyond 2^53 stay exact",
      input(2n ** 80n, 0n, 1n, 2n ** 80n + 1n),
      { allowed: true, remainingNano: 1n, usedBp: 9999, level: "warning" },
    ],
  ])("%s", (_label, facts, expected) => {
    expect(evaluateMonthlyLimit(facts)).toEqual(expected);
  });

  // "exceeded" as soon as the smallest request refused this period cannot fit even with nothing in
  // flight: the next request of that size is refused, whatever the percentage says.
  const refused = (spentNano: bigint, reservedNano: bigint, refusedMinNano: bigint | null): Input => ({
    ...input(spentNano, reservedNano, 0n),
    refusedMinNano,
  });
  it.each<[string, Input, LimitEvaluation["level"]]>([
    ["95 % spent, a 6 % request refused: exceeded", refused(950n * USD, 0n, 60n * USD), "exceeded"],
    ["95 % spent, the refused request fits exactly once nothing is in flight: warning", refused(950n * USD, 0n, 50n * USD), "warning"],
    ["95 % spent, one nano more than fits was refused: exceeded", refused(950n * USD, 0n, 50n * USD + 1n), "exceeded"],
    ["refused only because of what was in flight: reserved does not count, warning", refused(950n * USD, 40n * USD, 20n * USD), "warning"],
    ["no refusal this period: the percentage decides", refused(950n * USD, 0n, null), "warning"],
    ["a refusal at 10 % spent (a huge request) says exceeded: that size is refused", refused(100n * USD, 0n, 901n * USD), "exceeded"],
    ["a refusal below the threshold that fits once the flight lands: ok", refused(100n * USD, 800n * USD, 200n * USD), "ok"],
  ])("%s", (_label, facts, level) => {
    expect(evaluateMonthlyLimit(facts).level).toBe(level);
  });

  it("rejects a negative refused minimum", () => {
    expect(() => evaluateMonthlyLimit(refused(0n, 0n, -1n))).toThrow(expect.objectContaining({ code: "INVALID_INPUT" }));
  });

  it("warns from 80 %", () => {
    expect(LIMIT_WARNING_BP).toBe(8_000);
  });

  it.each<[string, Partial<Record<keyof Input, unknown>>]>([
    ["a negative spend", { spentNano: -1n }],
    ["a negative reservation", { reservedNano: -1n }],
    ["a negative request", { requestNano: -1n }],
    ["a negative limit", { limitNano: -1n }],
    ["a number instead of a bigint", { spentNano: 5 }],
    ["a missing field", { limitNano: undefined }],
  ])("rejects %s with INVALID_INPUT", (_label, override) => {
    const facts = { ...input(0n, 0n, 0n), ...override } as Input;
    expect(() => evaluateMonthlyLimit(facts)).toThrow(DomainError);
    expect(() => evaluateMonthlyLimit(facts)).toThrow(expect.objectContaining({ code: "INVALID_INPUT" }));
  });
});

describe("validateMonthlyLimit", () => {
  it.each([
    ["250", 250_000_000_000n],
    [99.5, 99_500_000_000n],
    ["0", 0n],
    ["0.000000001", 1n],
    ["12.500000000000", 12_500_000_000n],
    ["9223372036.854775807", 9_223_372_036_854_775_807n],
  ] as const)("%s USD → %s nano", (usd, nano) => {
    expect(validateMonthlyLimit(usd)).toBe(nano);
  });
  it.each([
    ["0.0000000001", /at most 9 decimals/],
    ["12.0000000001", /at most 9 decimals/],
    [1e-10, /at most 9 decimals/],
    ["-1", /negative/],
    ["9223372036.854775808", /too large/],
    ["1e30", /too large/],
    [1e20, /too large/],
    ["12,5", /plain decimal/],
  ] as const)("refuses %s in words (never saved rounded)", (usd, message) => {
    expect(() => validateMonthlyLimit(usd)).toThrow(message);
  });
});
