// The provider's view of the display currency's rates: the latest stored (NBP's table A mid rate,
// fetched daily by the API, or one the provider entered), NBP's fetch on demand, and a rate for a
// day NBP could not be reached for (only days NBP has no rate for; audited). Figures of an
// organisation whose currency is not USD use the last rate before their date (apps/api README).
import { parseRate } from "@mai/domain/format";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "../../components/Button";
import { ErrorNotice, Skeleton } from "../../components/Feedback";
import { SelectField, TextField } from "../../components/Field";
import { FormActions } from "../../components/FormActions";
import { MutationError } from "../../components/MutationError";
import { Card } from "../../components/Page";
import { useToast } from "../../components/Toast";
import { readerDecimal } from "../../lib/checks";
import { date, formatRateText } from "../../lib/format";
import { trpc } from "../../trpc";

function validRate(text: string): boolean {
  try {
    parseRate(readerDecimal(text));
    return true;
  } catch {
    return false;
  }
}

export function ExchangeRatesCard({ currency }: { currency: string }) {
  const { t } = useTranslation("settings");
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
        toast.show(t("exchangeRates.entered", { currency: saved.currency, rate: formatRateText(saved.rate), day: date(saved.effectiveDate) }));
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
        toast.show(mine ? (mine.error ?? t("exchangeRates.fetched", { count: mine.stored })) : t("exchangeRates.nobodyUses", { code }));
        await invalidate();
      },
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: typeof errors = {};
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) found.day = t("exchangeRates.dayError");
    if (!validRate(rate)) found.rate = t("exchangeRates.rateError");
    setErrors(found);
    if (found.day || found.rate) return;
    enter.mutate({ currency: code, effectiveDate: day, rate: readerDecimal(rate) });
  };

  return (
    <Card title={t("exchangeRates.title", { code })}>
      <p className="field-hint">{t("exchangeRates.intro")}</p>
      {rates.error ? <ErrorNotice error={rates.error} /> : null}
      {rates.data ? (
        rates.data.length > 0 ? (
          <ul className="rate-list">
            {rates.data.map((r) => (
              <li key={r.effectiveDate}>
                {date(r.effectiveDate)}: {formatRateText(r.rate)} {r.source === "nbp" ? t("exchangeRates.sourceNbp", { table: r.tableNo ?? "" }) : t("exchangeRates.sourceProvider")}
              </li>
            ))}
          </ul>
        ) : (
          <p className="field-hint">{t("exchangeRates.none")}</p>
        )
      ) : rates.isPending ? (
        <Skeleton lines={3} />
      ) : null}
      <Button variant="secondary" busy={refresh.isPending} onClick={() => refresh.mutate()}>
        {t("exchangeRates.fetch")}
      </Button>
      <MutationError error={refresh.error} />
      <form className="filters" onSubmit={submit} noValidate>
        <TextField label={t("exchangeRates.day")} type="date" value={day} error={errors.day} onChange={(e) => setDay(e.target.value)} />
        <TextField label={t("exchangeRates.perUsd", { code })} inputMode="decimal" value={rate} error={errors.rate} placeholder="3.9876" onChange={(e) => setRate(e.target.value)} />
        <FormActions label={t("exchangeRates.enter")} busy={enter.isPending} />
      </form>
      <MutationError error={enter.error} />
      <OrganizationCurrency />
    </Card>
  );
}

/** One organisation's currency: its own (PLN…), or the global setting's (empty). */
function OrganizationCurrency() {
  const { t } = useTranslation("settings");
  const queryClient = useQueryClient();
  const toast = useToast();
  const organizations = useQuery(trpc.organizations.list.queryOptions());
  const [organizationId, setOrganizationId] = useState("");
  const [currency, setCurrency] = useState("");
  const [error, setError] = useState<string | null>(null);
  const save = useMutation(
    trpc.organizations.setCurrency.mutationOptions({
      onSuccess: async (saved) => {
        toast.show(t(saved.currency === null ? "orgCurrency.savedGlobal" : "orgCurrency.saved", { currency: saved.effectiveCurrency }));
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
      setError(t("orgCurrency.error"));
      return;
    }
    setError(null);
    if (chosen) save.mutate({ organizationId: chosen, currency: code === "" ? null : code });
  };
  if (list.length === 0) return null;
  return (
    <form className="filters" onSubmit={submit} noValidate>
      <SelectField
        label={t("orgCurrency.organization")}
        value={chosen}
        options={list.map((o) => ({ value: o.id, label: o.name }))}
        onChange={(e) => setOrganizationId(e.target.value)}
      />
      <TextField
        label={t("orgCurrency.currency")}
        value={currency}
        error={error}
        placeholder={t("orgCurrency.placeholder")}
        onChange={(e) => setCurrency(e.target.value)}
      />
      <FormActions label={t("orgCurrency.set")} busy={save.isPending} />
      <MutationError error={save.error} />
    </form>
  );
}
