// Why: how failed sign-ins slow guessing down — the one rule the API applies (apps/api's
// services/auth/login.ts) to counts every replica shares in the database (packages/db's
// queries/auth-throttle.ts). Exponential delays instead of a lock: the first few failures are free,
// then each one makes the next attempt wait twice as long, from 1 s up to a cap, so an attacker
// gets a trickle of guesses while the owner never waits longer than the cap — and not at all on a
// browser they signed in from before (a known device is throttled on its own count only).
//
// Counts are kept per key (keyOf): the account (its e-mail), the client address, a known device.
// An attempt is admitted only when every key it is checked on allows it, and an admitted attempt is
// counted as a failure at once (before the password is checked), so concurrent attempts cannot slip
// through together; a success then clears the account's or device's count (only the owner can) and
// gives the address back the one it took.

export type ThrottleScope = "account" | "address" | "device" | "session";

export interface ThrottleSchedule {
  /** Failures in a row that cost nothing (typos). */
  freeFailures: number;
  /** The wait after the first failure beyond the free ones; it doubles with each further failure. */
  firstDelayMs: number;
  /** The longest wait: what an owner on a new device waits at most, and 1 guess per this per key. */
  maxDelayMs: number;
  /** A count with no failure for this long starts again from zero. */
  forgetAfterMs: number;
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

export const SIGN_IN_THROTTLE: Readonly<Record<ThrottleScope, ThrottleSchedule>> = {
  // One account, from wherever: what bounds an attacker with many addresses.
  account: { freeFailures: 5, firstDelayMs: SECOND, maxDelayMs: 5 * MINUTE, forgetAfterMs: DAY },
  // One client address, across accounts: password spraying; an office behind one NAT address gets more slack.
  address: { freeFailures: 20, firstDelayMs: SECOND, maxDelayMs: 5 * MINUTE, forgetAfterMs: DAY },
  // One browser an account signed in from before: the owner's own typos, nobody else's guesses.
  device: { freeFailures: 5, firstDelayMs: SECOND, maxDelayMs: 5 * MINUTE, forgetAfterMs: DAY },
  // One signed-in session asking to change the password: a stolen session cookie must not become a
  // fast oracle for the current password.
  session: { freeFailures: 5, firstDelayMs: SECOND, maxDelayMs: 5 * MINUTE, forgetAfterMs: DAY },
};

/**
 * The key a count is stored under: `account:<e-mail>`, `address:<client>`, `device:<sha256 of the
 * device cookie>`, `session:<sha256 of the session cookie>`. A client address is counted as itself
 * for IPv4 (an IPv4-mapped IPv6 address as its IPv4 form) and by its /64 network for IPv6 — one
 * subscriber's share, or an attacker with a /64 would have 2^64 fresh addresses.
 */
export function throttleKey(scope: ThrottleScope, value: string): string {
  if (scope === "account") return `account:${value.trim().toLowerCase()}`;
  if (scope === "address") return `address:${addressNetwork(value)}`;
  return `${scope}:${value}`;
}

/** "::ffff:192.0.2.1" → "192.0.2.1"; "2001:db8:1:2:3:4:5:6" → "2001:db8:1:2::/64"; anything else as given. */
export function addressNetwork(address: string): string {
  const ip = address.trim().toLowerCase().replace(/%.*$/, "");
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(ip);
  if (mapped) return mapped[1]!;
  if (!ip.includes(":") || !/^[0-9a-f:.]+$/.test(ip)) return ip;
  const [head = "", tail = ""] = ip.split("::");
  const left = head ? head.split(":") : [];
  const right = ip.includes("::") ? (tail ? tail.split(":") : []) : [];
  // An embedded IPv4 tail (::1.2.3.4) takes two groups; only the first four groups matter anyway.
  const missing = 8 - left.length - right.length - (right.some((g) => g.includes(".")) ? 1 : 0);
  const groups = ip.includes("::")
    ? [...left, ...Array<string>(Math.max(0, missing)).fill("0"), ...right]
    : left;
  if (groups.length < 4) return ip;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

/** The scope of a key made by throttleKey. */
export function scopeOfThrottleKey(key: string): ThrottleScope {
  const scope = key.slice(0, key.indexOf(":"));
  if (scope === "account" || scope === "address" || scope === "device" || scope === "session") return scope;
  throw new Error(`Not a sign-in throttle key: ${key.slice(0, 20)}`);
}

/** How long the next attempt waits after `failures` failures in a row (0 while they are free). */
export function throttleDelayMs(failures: number, schedule: ThrottleSchedule): number {
  const beyond = failures - schedule.freeFailures;
  if (beyond <= 0) return 0;
  // 2^(beyond-1) overflows nothing: the exponent is capped long before a double loses integers.
  return Math.min(schedule.maxDelayMs, schedule.firstDelayMs * 2 ** Math.min(beyond - 1, 40));
}

/** One key's stored count. */
export interface ThrottleState {
  failures: number;
  lastFailureAt: Date;
  nextAttemptAt: Date;
}

export type ThrottleDecision =
  | {
      admitted: true;
      /** The state to store: this attempt counted as a failure until it succeeds. */ next: ThrottleState;
    }
  | { admitted: false; waitMs: number };

/**
 * Whether an attempt at `now` may go ahead on this key. Admitted, it is counted as a failure right
 * away (the state to store); refused, nothing changes and it says how long to wait.
 */
export function decideAttempt(
  state: ThrottleState | undefined,
  now: Date,
  schedule: ThrottleSchedule,
): ThrottleDecision {
  if (state && state.nextAttemptAt.getTime() > now.getTime()) {
    return { admitted: false, waitMs: state.nextAttemptAt.getTime() - now.getTime() };
  }
  const forgotten = !state || now.getTime() - state.lastFailureAt.getTime() >= schedule.forgetAfterMs;
  const failures = (forgotten ? 0 : state.failures) + 1;
  return {
    admitted: true,
    next: {
      failures,
      lastFailureAt: now,
      nextAttemptAt: new Date(now.getTime() + throttleDelayMs(failures, schedule)),
    },
  };
}

/** "1 second", "40 seconds", "5 minutes", "2 minutes and 8 seconds" (rounded up to the second). */
export function describeWait(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / SECOND));
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (seconds < 60) return plural(seconds, "second");
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest === 0
    ? plural(minutes, "minute")
    : `${plural(minutes, "minute")} and ${plural(rest, "second")}`;
}

/** The refusal of a throttled attempt, in words, with the wait. */
export function throttledMessage(scope: ThrottleScope, waitMs: number): string {
  if (scope === "session") return `Too many wrong current passwords. Try again in ${describeWait(waitMs)}.`;
  const whose =
    scope === "address"
      ? "from your network"
      : scope === "device"
        ? "for this account on this browser"
        : "for this account";
  return `Too many failed sign-in attempts ${whose}. Try again in ${describeWait(waitMs)}.`;
}
