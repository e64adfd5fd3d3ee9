// Why: the proxy admits a request only if the organisation's spend this billing month, plus what
// other in-flight requests have reserved, plus this request's estimate, stays within the monthly
// limit. The arithmetic and the warning threshold live here so the database's atomic reservation,
// the proxy and the dashboard all agree on what "at the limit" means: exactly at the limit is still
// allowed; one nano-dollar over is refused.

import { DomainError } from "./errors";
import { INT8_MAX } from "./input-bounds";
import { usdToNanoExact } from "./money";

/** A monthly limit already in nano-USD (as stored): 0 … what a PostgreSQL bigint holds. */
export function validateMonthlyLimitNano(nano: bigint): bigint {
  if (typeof nano !== "bigint") throw new DomainError("INVALID_INPUT", "A monthly limit is a bigint amount of nano-USD.");
  if (nano < 0n) throw new DomainError("INVALID_INPUT", "The monthly limit cannot be negative.");
  if (nano > INT8_MAX) {
    throw new DomainError("INVALID_INPUT", "The monthly limit is too large: at most 9,223,372,036.854775807 USD.");
  }
  return nano;
}

/**
 * A monthly limit typed in USD ("250", "99.5", 1000) → exact nano-USD: never negative, never more
 * than a PostgreSQL bigint holds, and never rounded (a sub-nano amount is refused, not saved as 0).
 */
export function validateMonthlyLimit(usd: string | number): bigint {
  return validateMonthlyLimitNano(usdToNanoExact(usd, "The monthly limit"));
}

export interface LimitEvaluation {
  allowed: boolean;
  /** What is left after spent and reserved amounts, never negative. */
  remainingNano: bigint;
  /** spent / limit in basis points, rounded down; not capped, so overshoot shows (e.g. 10250). */
  usedBp: number;
  level: "ok" | "warning" | "exceeded";
}

/** From 80 % of the limit the dashboard warns. */
export const LIMIT_WARNING_BP = 8_000;

const FULL_BP = 10_000n;

/**
 * Where the organisation stands. The level is "exceeded" once the spend reached the limit, or as
 * soon as the smallest request refused this period (`refusedMinNano`, its worst case) could not fit
 * even with nothing in flight: spent + refusedMin > limit. Spend only grows within a period, so
 * from then on every request of that size is refused — the dashboard must not say "warning".
 * What is reserved does not count towards the level: it is transient (requests in flight, proxies'
 * leases that come back within a lease lifetime), so counting it would flap between "warning" and
 * "exceeded" with the traffic and call a limit spent that has room once the flight lands.
 */
export function evaluateMonthlyLimit(input: {
  spentNano: bigint;
  reservedNano: bigint;
  requestNano: bigint;
  limitNano: bigint;
  /** The smallest worst case refused this period (null or absent: none was). */
  refusedMinNano?: bigint | null | undefined;
}): LimitEvaluation {
  for (const field of ["spentNano", "reservedNano", "requestNano", "limitNano", "refusedMinNano"] as const) {
    const value: unknown = input[field];
    if (field === "refusedMinNano" && (value === undefined || value === null)) continue;
    if (typeof value !== "bigint" || value < 0n) {
      throw new DomainError("INVALID_INPUT", `${field} must be a non-negative bigint amount of nano-USD.`, {
        details: { field },
      });
    }
  }
  const { spentNano: spent, reservedNano: reserved, requestNano: request, limitNano: limit } = input;

  const committed = spent + reserved;
  const remaining = limit - committed;
  // A zero limit means "nothing may be spent": it is fully used from the start.
  const usedBp = limit === 0n ? Number(FULL_BP) : Number((spent * FULL_BP) / limit);
  const refusedMin = input.refusedMinNano ?? null;
  const blocked = spent >= limit || (refusedMin !== null && spent + refusedMin > limit);
  const level = blocked ? "exceeded" : usedBp >= LIMIT_WARNING_BP ? "warning" : "ok";

  return {
    allowed: committed + request <= limit,
    remainingNano: remaining > 0n ? remaining : 0n,
    usedBp,
    level,
  };
}
