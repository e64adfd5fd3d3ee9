// The chat client's Settings → Connections, for users of this dashboard: the OpenAI-compatible
// direct connections stored in the user's settings (Open WebUI's shape, openwebui.md §1.2). Keys
// arrive masked and unchanged ones go back masked — the API restores them (restoreMaskedKeys). Save
// sends the whole `ui` object, because the settings endpoint replaces it; other fields stay as read.
// A client administrator's save of an OpenRouter connection runs the organisation sync, whose
// outcome is shown here — the last save's, wherever it was made (settings.lastSync): a save in Open
// WebUI's own Settings → Connections, mirrored to mAI by the reverse proxy in front of it, gets Open
// WebUI's answer, so this page is where its administrator learns what mAI did.
import { isMaskedKey } from "@mai/domain";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useRouter } from "@tanstack/react-router";
import type { TFunction } from "i18next";
import { useState, type FormEvent } from "react";
import { Trans, useTranslation } from "react-i18next";
import { Button } from "../components/Button";
import { ConfirmDialog } from "../components/Dialog";
import { DataTable, type Column } from "../components/DataTable";
import { EmptyState, ErrorNotice, Notice, Skeleton } from "../components/Feedback";
import { CheckboxField, TextField } from "../components/Field";
import { FormActions } from "../components/FormActions";
import { MutationError } from "../components/MutationError";
import { Card, PageHeader } from "../components/Page";
import { useToast } from "../components/Toast";
import { serverText } from "../lib/errors";
import { dateTime } from "../lib/format";
import { useMe, type RouterOutputs } from "../session";
import { trpc } from "../trpc";

type Ui = RouterOutputs["settings"]["get"]["ui"];
type SyncResult = RouterOutputs["settings"]["update"]["openrouterSync"];
type LastSync = RouterOutputs["settings"]["lastSync"];

interface ConnectionRow {
  /** React key only; the position in the list is the connection's index. */
  id: string;
  baseUrl: string;
  /** As read (masked, or "" for none), or a key typed in this session (never displayed). */
  key: string;
  newKey: boolean;
  enabled: boolean;
  /** The rest of the connection's config (prefix_id, tags… set by the chat client), kept as is. */
  config: Record<string, unknown>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function rowsFrom(ui: Ui): ConnectionRow[] {
  const dc = ui.directConnections;
  if (!dc) return [];
  const configs: Record<string, unknown> = dc.OPENAI_API_CONFIGS;
  return dc.OPENAI_API_BASE_URLS.map((baseUrl, index) => {
    // By index as Open WebUI writes them; by URL in older versions.
    const raw = Object.hasOwn(configs, String(index)) ? configs[String(index)] : Object.hasOwn(configs, baseUrl) ? configs[baseUrl] : undefined;
    const config = isRecord(raw) ? raw : {};
    return { id: `saved-${index}`, baseUrl, key: dc.OPENAI_API_KEYS[index] ?? "", newKey: false, enabled: config.enable !== false, config };
  });
}

/** The whole `ui` to save: the one read, with its connections replaced and configs re-indexed. */
function uiWith(ui: Ui, rows: readonly ConnectionRow[]) {
  return {
    ...ui,
    directConnections: {
      ...ui.directConnections,
      OPENAI_API_BASE_URLS: rows.map((r) => r.baseUrl),
      OPENAI_API_KEYS: rows.map((r) => r.key),
      OPENAI_API_CONFIGS: Object.fromEntries(rows.map((r, index) => [String(index), { ...r.config, enable: r.enabled }])),
    },
  };
}

function validateBaseUrl(value: string, t: TFunction<"connections">): string | null {
  if (!value) return t("add.baseUrlMissing");
  try {
    const url = new URL(value);
    if (url.protocol !== "https:" && url.protocol !== "http:") return t("add.baseUrlScheme");
  } catch {
    return t("add.baseUrlInvalid");
  }
  return null;
}

const SYNC_TONE = {
  created: "success",
  updated: "success",
  claimed: "success",
  unchanged: "success",
  skipped: "info",
  failed: "error",
} as const satisfies Record<SyncResult["status"], "success" | "info" | "error">;

function SyncNotice({ sync, isAdmin }: { sync: SyncResult; isAdmin: boolean }) {
  const { t } = useTranslation("connections");
  return (
    <Notice tone={SYNC_TONE[sync.status]}>
      <strong>{t("sync.heading", { status: t(`status.${sync.status}`) })}</strong>{" "}
      {serverText(sync.message, sync.messageKey, sync.messageParams)}
      {sync.organizationId && isAdmin ? (
        <>
          {" "}
          <Link to="/organizations" search={{ org: sync.organizationId }}>
            {t("sync.viewOrganization")}
          </Link>
        </>
      ) : null}
      {sync.status === "failed" && sync.messageKey !== "sync.failed" && !/save again/i.test(sync.message) ? t("sync.failedRetry") : null}
    </Notice>
  );
}

/** A <time> for a Trans message's <time>{{when}}</time>; the date-time text comes as `when`. */
const timeOf = (d: Date) => <time dateTime={d.toISOString()} />;

/** The last save's organisation sync, from wherever it was saved: never, not recorded, or its outcome. */
function LastSyncStatus({ last, isAdmin }: { last: LastSync; isAdmin: boolean }) {
  const { t } = useTranslation("connections");
  const { savedAt, sync } = last;
  if (!savedAt) {
    return <EmptyState title={t("lastSync.neverTitle")}>{t("lastSync.neverText")}</EmptyState>;
  }
  if (!sync) {
    return (
      <Notice tone="warning">
        <Trans
          t={t}
          i18nKey="lastSync.notRecorded"
          values={{ when: dateTime(savedAt) }}
          components={{ b: <strong />, time: timeOf(savedAt) }}
        />
      </Notice>
    );
  }
  return (
    <Notice tone={SYNC_TONE[sync.status]}>
      <strong>
        <Trans
          t={t}
          i18nKey="lastSync.outcome"
          values={{ outcome: t(`outcome.${sync.status}`), when: dateTime(sync.at), channel: t(`channel.${sync.channel}`) }}
          components={{ time: timeOf(sync.at) }}
        />
      </strong>{" "}
      {serverText(sync.message, sync.messageKey, sync.messageParams)}
      {sync.keyHint ? (
        <>
          {" "}
          <Trans t={t} i18nKey="lastSync.key" values={{ hint: sync.keyHint }} components={{ code: <code /> }} />
        </>
      ) : null}
      {sync.organizationId && isAdmin ? (
        <>
          {" "}
          <Link to="/organizations" search={{ org: sync.organizationId }}>
            {t("sync.viewOrganization")}
          </Link>
        </>
      ) : null}
      {sync.status === "failed" ? (
        <>
          {" "}
          <Trans t={t} i18nKey="lastSync.whatToDo" components={{ b: <strong /> }} />
        </>
      ) : null}
    </Notice>
  );
}

let nextRowId = 1;

export default function Connections() {
  const { t } = useTranslation("connections");
  const me = useMe();
  const isAdmin = me.role !== "member";
  const queryClient = useQueryClient();
  const router = useRouter();
  const toast = useToast();
  const settings = useQuery(trpc.settings.get.queryOptions());
  const lastSync = useQuery(trpc.settings.lastSync.queryOptions());

  // Unsaved edits; null while the list is as saved.
  const [draft, setDraft] = useState<ConnectionRow[] | null>(null);
  const rows = draft ?? (settings.data ? rowsFrom(settings.data.ui) : []);
  const [baseUrl, setBaseUrl] = useState("");
  const [apiKey, setApiKey] = useState("");
  const [addErrors, setAddErrors] = useState<{ baseUrl?: string | null; apiKey?: string | null }>({});
  const [removing, setRemoving] = useState<ConnectionRow | null>(null);
  const [sync, setSync] = useState<SyncResult | null>(null);

  const save = useMutation(
    trpc.settings.update.mutationOptions({
      onSuccess: async ({ openrouterSync, ...saved }) => {
        queryClient.setQueryData(trpc.settings.get.queryKey(), saved);
        setDraft(null);
        setSync(openrouterSync);
        void queryClient.invalidateQueries({ queryKey: trpc.settings.lastSync.queryKey() });
        toast.show(
          openrouterSync.status === "failed" ? t("list.savedSyncFailed") : t("list.saved"),
          openrouterSync.status === "failed" ? "error" : "success",
        );
        if (openrouterSync.status === "created" || openrouterSync.status === "claimed") {
          // The user now belongs to an organisation: refresh who they are (the layout's guard reads
          // the cached auth.me, so refetch it even without an observer) and what they may see.
          await Promise.all([
            queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey(), refetchType: "all" }),
            queryClient.invalidateQueries(trpc.organizations.pathFilter()),
            queryClient.invalidateQueries(trpc.userMapping.pathFilter()),
          ]);
          await router.invalidate();
        } else if (openrouterSync.status === "updated") {
          await queryClient.invalidateQueries(trpc.organizations.pathFilter());
        }
      },
    }),
  );

  const edit = (change: (rows: ConnectionRow[]) => ConnectionRow[]) => setDraft(change(rows));

  const add = (event: FormEvent) => {
    event.preventDefault();
    // Open WebUI stores base URLs without a trailing slash.
    const url = baseUrl.trim().replace(/\/+$/, "");
    const key = apiKey.trim();
    const errors = {
      baseUrl: validateBaseUrl(url, t),
      apiKey: isMaskedKey(key) ? t("add.maskedKey") : null,
    };
    setAddErrors(errors);
    if (errors.baseUrl || errors.apiKey) return;
    edit((all) => [...all, { id: `new-${nextRowId++}`, baseUrl: url, key, newKey: key !== "", enabled: true, config: {} }]);
    setBaseUrl("");
    setApiKey("");
  };

  const remove = (row: ConnectionRow) => {
    edit((all) => all.filter((r) => r.id !== row.id));
    setRemoving(null);
  };

  const submit = () => {
    if (!settings.data) return;
    save.mutate({ ui: uiWith(settings.data.ui, rows) });
  };

  const columns: Column<ConnectionRow>[] = [
    { key: "url", header: t("list.baseUrl"), cell: (r) => <span className="mono break-all">{r.baseUrl}</span> },
    {
      key: "key",
      header: t("list.apiKey"),
      cell: (r) =>
        r.newKey ? <span className="muted">{t("list.newKey")}</span> : r.key ? <code>{r.key}</code> : <span className="muted">{t("list.noKey")}</span>,
    },
    {
      key: "enabled",
      header: t("list.enabled"),
      cell: (r) => (
        <CheckboxField
          label={r.enabled ? t("list.on") : t("list.off")}
          aria-label={t("list.enabledLabel", { url: r.baseUrl })}
          checked={r.enabled}
          onChange={(e) => {
            const enabled = e.target.checked;
            edit((all) => all.map((x) => (x.id === r.id ? { ...x, enabled } : x)));
          }}
        />
      ),
    },
    {
      key: "actions",
      header: t("list.actions"),
      align: "right",
      cell: (r) => (
        <Button size="sm" variant="ghost" aria-label={t("list.removeLabel", { url: r.baseUrl })} onClick={() => (r.id.startsWith("new-") ? remove(r) : setRemoving(r))}>
          {t("list.remove")}
        </Button>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t("title")}
        description={
          me.role === "org_admin" ? <Trans t={t} i18nKey="descriptionAdmin" components={{ code: <code /> }} /> : t("description")
        }
      />
      <div className="stack">
        {sync ? <SyncNotice sync={sync} isAdmin={isAdmin} /> : null}
        <Card title={t("lastSync.title")} className="last-sync">
          {lastSync.error ? <ErrorNotice error={lastSync.error} onRetry={() => void lastSync.refetch()} /> : null}
          {lastSync.data ? <LastSyncStatus last={lastSync.data} isAdmin={isAdmin} /> : lastSync.isPending ? <Skeleton lines={1} /> : null}
        </Card>
        <Card title={t("list.title")}>
          {settings.error ? <ErrorNotice error={settings.error} onRetry={() => void settings.refetch()} /> : null}
          {settings.data ? (
            rows.length ? (
              <DataTable rows={rows} columns={columns} rowKey={(r) => r.id} caption={t("list.caption")} />
            ) : (
              <EmptyState title={t("list.emptyTitle")}>
                <Trans t={t} i18nKey="list.emptyText" components={{ code: <code /> }} />
              </EmptyState>
            )
          ) : settings.isPending ? (
            <Skeleton lines={3} />
          ) : null}
          {settings.data ? (
            <div className="connections-actions">
              <MutationError error={save.error}>{t("list.notSaved")}</MutationError>
              {draft ? (
                <p className="field-hint" role="status">
                  {t("list.unsaved")}
                </p>
              ) : null}
              <FormActions label={t("list.save")} busy={save.isPending} onClick={submit} onDiscard={draft ? () => setDraft(null) : undefined} />
            </div>
          ) : null}
        </Card>
        <Card title={t("add.title")}>
          <form className="form" onSubmit={add} noValidate>
            <div className="form-row">
              <TextField
                label={t("add.baseUrl")}
                type="url"
                inputMode="url"
                placeholder="https://openrouter.ai/api/v1"
                autoComplete="off"
                spellCheck={false}
                value={baseUrl}
                error={addErrors.baseUrl}
                onChange={(e) => setBaseUrl(e.target.value)}
              />
              <TextField
                label={t("add.apiKey")}
                type="password"
                placeholder="sk-or-v1-…"
                autoComplete="off"
                spellCheck={false}
                value={apiKey}
                error={addErrors.apiKey}
                hint={t("add.apiKeyHint")}
                onChange={(e) => setApiKey(e.target.value)}
              />
            </div>
            <FormActions label={t("add.submit")} variant="secondary" disabled={!settings.data} hint={t("add.submitHint")} />
          </form>
        </Card>
      </div>
      <ConfirmDialog
        open={removing !== null}
        title={t("remove.title")}
        confirmLabel={t("remove.confirm")}
        onConfirm={() => removing && remove(removing)}
        onClose={() => setRemoving(null)}
      >
        <p>
          <Trans t={t} i18nKey="remove.text" values={{ url: removing?.baseUrl ?? "" }} components={{ url: <span className="mono break-all" /> }} />
        </p>
      </ConfirmDialog>
    </>
  );
}
