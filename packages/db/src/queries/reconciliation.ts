// Reconciliation with OpenRouter: a recorded event's raw cost is checked against /generation's
// total_cost (streams that ended without usage were recorded with what could be learned then, and
// tiered-price models stream a cost below what they charge). A correction moves the event, its
// daily rollup and its period counter by the same delta in one transaction, so every total still
// equals the sum of its events; the first recorded cost is kept and the change is audited.
import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { billedCost } from "@mai/domain";
import type { Database, Executor } from "../client";
import { reconciliationAttempts, usageEvents, usagePeriodCounters } from "../schema/index";
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
 * Events not yet checked and older than `olderThan` (OpenRouter's /generation needs a moment):
 * every aborted/incomplete/error event, plus a deterministic sample of the rest (`sampleBp`
 * basis points of generation ids, by hash), oldest first — except those whose last check failed
 * and that wait for their next attempt (reconciliation_attempts.next_attempt_at after `now`), so
 * a generation /generation does not know is asked once per backoff step, not on every run.
 */
export async function listReconciliationCandidates(
  db: Executor,
  options: { olderThan: Date; sampleBp: number; limit: number; now?: Date },
): Promise<ReconciliationCandidate[]> {
  const sampleBp = Math.max(0, Math.min(10_000, Math.trunc(options.sampleBp)));
  const now = options.now ?? new Date();
  const rows = await db
    .select({
      generationId: usageEvents.generationId,
      organizationId: usageEvents.organizationId,
      status: usageEvents.status,
      rawCostNano: usageEvents.rawCostNano,
      occurredAt: usageEvents.occurredAt,
      failedAttempts: reconciliationAttempts.attempts,
    })
    .from(usageEvents)
    .leftJoin(reconciliationAttempts, eq(reconciliationAttempts.generationId, usageEvents.generationId))
    .where(
      and(
        isNull(usageEvents.reconciledAt),
        lt(usageEvents.occurredAt, options.olderThan),
        or(
          inArray(usageEvents.status, ["aborted", "incomplete", "error"]),
          sql`mod(abs(hashtext(${usageEvents.generationId})), 10000) < ${sampleBp}`,
        ),
        or(
          isNull(reconciliationAttempts.generationId),
          and(isNull(reconciliationAttempts.gaveUpAt), lte(reconciliationAttempts.nextAttemptAt, now)),
        ),
      ),
    )
    .orderBy(asc(usageEvents.occurredAt))
    .limit(Math.max(1, Math.min(options.limit, 5_000)));
  return rows.map((row) => ({ ...row, failedAttempts: row.failedAttempts ?? 0 }));
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
  input: {
    generationId: string;
    organizationId: string;
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
      await tx.update(usageEvents).set({ reconciledAt: now }).where(eq(usageEvents.generationId, input.generationId));
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

export async function applyReconciliation(
  db: Database,
  input: { generationId: string; rawCostNano: bigint; checkedAt: Date; source: string },
): Promise<CorrectionResult | undefined> {
  if (input.rawCostNano < 0n) throw new Error("A reconciled cost cannot be negative.");
  return db.transaction(async (tx) => {
    const [event] = await tx.select().from(usageEvents).where(eq(usageEvents.generationId, input.generationId)).for("update");
    if (!event) return undefined;
    const previous = event.rawCostNano;
    if (previous === input.rawCostNano) {
      await tx.update(usageEvents).set({ reconciledAt: input.checkedAt }).where(eq(usageEvents.generationId, input.generationId));
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
      .where(eq(usageEvents.generationId, input.generationId));
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

/** Marks an event checked without a change (e.g. /generation no longer knows it). */
export async function markReconciled(db: Executor, generationId: string, checkedAt: Date): Promise<void> {
  await db.update(usageEvents).set({ reconciledAt: checkedAt }).where(eq(usageEvents.generationId, generationId));
}
