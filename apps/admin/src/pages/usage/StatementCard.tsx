// The monthly CSV statement: one row per user and model for a billing month, then a TOTAL row,
// fetched fresh on every download (a statement must include the latest corrections).
import { monthInput } from "@mai/domain/schemas";
import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Button } from "../../components/Button";
import { ErrorNotice } from "../../components/Feedback";
import { TextField } from "../../components/Field";
import { ConvertedAmount, RateCaption } from "../../components/Converted";
import { Card } from "../../components/Page";
import { useToast } from "../../components/Toast";
import { useDisplayCurrency } from "../../lib/display";
import { count, money } from "../../lib/format";
import { saveFile } from "../../lib/save-file";
import { trpc } from "../../trpc";

function localMonth(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
}

export function StatementCard({ organizationId }: { organizationId: string | undefined }) {
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
      setMonthError(month ? "Write the month as YYYY-MM, e.g. 2025-01." : "Choose a month.");
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
      toast.show(
        `Statement for ${month} downloaded: ${count(statement.rows)} ${statement.rows === 1 ? "row" : "rows"}, ${money(statement.totalBilledCostNano)} billed`,
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title="Monthly statement">
      <form className="filters usage-statement" onSubmit={(e) => void download(e)} noValidate>
        <TextField
          label="Month"
          type="month"
          required
          value={month}
          error={monthError}
          placeholder="YYYY-MM"
          onChange={(e) => {
            setMonth(e.target.value);
            setMonthError(null);
          }}
        />
        <Button type="submit" variant="primary" busy={busy}>
          Download statement (CSV)
        </Button>
      </form>
      {error ? <ErrorNotice title="The statement could not be downloaded" error={error} /> : null}
      {last ? (
        <p className="field-hint" role="status">
          Downloaded <code>{last.filename}</code>: {count(last.rows)} {last.rows === 1 ? "row" : "rows"} (one
          per user and model) and a TOTAL row, {money(last.total)}
          <ConvertedAmount nano={last.total} display={display} /> billed.
        </p>
      ) : (
        <p className="field-hint">
          One row per user and model for the billing month, then a TOTAL row; amounts are exact decimal USD
          {display?.rate ? `, and ${display.rate.currency} at the statement's rate (billed_${display.rate.currency.toLowerCase()}, rate, rate_date, rate_source)` : ""}.
        </p>
      )}
      <RateCaption display={display} />
    </Card>
  );
}
