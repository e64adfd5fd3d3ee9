// Reconciliation with OpenRouter: a recorded event's raw cost is checked against /generation's
// total_cost (streams that ended without usage were recorded with what could be learned then, and
// tiered-price models stream a cost below what they charge). A correction moves the event, its
// daily rollup and its period counter by the same delta in one transaction, so every total still
// equals the sum of its events; the first recorded cost is kept and the change is audited.
import { and, asc, eq, isNull, lt, lte, or, sql, type AnyColumn } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { billedCost } from "@mai/domain";
import type { Database, Executor } from "../client";
import { reconciliationAttempts, reconciliationQueue, usageEvents, usagePeriodCounters } from "../schema/index";
import { appendAudit } from "./audit";
import { USAGE_ROLLUPS, type RollupKey } from "./rollups";

export interface ReconciliationCandidate {
  generationId: string;
  organizationId: string;
  status: "ok" | "error" | "aborted" | "incomplete";
  rawCostNano: bigint;
  occurredAt: Date;
  /** Failed checks so far (reconciliation_attempts), 0 for a first check. */
  failedAttempts: number;
}

/**
 * Queued events (reconciliation_queue: failed ones and a sample of the rest, chosen when recorded)
 * older than `olderThan` (OpenRouter's /generation needs a moment), oldest first — except those
 * whose last check failed and that wait for their next attempt (reconciliation_attempts.next_attempt_at
 * after `now`), so a generation /generation does not know is asked once per backoff step, not on
 * every run. The queue holds only work still to do, so a run reads about `limit` rows whatever the
 * size of the ledger.
 */
export async function listReconciliationCandidates(
  db: Executor,
  options: { olderThan: Date; limit: number; now?: Date },
): Promise<ReconciliationCandidate[]> {
  const now = options.now ?? new Date();
  const q = reconciliationQueue;
  const rows = await db
    .select({
      generationId: q.generationId,
      organizationId: q.organizationId,
      status: usageEvents.status,
      rawCostNano: usageEvents.rawCostNano,
      occurredAt: q.occurredAt,
      failedAttempts: reconciliationAttempts.attempts,
    })
    .from(q)
    .innerJoin(usageEvents, eventKeyOf(q))
    .leftJoin(reconciliationAttempts, eq(reconciliationAttempts.generationId, q.generationId))
    .where(
      and(
        lt(q.occurredAt, options.olderThan),
        or(
          isNull(reconciliationAttempts.generationId),
          and(isNull(reconciliationAttempts.gaveUpAt), lte(reconciliationAttempts.nextAttemptAt, now)),
        ),
      ),
    )
    .orderBy(asc(q.occurredAt))
    .limit(Math.max(1, Math.min(options.limit, 5_000)));
  return rows.map((row) => ({ ...row, failedAttempts: row.failedAttempts ?? 0 }));
}

/** An event's key as the queue holds it: the organisation index finds it in its month's partition. */
export interface QueuedEventKey {
  generationId: string;
  organizationId: string;
  occurredAt: Date;
}

// The event of a key (a queue row's columns, or values): the organisation index, one partition.
function eventKeyOf(key: { generationId: string | AnyColumn; organizationId: string | AnyColumn; occurredAt: Date | AnyColumn }) {
  return and(
    eq(usageEvents.organizationId, key.organizationId),
    eq(usageEvents.occurredAt, key.occurredAt),
    eq(usageEvents.generationId, key.generationId),
  );
}

/** An event checked (or given up on): marked on the ledger, gone from the queue. */
async function markChecked(tx: Executor, key: QueuedEventKey, checkedAt: Date): Promise<void> {
  await tx.update(usageEvents).set({ reconciledAt: checkedAt }).where(eventKeyOf(key));
  await tx.delete(reconciliationQueue).where(eq(reconciliationQueue.generationId, key.generationId));
}

export interface ReconciliationFailure {
  attempts: number;
  firstFailedAt: Date;
  nextAttemptAt: Date;
  /** This failure ended the checks: gave_up_at set, the event marked checked, an audit entry written. */
  gaveUp: boolean;
}

/**
 * Records a failed check of one generation (`status`: /generation's HTTP status, null when there
 * was no answer or no key to ask with) and when to ask again: `baseMs` after the first failure,
 * doubling, at most `capMs`. When the failures have lasted `giveUpAfterMs` or reached
 * `maxAttempts`, the job stops asking, visibly: gave_up_at is set, the event is marked checked
 * (its recorded cost stands) and `usage.reconciliation_gave_up` is audited — one transaction.
 */
export async function recordReconciliationFailure(
  db: Database,
  input: QueuedEventKey & {
    status: number | null;
    now: Date;
    baseMs: number;
    capMs: number;
    maxAttempts: number;
    giveUpAfterMs: number;
  },
): Promise<ReconciliationFailure> {
  const { now } = input;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(reconciliationAttempts)
      .values({
        generationId: input.generationId,
        organizationId: input.organizationId,
        attempts: 1,
        firstFailedAt: now,
        nextAttemptAt: new Date(now.getTime() + Math.min(input.baseMs, input.capMs)),
        lastStatus: input.status,
      })
      .onConflictDoUpdate({
        target: reconciliationAttempts.generationId,
        set: {
          attempts: sql`${reconciliationAttempts.attempts} + 1`,
          // base × 2^(failures so far), capped; the exponent is bounded so the product stays finite.
          nextAttemptAt: sql`${now.toISOString()}::timestamptz + least(${input.baseMs}::float8 * power(2, least(${reconciliationAttempts.attempts}, 30)), ${input.capMs}::float8) * interval '1 millisecond'`,
          lastStatus: input.status,
        },
      })
      .returning();
    if (!row) throw new Error("reconciliation_attempts upsert returned no row");
    const gaveUp = row.attempts >= input.maxAttempts || now.getTime() - row.firstFailedAt.getTime() >= input.giveUpAfterMs;
    if (gaveUp) {
      await tx
        .update(reconciliationAttempts)
        .set({ gaveUpAt: now })
        .where(eq(reconciliationAttempts.generationId, input.generationId));
      await markChecked(tx, input, now);
      await appendAudit(tx, {
        actorKind: "system",
        action: "usage.reconciliation_gave_up",
        organizationId: input.organizationId,
        targetType: "usage_event",
        targetId: input.generationId,
        details: {
          attempts: row.attempts,
          lastStatus: input.status,
          firstFailedAt: row.firstFailedAt.toISOString(),
          reason: input.status === 404 ? "OpenRouter's /generation does not know this generation" : "OpenRouter's /generation kept failing",
        },
      });
    }
    return { attempts: row.attempts, firstFailedAt: row.firstFailedAt, nextAttemptAt: row.nextAttemptAt, gaveUp };
  });
}

/** A generation checked at last: its failure record is no longer needed. */
export async function clearReconciliationFailures(db: Executor, generationId: string): Promise<void> {
  await db.delete(reconciliationAttempts).where(eq(reconciliationAttempts.generationId, generationId));
}

/** The failure record of one generation (tests, dashboards). */
export async function getReconciliationAttempt(
  db: Executor,
  generationId: string,
): Promise<typeof reconciliationAttempts.$inferSelect | undefined> {
  const [row] = await db.select().from(reconciliationAttempts).where(eq(reconciliationAttempts.generationId, generationId));
  return row;
}

export interface CorrectionResult {
  changed: boolean;
  previousRawCostNano: bigint;
  rawCostNano: bigint;
}

/**
 * Applies /generation's cost to a queued event: unchanged → marked checked; changed → the event,
 * every rollup holding it and its period counter move by one delta, audited. Either way the event
 * leaves the queue. An event no longer on the ledger (its month dropped by retention) leaves the
 * queue too (undefined).
 */
export async function applyReconciliation(
  db: Database,
  input: QueuedEventKey & { rawCostNano: bigint; checkedAt: Date; source: string },
): Promise<CorrectionResult | undefined> {
  if (input.rawCostNano < 0n) throw new Error("A reconciled cost cannot be negative.");
  return db.transaction(async (tx) => {
    const [event] = await tx.select().from(usageEvents).where(eventKeyOf(input)).for("update");
    if (!event) {
      await tx.delete(reconciliationQueue).where(eq(reconciliationQueue.generationId, input.generationId));
      return undefined;
    }
    const previous = event.rawCostNano;
    if (previous === input.rawCostNano) {
      await markChecked(tx, input, input.checkedAt);
      return { changed: false, previousRawCostNano: previous, rawCostNano: previous };
    }
    const billed = billedCost(input.rawCostNano, event.markupBp);
    const deltaRaw = input.rawCostNano - previous;
    const deltaBilled = billed - event.billedCostNano;
    await tx
      .update(usageEvents)
      .set({
        rawCostNano: input.rawCostNano,
        billedCostNano: billed,
        originalRawCostNano: event.originalRawCostNano ?? previous,
        reconciledAt: input.checkedAt,
      })
      .where(eventKeyOf(input));
    await tx.delete(reconciliationQueue).where(eq(reconciliationQueue.generationId, input.generationId));
    // Every rollup holding this event moves by the same delta (the row of its key).
    for (const { table, keys } of USAGE_ROLLUPS) {
      const columns = table as unknown as Record<RollupKey | "rawCostNano" | "billedCostNano", PgColumn>;
      await tx
        .update(table)
        .set({
          rawCostNano: sql`${columns.rawCostNano} + ${deltaRaw}`,
          billedCostNano: sql`${columns.billedCostNano} + ${deltaBilled}`,
        })
        .where(and(...keys.map((k) => eq(columns[k], event[k]))));
    }
    await tx
      .update(usagePeriodCounters)
      .set({
        spentNano: sql`${usagePeriodCounters.spentNano} + ${deltaBilled}`,
        rawSpentNano: sql`${usagePeriodCounters.rawSpentNano} + ${deltaRaw}`,
        updatedAt: sql`now()`,
      })
      .where(and(eq(usagePeriodCounters.organizationId, event.organizationId), eq(usagePeriodCounters.period, event.period)));
    await appendAudit(tx, {
      actorKind: "system",
      action: "usage.corrected",
      organizationId: event.organizationId,
      targetType: "usage_event",
      targetId: event.generationId,
      before: { rawCostNano: previous.toString(), billedCostNano: event.billedCostNano.toString() },
      after: { rawCostNano: input.rawCostNano.toString(), billedCostNano: billed.toString() },
      details: { source: input.source, status: event.status },
    });
    return { changed: true, previousRawCostNano: previous, rawCostNano: input.rawCostNano };
  });
}
