// Unmetered usage: what OpenRouter says was charged on an organisation's own key this UTC month
// beyond what the gateway recorded (key-level reconciliation) — traffic that bypassed the gateway,
// or charges lost to a crash. Shown on each organisation; the provider may bill it as an
// adjustment line on the month's statement, an explicit act behind a confirmation. A client sees the
// amounts at their organisation's price unless the provider lets clients see its cost: the API's
// answer then has no raw amounts (lib/provider-cost.ts), and neither has the cell.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { markupToMultiplier } from "@mai/domain/money";
import { Trans, useTranslation } from "react-i18next";
import { Button } from "../../components/Button";
import { ConvertedAmount, type DisplayCurrencyData } from "../../components/Converted";
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
  display,
}: {
  usage: UnmeteredUsage | undefined;
  /** The provider's button; absent for a client administrator. */
  onBill?: (usage: UnmeteredUsage) => void;
  nameId?: string;
  /** The organisation's display currency (client administrator's page): amounts get their conversion. */
  display?: DisplayCurrencyData;
}) {
  const { t } = useTranslation("organizations");
  const check = usage?.check;
  if (!usage || !check) {
    return (
      <span className="muted" title={t("unmetered.notChecked")}>
        —
      </span>
    );
  }
  if (!carries(check, "unmeteredNano") || !carries(usage, "unbilledRawNano")) {
    // The billed view: whether usage bypassed the gateway, and what it comes to at the organisation's price.
    const title = t("unmetered.checkedTitle", { date: dateTime(check.checkedAt), month: usage.month });
    if (!check.unmetered || check.unmeteredBilledNano <= 0n) {
      return (
        <span className="muted" title={title}>
          {t("unmetered.none")}
        </span>
      );
    }
    return (
      <div className="org-unmetered" title={title}>
        <span>
          <Trans t={t} i18nKey="unmetered.usage" values={{ amount: moneyExact(check.unmeteredBilledNano) }} components={{ b: <strong /> }} />
          <ConvertedAmount nano={check.unmeteredBilledNano} display={display} />
        </span>
        {usage.unbilledBilledNano > 0n ? (
          <span className="muted">{t("unmetered.notBilled", { amount: moneyExact(usage.unbilledBilledNano) })}</span>
        ) : (
          <span className="muted">{t("unmetered.billed")}</span>
        )}
      </div>
    );
  }
  const checked = t("unmetered.checkedRaw", {
    counted: moneyExact(check.openrouterUsageNano),
    recorded: moneyExact(check.recordedRawNano),
    date: dateTime(check.checkedAt),
    month: usage.month,
  });
  if (!check.unmetered) {
    return (
      <span className="muted" title={checked}>
        {t("unmetered.none")}
      </span>
    );
  }
  if (check.unmeteredNano < 0n) {
    // Recorded more than OpenRouter counted (a request charged while the job ran, a midnight
    // straddler): nothing to bill, shown so that a lasting difference can be looked into.
    return (
      <span className="muted" title={checked}>
        {t("unmetered.recordedAbove", { amount: moneyExact(-check.unmeteredNano) })}
      </span>
    );
  }
  return (
    <div className="org-unmetered" title={checked}>
      <span>
        <Trans t={t} i18nKey="unmetered.usage" values={{ amount: moneyExact(check.unmeteredNano) }} components={{ b: <strong /> }} />
        <ConvertedAmount nano={check.unmeteredNano} display={display} />
      </span>
      {usage.unbilledRawNano > 0n ? (
        <span className="muted">
          {t("unmetered.notBilled", { amount: moneyExact(usage.unbilledRawNano) })}
          {onBill ? (
            <>
              {" "}
              <Button size="sm" variant="ghost" aria-describedby={nameId} onClick={() => onBill(usage)}>
                {t("unmetered.bill")}
              </Button>
            </>
          ) : null}
        </span>
      ) : (
        <span className="muted">{t("unmetered.billed")}</span>
      )}
    </div>
  );
}

export function useBillUnmetered(onBilled: () => void) {
  const { t } = useTranslation("organizations");
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation(
    trpc.organizations.billUnmetered.mutationOptions({
      onSuccess: async (result) => {
        toast.show(t("unmetered.billedToast", { amount: moneyExact(result.adjustment.billedCostNano), period: result.adjustment.period }));
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
  const { t } = useTranslation("organizations");
  return (
    <ConfirmDialog
      open={billing !== null}
      title={t("unmetered.billTitle", { name: billing?.organizationName ?? "" })}
      confirmLabel={t("unmetered.billConfirm")}
      busy={bill.isPending}
      onConfirm={() => billing && bill.mutate({ organizationId: billing.organizationId, month: billing.month })}
      onClose={() => !bill.isPending && onClose()}
    >
      <MutationError error={bill.error}>{t("unmetered.nothingBilled")}</MutationError>
      {billing && carries(billing, "unbilledRawNano") ? (
        <p>
          <Trans
            t={t}
            i18nKey="unmetered.billBody"
            values={{
              raw: moneyExact(billing.unbilledRawNano),
              month: billing.month,
              billed: moneyExact(billing.unbilledBilledNano),
              markup: markupToMultiplier(billing.markupBp),
            }}
            components={{ b: <strong /> }}
          />
        </p>
      ) : null}
    </ConfirmDialog>
  );
}
