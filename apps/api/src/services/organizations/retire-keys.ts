// The key-retirement job: deletes on OpenRouter the provisioned keys organisations stopped using
// (rotated, replaced), once their grace period has passed (MAI_KEY_RETIREMENT_GRACE_MS, longer
// than every proxy's identity cache, so no proxy still sends them). Why not at once: a proxy that
// cached the organisation's context keeps sending the old key until its cache expires, and every
// such request would get OpenRouter's 401 — an outage of up to the cache TTL on every rotation.
// A failed DELETE is retried with backoff (1 min doubling, capped at 1 h), its reason recorded;
// after MAX_ATTEMPTS the job stops and says so in the audit log (the key is then the provider's to
// delete in the OpenRouter dashboard). Runs in the API process on a timer, off every request path.
import {
  appendAudit,
  claimDueKeyRetirements,
  getProvisioningKey,
  markKeyRetired,
  recordKeyRetirementFailure,
  type KeyRetirement,
} from "@mai/db";
import { isOpenRouterError } from "@mai/openrouter";
import type { AppDeps } from "../../deps";
import { scheduleJob } from "../schedule";

/** Attempts before the job gives up on a key (about 9 h of retries with the backoff below). */
export const KEY_RETIREMENT_MAX_ATTEMPTS = 12;
const RETRY_BASE_MS = 60_000;
const RETRY_CAP_MS = 60 * 60_000;
/** A claimed row is due again after this long if the process dies before recording the outcome. */
const CLAIM_MS = 5 * 60_000;

/** When a key queued now may be deleted: the configured grace from now. */
export function retirementDueAt(deps: Pick<AppDeps, "env" | "now">): Date {
  return new Date(deps.now().getTime() + deps.env.MAI_KEY_RETIREMENT_GRACE_MS);
}

/** The wait after the `attempts`-th failure: 1 min, 2, 4, … capped at 1 h. */
export function retirementRetryDelayMs(attempts: number, baseMs = RETRY_BASE_MS): number {
  return Math.min(baseMs * 2 ** Math.max(0, Math.min(attempts - 1, 20)), RETRY_CAP_MS);
}

interface RetireSummary {
  deleted: number;
  failed: number;
  gaveUp: number;
}

/** Why a DELETE failed, in words with no key in it (an OpenRouterError's message is redacted). */
function describeFailure(error: unknown): string {
  if (isOpenRouterError(error)) {
    return error.status === 0 ? `OpenRouter could not be reached (${String(error.code)})` : `OpenRouter answered ${error.status}`;
  }
  return (error as Error | undefined)?.name ?? "unknown error";
}

async function retireOne(deps: AppDeps, row: KeyRetirement, provisioningKey: string | null): Promise<"deleted" | "failed" | "gave_up"> {
  const now = deps.now();
  let failure: string;
  if (!provisioningKey) {
    failure = "no provisioning key is configured";
  } else {
    try {
      await deps.openrouter.deleteKey(row.openrouterKeyHash, { key: provisioningKey });
      failure = "";
    } catch (error) {
      // OpenRouter no longer knows the key (deleted in its dashboard): it is gone, which is the point.
      failure = isOpenRouterError(error) && error.status === 404 ? "" : describeFailure(error);
    }
  }
  const details = { keyHash: row.openrouterKeyHash, reason: row.reason, attempts: row.attempts, queuedAt: row.createdAt.toISOString() };
  if (!failure) {
    await deps.db.transaction(async (tx) => {
      await markKeyRetired(tx, row.id, now);
      await appendAudit(tx, {
        actorKind: "system",
        action: "organization.previous_key_deleted",
        organizationId: row.organizationId,
        targetType: "organization",
        targetId: row.organizationId,
        details,
      });
    });
    return "deleted";
  }
  const gaveUp = row.attempts >= KEY_RETIREMENT_MAX_ATTEMPTS;
  await deps.db.transaction(async (tx) => {
    await recordKeyRetirementFailure(tx, row.id, {
      error: failure,
      retryAt: new Date(now.getTime() + retirementRetryDelayMs(row.attempts)),
    });
    if (gaveUp) {
      await appendAudit(tx, {
        actorKind: "system",
        action: "organization.previous_key_delete_failed",
        organizationId: row.organizationId,
        targetType: "organization",
        targetId: row.organizationId,
        details: { ...details, lastError: failure, action: "delete it in the OpenRouter dashboard" },
      });
    }
  });
  deps.logger.warn(
    { organizationId: row.organizationId, keyHash: row.openrouterKeyHash, attempts: row.attempts, gaveUp, error: failure },
    gaveUp ? "gave up deleting a retired OpenRouter key; delete it in the OpenRouter dashboard" : "could not delete a retired OpenRouter key; will retry",
  );
  return gaveUp ? "gave_up" : "failed";
}

/** Deletes every due retired key upstream (at most `limit` per run), one after the other. */
export async function retireDueKeys(deps: AppDeps, options: { limit?: number } = {}): Promise<RetireSummary> {
  const now = deps.now();
  const claimed = await claimDueKeyRetirements(deps.db, {
    now,
    claimUntil: new Date(now.getTime() + CLAIM_MS),
    maxAttempts: KEY_RETIREMENT_MAX_ATTEMPTS,
    limit: options.limit ?? 100,
  });
  const summary: RetireSummary = { deleted: 0, failed: 0, gaveUp: 0 };
  if (claimed.length === 0) return summary;
  const provisioningKey = await getProvisioningKey(deps.db, deps.secrets).catch(() => null);
  for (const row of claimed) {
    const outcome = await retireOne(deps, row, provisioningKey);
    if (outcome === "deleted") summary.deleted += 1;
    else if (outcome === "failed") summary.failed += 1;
    else summary.gaveUp += 1;
  }
  deps.logger.info(summary, "retired OpenRouter keys");
  return summary;
}

/** Runs the job every `intervalMs` (0 disables it); never two runs at once. */
export function scheduleKeyRetirement(deps: AppDeps, intervalMs: number): { stop(): void } {
  return scheduleJob(deps, intervalMs, "key retirement run failed", () => retireDueKeys(deps));
}
