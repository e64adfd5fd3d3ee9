// The monthly CSV statement: one row per user and model for a billing month, then a TOTAL row,
// fetched fresh on every download (a statement must include the latest corrections).
import { monthInput } from "@mai/domain/schemas";
import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Trans, useTranslation } from "react-i18next";
import { Button } from "../../components/Button";
import { ErrorNotice } from "../../components/Feedback";
import { TextField } from "../../components/Field";
import { ConvertedAmount, RateCaption } from "../../components/Converted";
import { Card } from "../../components/Page";
import { useToast } from "../../components/Toast";
import { useDisplayCurrency } from "../../lib/display";
import { money } from "../../lib/format";
import { saveFile } from "../../lib/save-file";
import { trpc } from "../../trpc";

function localMonth(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
}

export function StatementCard({ organizationId }: { organizationId: string | undefined }) {
  const { t } = useTranslation("usage");
  const queryClient = useQueryClient();
  const toast = useToast();
  const [month, setMonth] = useState(localMonth);
  const [monthError, setMonthError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [last, setLast] = useState<{ filename: string; rows: number; total: bigint; month: string } | null>(null);
  // The statement's rate: the last before its date (the day after the month, or today).
  const display = useDisplayCurrency(organizationId, last?.month ?? (monthInput.safeParse(month).success ? month : undefined)).data;

  const download = async (event: FormEvent) => {
    event.preventDefault();
    if (!monthInput.safeParse(month).success) {
      setMonthError(month ? t("statement.monthFormat") : t("statement.chooseMonth"));
      return;
    }
    setMonthError(null);
    setError(null);
    setBusy(true);
    try {
      // Fresh every time: a statement must include the latest corrections.
      const statement = await queryClient.fetchQuery({
        ...trpc.usage.exportCsv.queryOptions({ organizationId, month }),
        staleTime: 0,
      });
      saveFile(statement.filename, statement.content, statement.contentType);
      setLast({ filename: statement.filename, rows: statement.rows, total: statement.totalBilledCostNano, month });
      toast.show(t("statement.toast", { month, count: statement.rows, amount: money(statement.totalBilledCostNano) }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t("statement.title")}>
      <form className="filters usage-statement" onSubmit={(e) => void download(e)} noValidate>
        <TextField
          label={t("statement.month")}
          type="month"
          required
          value={month}
          error={monthError}
          placeholder={t("statement.monthPlaceholder")}
          onChange={(e) => {
            setMonth(e.target.value);
            setMonthError(null);
          }}
        />
        <Button type="submit" variant="primary" busy={busy}>
          {t("statement.download")}
        </Button>
      </form>
      {error ? <ErrorNotice title={t("statement.failed")} error={error} /> : null}
      {last ? (
        <p className="field-hint" role="status">
          <Trans
            t={t}
            i18nKey="statement.downloaded"
            count={last.rows}
            values={{ filename: last.filename, amount: money(last.total) }}
            components={{ code: <code />, converted: <ConvertedAmount nano={last.total} display={display} /> }}
          />
        </p>
      ) : (
        <p className="field-hint">
          {display?.rate
            ? t("statement.hintConverted", { currency: display.rate.currency, column: display.rate.currency.toLowerCase() })
            : t("statement.hint")}
        </p>
      )}
      <RateCaption display={display} />
    </Card>
  );
}
