// organizations.billUnmetered: the provider's explicit, audited decision to put an organisation's
// unmetered usage of a UTC month on that month's statement, as an adjustment line at the
// organisation's markup. Only what is not billed yet is added (the month's last observed unmetered
// amount minus earlier adjustment lines), under the organisation's row lock, so two clicks — or
// two administrators — never bill the same amount twice. Nothing here runs by itself: the job
// only observes. The UTC month's amount lands on the statement period of the same name.
import {
  billedUnmeteredRaw,
  getKeyUsageCheck,
  insertUsageAdjustment,
  lockOrganization,
  recordedRawCost,
  type AuthUser,
  type Organization,
} from "@mai/db";
import { billedCost, domainError, isUnmetered, monthPeriodStart, nanoToUsdString, unbilledUnmeteredNano, unmeteredToleranceNano } from "@mai/domain";
import type { billUnmeteredInput } from "@mai/domain/schemas";
import type { z } from "zod";
import type { Context } from "../../context";
import { auditOrganization } from "./shared";

export interface UsageAdjustmentDto {
  id: string;
  organizationId: string;
  period: string;
  kind: "unmetered_usage";
  rawCostNano: bigint;
  markupBp: number;
  billedCostNano: bigint;
  description: string;
  createdAt: Date;
}

export async function billUnmeteredUsage(
  ctx: Context,
  actor: AuthUser,
  org: Organization,
  input: z.output<typeof billUnmeteredInput>,
): Promise<UsageAdjustmentDto> {
  const { month } = input;
  return ctx.deps.db.transaction(async (tx) => {
    const locked = await lockOrganization(tx, org.id);
    if (!locked) throw domainError("NOT_FOUND", "organization.notFound");
    const check = await getKeyUsageCheck(tx, org.id, "month", monthPeriodStart(month));
    if (!check) {
      throw domainError("CONFLICT", "organization.notReconciled", { month });
    }
    const { events } = await recordedRawCost(tx, org.id, check.comparedFrom, check.checkedAt);
    const toleranceNano = unmeteredToleranceNano(events, check.openrouterUsageNano);
    if (!isUnmetered(check.unmeteredNano, toleranceNano) || check.unmeteredNano < 0n) {
      throw domainError("CONFLICT", "organization.noUnmetered", { month });
    }
    const alreadyBilled = await billedUnmeteredRaw(tx, org.id, month);
    const rawCostNano = unbilledUnmeteredNano(check.unmeteredNano, alreadyBilled);
    if (rawCostNano === 0n) {
      throw domainError("CONFLICT", "organization.unmeteredBilled", { month });
    }
    const billedCostNano = billedCost(rawCostNano, locked.markupBp);
    const details = {
      month,
      openrouterUsageNano: check.openrouterUsageNano.toString(),
      recordedRawNano: check.recordedRawNano.toString(),
      unmeteredNano: check.unmeteredNano.toString(),
      previouslyBilledRawNano: alreadyBilled.toString(),
      comparedFrom: check.comparedFrom.toISOString(),
      checkedAt: check.checkedAt.toISOString(),
    };
    const adjustment = await insertUsageAdjustment(tx, {
      organizationId: org.id,
      period: month,
      kind: "unmetered_usage",
      rawCostNano,
      markupBp: locked.markupBp,
      billedCostNano,
      description: `Unmetered usage on the organisation's OpenRouter key in ${month} (UTC), seen ${check.checkedAt.toISOString()}: $${nanoToUsdString(rawCostNano)} at cost`,
      details,
      createdBy: actor.id,
    });
    await auditOrganization(ctx, tx, actor, org.id, "unmetered_billed", {
      after: {
        adjustmentId: adjustment.id,
        period: month,
        rawCostNano: rawCostNano.toString(),
        markupBp: locked.markupBp,
        billedCostNano: billedCostNano.toString(),
      },
      details,
    });
    return {
      id: adjustment.id,
      organizationId: adjustment.organizationId,
      period: adjustment.period,
      kind: adjustment.kind,
      rawCostNano: adjustment.rawCostNano,
      markupBp: adjustment.markupBp,
      billedCostNano: adjustment.billedCostNano,
      description: adjustment.description,
      createdAt: adjustment.createdAt,
    };
  });
}
