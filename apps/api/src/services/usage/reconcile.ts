// The reconciliation job: compare recorded raw costs with OpenRouter's /generation total_cost
// for every event that ended without reliable usage (aborted, incomplete, error) and a sample of
// the rest, and correct where they differ. It runs in the API (which owns the data and can open
// the organisations' keys), on a timer, off every request path.
import {
  applyReconciliation,
  getOrganizationKey,
  listReconciliationCandidates,
  markReconciled,
} from "@mai/db";
import { usdToNano } from "@mai/domain";
import { OpenRouterError } from "@mai/openrouter";
import type { AppDeps } from "../../deps";

interface ReconcileSummary {
  checked: number;
  corrected: number;
  unchanged: number;
  failed: number;
  /** Sum of (new raw − recorded raw) over corrections, nano-USD. */
  deltaRawNano: bigint;
}

// /generation forgets nothing quickly, but a generation still unknown a day later never will be.
const GIVE_UP_AFTER_MS = 24 * 60 * 60 * 1000;

export async function reconcileUsage(
  deps: AppDeps,
  options: { sampleBp?: number; limit?: number; minAgeMs?: number } = {},
): Promise<ReconcileSummary> {
  const now = deps.now();
  const candidates = await listReconciliationCandidates(deps.db, {
    olderThan: new Date(now.getTime() - (options.minAgeMs ?? deps.env.MAI_RECONCILE_MIN_AGE_MS)),
    sampleBp: options.sampleBp ?? deps.env.MAI_RECONCILE_SAMPLE_BP,
    limit: options.limit ?? 500,
  });
  const summary: ReconcileSummary = { checked: 0, corrected: 0, unchanged: 0, failed: 0, deltaRawNano: 0n };
  const keys = new Map<string, string | null>();
  for (const candidate of candidates) {
    summary.checked += 1;
    if (!keys.has(candidate.organizationId)) {
      keys.set(
        candidate.organizationId,
        await getOrganizationKey(deps.db, deps.secrets, candidate.organizationId).catch(() => null),
      );
    }
    const key = keys.get(candidate.organizationId);
    if (!key) {
      summary.failed += 1;
      continue;
    }
    try {
      const generation = (await deps.openrouter.getGeneration(candidate.generationId, { key })) as {
        total_cost?: number | null;
      };
      if (typeof generation.total_cost !== "number") {
        summary.failed += 1;
        continue;
      }
      const result = await applyReconciliation(deps.db, {
        generationId: candidate.generationId,
        rawCostNano: usdToNano(generation.total_cost),
        checkedAt: now,
        source: "openrouter /generation total_cost",
      });
      if (result?.changed) {
        summary.corrected += 1;
        summary.deltaRawNano += result.rawCostNano - result.previousRawCostNano;
      } else summary.unchanged += 1;
    } catch (error) {
      summary.failed += 1;
      // Unknown to OpenRouter a day later: it never will be; stop asking.
      if (
        error instanceof OpenRouterError &&
        error.status === 404 &&
        now.getTime() - candidate.occurredAt.getTime() > GIVE_UP_AFTER_MS
      ) {
        await markReconciled(deps.db, candidate.generationId, now);
      }
      deps.logger.warn(
        {
          generationId: candidate.generationId,
          status: error instanceof OpenRouterError ? error.status : undefined,
        },
        "reconciliation check failed",
      );
    }
  }
  if (summary.checked > 0)
    deps.logger.info({ ...summary, deltaRawNano: summary.deltaRawNano.toString() }, "usage reconciled");
  return summary;
}

/** Runs the job every `intervalMs` (0 disables it); never two runs at once. */
export function scheduleReconciliation(deps: AppDeps, intervalMs: number): { stop(): void } {
  if (intervalMs <= 0) return { stop() {} };
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    reconcileUsage(deps)
      .catch((error: unknown) =>
        deps.logger.error({ err: { name: (error as Error).name } }, "reconciliation run failed"),
      )
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
