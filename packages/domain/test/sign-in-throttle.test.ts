// The sign-in throttle's schedule: free failures, then delays doubling from 1 s to a cap — and the
// figures the README quotes (guesses per hour against one account; what the owner waits), computed
// here from the schedule itself, so the README cannot drift from the code without a test failing.
import { describe, expect, it } from "vitest";
import {
  addressNetwork,
  decideAttempt,
  describeWait,
  SIGN_IN_THROTTLE,
  throttledMessage,
  throttleDelayMs,
  throttleKey,
  type ThrottleSchedule,
  type ThrottleState,
} from "../src/sign-in-throttle";

const HOUR = 3_600_000;
const { account, address } = SIGN_IN_THROTTLE;

/** An attacker who guesses as soon as each key allows: how many guesses fit in `ms` (all failing). */
function guessesWithin(ms: number, schedules: readonly ThrottleSchedule[]): number {
  const states: (ThrottleState | undefined)[] = schedules.map(() => undefined);
  let t = 0;
  let guesses = 0;
  while (t < ms) {
    const now = new Date(t);
    const decisions = schedules.map((schedule, i) => decideAttempt(states[i], now, schedule));
    const refused = decisions.filter((d) => !d.admitted);
    if (refused.length > 0) {
      t += Math.max(...refused.map((d) => (d.admitted ? 0 : d.waitMs)));
      continue;
    }
    decisions.forEach((d, i) => (states[i] = d.admitted ? d.next : states[i]));
    guesses++;
  }
  return guesses;
}

describe("the sign-in throttle", () => {
  it("lets the first failures go, then doubles the wait from 1 s up to the cap", () => {
    const delays = Array.from({ length: 16 }, (_, i) => throttleDelayMs(i + 1, account) / 1000);
    expect(delays).toEqual([0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
    expect(throttleDelayMs(10_000, account)).toBe(account.maxDelayMs);
    expect(throttleDelayMs(20, address)).toBe(0);
    expect(throttleDelayMs(21, address)).toBe(1000);
  });

  it("admits an attempt by counting it at once; refuses without counting while the wait lasts", () => {
    const t0 = new Date("2026-05-01T10:00:00Z");
    let state: ThrottleState | undefined;
    for (let i = 1; i <= 5; i++) {
      const d = decideAttempt(state, t0, account);
      expect(d.admitted).toBe(true);
      if (d.admitted) state = d.next;
    }
    const sixth = decideAttempt(state, t0, account);
    expect(sixth).toMatchObject({
      admitted: true,
      next: { failures: 6, nextAttemptAt: new Date(t0.getTime() + 1000) },
    });
    if (sixth.admitted) state = sixth.next;
    expect(decideAttempt(state, new Date(t0.getTime() + 400), account)).toEqual({
      admitted: false,
      waitMs: 600,
    });
    expect(decideAttempt(state, new Date(t0.getTime() + 1000), account)).toMatchObject({
      admitted: true,
      next: { failures: 7 },
    });
  });

  it("forgets a count after a quiet day", () => {
    const t0 = new Date("2026-05-01T10:00:00Z");
    const state: ThrottleState = {
      failures: 40,
      lastFailureAt: t0,
      nextAttemptAt: new Date(t0.getTime() + account.maxDelayMs),
    };
    expect(decideAttempt(state, new Date(t0.getTime() + 24 * HOUR), account)).toMatchObject({
      admitted: true,
      next: { failures: 1 },
    });
  });

  it("the README's figures: one account gets 25 guesses in the first hour and 12 an hour after that, from one address or many", () => {
    // From many addresses only the account's count binds; from one address both do.
    expect(guessesWithin(HOUR, [account])).toBe(25);
    expect(guessesWithin(HOUR, [account, address])).toBe(25);
    expect(guessesWithin(24 * HOUR, [account]) - guessesWithin(23 * HOUR, [account])).toBe(12);
    expect(guessesWithin(24 * HOUR, [account])).toBe(301);
    // The owner on a new device waits at most the cap; on a known device not at all (its own count).
    expect(account.maxDelayMs).toBe(5 * 60_000);
  });

  it("says the wait in words", () => {
    expect(describeWait(1)).toBe("1 second");
    expect(describeWait(39_001)).toBe("40 seconds");
    expect(describeWait(60_000)).toBe("1 minute");
    expect(describeWait(128_000)).toBe("2 minutes and 8 seconds");
    expect(describeWait(300_000)).toBe("5 minutes");
    expect(throttledMessage("account", 40_000)).toBe(
      "Too many failed sign-in attempts for this account. Try again in 40 seconds.",
    );
    expect(throttledMessage("address", 2_000)).toMatch(/from your network\. Try again in 2 seconds\.$/);
    expect(throttledMessage("account", 90_000)).not.toMatch(/minute\(s\)/);
  });

  it("keys: the account's e-mail in lower case, the address and the device as given", () => {
    expect(throttleKey("account", " Ada@Example.COM ")).toBe("account:ada@example.com");
    expect(throttleKey("address", "192.0.2.7")).toBe("address:192.0.2.7");
    expect(throttleKey("device", "ab".repeat(32))).toBe(`device:${"ab".repeat(32)}`);
  });

  it("counts an IPv6 client by its /64 (one subscriber's share), an IPv4-mapped one as IPv4", () => {
    expect(addressNetwork("2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1:2::/64");
    expect(addressNetwork("2001:db8:1:2:ffff::9")).toBe("2001:db8:1:2::/64");
    expect(addressNetwork("2001:DB8:0001:0002::")).toBe("2001:db8:1:2::/64");
    expect(addressNetwork("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressNetwork("::1")).toBe("0:0:0:0::/64");
    expect(addressNetwork("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(addressNetwork("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(addressNetwork("::ffff:192.0.2.1")).toBe(addressNetwork("192.0.2.1"));
    expect(addressNetwork("unknown")).toBe("unknown");
    expect(throttleKey("address", "2001:db8:1:2::a")).toBe(throttleKey("address", "2001:db8:1:2::b"));
    expect(throttleKey("address", "2001:db8:1:2::a")).not.toBe(throttleKey("address", "2001:db8:1:3::a"));
  });
});
