// The reconciliation job: compare recorded raw costs with OpenRouter's /generation total_cost
// for every event that ended without reliable usage (aborted, incomplete, error) and a sample of
// the rest, and correct where they differ. It runs in the API (which owns the data and can open
// the organisations' keys), on a timer, off every request path.
//
// A generation /generation cannot answer for (404: unknown; or failing, rate-limited, no key to ask
// with) is not asked again on every run: its failure is recorded (reconciliation_attempts) and it
// waits 1 min, then 2, 4, … at most 1 h between checks; after 24 h of failures or MAX_ATTEMPTS
// checks the job gives up on it visibly (an audit entry, the event marked checked with its
// recorded cost). Checks run in parallel, at most MAI_RECONCILE_CONCURRENCY at once, and /generation
// is asked once per check (no in-call retries: an event is at least MAI_RECONCILE_MIN_AGE_MS old,
// and this job's own backoff is the retry). So a run costs what its new candidates cost, not what
// every unknown generation of the last day costs.
import {
  applyReconciliation,
  clearReconciliationFailures,
  getOrganizationKey,
  listReconciliationCandidates,
  recordReconciliationFailure,
  type ReconciliationCandidate,
} from "@mai/db";
import { usdToNano } from "@mai/domain";
import { OpenRouterError } from "@mai/openrouter";
import type { AppDeps } from "../../deps";
import { scheduleJob } from "../schedule";

interface ReconcileSummary {
  checked: number;
  corrected: number;
  unchanged: number;
  failed: number;
  /** Failed checks that ended the retries (audited as usage.reconciliation_gave_up). */
  gaveUp: number;
  /** Sum of (new raw − recorded raw) over corrections, nano-USD. */
  deltaRawNano: bigint;
}

/** The first wait after a failed check; each further failure doubles it, up to RETRY_CAP_MS. */
export const RECONCILE_RETRY_BASE_MS = 60_000;
export const RECONCILE_RETRY_CAP_MS = 60 * 60_000;
// /generation forgets nothing quickly, but a generation still unknown a day later never will be.
export const RECONCILE_GIVE_UP_AFTER_MS = 24 * 60 * 60_000;
/** About 24 h of checks at the backoff above (6 in the first hour, then one an hour). */
export const RECONCILE_MAX_ATTEMPTS = 30;

type CheckOutcome =
  | { kind: "corrected"; deltaRawNano: bigint }
  | { kind: "unchanged" }
  | { kind: "failed"; gaveUp: boolean };

export async function reconcileUsage(
  deps: AppDeps,
  options: { limit?: number; minAgeMs?: number; concurrency?: number } = {},
): Promise<ReconcileSummary> {
  const now = deps.now();
  const candidates = await listReconciliationCandidates(deps.db, {
    olderThan: new Date(now.getTime() - (options.minAgeMs ?? deps.env.MAI_RECONCILE_MIN_AGE_MS)),
    limit: options.limit ?? 500,
    now,
  });
  const summary: ReconcileSummary = { checked: 0, corrected: 0, unchanged: 0, failed: 0, gaveUp: 0, deltaRawNano: 0n };
  // One key lookup (and decryption) per organisation, shared by the checks running at once.
  const keys = new Map<string, Promise<string | null>>();
  const keyOf = (organizationId: string) => {
    let key = keys.get(organizationId);
    if (!key) {
      key = getOrganizationKey(deps.db, deps.secrets, organizationId).catch(() => null);
      keys.set(organizationId, key);
    }
    return key;
  };

  const failure = async (candidate: ReconciliationCandidate, status: number | null): Promise<CheckOutcome> => {
    deps.logger.warn({ generationId: candidate.generationId, status, attempts: candidate.failedAttempts + 1 }, "reconciliation check failed");
    const recorded = await recordReconciliationFailure(deps.db, {
      generationId: candidate.generationId,
      organizationId: candidate.organizationId,
      occurredAt: candidate.occurredAt,
      status,
      now,
      baseMs: RECONCILE_RETRY_BASE_MS,
      capMs: RECONCILE_RETRY_CAP_MS,
      maxAttempts: RECONCILE_MAX_ATTEMPTS,
      giveUpAfterMs: RECONCILE_GIVE_UP_AFTER_MS,
    });
    if (recorded.gaveUp) {
      deps.logger.warn(
        { generationId: candidate.generationId, organizationId: candidate.organizationId, attempts: recorded.attempts, status },
        "reconciliation gave up on a generation; its recorded cost stands",
      );
    }
    return { kind: "failed", gaveUp: recorded.gaveUp };
  };

  const check = async (candidate: ReconciliationCandidate): Promise<CheckOutcome> => {
    const key = await keyOf(candidate.organizationId);
    if (!key) return failure(candidate, null);
    let totalCost: number;
    try {
      totalCost = (await deps.openrouter.getGeneration(candidate.generationId, { key, retries: 0 })).total_cost;
    } catch (error) {
      return failure(candidate, error instanceof OpenRouterError ? error.status : null);
    }
    const result = await applyReconciliation(deps.db, {
      generationId: candidate.generationId,
      organizationId: candidate.organizationId,
      occurredAt: candidate.occurredAt,
      rawCostNano: usdToNano(totalCost),
      checkedAt: now,
      source: "openrouter /generation total_cost",
    });
    if (candidate.failedAttempts > 0) await clearReconciliationFailures(deps.db, candidate.generationId);
    return result?.changed
      ? { kind: "corrected", deltaRawNano: result.rawCostNano - result.previousRawCostNano }
      : { kind: "unchanged" };
  };

  // A bounded pool: at most `concurrency` checks in flight, each worker taking the next candidate.
  const concurrency = Math.max(1, Math.min(options.concurrency ?? deps.env.MAI_RECONCILE_CONCURRENCY, 64));
  let next = 0;
  const worker = async () => {
    while (next < candidates.length) {
      const candidate = candidates[next++]!;
      summary.checked += 1;
      let outcome: CheckOutcome;
      try {
        outcome = await check(candidate);
      } catch (error) {
        // The database failed under this check: counted, logged without the driver's message
        // (it carries the query's parameters), and the event is simply a candidate again next run.
        deps.logger.error(
          { generationId: candidate.generationId, err: { name: (error as Error).name, code: (error as { code?: unknown }).code } },
          "reconciliation check could not be recorded",
        );
        outcome = { kind: "failed", gaveUp: false };
      }
      if (outcome.kind === "corrected") {
        summary.corrected += 1;
        summary.deltaRawNano += outcome.deltaRawNano;
      } else if (outcome.kind === "unchanged") summary.unchanged += 1;
      else {
        summary.failed += 1;
        if (outcome.gaveUp) summary.gaveUp += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, candidates.length) }, worker));
  if (summary.checked > 0)
    deps.logger.info({ ...summary, deltaRawNano: summary.deltaRawNano.toString() }, "usage reconciled");
  return summary;
}

/** Runs the job every `intervalMs` (0 disables it); never two runs at once. */
export function scheduleReconciliation(deps: AppDeps, intervalMs: number): { stop(): void } {
  return scheduleJob(deps, intervalMs, "reconciliation run failed", () => reconcileUsage(deps));
}
