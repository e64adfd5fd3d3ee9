// Key-level reconciliation — the net under everything. Each organisation's OpenRouter key is its
// own, so OpenRouter's per-key counters (`usage_daily`, `usage_monthly`: the current UTC day and
// month) are the truth about what was charged on it. For every active organisation with a key this
// job reads them — a provisioned key through the provisioning key (`GET /keys/:hash`), a key the
// client supplied with the key itself (`GET /key`) — and compares each with the raw cost recorded
// for events that occurred in [max(period start, key_set_at), now]. The difference is "unmetered
// usage": traffic that bypassed the gateway (the client holds its key and can use it anywhere) or
// charges lost to a crash. Every observation is stored (key_usage_checks); an audit entry is
// written only when the month's amount first goes beyond rounding or moves beyond it (not on
// every run). Billing it is a separate, explicit provider action (organizations.billUnmetered).
//
// Order matters: OpenRouter is read before the recorded sum, so a request charged while the job
// runs is more likely to make the difference negative (recorded ahead) than to look unmetered.
import {
  appendAudit,
  getKeyUsageCheck,
  getOrganizationKey,
  getProvisioningKey,
  listKeyReconciliationTargets,
  recordedRawCost,
  saveKeyUsageCheck,
  type KeyReconciliationTarget,
  type KeyUsageCheck,
} from "@mai/db";
import { unmeteredChanged, unmeteredToleranceNano, usdToNano, utcPeriodsOf, type UtcPeriod } from "@mai/domain";
import { KeyUsageCountersSchema, OpenRouterError, type KeyUsageCounters } from "@mai/openrouter";
import type { AppDeps } from "../../deps";
import { scheduleJob } from "../schedule";

export interface KeyReconcileSummary {
  /** Organisations whose key was read and compared. */
  checked: number;
  /** Organisations whose counters could not be read (logged, tried again next run). */
  failed: number;
  /** Organisations whose month shows unmetered usage beyond rounding. */
  unmetered: number;
  /** Audit entries written (a month's amount appeared or moved). */
  audited: number;
}

/** OpenRouter's counters for the organisation's key, by the door its source allows. */
async function readCounters(
  deps: AppDeps,
  target: KeyReconciliationTarget,
  provisioningKey: () => Promise<string | null>,
): Promise<KeyUsageCounters> {
  const timeoutMs = deps.env.MAI_OPENROUTER_TIMEOUT_MS;
  if (target.keySource === "provisioned" && target.openrouterKeyHash) {
    const management = await provisioningKey();
    if (management) {
      const key = await deps.openrouter.getKey(target.openrouterKeyHash, { key: management, timeoutMs });
      // /keys/:hash marks the per-period counters optional in older specs; this job needs them.
      return KeyUsageCountersSchema.parse(key);
    }
    // No provisioning key any more: /key with the organisation's own key answers the same counters.
  }
  const key = await getOrganizationKey(deps.db, deps.secrets, target.id);
  if (!key) throw new Error("the organisation has no key");
  return deps.openrouter.getCurrentKey(key, { timeoutMs });
}

async function comparePeriod(
  deps: AppDeps,
  target: KeyReconciliationTarget,
  period: UtcPeriod,
  openrouterUsd: number,
  now: Date,
): Promise<{ check: KeyUsageCheck; previous: KeyUsageCheck | undefined; toleranceNano: bigint }> {
  const previous = await getKeyUsageCheck(deps.db, target.id, period.scope, period.periodStart);
  const keySetAt = target.keySetAt ?? target.createdAt;
  // A key that replaced another within the period (a rotation, often after a leak was found): the
  // old key's last counter is carried and the comparison keeps its start, so what was charged on
  // the old key stays compared — and billable — instead of vanishing with it. Charged on the old key
  // between its last check and the switch is not seen (at most one interval of the job).
  const chained = previous !== undefined && previous.comparedFrom <= keySetAt;
  const carriedOpenrouterNano = !chained
    ? 0n
    : previous.keyFingerprint === target.keyFingerprint
      ? previous.carriedOpenrouterNano
      : previous.openrouterUsageNano;
  const comparedFrom = chained ? previous.comparedFrom : keySetAt > period.start ? keySetAt : period.start;
  const openrouterUsageNano = carriedOpenrouterNano + usdToNano(openrouterUsd);
  const recorded = await recordedRawCost(deps.db, target.id, comparedFrom, now);
  const check: KeyUsageCheck = {
    organizationId: target.id,
    scope: period.scope,
    periodStart: period.periodStart,
    keyFingerprint: target.keyFingerprint,
    comparedFrom,
    openrouterUsageNano,
    carriedOpenrouterNano,
    recordedRawNano: recorded.rawNano,
    unmeteredNano: openrouterUsageNano - recorded.rawNano,
    checkedAt: now,
  };
  await saveKeyUsageCheck(deps.db, check);
  return { check, previous, toleranceNano: unmeteredToleranceNano(recorded.events, openrouterUsageNano) };
}

/** One run over every active organisation with a key. */
export async function reconcileKeyUsage(deps: AppDeps): Promise<KeyReconcileSummary> {
  const summary: KeyReconcileSummary = { checked: 0, failed: 0, unmetered: 0, audited: 0 };
  const targets = await listKeyReconciliationTargets(deps.db);
  let management: Promise<string | null> | undefined;
  const provisioningKey = () => (management ??= getProvisioningKey(deps.db, deps.secrets).catch(() => null));

  for (const target of targets) {
    let counters: KeyUsageCounters;
    try {
      counters = await readCounters(deps, target, provisioningKey);
    } catch (error) {
      summary.failed += 1;
      // Never the error itself: a message could carry what it was given. The status says enough.
      deps.logger.warn(
        {
          organizationId: target.id,
          status: error instanceof OpenRouterError ? error.status : undefined,
          code: error instanceof OpenRouterError ? error.code : undefined,
        },
        "key usage check failed",
      );
      continue;
    }
    // The counters cover "now" at OpenRouter; the recorded side is cut at the same instant.
    const now = deps.now();
    const periods = utcPeriodsOf(now);
    await comparePeriod(deps, target, periods.day, counters.usage_daily, now);
    const month = await comparePeriod(deps, target, periods.month, counters.usage_monthly, now);
    summary.checked += 1;

    const { check, toleranceNano } = month;
    const previous = month.previous;
    const beyond = check.unmeteredNano > toleranceNano || check.unmeteredNano < -toleranceNano;
    if (beyond) summary.unmetered += 1;
    if (unmeteredChanged(previous?.unmeteredNano ?? null, check.unmeteredNano, toleranceNano)) {
      summary.audited += 1;
      await appendAudit(deps.db, {
        actorKind: "system",
        action: "organization.unmetered_usage",
        organizationId: target.id,
        targetType: "organization",
        targetId: target.id,
        before: previous ? { unmeteredNano: previous.unmeteredNano.toString() } : null,
        after: { unmeteredNano: check.unmeteredNano.toString() },
        details: {
          month: periods.month.month,
          openrouterUsageNano: check.openrouterUsageNano.toString(),
          recordedRawNano: check.recordedRawNano.toString(),
          toleranceNano: toleranceNano.toString(),
          comparedFrom: check.comparedFrom.toISOString(),
          withinRounding: !beyond,
        },
      });
    }
  }
  if (summary.checked + summary.failed > 0) deps.logger.info({ ...summary }, "key usage reconciled");
  return summary;
}

/** Runs the job every `intervalMs` (0 disables it); never two runs at once. */
export function scheduleKeyReconciliation(deps: AppDeps, intervalMs: number): { stop(): void } {
  return scheduleJob(deps, intervalMs, "key usage reconciliation run failed", () => reconcileKeyUsage(deps));
}
