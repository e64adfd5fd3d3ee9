// The provider's view of the display currency's rates: the latest stored (NBP's table A mid rate,
// fetched daily by the API, or one the provider entered), NBP's fetch on demand, and a rate for a
// day NBP could not be reached for (only days NBP has no rate for; audited). Figures of an
// organisation whose currency is not USD use the last rate before their date (apps/api README).
import { parseRate } from "@mai/domain/format";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Button } from "../../components/Button";
import { ErrorNotice, Skeleton } from "../../components/Feedback";
import { SelectField, TextField } from "../../components/Field";
import { FormActions } from "../../components/FormActions";
import { MutationError } from "../../components/MutationError";
import { Card } from "../../components/Page";
import { useToast } from "../../components/Toast";
import { date, formatRateText } from "../../lib/format";
import { trpc } from "../../trpc";

function validRate(text: string): boolean {
  try {
    parseRate(text);
    return true;
  } catch {
    return false;
  }
}

export function ExchangeRatesCard({ currency }: { currency: string }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const code = currency === "USD" ? "PLN" : currency;
  const rates = useQuery(trpc.exchangeRates.list.queryOptions({ currency: code, limit: 10 }));
  const [day, setDay] = useState("");
  const [rate, setRate] = useState("");
  const [errors, setErrors] = useState<{ day?: string; rate?: string }>({});
  const invalidate = () => queryClient.invalidateQueries(trpc.exchangeRates.pathFilter());
  const enter = useMutation(
    trpc.exchangeRates.set.mutationOptions({
      onSuccess: async (saved) => {
        toast.show(`USD→${saved.currency} ${formatRateText(saved.rate)} saved for ${date(saved.effectiveDate)}`);
        setDay("");
        setRate("");
        await invalidate();
      },
    }),
  );
  const refresh = useMutation(
    trpc.exchangeRates.refresh.mutationOptions({
      onSuccess: async (result) => {
        const mine = result.currencies.find((c) => c.currency === code);
        toast.show(mine ? (mine.error ?? `NBP: ${mine.stored} new ${mine.stored === 1 ? "rate" : "rates"}`) : `No organisation uses ${code}: nothing to fetch`);
        await invalidate();
      },
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: typeof errors = {};
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) found.day = "Choose the day the rate is for.";
    if (!validRate(rate)) found.rate = "A positive decimal with a dot, e.g. 3.9876.";
    setErrors(found);
    if (found.day || found.rate) return;
    enter.mutate({ currency: code, effectiveDate: day, rate: rate.trim() });
  };

  return (
    <Card title={`Exchange rates · USD→${code}`}>
      <p className="field-hint">
        NBP's table A mid rate is fetched daily; a figure uses the last rate before its date (a month's statement: before the
        day after the month). While NBP cannot be reached, enter the day's rate here; NBP's own rate replaces it once fetched.
      </p>
      {rates.error ? <ErrorNotice error={rates.error} /> : null}
      {rates.data ? (
        rates.data.length > 0 ? (
          <ul className="rate-list">
            {rates.data.map((r) => (
              <li key={r.effectiveDate}>
                {date(r.effectiveDate)}: {formatRateText(r.rate)} {r.source === "nbp" ? `(NBP ${r.tableNo ?? ""})` : "(entered by the provider)"}
              </li>
            ))}
          </ul>
        ) : (
          <p className="field-hint">No rate is stored yet: figures are shown in USD only.</p>
        )
      ) : rates.isPending ? (
        <Skeleton lines={3} />
      ) : null}
      <Button variant="secondary" busy={refresh.isPending} onClick={() => refresh.mutate()}>
        Fetch from NBP now
      </Button>
      <MutationError error={refresh.error} />
      <form className="filters" onSubmit={submit} noValidate>
        <TextField label="Day" type="date" value={day} error={errors.day} onChange={(e) => setDay(e.target.value)} />
        <TextField label={`${code} per 1 USD`} inputMode="decimal" value={rate} error={errors.rate} placeholder="3.9876" onChange={(e) => setRate(e.target.value)} />
        <FormActions label="Enter the rate" busy={enter.isPending} />
      </form>
      <MutationError error={enter.error} />
      <OrganizationCurrency />
    </Card>
  );
}

/** One organisation's currency: its own (PLN…), or the global setting's (empty). */
function OrganizationCurrency() {
  const queryClient = useQueryClient();
  const toast = useToast();
  const organizations = useQuery(trpc.organizations.list.queryOptions());
  const [organizationId, setOrganizationId] = useState("");
  const [currency, setCurrency] = useState("");
  const [error, setError] = useState<string | null>(null);
  const save = useMutation(
    trpc.organizations.setCurrency.mutationOptions({
      onSuccess: async (saved) => {
        toast.show(`Figures now also in ${saved.effectiveCurrency}${saved.currency === null ? " (the global setting)" : ""}`);
        await queryClient.invalidateQueries(trpc.usage.currency.pathFilter());
      },
    }),
  );
  const list = organizations.data ?? [];
  const chosen = organizationId || list[0]?.id || "";
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const code = currency.trim().toUpperCase();
    if (code !== "" && !/^[A-Z]{3}$/.test(code)) {
      setError("A three-letter ISO 4217 code (PLN, EUR…), or empty for the global setting.");
      return;
    }
    setError(null);
    if (chosen) save.mutate({ organizationId: chosen, currency: code === "" ? null : code });
  };
  if (list.length === 0) return null;
  return (
    <form className="filters" onSubmit={submit} noValidate>
      <SelectField
        label="Organisation"
        value={chosen}
        options={list.map((o) => ({ value: o.id, label: o.name }))}
        onChange={(e) => setOrganizationId(e.target.value)}
      />
      <TextField
        label="Its currency"
        value={currency}
        error={error}
        placeholder="PLN (empty: the global setting)"
        onChange={(e) => setCurrency(e.target.value)}
      />
      <FormActions label="Set the currency" busy={save.isPending} />
      <MutationError error={save.error} />
    </form>
  );
}
