import { describe, expect, it } from "vitest";

import { leaseGrantNano, leaseRequestNano, LEASE_MIN_REQUESTS } from "../src/index";

describe("leaseGrantNano", () => {
  it.each([
    // minimum, preferred, remaining → grant
    [10n, 100n, 10_000n, 100n], // plenty left: what was asked
    [10n, 100n, 200n, 50n], // a quarter of what is left
    [10n, 100n, 20n, 10n], // near the limit: exactly the minimum
    [10n, 100n, 10n, 10n], // exactly at the limit: still admitted
    [10n, 100n, 9n, null], // one nano short: refused
    [10n, 5n, 1_000n, 10n], // asking for less than needed still grants the need
    [0n, 0n, 0n, 0n], // a free request at a spent limit
    [1n, 0n, 0n, null],
    [10n, 100n, -5n, null], // overshoot (negative remaining) refuses
  ])("min %s, preferred %s, remaining %s → %s", (minimumNano, preferredNano, remainingNano, expected) => {
    expect(leaseGrantNano({ minimumNano, preferredNano, remainingNano })).toBe(expected);
  });

  it("never grants more than is left, nor less than the minimum, over random inputs", () => {
    let seed = 7;
    const rand = (n: number) => BigInt(((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n));
    for (let i = 0; i < 2_000; i++) {
      const minimumNano = rand(1_000);
      const preferredNano = rand(100_000);
      const remainingNano = rand(50_000) - 1_000n;
      const grant = leaseGrantNano({ minimumNano, preferredNano, remainingNano });
      if (remainingNano < minimumNano) expect(grant).toBeNull();
      else {
        expect(grant).not.toBeNull();
        expect(grant!).toBeGreaterThanOrEqual(minimumNano);
        expect(grant!).toBeLessThanOrEqual(remainingNano);
        expect(grant! <= minimumNano || grant! <= preferredNano).toBe(true);
      }
    }
  });

  it("refuses negative amounts", () => {
    expect(() => leaseGrantNano({ minimumNano: -1n, preferredNano: 0n, remainingNano: 10n })).toThrow(/minimumNano/);
    expect(() => leaseGrantNano({ minimumNano: 0n, preferredNano: -1n, remainingNano: 10n })).toThrow(/preferredNano/);
  });
});

describe("leaseRequestNano", () => {
  it("asks for a handful of worst cases when nothing is known", () => {
    expect(leaseRequestNano({ needNano: 100n, worstCaseNano: 100n, demandNano: 0n, elapsedMs: 0 })).toBe(100n * LEASE_MIN_REQUESTS);
  });

  it("asks for about two seconds of the observed demand", () => {
    // 3 000 nano over 500 ms → 6 000 nano per second → 12 000 for two seconds.
    expect(leaseRequestNano({ needNano: 10n, worstCaseNano: 10n, demandNano: 3_000n, elapsedMs: 500 })).toBe(12_000n);
  });

  it("treats a very short window as 50 ms", () => {
    expect(leaseRequestNano({ needNano: 1n, worstCaseNano: 1n, demandNano: 1_000n, elapsedMs: 1 })).toBe(40_000n);
  });

  it("never asks for less than the need", () => {
    expect(leaseRequestNano({ needNano: 1_000_000n, worstCaseNano: 10n, demandNano: 10n, elapsedMs: 1_000 })).toBe(1_000_000n);
  });

  it("refuses bad input", () => {
    expect(() => leaseRequestNano({ needNano: -1n, worstCaseNano: 0n, demandNano: 0n, elapsedMs: 0 })).toThrow(/needNano/);
    expect(() => leaseRequestNano({ needNano: 0n, worstCaseNano: 0n, demandNano: 0n, elapsedMs: Number.NaN })).toThrow(/elapsedMs/);
  });
});
