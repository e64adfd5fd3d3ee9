// Unmetered usage: what OpenRouter says was charged on an organisation's own key this UTC month
// beyond what the gateway recorded (key-level reconciliation) — traffic that bypassed the gateway,
// or charges lost to a crash. Shown on each organisation; the provider may bill it as an
// adjustment line on the month's statement, an explicit act behind a confirmation. A client sees the
// amounts at their organisation's price unless the provider lets clients see its cost: the API's
// answer then has no raw amounts (lib/provider-cost.ts), and neither has the cell.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { markupToMultiplier } from "@mai/domain/money";
import { Button } from "../../components/Button";
import { ConfirmDialog } from "../../components/Dialog";
import { MutationError } from "../../components/MutationError";
import { useToast } from "../../components/Toast";
import { dateTime, moneyExact } from "../../lib/format";
import { carries } from "../../lib/provider-cost";
import type { RouterOutputs } from "../../session";
import { trpc } from "../../trpc";

export type UnmeteredUsage = RouterOutputs["organizations"]["unmeteredUsage"][number];

/** This UTC month's reconciliation of every organisation the caller sees, by organisation id. */
export function useUnmeteredUsage(): Map<string, UnmeteredUsage> {
  const query = useQuery(trpc.organizations.unmeteredUsage.queryOptions());
  return new Map((query.data ?? []).map((u) => [u.organizationId, u]));
}

/** "—" before the first check, "none" within rounding, otherwise the amount and what is not billed yet. */
export function UnmeteredCell({
  usage,
  onBill,
  nameId,
}: {
  usage: UnmeteredUsage | undefined;
  /** The provider's button; absent for a client administrator. */
  onBill?: (usage: UnmeteredUsage) => void;
  nameId?: string;
}) {
  const check = usage?.check;
  if (!usage || !check) {
    return (
      <span className="muted" title="The organisation's key has not been reconciled with OpenRouter this month yet">
        —
      </span>
    );
  }
  if (!carries(check, "unmeteredNano") || !carries(usage, "unbilledRawNano")) {
    // The billed view: whether usage bypassed the gateway, and what it comes to at the organisation's price.
    const title = `Checked ${dateTime(check.checkedAt)}, UTC month ${usage.month}`;
    if (!check.unmetered || check.unmeteredBilledNano <= 0n) {
      return (
        <span className="muted" title={title}>
          none
        </span>
      );
    }
    return (
      <div className="org-unmetered" title={title}>
        <span>
          unmetered usage <strong>{moneyExact(check.unmeteredBilledNano)}</strong>
        </span>
        {usage.unbilledBilledNano > 0n ? (
          <span className="muted">not billed: {moneyExact(usage.unbilledBilledNano)}</span>
        ) : (
          <span className="muted">billed</span>
        )}
      </div>
    );
  }
  const checked = `OpenRouter counted ${moneyExact(check.openrouterUsageNano)} on the key, the gateway recorded ${moneyExact(check.recordedRawNano)} (checked ${dateTime(check.checkedAt)}, UTC month ${usage.month})`;
  if (!check.unmetered) {
    return (
      <span className="muted" title={checked}>
        none
      </span>
    );
  }
  if (check.unmeteredNano < 0n) {
    // Recorded more than OpenRouter counted (a request charged while the job ran, a midnight
    // straddler): nothing to bill, shown so that a lasting difference can be looked into.
    return (
      <span className="muted" title={checked}>
        recorded {moneyExact(-check.unmeteredNano)} above OpenRouter's count
      </span>
    );
  }
  return (
    <div className="org-unmetered" title={checked}>
      <span>
        unmetered usage <strong>{moneyExact(check.unmeteredNano)}</strong>
      </span>
      {usage.unbilledRawNano > 0n ? (
        <span className="muted">
          not billed: {moneyExact(usage.unbilledRawNano)}
          {onBill ? (
            <>
              {" "}
              <Button size="sm" variant="ghost" aria-describedby={nameId} onClick={() => onBill(usage)}>
                Bill…
              </Button>
            </>
          ) : null}
        </span>
      ) : (
        <span className="muted">billed</span>
      )}
    </div>
  );
}

export function useBillUnmetered(onBilled: () => void) {
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation(
    trpc.organizations.billUnmetered.mutationOptions({
      onSuccess: async (result) => {
        toast.show(`Adjustment line of ${moneyExact(result.adjustment.billedCostNano)} added to ${result.adjustment.period}`);
        onBilled();
        await queryClient.invalidateQueries(trpc.organizations.pathFilter());
        await queryClient.invalidateQueries(trpc.usage.pathFilter());
      },
    }),
  );
}

export function BillUnmeteredDialog({
  billing,
  bill,
  onClose,
}: {
  /** The organisation whose unmetered usage is about to be billed (the confirmation is open), or null. */
  billing: UnmeteredUsage | null;
  bill: ReturnType<typeof useBillUnmetered>;
  onClose: () => void;
}) {
  return (
    <ConfirmDialog
      open={billing !== null}
      title={`Bill the unmetered usage of “${billing?.organizationName ?? ""}”?`}
      confirmLabel="Add the adjustment line"
      busy={bill.isPending}
      onConfirm={() => billing && bill.mutate({ organizationId: billing.organizationId, month: billing.month })}
      onClose={() => !bill.isPending && onClose()}
    >
      <MutationError error={bill.error}>Nothing was billed.</MutationError>
      {billing && carries(billing, "unbilledRawNano") ? (
        <p>
          OpenRouter charged {moneyExact(billing.unbilledRawNano)} on this organisation's key in {billing.month}{" "}
          (UTC) that the gateway did not record and that is not billed yet. An adjustment line of{" "}
          <strong>{moneyExact(billing.unbilledBilledNano)}</strong> (at {markupToMultiplier(billing.markupBp)}×)
          is added to the {billing.month} statement. It is recorded in the audit log and cannot be added twice.
        </p>
      ) : null}
    </ConfirmDialog>
  );
}
