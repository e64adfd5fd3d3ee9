// Why: a proxy cannot afford one database round trip per request to enforce the monthly limit, so
// it reserves budget in blocks ("leases") with the same atomic reservation and admits requests
// against its block locally. Two rules decide the block sizes, and they live here so the database
// and every proxy replica apply the same ones:
//   - the grant: at least what the request that asked needs (or nothing), at most what the proxy
//     asked for, and never more than a fixed share of what is left — so near the limit blocks shrink
//     towards exactly one request's worst case and replicas cannot starve one another;
//   - the ask: enough for a few seconds of the demand the proxy has seen, never less than a handful
//     of the current request's worst case.
// The sum of all leases plus the spend never exceeds the limit: leasing changes how often the
// database is asked, never what it admits.

import { DomainError } from "./errors";

/** A grant takes at most this fraction (1/n) of what is left in the month, beyond the minimum. */
export const LEASE_SHARE_DIVISOR = 4n;
/** The smallest lease asked for, in worst cases of the request that triggered it. */
export const LEASE_MIN_REQUESTS = 8n;
/** Leases aim to cover this many seconds of observed demand. */
export const LEASE_TARGET_SECONDS = 2;

function nonNegative(fields: Record<string, bigint>): void {
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value !== "bigint" || value < 0n) throw new DomainError("INVALID_INPUT", `${name} must be a non-negative bigint amount of nano-USD.`);
  }
}

/**
 * What the database grants when a proxy asks for `preferredNano` and needs at least `minimumNano`,
 * with `remainingNano` (limit − spent − reserved) left: null when even the minimum does not fit.
 */
export function leaseGrantNano(input: { minimumNano: bigint; preferredNano: bigint; remainingNano: bigint }): bigint | null {
  const { minimumNano: minimum, preferredNano: preferred, remainingNano } = input;
  nonNegative({ minimumNano: minimum, preferredNano: preferred });
  if (typeof remainingNano !== "bigint") throw new DomainError("INVALID_INPUT", "remainingNano must be a bigint.");
  if (remainingNano < minimum) return null;
  const share = remainingNano / LEASE_SHARE_DIVISOR;
  const wanted = preferred > minimum ? preferred : minimum;
  const cap = share > minimum ? share : minimum;
  return wanted < cap ? wanted : cap;
}

/**
 * What a proxy asks for when its lease cannot cover a request: `needNano` more at least, and about
 * LEASE_TARGET_SECONDS of the demand observed since the last top-up (`demandNano` over `elapsedMs`).
 */
export function leaseRequestNano(input: { needNano: bigint; worstCaseNano: bigint; demandNano: bigint; elapsedMs: number }): bigint {
  const { needNano, worstCaseNano, demandNano, elapsedMs } = input;
  nonNegative({ needNano, worstCaseNano, demandNano });
  if (!Number.isFinite(elapsedMs) || elapsedMs < 0) throw new DomainError("INVALID_INPUT", "elapsedMs must be a non-negative number.");
  // Demand over less than 50 ms says little; count it as 50 ms so a burst does not ask for the month.
  const window = BigInt(Math.max(50, Math.round(elapsedMs)));
  const forDemand = (demandNano * BigInt(LEASE_TARGET_SECONDS * 1000)) / window;
  const floor = worstCaseNano * LEASE_MIN_REQUESTS;
  let ask = forDemand > floor ? forDemand : floor;
  if (ask < needNano) ask = needNano;
  return ask;
}

// Leases are rows with an owner and an expiry (limit_leases). What one holds of the organisation's
// limit is granted − recorded while its owner uses it, and max(closed − recorded, 0) once given
// back with the total its requests consumed (`closed`): events still on their way keep their part
// reserved until they are recorded. A lease its owner stops renewing expires and holds nothing.
// The database applies the same formula in SQL (@mai/db limits.ts, leaseHeldSql).

/** What a lease holds of the limit (see above). */
export function leaseHeldNano(lease: { grantedNano: bigint; recordedNano: bigint; closedNano: bigint | null }): bigint {
  const base = lease.closedNano ?? lease.grantedNano;
  const held = base - lease.recordedNano;
  return held > 0n ? held : 0n;
}

/** A proxy renews its leases this many times per lifetime (the API sweeps expired ones as often). */
export const LEASE_RENEWALS_PER_LIFETIME = 4;
