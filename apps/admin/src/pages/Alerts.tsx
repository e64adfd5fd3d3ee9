// Limit alerts of the organisation in scope (issue 18): the thresholds of the monthly limit that
// alert (default 80 % and 100 %, each once per billing month), by e-mail to the client's
// administrators and the provider and to an optional signed webhook; the alerts fired; and, for the
// provider, the delivery log (every attempt, its status code and what went wrong). Administrators
// edit the settings; members see the alerts only. The webhook's signing secret is write-only: the
// API says whether one is set, never what it is.
import { alertThresholdsInput } from "@mai/domain/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { Button } from "../components/Button";
import { DataTable, type Column } from "../components/DataTable";
import { ConfirmDialog } from "../components/Dialog";
import { Badge, EmptyState, ErrorNotice, Notice, Skeleton } from "../components/Feedback";
import { CheckboxField, TextField } from "../components/Field";
import { FormActions } from "../components/FormActions";
import { MutationError } from "../components/MutationError";
import { Card, PageHeader } from "../components/Page";
import { useToast } from "../components/Toast";
import { dateTime, money } from "../lib/format";
import { useMe, useOrgScope, type RouterOutputs } from "../session";
import { trpc } from "../trpc";

type Settings = RouterOutputs["alerts"]["getSettings"];
type FiredAlert = RouterOutputs["alerts"]["list"]["items"][number];
type Delivery = RouterOutputs["alerts"]["deliveries"][number];

/** "December 2026" for "2026-12". */
export function monthName(period: string): string {
  return new Intl.DateTimeFormat("en-GB", { month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(`${period}-01T00:00:00Z`));
}

/** "80, 100" → [80, 100], or the reason in words (the domain's rule, as the API applies it). */
function parseThresholds(text: string): { thresholds: number[] } | { error: string } {
  const parts = text
    .split(/[,;\s]+/)
    .map((p) => p.replace(/%$/, "").trim())
    .filter(Boolean);
  const numbers = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN));
  if (numbers.some((n) => Number.isNaN(n))) return { error: "Write whole numbers of per cent separated by commas, e.g. 80, 100." };
  const parsed = alertThresholdsInput.safeParse(numbers);
  return parsed.success ? { thresholds: [...parsed.data].sort((a, b) => a - b) } : { error: parsed.error.issues[0]?.message ?? "Check the thresholds." };
}

function SettingsForm({ organizationId, settings }: { organizationId: string; settings: Settings }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [thresholds, setThresholds] = useState(settings.thresholds.join(", "));
  const [emailEnabled, setEmailEnabled] = useState(settings.emailEnabled);
  const [webhookUrl, setWebhookUrl] = useState(settings.webhookUrl ?? "");
  const [secret, setSecret] = useState("");
  const [errors, setErrors] = useState<{ thresholds?: string; webhookUrl?: string; secret?: string }>({});
  const [confirmRemove, setConfirmRemove] = useState(false);

  const afterSave = async (saved: Settings) => {
    queryClient.setQueryData(trpc.alerts.getSettings.queryKey({ organizationId }), saved);
    setThresholds(saved.thresholds.join(", "));
    setEmailEnabled(saved.emailEnabled);
    setWebhookUrl(saved.webhookUrl ?? "");
    setSecret("");
    await queryClient.invalidateQueries(trpc.alerts.pathFilter());
  };
  const save = useMutation(
    trpc.alerts.updateSettings.mutationOptions({
      onSuccess: async (saved) => {
        toast.show("Alert settings saved");
        await afterSave(saved);
      },
    }),
  );
  const remove = useMutation(
    trpc.alerts.updateSettings.mutationOptions({
      onSuccess: async (saved) => {
        setConfirmRemove(false);
        toast.show("Webhook removed");
        await afterSave(saved);
      },
    }),
  );

  const url = webhookUrl.trim();
  const dirty =
    thresholds.trim() !== settings.thresholds.join(", ") || emailEnabled !== settings.emailEnabled || url !== (settings.webhookUrl ?? "") || secret !== "";

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseThresholds(thresholds);
    const found: typeof errors = {};
    if ("error" in parsed) found.thresholds = parsed.error;
    if (url && !/^https?:\/\//i.test(url)) found.webhookUrl = "The webhook URL must be an https:// URL.";
    if (secret && secret.length < 16) found.secret = "The signing secret must be at least 16 characters.";
    if (url && !secret && !settings.webhookSecretSet) found.secret = "Give a signing secret (at least 16 characters): every delivery is signed with it.";
    setErrors(found);
    if (Object.keys(found).length > 0 || "error" in parsed) return;
    save.mutate({
      organizationId,
      thresholds: parsed.thresholds,
      emailEnabled,
      ...(url !== (settings.webhookUrl ?? "") ? { webhookUrl: url || null } : {}),
      ...(secret ? { webhookSecret: secret } : {}),
    });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      <MutationError error={save.error}>Not saved.</MutationError>
      <TextField
        label="Thresholds (% of the monthly limit)"
        inputMode="numeric"
        value={thresholds}
        error={errors.thresholds}
        hint="Up to five whole percentages, e.g. 80, 100. Each is sent once per billing month."
        onChange={(e) => setThresholds(e.target.value)}
      />
      <CheckboxField
        label="E-mail the client's administrators and the provider"
        checked={emailEnabled}
        onChange={(e) => setEmailEnabled(e.target.checked)}
        hint={settings.emailConfigured ? undefined : "E-mail is not configured on this server (MAI_SMTP_URL): only the webhook and this page get alerts."}
      />
      <fieldset className="fieldset">
        <legend>Webhook (optional)</legend>
        <TextField
          label="Webhook URL"
          type="url"
          spellCheck={false}
          autoComplete="off"
          placeholder="https://hooks.example.com/mai"
          value={webhookUrl}
          error={errors.webhookUrl}
          hint="Receives a JSON POST per alert, signed in the X-Mai-Signature header (t=<unix time>,v1=HMAC-SHA256 of “t.body” with the secret). Failures are retried with backoff."
          onChange={(e) => setWebhookUrl(e.target.value)}
        />
        <TextField
          label="Signing secret"
          type="password"
          autoComplete="new-password"
          spellCheck={false}
          value={secret}
          error={errors.secret}
          hint={settings.webhookSecretSet ? "A secret is set. Leave empty to keep it; type a new one to replace it." : "At least 16 characters; it is never shown again."}
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
              Remove webhook
            </Button>
          </div>
        ) : null}
      </fieldset>
      <FormActions
        label="Save alert settings"
        busy={save.isPending}
        disabled={!dirty}
        onDiscard={
          dirty
            ? () => {
                setThresholds(settings.thresholds.join(", "));
                setEmailEnabled(settings.emailEnabled);
                setWebhookUrl(settings.webhookUrl ?? "");
                setSecret("");
                setErrors({});
              }
            : undefined
        }
      />
      <ConfirmDialog
        open={confirmRemove}
        title="Remove the webhook?"
        confirmLabel="Remove webhook"
        busy={remove.isPending}
        onConfirm={() => remove.mutate({ organizationId, webhookUrl: null })}
        onClose={() => !remove.isPending && setConfirmRemove(false)}
      >
        <MutationError error={remove.error} />
        <p>Alerts will no longer be posted to it, and its signing secret is deleted. E-mail and this page keep getting them.</p>
      </ConfirmDialog>
    </form>
  );
}

function AlertSettingsCard({ organizationId }: { organizationId: string }) {
  const settings = useQuery(trpc.alerts.getSettings.queryOptions({ organizationId }));
  return (
    <Card title="Alert settings">
      {settings.error ? <ErrorNotice error={settings.error} onRetry={() => void settings.refetch()} /> : null}
      {settings.data ? <SettingsForm key={settings.data.updatedAt?.getTime() ?? 0} organizationId={organizationId} settings={settings.data} /> : settings.isPending ? <Skeleton lines={4} /> : null}
    </Card>
  );
}

const alertColumns: Column<FiredAlert>[] = [
  { key: "month", header: "Billing month", sortValue: (a) => a.period, cell: (a) => monthName(a.period) },
  { key: "threshold", header: "Threshold", align: "right", sortValue: (a) => a.thresholdPercent, cell: (a) => `${a.thresholdPercent} %` },
  {
    key: "spent",
    header: "Spent of limit",
    align: "right",
    sortValue: (a) => a.spentNano,
    cell: (a) => `${money(a.spentNano)} of ${money(a.limitNano)}`,
  },
  {
    key: "reason",
    header: "Why",
    cell: (a) => (a.reason === "refused" ? <Badge tone="danger">a request was refused</Badge> : <Badge tone={a.thresholdPercent >= 100 ? "danger" : "warning"}>spend reached it</Badge>),
  },
  { key: "fired", header: "Fired", sortValue: (a) => a.firedAt.getTime(), cell: (a) => dateTime(a.firedAt) },
];

function FiredAlerts({ organizationId, organizationName }: { organizationId: string; organizationName: string }) {
  const alerts = useQuery(trpc.alerts.list.queryOptions({ organizationId }));
  return (
    <Card title="Alerts fired">
      {alerts.error ? <ErrorNotice error={alerts.error} onRetry={() => void alerts.refetch()} /> : null}
      {alerts.data ? (
        alerts.data.items.length ? (
          <DataTable
            rows={alerts.data.items}
            columns={alertColumns}
            rowKey={(a) => a.id}
            caption={`Limit alerts of ${organizationName}`}
            initialSort={{ key: "fired", direction: "desc" }}
          />
        ) : (
          <EmptyState title="No alert yet">An alert appears here when the month's spend reaches a threshold of the monthly limit.</EmptyState>
        )
      ) : alerts.isPending ? (
        <Skeleton lines={3} height="1.4rem" />
      ) : null}
    </Card>
  );
}

const OUTCOME_TONE = { sent: "success", retry: "warning", failed: "danger" } as const;
const OUTCOME_LABEL = { sent: "sent", retry: "will retry", failed: "given up" } as const;

const deliveryColumns: Column<Delivery>[] = [
  { key: "at", header: "Attempted", sortValue: (d) => d.attemptedAt.getTime(), cell: (d) => dateTime(d.attemptedAt) },
  { key: "alert", header: "Alert", cell: (d) => `${d.thresholdPercent} % · ${monthName(d.alertPeriod)}` },
  { key: "channel", header: "Channel", sortValue: (d) => d.channel, cell: (d) => (d.channel === "email" ? "E-mail" : "Webhook") },
  { key: "recipient", header: "Recipient", sortValue: (d) => d.recipient, cell: (d) => <span className="break-all">{d.recipient}</span> },
  { key: "attempt", header: "Attempt", align: "right", sortValue: (d) => d.attempt, cell: (d) => String(d.attempt) },
  { key: "outcome", header: "Outcome", sortValue: (d) => d.outcome, cell: (d) => <Badge tone={OUTCOME_TONE[d.outcome]}>{OUTCOME_LABEL[d.outcome]}</Badge> },
  { key: "status", header: "Status code", align: "right", cell: (d) => (d.statusCode === null ? <span className="muted">—</span> : String(d.statusCode)) },
  {
    key: "details",
    header: "Details",
    cell: (d) => (
      <span>
        {d.error ?? <span className="muted">—</span>}
        {d.nextRetryAt ? <> Next attempt {dateTime(d.nextRetryAt)}.</> : null}
      </span>
    ),
  },
];

function DeliveryLog({ organizationId, organizationName }: { organizationId: string; organizationName: string }) {
  const log = useQuery(trpc.alerts.deliveries.queryOptions({ organizationId, limit: 100 }));
  return (
    <Card title="Delivery log">
      {log.error ? <ErrorNotice error={log.error} onRetry={() => void log.refetch()} /> : null}
      {log.data ? (
        log.data.length ? (
          <DataTable rows={log.data} columns={deliveryColumns} rowKey={(d) => d.id} caption={`Alert deliveries of ${organizationName}`} initialSort={{ key: "at", direction: "desc" }} />
        ) : (
          <EmptyState title="Nothing delivered yet">Each e-mail and webhook attempt of this organisation's alerts is listed here, newest first.</EmptyState>
        )
      ) : log.isPending ? (
        <Skeleton lines={3} height="1.4rem" />
      ) : null}
    </Card>
  );
}

export default function Alerts() {
  const me = useMe();
  const scope = useOrgScope();
  const provider = me.role === "provider_admin";
  const admin = me.role !== "member";
  const organizationId = scope.organizationId;
  const organizationName = scope.organization?.name ?? "your organisation";

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
          <EmptyState title="No organisations yet" action={<Link to="/organizations">Create the first organisation</Link>}>
            Alerts belong to a client organisation.
          </EmptyState>
        ) : (
          <EmptyState title="Your organisation is not set up yet" action={<Link to="/connections">Open Connections</Link>}>
            Alerts about your organisation's monthly limit show here once you belong to one.
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
        title="Alerts"
        description={
          organizationId ? (
            <>
              Limit alerts of <strong>{organizationName}</strong>: when the month's spend reaches a threshold of the monthly limit.
              {provider ? " Switch the organisation at the top." : ""}
            </>
          ) : undefined
        }
      />
      {!admin ? <Notice tone="info">Your organisation's administrators choose the thresholds and get the e-mails.</Notice> : null}
      {body}
    </>
  );
}
