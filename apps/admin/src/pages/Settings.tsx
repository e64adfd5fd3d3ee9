// The provider's global settings: the provisioning key (a management key, verified live by the API
// and only ever shown masked), and the defaults for new organisations — markup, monthly limit —
// with the currency and the billing time zone. Only the fields that changed are sent. Whether
// client administrators may sign up on their own is a switch of its own, saved as it is flipped; so
// is whether client roles see the provider's cost (raw cost, margin, markup — apps/api README).
import { isValidTimeZone } from "@mai/domain/billing-period";
import { nanoToUsdString } from "@mai/domain/money";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useMemo, useState, type FormEvent } from "react";
import { Trans, useTranslation } from "react-i18next";
import { Button } from "../components/Button";
import { ConfirmDialog } from "../components/Dialog";
import { ErrorNotice, Skeleton } from "../components/Feedback";
import { CheckboxField, TextField } from "../components/Field";
import { FormActions } from "../components/FormActions";
import { MutationError } from "../components/MutationError";
import { Card, PageHeader } from "../components/Page";
import { useToast } from "../components/Toast";
import { checkCurrency, checkMarkup, checkUsd } from "../lib/checks";
import { dateTime, money } from "../lib/format";
import type { RouterOutputs } from "../session";
import { trpc } from "../trpc";
import { ExchangeRatesCard } from "./settings/ExchangeRatesCard";

type GlobalSettings = RouterOutputs["globalSettings"]["get"];
type FieldName = "defaultMarkup" | "defaultMonthlyLimitUsd" | "currency" | "billingTimeZone";
type Values = Record<FieldName, string>;

const COMMON_TIME_ZONES = [
  "UTC",
  "Europe/Warsaw",
  "Europe/London",
  "Europe/Berlin",
  "Europe/Paris",
  "America/New_York",
  "America/Chicago",
  "America/Los_Angeles",
  "Asia/Tokyo",
  "Asia/Singapore",
  "Australia/Sydney",
];

/** The self sign-up switch: "the key is the invitation", or accounts only from the provider and invitations. */
function SelfSignup({ settings }: { settings: GlobalSettings }) {
  const { t } = useTranslation("settings");
  const queryClient = useQueryClient();
  const toast = useToast();
  const save = useMutation(
    trpc.globalSettings.update.mutationOptions({
      onSuccess: async (saved) => {
        toast.show(saved.selfSignupEnabled ? t("signup.on") : t("signup.off"));
        queryClient.setQueryData(trpc.globalSettings.get.queryKey(), saved);
        await queryClient.invalidateQueries(trpc.globalSettings.pathFilter());
      },
    }),
  );
  return (
    <Card title={t("signup.title")}>
      <div className="form">
        <MutationError error={save.error}>{t("notSaved")}</MutationError>
        <CheckboxField
          label={t("signup.label")}
          checked={settings.selfSignupEnabled}
          disabled={save.isPending}
          onChange={(e) => save.mutate({ selfSignupEnabled: e.target.checked })}
          hint={
            settings.selfSignupEnabled
              ? t("signup.hintOn")
              : t("signup.hintOff")
          }
        />
      </div>
    </Card>
  );
}

/**
 * Whether client administrators and members see what the provider pays. The API enforces it (a
 * client's answers and CSV statements carry no raw cost or markup while it is off); saved as flipped.
 */
function ProviderCost({ settings }: { settings: GlobalSettings }) {
  const { t } = useTranslation("settings");
  const queryClient = useQueryClient();
  const toast = useToast();
  const save = useMutation(
    trpc.globalSettings.update.mutationOptions({
      onSuccess: async (saved) => {
        toast.show(saved.clientsSeeProviderCost ? t("providerCost.on") : t("providerCost.off"));
        queryClient.setQueryData(trpc.globalSettings.get.queryKey(), saved);
        await queryClient.invalidateQueries(trpc.globalSettings.pathFilter());
        // Every answer read so far was shaped by the old setting.
        await queryClient.invalidateQueries(trpc.usage.pathFilter());
        await queryClient.invalidateQueries(trpc.organizations.pathFilter());
      },
    }),
  );
  return (
    <Card title={t("providerCost.title")}>
      <div className="form">
        <MutationError error={save.error}>{t("notSaved")}</MutationError>
        <CheckboxField
          label={t("providerCost.label")}
          checked={settings.clientsSeeProviderCost}
          disabled={save.isPending}
          onChange={(e) => save.mutate({ clientsSeeProviderCost: e.target.checked })}
          hint={
            settings.clientsSeeProviderCost
              ? t("providerCost.hintOn")
              : t("providerCost.hintOff")
          }
        />
      </div>
    </Card>
  );
}

function timeZones(): readonly string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: "timeZone") => string[] };
  if (typeof intl.supportedValuesOf !== "function") return COMMON_TIME_ZONES;
  const all = intl.supportedValuesOf("timeZone");
  return all.includes("UTC") ? all : ["UTC", ...all];
}


const initialValues = (s: GlobalSettings): Values => ({
  defaultMarkup: s.defaultMarkup,
  // The exact decimal of the stored nano-USD (integer arithmetic), as an editable amount.
  defaultMonthlyLimitUsd: nanoToUsdString(s.defaultMonthlyLimitNano),
  currency: s.currency,
  billingTimeZone: s.billingTimeZone,
});

/** The value a check accepted (validate() ran first: a refusal never reaches here). */
const accepted = (checked: { value: string } | { error: string }) => ("value" in checked ? checked.value : "");

function validate(values: Values, changed: ReadonlySet<FieldName>, timeZoneError: string): Partial<Record<FieldName, string>> {
  const errors: Partial<Record<FieldName, string>> = {};
  // The domain's rules, as the API applies them (lib/checks.ts).
  const markup = changed.has("defaultMarkup") ? checkMarkup(values.defaultMarkup) : null;
  if (markup && "error" in markup) errors.defaultMarkup = markup.error;
  const limit = changed.has("defaultMonthlyLimitUsd") ? checkUsd(values.defaultMonthlyLimitUsd) : null;
  if (limit && "error" in limit) errors.defaultMonthlyLimitUsd = limit.error;
  const currency = changed.has("currency") ? checkCurrency(values.currency) : null;
  if (currency && "error" in currency) errors.currency = currency.error;
  if (changed.has("billingTimeZone") && !isValidTimeZone(values.billingTimeZone.trim()))
    errors.billingTimeZone = timeZoneError;
  return errors;
}

export default function Settings() {
  const { t } = useTranslation("settings");
  const queryClient = useQueryClient();
  const toast = useToast();
  const settings = useQuery(trpc.globalSettings.get.queryOptions());
  const zones = useMemo(() => timeZones(), []);
  const zoneListId = useId();

  const [edits, setEdits] = useState<Partial<Values>>({});
  const [newKey, setNewKey] = useState("");
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [confirmRemove, setConfirmRemove] = useState(false);

  const initial = settings.data ? initialValues(settings.data) : null;
  const values: Values | null = initial ? { ...initial, ...edits } : null;
  const changed = new Set<FieldName>(
    initial && values ? (Object.keys(initial) as FieldName[]).filter((f) => values[f].trim() !== initial[f]) : [],
  );
  const dirty = changed.size > 0 || newKey.trim() !== "";

  const afterSave = async (saved: GlobalSettings) => {
    queryClient.setQueryData(trpc.globalSettings.get.queryKey(), saved);
    await Promise.all([
      queryClient.invalidateQueries(trpc.globalSettings.pathFilter()),
      // The mapping page states the defaults and time zone from the same settings.
      queryClient.invalidateQueries(trpc.userMapping.configuration.pathFilter()),
    ]);
  };

  const update = useMutation(
    trpc.globalSettings.update.mutationOptions({
      onSuccess: async (saved, input) => {
        setEdits({});
        setNewKey("");
        toast.show(input.provisioningKey ? t("savedKeyVerified") : t("saved"));
        await afterSave(saved);
      },
    }),
  );
  const removeKey = useMutation(
    trpc.globalSettings.update.mutationOptions({
      onSuccess: async (saved) => {
        setConfirmRemove(false);
        toast.show(t("provisioning.removed"));
        await afterSave(saved);
      },
    }),
  );

  const set = (field: FieldName, value: string) => setEdits((all) => ({ ...all, [field]: value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!values) return;
    const found = validate(values, changed, t("billing.timeZoneError"));
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const key = newKey.trim();
    update.mutate({
      ...(key ? { provisioningKey: key } : {}),
      // The forms of the values the checks accepted ("1.3×" → "1.3", "$250" → "250", Polish "1,3" → "1.3").
      ...(changed.has("defaultMarkup") ? { defaultMarkup: accepted(checkMarkup(values.defaultMarkup)) } : {}),
      ...(changed.has("defaultMonthlyLimitUsd") ? { defaultMonthlyLimitUsd: accepted(checkUsd(values.defaultMonthlyLimitUsd)) } : {}),
      ...(changed.has("currency") ? { currency: values.currency.trim().toUpperCase() } : {}),
      ...(changed.has("billingTimeZone") ? { billingTimeZone: values.billingTimeZone.trim() } : {}),
    });
  };

  const s = settings.data;
  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
      />
      {settings.error ? <ErrorNotice error={settings.error} onRetry={() => void settings.refetch()} /> : null}
      {s && values ? (
        <Card>
          <form className="form settings-form" onSubmit={submit} noValidate>
            <MutationError error={update.error}>{t("notSaved")}</MutationError>
            <fieldset className="fieldset">
              <legend>{t("provisioning.legend")}</legend>
              <TextField
                label={t("provisioning.key")}
                type="password"
                autoComplete="off"
                spellCheck={false}
                placeholder={s.provisioningKeyHint ? t("provisioning.placeholderReplace") : "sk-or-v1-…"}
                value={newKey}
                onChange={(e) => setNewKey(e.target.value)}
                hint={
                  s.provisioningKeyHint ? (
                    <Trans t={t} i18nKey="provisioning.currentKey" values={{ hint: s.provisioningKeyHint }} components={{ code: <code /> }} />
                  ) : (
                    t("provisioning.noKey")
                  )
                }
              />
              {s.provisioningKeyHint ? (
                <div>
                  <Button
                    size="sm"
                    variant="danger"
                    onClick={() => {
                      removeKey.reset();
                      setConfirmRemove(true);
                    }}
                  >
                    {t("provisioning.remove")}
                  </Button>
                </div>
              ) : null}
            </fieldset>
            <fieldset className="fieldset">
              <legend>{t("defaults.legend")}</legend>
              <div className="form-row">
                <TextField
                  label={t("defaults.markup")}
                  inputMode="decimal"
                  value={values.defaultMarkup}
                  error={errors.defaultMarkup}
                  hint={t("defaults.markupHint")}
                  onChange={(e) => set("defaultMarkup", e.target.value)}
                />
                <TextField
                  label={t("defaults.monthlyLimit")}
                  inputMode="decimal"
                  value={values.defaultMonthlyLimitUsd}
                  error={errors.defaultMonthlyLimitUsd}
                  hint={t("defaults.monthlyLimitHint", { amount: money(s.defaultMonthlyLimitNano) })}
                  onChange={(e) => set("defaultMonthlyLimitUsd", e.target.value)}
                />
              </div>
            </fieldset>
            <fieldset className="fieldset">
              <legend>{t("billing.legend")}</legend>
              <div className="form-row">
                <TextField
                  label={t("billing.currency")}
                  maxLength={3}
                  autoCapitalize="characters"
                  spellCheck={false}
                  value={values.currency}
                  error={errors.currency}
                  hint={t("billing.currencyHint")}
                  onChange={(e) => set("currency", e.target.value)}
                />
                <TextField
                  label={t("billing.timeZone")}
                  list={zoneListId}
                  spellCheck={false}
                  autoComplete="off"
                  value={values.billingTimeZone}
                  error={errors.billingTimeZone}
                  hint={t("billing.timeZoneHint")}
                  onChange={(e) => set("billingTimeZone", e.target.value)}
                />
                <datalist id={zoneListId}>
                  {zones.map((zone) => (
                    <option key={zone} value={zone} />
                  ))}
                </datalist>
              </div>
            </fieldset>
            <FormActions
              label={t("save")}
              busy={update.isPending}
              disabled={!dirty}
              onDiscard={
                dirty
                  ? () => {
                      setEdits({});
                      setNewKey("");
                      setErrors({});
                    }
                  : undefined
              }
              hint={s.updatedAt ? t("lastChanged", { when: dateTime(s.updatedAt) }) : null}
            />
          </form>
        </Card>
      ) : settings.isPending ? (
        <Card>
          <Skeleton lines={6} />
        </Card>
      ) : null}
      {s ? (
        <div className="section-gap">
          <SelfSignup settings={s} />
        </div>
      ) : null}
      {s ? (
        <div className="section-gap">
          <ExchangeRatesCard currency={s.currency} />
        </div>
      ) : null}
      {s ? (
        <div className="section-gap">
          <ProviderCost settings={s} />
        </div>
      ) : null}
      <ConfirmDialog
        open={confirmRemove}
        title={t("provisioning.confirmTitle")}
        confirmLabel={t("provisioning.confirmLabel")}
        busy={removeKey.isPending}
        onConfirm={() => removeKey.mutate({ provisioningKey: null })}
        onClose={() => setConfirmRemove(false)}
      >
        <MutationError error={removeKey.error} />
        <p>{t("provisioning.confirmText")}</p>
      </ConfirmDialog>
    </>
  );
}
