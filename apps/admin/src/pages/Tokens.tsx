// Personal API tokens: what a chat client uses to reach the proxy as this user. A new token is
// shown once, right after creation (only its hash is stored); tokens can be revoked. A token is for
// chat (the proxy, one's own settings and usage); an administrator may instead create a manage
// token, which also does what they can do here (scopes: @mai/domain TOKEN_SCOPES). The proxy's
// base URL to paste next to it comes from the deployment (MAI_PROXY_PUBLIC_URL, served in
// index.html as <meta name="mai-proxy-url">), else the build's VITE_MAI_PROXY_URL, else the proxy's
// default port on this host.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Button } from "../components/Button";
import { CopyButton, SecretOnce } from "../components/CopyButton";
import { DataTable, type Column } from "../components/DataTable";
import { ConfirmDialog } from "../components/Dialog";
import { Badge, EmptyState, ErrorNotice, Skeleton } from "../components/Feedback";
import { SelectField, TextField } from "../components/Field";
import { FormActions } from "../components/FormActions";
import { MutationError } from "../components/MutationError";
import { Card, PageHeader } from "../components/Page";
import { useToast } from "../components/Toast";
import { isTokenLifetime, MAX_LENGTH, TOKEN_DAYS } from "../lib/checks";
import { dateTime } from "../lib/format";
import { useMe, type RouterOutputs } from "../session";
import { trpc } from "../trpc";

type Token = RouterOutputs["auth"]["listTokens"][number];
type TokenStatus = "active" | "revoked" | "expired";
type Scope = Token["scope"];

/** What each scope lets a token do, in one sentence (the form's hint and the list's tooltip). */
const SCOPE_MEANING: Record<Scope, string> = {
  chat: "Chat: the proxy, your own settings and your own usage — what a chat client needs, and all a leaked token gives away.",
  manage:
    "Manage: also everything you can do in this dashboard, for your scripts and automation. Keep it like a password; it cannot create other tokens.",
};
const SCOPE_OPTIONS = [
  { value: "chat", label: "Chat (for chat clients)" },
  { value: "manage", label: "Manage (chat and administration)" },
] as const;

/** The proxy's default port (apps/proxy/src/env.ts, MAI_PROXY_PORT). */
const DEFAULT_PROXY_PORT = 8788;

function proxyBaseUrl(): { url: string; assumed: boolean } {
  const fromPage = document.querySelector<HTMLMetaElement>('meta[name="mai-proxy-url"]')?.content.trim();
  if (fromPage) return { url: fromPage, assumed: false };
  const fromBuild = (import.meta.env.VITE_MAI_PROXY_URL as string | undefined)?.trim();
  if (fromBuild) return { url: fromBuild, assumed: false };
  return { url: `${window.location.protocol}//${window.location.hostname}:${DEFAULT_PROXY_PORT}/v1`, assumed: true };
}

function statusOf(token: Token, now: number): TokenStatus {
  if (token.revokedAt) return "revoked";
  if (token.expiresAt && token.expiresAt.getTime() <= now) return "expired";
  return "active";
}

const STATUS_TONE = { active: "success", revoked: "neutral", expired: "warning" } as const;
const STATUS_ORDER = { active: 0, expired: 1, revoked: 2 } as const;

function ConnectClient() {
  const [{ url, assumed }] = useState(proxyBaseUrl);
  return (
    <Card title="Connect a chat client">
      <div className="secret-row">
        <code aria-label="Proxy base URL">{url}</code>
        <CopyButton value={url} label="Copy URL" />
      </div>
      {assumed ? (
        <p className="field-hint">
          The proxy's address is not configured for this dashboard; this assumes its default port {DEFAULT_PROXY_PORT} on this host. Ask your provider if it
          differs.
        </p>
      ) : null}
      <ol className="steps">
        <li>Create a token below and copy it (it is shown only once).</li>
        <li>
          In Open WebUI, open <strong>Settings → Connections</strong> and add a direct connection.
        </li>
        <li>Paste the URL above as the base URL and the token as the key, then save.</li>
      </ol>
      <p className="field-hint">Every request made with the token is counted as yours and against your organisation's monthly limit.</p>
    </Card>
  );
}

export default function Tokens() {
  const me = useMe();
  // Only administrators may hold a manage token (the API refuses it to members).
  const mayManage = me.role !== "member";
  const queryClient = useQueryClient();
  const toast = useToast();
  const tokens = useQuery(trpc.auth.listTokens.queryOptions());
  // Statuses are judged against the time the list arrived, so a render never depends on the clock.
  const now = tokens.dataUpdatedAt;

  const [name, setName] = useState("");
  const [days, setDays] = useState("");
  const [scope, setScope] = useState<Scope>("chat");
  const [formErrors, setFormErrors] = useState<{ name?: string | null; days?: string | null }>({});
  const [revoking, setRevoking] = useState<Token | null>(null);

  const create = useMutation(
    trpc.auth.createToken.mutationOptions({
      onSuccess: async (created) => {
        setName("");
        setDays("");
        setScope("chat");
        toast.show(`Token “${created.name}” created`);
        await queryClient.invalidateQueries(trpc.auth.listTokens.pathFilter());
      },
    }),
  );
  const revoke = useMutation(
    trpc.auth.revokeToken.mutationOptions({
      onSuccess: async () => {
        toast.show(`Token “${revoking?.name ?? ""}” revoked`);
        setRevoking(null);
        await queryClient.invalidateQueries(trpc.auth.listTokens.pathFilter());
      },
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    const expiresInDays = days.trim() === "" ? undefined : Number(days);
    const errors = {
      name: trimmed
        ? trimmed.length > MAX_LENGTH.tokenName
          ? `At most ${MAX_LENGTH.tokenName} characters.`
          : null
        : "Name the token after where it is used, e.g. “Open WebUI laptop”.",
      days:
        expiresInDays === undefined || isTokenLifetime(expiresInDays)
          ? null
          : `A whole number of days from ${TOKEN_DAYS.min} to ${TOKEN_DAYS.max}, or empty for no expiry.`,
    };
    setFormErrors(errors);
    if (errors.name || errors.days) return;
    create.mutate({ name: trimmed, scope: mayManage ? scope : "chat", ...(expiresInDays !== undefined ? { expiresInDays } : {}) });
  };

  const columns: Column<Token>[] = [
    { key: "name", header: "Name", cell: (t) => t.name, sortValue: (t) => t.name.toLowerCase() },
    { key: "prefix", header: "Prefix", cell: (t) => <code>{t.prefix}…</code> },
    {
      key: "scope",
      header: "Scope",
      cell: (t) => (
        <span title={SCOPE_MEANING[t.scope]}>
          <Badge tone={t.scope === "manage" ? "warning" : "neutral"}>{t.scope}</Badge>
        </span>
      ),
      sortValue: (t) => t.scope,
    },
    { key: "created", header: "Created", cell: (t) => dateTime(t.createdAt), sortValue: (t) => t.createdAt.getTime() },
    {
      key: "lastUsed",
      header: "Last used",
      cell: (t) => (t.lastUsedAt ? dateTime(t.lastUsedAt) : <span className="muted">Never</span>),
      sortValue: (t) => t.lastUsedAt?.getTime() ?? null,
    },
    {
      key: "expires",
      header: "Expires",
      cell: (t) => (t.expiresAt ? dateTime(t.expiresAt) : <span className="muted">Never</span>),
      sortValue: (t) => t.expiresAt?.getTime() ?? null,
    },
    {
      key: "status",
      header: "Status",
      cell: (t) => {
        const status = statusOf(t, now);
        return <Badge tone={STATUS_TONE[status]}>{status}</Badge>;
      },
      sortValue: (t) => STATUS_ORDER[statusOf(t, now)],
    },
    {
      key: "actions",
      header: "Actions",
      align: "right",
      cell: (t) =>
        statusOf(t, now) === "active" ? (
          <Button
            size="sm"
            variant="ghost"
            aria-label={`Revoke ${t.name}`}
            onClick={() => {
              revoke.reset();
              setRevoking(t);
            }}
          >
            Revoke
          </Button>
        ) : null,
    },
  ];

  return (
    <>
      <PageHeader title="API tokens" description="Personal tokens that let a chat client use the gateway as you. Each one can be revoked on its own." />
      <div className="stack">
        <div className="grid grid-2">
          <Card title="Create a token">
            {create.data ? (
              <div className="stack">
                <p style={{ margin: 0 }}>
                  {create.data.scope === "manage" ? "Manage token" : "Token"} <strong>{create.data.name}</strong> created
                  {create.data.expiresAt ? `, valid until ${dateTime(create.data.expiresAt)}` : ", with no expiry"}.
                </p>
                <SecretOnce label="API token" value={create.data.token} />
                <FormActions label="Done, I have copied it" onClick={() => create.reset()} />
              </div>
            ) : (
              <form className="form" onSubmit={submit} noValidate>
                <MutationError error={create.error}>The token was not created.</MutationError>
                <TextField
                  label="Token name"
                  required
                  maxLength={MAX_LENGTH.tokenName}
                  placeholder="Open WebUI laptop"
                  value={name}
                  error={formErrors.name}
                  onChange={(e) => setName(e.target.value)}
                />
                <TextField
                  label="Expires in (days)"
                  type="number"
                  inputMode="numeric"
                  min={TOKEN_DAYS.min}
                  max={TOKEN_DAYS.max}
                  step={1}
                  value={days}
                  error={formErrors.days}
                  hint="Optional. Leave empty for a token that does not expire."
                  onChange={(e) => setDays(e.target.value)}
                />
                {mayManage ? (
                  <SelectField
                    label="What the token may do"
                    options={SCOPE_OPTIONS}
                    value={scope}
                    hint={SCOPE_MEANING[scope]}
                    onChange={(e) => setScope(e.target.value === "manage" ? "manage" : "chat")}
                  />
                ) : null}
                <FormActions label="Create token" busy={create.isPending} />
              </form>
            )}
          </Card>
          <ConnectClient />
        </div>
        <Card title="Your tokens">
          {tokens.error ? <ErrorNotice error={tokens.error} onRetry={() => void tokens.refetch()} /> : null}
          {tokens.data ? (
            tokens.data.length ? (
              <DataTable
                rows={tokens.data}
                columns={columns}
                rowKey={(t) => t.id}
                caption="Your API tokens"
                initialSort={{ key: "created", direction: "desc" }}
              />
            ) : (
              <EmptyState title="No API tokens yet">Create one above, then paste it with the proxy URL into your chat client.</EmptyState>
            )
          ) : tokens.isPending ? (
            <Skeleton lines={3} />
          ) : null}
        </Card>
      </div>
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke “${revoking?.name ?? ""}”?`}
        confirmLabel="Revoke token"
        busy={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate({ id: revoking.id })}
        onClose={() => setRevoking(null)}
      >
        <MutationError error={revoke.error} />
        <p>
          Chat clients using the token <code>{revoking?.prefix}…</code> stop working within a minute. This cannot be undone; create a new token to reconnect.
        </p>
      </ConfirmDialog>
    </>
  );
}
