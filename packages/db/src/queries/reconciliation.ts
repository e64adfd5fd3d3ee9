// Reconciliation with OpenRouter: a recorded event's raw cost is checked against /generation's
// total_cost (streams that ended without usage were recorded with what could be learned then, and
// tiered-price models stream a cost below what they charge). A correction moves the event, its
// daily rollup and its period counter by the same delta in one transaction, so every total still
// equals the sum of its events; the first recorded cost is kept and the change is audited.
import { and, asc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { billedCost } from "@mai/domain";
import type { Database, Executor } from "../client";
import { usageDaily, usageEvents, usagePeriodCounters } from "../schema/index";
import { appendAudit } from "./audit";

export interface ReconciliationCandidate {
  generationId: string;
  organizationId: string;
  status: "ok" | "error" | "aborted" | "incomplete";
  rawCostNano: bigint;
  occurredAt: Date;
}

/**
 * Events not yet checked and older than `olderThan` (OpenRouter's /generation needs a moment):
 * every aborted/incomplete/error event, plus a deterministic sample of the rest (`sampleBp`
 * basis points of generation ids, by hash), oldest first.
 */
export async function listReconciliationCandidates(
  db: Executor,
  options: { olderThan: Date; sampleBp: number; limit: number },
): Promise<ReconciliationCandidate[]> {
  const sampleBp = Math.max(0, Math.min(10_000, Math.trunc(options.sampleBp)));
  return db
    .select({
      generationId: usageEvents.generationId,
      organizationId: usageEvents.organizationId,
      status: usageEvents.status,
      rawCostNano: usageEvents.rawCostNano,
      occurredAt: usageEvents.occurredAt,
    })
    .from(usageEvents)
    .where(
      and(
        isNull(usageEvents.reconciledAt),
        lt(usageEvents.occurredAt, options.olderThan),
        or(
          inArray(usageEvents.status, ["aborted", "incomplete", "error"]),
          sql`mod(abs(hashtext(${usageEvents.generationId})), 10000) < ${sampleBp}`,
        ),
      ),
    )
    .orderBy(asc(usageEvents.occurredAt))
    .limit(Math.max(1, Math.min(options.limit, 5_000)));
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
    await tx
      .update(usageDaily)
      .set({
        rawCostNano: sql`${usageDaily.rawCostNano} + ${deltaRaw}`,
        billedCostNano: sql`${usageDaily.billedCostNano} + ${deltaBilled}`,
      })
      .where(
        and(
          eq(usageDaily.organizationId, event.organizationId),
          eq(usageDaily.usageDate, event.usageDate),
          eq(usageDaily.userId, event.userId),
          eq(usageDaily.model, event.model),
        ),
      );
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
