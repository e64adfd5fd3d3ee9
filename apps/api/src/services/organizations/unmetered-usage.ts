// organizations.unmeteredUsage: what key-level reconciliation (services/usage/key-reconcile.ts)
// last saw for each organisation the caller may see, for one UTC month — OpenRouter's counter for
// the organisation's key, the raw cost recorded over the same span, the difference, whether it is
// beyond rounding, and how much of it an adjustment line already billed. Who may read is decided
// by the procedure's builder (tenantProcedure): the provider, and a client administrator for their
// own organisation — it is their key, and usage outside the gateway is theirs to know about (and to
// stop by rotating the key) before it appears on a statement.
import { listUnmeteredUsage, recordedRawCost, type Executor, type KeyUsageCheck } from "@mai/db";
import {
  billedCost,
  isUnmetered,
  unbilledUnmeteredNano,
  unmeteredToleranceNano,
  utcPeriodsOf,
} from "@mai/domain";
import type { unmeteredUsageInput } from "@mai/domain/schemas";
import type { z } from "zod";
import type { Context, TenantScope } from "../../context";

export interface KeyUsageCheckDto {
  /** "YYYY-MM-DD" (a month's first day for the month). */
  periodStart: string;
  comparedFrom: Date;
  checkedAt: Date;
  openrouterUsageNano: bigint;
  recordedRawNano: bigint;
  /** OpenRouter − recorded (negative: more recorded than OpenRouter counted). */
  unmeteredNano: bigint;
  /** Rounding allowed for (unmeteredToleranceNano). */
  toleranceNano: bigint;
  /** The difference is beyond rounding: unmetered usage. */
  unmetered: boolean;
  /** unmeteredNano at the organisation's markup: what a client, who sees billed amounts only, is shown. */
  unmeteredBilledNano: bigint;
}

export interface UnmeteredUsageDto {
  organizationId: string;
  organizationName: string;
  keyHint: string | null;
  markupBp: number;
  /** The UTC month looked at (YYYY-MM). */
  month: string;
  /** The month's last check; null before the job first ran for it. */
  check: KeyUsageCheckDto | null;
  /** The latest UTC day checked in that month. */
  latestDay: KeyUsageCheckDto | null;
  /** Raw cost already billed by adjustment lines of this period. */
  billedRawNano: bigint;
  /** Unmetered raw cost not billed yet (0 when within rounding), and the same at the markup. */
  unbilledRawNano: bigint;
  unbilledBilledNano: bigint;
}

/** Rounding allowance of a stored check: the events it summed, counted again over the same span. */
async function toDto(db: Executor, check: KeyUsageCheck | null, markupBp: number): Promise<KeyUsageCheckDto | null> {
  if (!check) return null;
  // Exactly 0 needs no count (the usual case with nothing bypassing the gateway).
  const events =
    check.unmeteredNano === 0n
      ? 0
      : (await recordedRawCost(db, check.organizationId, check.comparedFrom, check.checkedAt)).events;
  const toleranceNano = unmeteredToleranceNano(events, check.openrouterUsageNano);
  return {
    periodStart: check.periodStart,
    comparedFrom: check.comparedFrom,
    checkedAt: check.checkedAt,
    openrouterUsageNano: check.openrouterUsageNano,
    recordedRawNano: check.recordedRawNano,
    unmeteredNano: check.unmeteredNano,
    toleranceNano,
    unmetered: isUnmetered(check.unmeteredNano, toleranceNano),
    // The sign kept: more recorded than OpenRouter counted is a negative difference at either price.
    unmeteredBilledNano:
      check.unmeteredNano < 0n ? -billedCost(-check.unmeteredNano, markupBp) : billedCost(check.unmeteredNano, markupBp),
  };
}

export async function listUnmeteredUsageFor(
  ctx: Context,
  scope: TenantScope,
  input: z.output<typeof unmeteredUsageInput>,
): Promise<UnmeteredUsageDto[]> {
  if (!scope.all && !scope.organizationId) return [];
  const month = input?.month ?? utcPeriodsOf(ctx.deps.now()).month.month;
  const db = ctx.deps.db;
  const rows = await listUnmeteredUsage(db, {
    month,
    ...(scope.all ? {} : { organizationId: scope.organizationId! }),
  });
  return Promise.all(
    rows.map(async (row) => {
      const check = await toDto(db, row.month, row.markupBp);
      const unbilledRawNano =
        check?.unmetered === true ? unbilledUnmeteredNano(check.unmeteredNano, row.billedRawNano) : 0n;
      return {
        organizationId: row.organizationId,
        organizationName: row.organizationName,
        keyHint: row.keyHint,
        markupBp: row.markupBp,
        month,
        check,
        latestDay: await toDto(db, row.latestDay, row.markupBp),
        billedRawNano: row.billedRawNano,
        unbilledRawNano,
        unbilledBilledNano: billedCost(unbilledRawNano, row.markupBp),
      };
    }),
  );
}
