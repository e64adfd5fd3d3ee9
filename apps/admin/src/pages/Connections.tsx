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
import { useState, type FormEvent } from "react";
import { Button } from "../components/Button";
import { ConfirmDialog } from "../components/Dialog";
import { DataTable, type Column } from "../components/DataTable";
import { EmptyState, ErrorNotice, Notice, Skeleton } from "../components/Feedback";
import { CheckboxField, TextField } from "../components/Field";
import { FormActions } from "../components/FormActions";
import { MutationError } from "../components/MutationError";
import { Card, PageHeader } from "../components/Page";
import { useToast } from "../components/Toast";
import { dateTime } from "../lib/format";
import { useMe, type RouterOutputs } from "../session";
import { trpc } from "../trpc";

type Ui = RouterOutputs["settings"]["get"]["ui"];
type SyncResult = RouterOutputs["settings"]["update"]["openrouterSync"];
type LastSync = RouterOutputs["settings"]["lastSync"];
type SyncOutcome = NonNullable<LastSync["sync"]>;

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

function validateBaseUrl(value: string): string | null {
  if (!value) return "Enter the connection's base URL, e.g. https://openrouter.ai/api/v1.";
  try {
    const url = new URL(value);
    if (url.protocol !== "https:" && url.protocol !== "http:") return "The base URL must start with https:// (or http://).";
  } catch {
    return "Enter a full URL, e.g. https://openrouter.ai/api/v1.";
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
  return (
    <Notice tone={SYNC_TONE[sync.status]}>
      <strong>Organisation sync: {sync.status}.</strong> {sync.message}
      {sync.organizationId && isAdmin ? (
        <>
          {" "}
          <Link to="/organizations" search={{ org: sync.organizationId }}>
            View the organisation
          </Link>
        </>
      ) : null}
      {sync.status === "failed" && !/save again/i.test(sync.message) ? " Your connections are saved; fix the problem and save again to retry." : null}
    </Notice>
  );
}

const OUTCOME_WORDS = {
  created: "organisation created",
  updated: "organisation's key updated",
  claimed: "organisation claimed",
  unchanged: "nothing to change",
  skipped: "skipped",
  failed: "failed",
} as const satisfies Record<SyncOutcome["status"], string>;

const CHANNEL_WORDS = {
  openwebui: "via Open WebUI",
  dashboard: "via this page",
  token: "via an API token",
  cli: "via the command line",
} as const satisfies Record<SyncOutcome["channel"], string>;

const when = (d: Date) => <time dateTime={d.toISOString()}>{dateTime(d)}</time>;

/** The last save's organisation sync, from wherever it was saved: never, not recorded, or its outcome. */
function LastSyncStatus({ last, isAdmin }: { last: LastSync; isAdmin: boolean }) {
  const { savedAt, sync } = last;
  if (!savedAt) {
    return (
      <EmptyState title="Last sync: never">
        No settings saved yet — not in Open WebUI, not here, not with a token. Save an OpenRouter connection (in Open WebUI's Settings → Connections or
        below) to sync your organisation.
      </EmptyState>
    );
  }
  if (!sync) {
    return (
      <Notice tone="warning">
        <strong>Last sync: not recorded.</strong> Your settings were saved {when(savedAt)}, but the outcome of that save's sync is not known (it may
        still be running). Refresh in a moment; if it stays so, save again to sync.
      </Notice>
    );
  }
  return (
    <Notice tone={SYNC_TONE[sync.status]}>
      <strong>
        Last sync: {OUTCOME_WORDS[sync.status]}, {when(sync.at)}, {CHANNEL_WORDS[sync.channel]}.
      </strong>{" "}
      {sync.message}
      {sync.keyHint ? (
        <>
          {" "}
          Key <code>{sync.keyHint}</code>.
        </>
      ) : null}
      {sync.organizationId && isAdmin ? (
        <>
          {" "}
          <Link to="/organizations" search={{ org: sync.organizationId }}>
            View the organisation
          </Link>
        </>
      ) : null}
      {sync.status === "failed" ? (
        <>
          {" "}
          <strong>What to do:</strong> your settings are saved; fix the problem and save again — in Open WebUI or on this page — to retry.
        </>
      ) : null}
    </Notice>
  );
}

let nextRowId = 1;

export default function Connections() {
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
        toast.show(openrouterSync.status === "failed" ? "Connections saved; the organisation sync failed" : "Connections saved", openrouterSync.status === "failed" ? "error" : "success");
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
      baseUrl: validateBaseUrl(url),
      apiKey: isMaskedKey(key) ? "Paste the whole key: a masked key cannot be saved." : null,
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
    { key: "url", header: "Base URL", cell: (r) => <span className="mono break-all">{r.baseUrl}</span> },
    {
      key: "key",
      header: "API key",
      cell: (r) =>
        r.newKey ? <span className="muted">New key (hidden; saved on Save)</span> : r.key ? <code>{r.key}</code> : <span className="muted">No key</span>,
    },
    {
      key: "enabled",
      header: "Enabled",
      cell: (r) => (
        <CheckboxField
          label={r.enabled ? "On" : "Off"}
          aria-label={`Enabled: ${r.baseUrl}`}
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
      header: "Actions",
      align: "right",
      cell: (r) => (
        <Button size="sm" variant="ghost" aria-label={`Remove ${r.baseUrl}`} onClick={() => (r.id.startsWith("new-") ? remove(r) : setRemoving(r))}>
          Remove
        </Button>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title="Connections"
        description={
          me.role === "org_admin" ? (
            <>
              The OpenAI-compatible connections of your chat client. Saving an enabled OpenRouter connection with your organisation's key (
              <code>sk-or-v1-…</code>) creates or updates your organisation automatically.
            </>
          ) : (
            "The OpenAI-compatible connections of your chat client (its Settings → Connections). Keys are stored encrypted and only ever shown masked."
          )
        }
      />
      <div className="stack">
        {sync ? <SyncNotice sync={sync} isAdmin={isAdmin} /> : null}
        <Card title="Last organisation sync" className="last-sync">
          {lastSync.error ? <ErrorNotice error={lastSync.error} onRetry={() => void lastSync.refetch()} /> : null}
          {lastSync.data ? <LastSyncStatus last={lastSync.data} isAdmin={isAdmin} /> : lastSync.isPending ? <Skeleton lines={1} /> : null}
        </Card>
        <Card title="Your connections">
          {settings.error ? <ErrorNotice error={settings.error} onRetry={() => void settings.refetch()} /> : null}
          {settings.data ? (
            rows.length ? (
              <DataTable rows={rows} columns={columns} rowKey={(r) => r.id} caption="Connections saved in your settings" />
            ) : (
              <EmptyState title="No connections yet">
                Add one below — for OpenRouter, the base URL <code>https://openrouter.ai/api/v1</code> and your <code>sk-or-v1-…</code> key — then save.
              </EmptyState>
            )
          ) : settings.isPending ? (
            <Skeleton lines={3} />
          ) : null}
          {settings.data ? (
            <div className="connections-actions">
              <MutationError error={save.error}>Not saved.</MutationError>
              {draft ? (
                <p className="field-hint" role="status">
                  You have unsaved changes.
                </p>
              ) : null}
              <FormActions label="Save" busy={save.isPending} onClick={submit} onDiscard={draft ? () => setDraft(null) : undefined} />
            </div>
          ) : null}
        </Card>
        <Card title="Add a connection">
          <form className="form" onSubmit={add} noValidate>
            <div className="form-row">
              <TextField
                label="Base URL"
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
                label="API key"
                type="password"
                placeholder="sk-or-v1-…"
                autoComplete="off"
                spellCheck={false}
                value={apiKey}
                error={addErrors.apiKey}
                hint="Leave empty for a server that needs no key."
                onChange={(e) => setApiKey(e.target.value)}
              />
            </div>
            <FormActions label="Add connection" variant="secondary" disabled={!settings.data} hint="The connection is stored when you save." />
          </form>
        </Card>
      </div>
      <ConfirmDialog
        open={removing !== null}
        title="Remove this connection?"
        confirmLabel="Remove"
        onConfirm={() => removing && remove(removing)}
        onClose={() => setRemoving(null)}
      >
        <p>
          <span className="mono break-all">{removing?.baseUrl}</span> and its key are deleted from your settings when you save. Until then, “Discard changes” brings
          it back.
        </p>
      </ConfirmDialog>
    </>
  );
}
