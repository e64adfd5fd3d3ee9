// Limit alerts of the organisation in scope (issue 18): the thresholds of the monthly limit that
// alert (default 80 % and 100 %, each once per billing month), by e-mail to the client's
// administrators and the provider and to an optional signed webhook; the alerts fired; and, for the
// provider, the delivery log (every attempt, its status code and what went wrong). Administrators
// edit the settings; members see the alerts only. The webhook's signing secret is write-only: the
// API says whether one is set, never what it is.
import { alertThresholdsInput } from "@mai/domain/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import type { TFunction } from "i18next";
import { useState, type FormEvent } from "react";
import { Trans, useTranslation } from "react-i18next";
import { Button } from "../components/Button";
import { DataTable, type Column } from "../components/DataTable";
import { ConfirmDialog } from "../components/Dialog";
import { Badge, EmptyState, ErrorNotice, Notice, Skeleton } from "../components/Feedback";
import { CheckboxField, SelectField, TextField } from "../components/Field";
import { LANGUAGE_NAMES, LANGUAGES } from "../i18n";
import { FormActions } from "../components/FormActions";
import { MutationError } from "../components/MutationError";
import { Card, PageHeader } from "../components/Page";
import { useToast } from "../components/Toast";
import { dateTime, displayLocale, money } from "../lib/format";
import { useMe, useOrgScope, type RouterOutputs } from "../session";
import { trpc } from "../trpc";

type Settings = RouterOutputs["alerts"]["getSettings"];
type FiredAlert = RouterOutputs["alerts"]["list"]["items"][number];
type Delivery = RouterOutputs["alerts"]["deliveries"][number];

/** "December 2026" ("grudzień 2026" in Polish) for "2026-12". */
export function monthName(period: string): string {
  return new Intl.DateTimeFormat(displayLocale(), { month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(`${period}-01T00:00:00Z`));
}

/** "80, 100" → [80, 100], or the reason in words (the domain's rule, as the API applies it). */
function parseThresholds(text: string, t: TFunction<"alerts">): { thresholds: number[] } | { error: string } {
  const parts = text
    .split(/[,;\s]+/)
    .map((p) => p.replace(/%$/, "").trim())
    .filter(Boolean);
  const numbers = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN));
  if (numbers.some((n) => Number.isNaN(n))) return { error: t("settings.thresholdsWholeNumbers") };
  const parsed = alertThresholdsInput.safeParse(numbers);
  return parsed.success ? { thresholds: [...parsed.data].sort((a, b) => a - b) } : { error: parsed.error.issues[0]?.message ?? t("settings.thresholdsCheck") };
}

function SettingsForm({ organizationId, settings }: { organizationId: string; settings: Settings }) {
  const { t } = useTranslation("alerts");
  const queryClient = useQueryClient();
  const toast = useToast();
  const [thresholds, setThresholds] = useState(settings.thresholds.join(", "));
  const [emailEnabled, setEmailEnabled] = useState(settings.emailEnabled);
  const [emailLanguage, setEmailLanguage] = useState(settings.emailLanguage);
  const [webhookUrl, setWebhookUrl] = useState(settings.webhookUrl ?? "");
  const [secret, setSecret] = useState("");
  const [errors, setErrors] = useState<{ thresholds?: string; webhookUrl?: string; secret?: string }>({});
  const [confirmRemove, setConfirmRemove] = useState(false);

  const afterSave = async (saved: Settings) => {
    queryClient.setQueryData(trpc.alerts.getSettings.queryKey({ organizationId }), saved);
    setThresholds(saved.thresholds.join(", "));
    setEmailEnabled(saved.emailEnabled);
    setEmailLanguage(saved.emailLanguage);
    setWebhookUrl(saved.webhookUrl ?? "");
    setSecret("");
    await queryClient.invalidateQueries(trpc.alerts.pathFilter());
  };
  const save = useMutation(
    trpc.alerts.updateSettings.mutationOptions({
      onSuccess: async (saved) => {
        toast.show(t("settings.saved"));
        await afterSave(saved);
      },
    }),
  );
  const remove = useMutation(
    trpc.alerts.updateSettings.mutationOptions({
      onSuccess: async (saved) => {
        setConfirmRemove(false);
        toast.show(t("settings.webhookRemoved"));
        await afterSave(saved);
      },
    }),
  );

  const url = webhookUrl.trim();
  const dirty =
    thresholds.trim() !== settings.thresholds.join(", ") || emailEnabled !== settings.emailEnabled || emailLanguage !== settings.emailLanguage || url !== (settings.webhookUrl ?? "") || secret !== "";

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseThresholds(thresholds, t);
    const found: typeof errors = {};
    if ("error" in parsed) found.thresholds = parsed.error;
    if (url && !/^https?:\/\//i.test(url)) found.webhookUrl = t("settings.webhookUrlError");
    if (secret && secret.length < 16) found.secret = t("settings.secretTooShort");
    if (url && !secret && !settings.webhookSecretSet) found.secret = t("settings.secretMissing");
    setErrors(found);
    if (Object.keys(found).length > 0 || "error" in parsed) return;
    save.mutate({
      organizationId,
      thresholds: parsed.thresholds,
      emailEnabled,
      ...(emailLanguage !== settings.emailLanguage ? { emailLanguage } : {}),
      ...(url !== (settings.webhookUrl ?? "") ? { webhookUrl: url || null } : {}),
      ...(secret ? { webhookSecret: secret } : {}),
    });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      <MutationError error={save.error}>{t("settings.notSaved")}</MutationError>
      <TextField
        label={t("settings.thresholds")}
        inputMode="numeric"
        value={thresholds}
        error={errors.thresholds}
        hint={t("settings.thresholdsHint")}
        onChange={(e) => setThresholds(e.target.value)}
      />
      <CheckboxField
        label={t("settings.email")}
        checked={emailEnabled}
        onChange={(e) => setEmailEnabled(e.target.checked)}
        hint={settings.emailConfigured ? undefined : t("settings.emailNotConfigured")}
      />
      {/* Each language named in itself, as the dashboard's own switch names them. */}
      <SelectField
        label={t("settings.emailLanguage")}
        value={emailLanguage}
        options={LANGUAGES.map((language) => ({ value: language, label: LANGUAGE_NAMES[language] }))}
        hint={t("settings.emailLanguageHint")}
        onChange={(e) => setEmailLanguage(e.target.value as typeof emailLanguage)}
      />
      <fieldset className="fieldset">
        <legend>{t("settings.webhook")}</legend>
        <TextField
          label={t("settings.webhookUrl")}
          type="url"
          spellCheck={false}
          autoComplete="off"
          placeholder="https://hooks.example.com/mai"
          value={webhookUrl}
          error={errors.webhookUrl}
          hint={t("settings.webhookUrlHint")}
          onChange={(e) => setWebhookUrl(e.target.value)}
        />
        <TextField
          label={t("settings.secret")}
          type="password"
          autoComplete="new-password"
          spellCheck={false}
          value={secret}
          error={errors.secret}
          hint={settings.webhookSecretSet ? t("settings.secretSet") : t("settings.secretNew")}
          onChange={(e) => setSecret(e.target.value)}
        />
        {settings.webhookUrl ? (
          <div>
            <Button
              size="sm"
              variant="danger"
              onClick={() => {
                remove.reset();
                setConfirmRemove(true);
              }}
            >
              {t("settings.removeWebhook")}
            </Button>
          </div>
        ) : null}
      </fieldset>
      <FormActions
        label={t("settings.save")}
        busy={save.isPending}
        disabled={!dirty}
        onDiscard={
          dirty
            ? () => {
                setThresholds(settings.thresholds.join(", "));
                setEmailEnabled(settings.emailEnabled);
                setEmailLanguage(settings.emailLanguage);
                setWebhookUrl(settings.webhookUrl ?? "");
                setSecret("");
                setErrors({});
              }
            : undefined
        }
      />
      <ConfirmDialog
        open={confirmRemove}
        title={t("settings.confirmTitle")}
        confirmLabel={t("settings.removeWebhook")}
        busy={remove.isPending}
        onConfirm={() => remove.mutate({ organizationId, webhookUrl: null })}
        onClose={() => !remove.isPending && setConfirmRemove(false)}
      >
        <MutationError error={remove.error} />
        <p>{t("settings.confirmText")}</p>
      </ConfirmDialog>
    </form>
  );
}

function AlertSettingsCard({ organizationId }: { organizationId: string }) {
  const { t } = useTranslation("alerts");
  const settings = useQuery(trpc.alerts.getSettings.queryOptions({ organizationId }));
  return (
    <Card title={t("settings.title")}>
      {settings.error ? <ErrorNotice error={settings.error} onRetry={() => void settings.refetch()} /> : null}
      {settings.data ? <SettingsForm key={settings.data.updatedAt?.getTime() ?? 0} organizationId={organizationId} settings={settings.data} /> : settings.isPending ? <Skeleton lines={4} /> : null}
    </Card>
  );
}

const alertColumns = (t: TFunction<"alerts">): Column<FiredAlert>[] => [
  { key: "month", header: t("fired.month"), sortValue: (a) => a.period, cell: (a) => monthName(a.period) },
  { key: "threshold", header: t("fired.threshold"), align: "right", sortValue: (a) => a.thresholdPercent, cell: (a) => `${a.thresholdPercent} %` },
  {
    key: "spent",
    header: t("fired.spent"),
    align: "right",
    sortValue: (a) => a.spentNano,
    cell: (a) => t("fired.spentOf", { spent: money(a.spentNano), limit: money(a.limitNano) }),
  },
  {
    key: "reason",
    header: t("fired.why"),
    cell: (a) =>
      a.reason === "refused" ? (
        <Badge tone="danger">{t("fired.refused")}</Badge>
      ) : (
        <Badge tone={a.thresholdPercent >= 100 ? "danger" : "warning"}>{t("fired.reached")}</Badge>
      ),
  },
  { key: "fired", header: t("fired.firedAt"), sortValue: (a) => a.firedAt.getTime(), cell: (a) => dateTime(a.firedAt) },
];

function FiredAlerts({ organizationId, organizationName }: { organizationId: string; organizationName: string }) {
  const { t } = useTranslation("alerts");
  const alerts = useQuery(trpc.alerts.list.queryOptions({ organizationId }));
  return (
    <Card title={t("fired.title")}>
      {alerts.error ? <ErrorNotice error={alerts.error} onRetry={() => void alerts.refetch()} /> : null}
      {alerts.data ? (
        alerts.data.items.length ? (
          <DataTable
            rows={alerts.data.items}
            columns={alertColumns(t)}
            rowKey={(a) => a.id}
            caption={t("fired.caption", { name: organizationName })}
            initialSort={{ key: "fired", direction: "desc" }}
          />
        ) : (
          <EmptyState title={t("fired.emptyTitle")}>{t("fired.emptyText")}</EmptyState>
        )
      ) : alerts.isPending ? (
        <Skeleton lines={3} height="1.4rem" />
      ) : null}
    </Card>
  );
}

const OUTCOME_TONE = { sent: "success", retry: "warning", failed: "danger" } as const;

const deliveryColumns = (t: TFunction<"alerts">): Column<Delivery>[] => [
  { key: "at", header: t("deliveries.attempted"), sortValue: (d) => d.attemptedAt.getTime(), cell: (d) => dateTime(d.attemptedAt) },
  { key: "alert", header: t("deliveries.alert"), cell: (d) => `${d.thresholdPercent} % · ${monthName(d.alertPeriod)}` },
  { key: "channel", header: t("deliveries.channel"), sortValue: (d) => d.channel, cell: (d) => (d.channel === "email" ? t("deliveries.email") : t("deliveries.webhook")) },
  { key: "recipient", header: t("deliveries.recipient"), sortValue: (d) => d.recipient, cell: (d) => <span className="break-all">{d.recipient}</span> },
  { key: "attempt", header: t("deliveries.attempt"), align: "right", sortValue: (d) => d.attempt, cell: (d) => String(d.attempt) },
  { key: "outcome", header: t("deliveries.outcome"), sortValue: (d) => d.outcome, cell: (d) => <Badge tone={OUTCOME_TONE[d.outcome]}>{t(`deliveries.outcomes.${d.outcome}`)}</Badge> },
  { key: "status", header: t("deliveries.status"), align: "right", cell: (d) => (d.statusCode === null ? <span className="muted">—</span> : String(d.statusCode)) },
  {
    key: "details",
    header: t("deliveries.details"),
    cell: (d) => (
      <span>
        {d.error ?? <span className="muted">—</span>}
        {d.nextRetryAt ? <> {t("deliveries.nextAttempt", { when: dateTime(d.nextRetryAt) })}</> : null}
      </span>
    ),
  },
];

function DeliveryLog({ organizationId, organizationName }: { organizationId: string; organizationName: string }) {
  const { t } = useTranslation("alerts");
  const log = useQuery(trpc.alerts.deliveries.queryOptions({ organizationId, limit: 100 }));
  return (
    <Card title={t("deliveries.title")}>
      {log.error ? <ErrorNotice error={log.error} onRetry={() => void log.refetch()} /> : null}
      {log.data ? (
        log.data.length ? (
          <DataTable
            rows={log.data}
            columns={deliveryColumns(t)}
            rowKey={(d) => d.id}
            caption={t("deliveries.caption", { name: organizationName })}
            initialSort={{ key: "at", direction: "desc" }}
          />
        ) : (
          <EmptyState title={t("deliveries.emptyTitle")}>{t("deliveries.emptyText")}</EmptyState>
        )
      ) : log.isPending ? (
        <Skeleton lines={3} height="1.4rem" />
      ) : null}
    </Card>
  );
}

export default function Alerts() {
  const { t } = useTranslation("alerts");
  const me = useMe();
  const scope = useOrgScope();
  const provider = me.role === "provider_admin";
  const admin = me.role !== "member";
  const organizationId = scope.organizationId;
  const organizationName = scope.organization?.name ?? t("yourOrganization");

  let body;
  if (scope.isLoading) {
    body = (
      <Card>
        <Skeleton lines={4} />
      </Card>
    );
  } else if (!organizationId) {
    body = (
      <Card>
        {provider ? (
          <EmptyState title={t("noOrganizations.title")} action={<Link to="/organizations">{t("noOrganizations.action")}</Link>}>
            {t("noOrganizations.text")}
          </EmptyState>
        ) : (
          <EmptyState title={t("notSetUp.title")} action={<Link to="/connections">{t("notSetUp.action")}</Link>}>
            {t("notSetUp.text")}
          </EmptyState>
        )}
      </Card>
    );
  } else {
    body = (
      <div className="stack" key={organizationId}>
        {admin ? <AlertSettingsCard organizationId={organizationId} /> : null}
        <FiredAlerts organizationId={organizationId} organizationName={organizationName} />
        {provider ? <DeliveryLog organizationId={organizationId} organizationName={organizationName} /> : null}
      </div>
    );
  }

  return (
    <>
      <PageHeader
        title={t("title")}
        description={
          organizationId ? (
            <Trans
              t={t}
              i18nKey={provider ? "descriptionProvider" : "description"}
              values={{ name: organizationName }}
              components={{ b: <strong /> }}
            />
          ) : undefined
        }
      />
      {!admin ? <Notice tone="info">{t("memberNotice")}</Notice> : null}
      {body}
    </>
  );
}
