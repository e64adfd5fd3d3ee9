// Personal API tokens: what a chat client uses to reach the proxy as this user. A new token is
// shown once, right after creation (only its hash is stored); tokens can be revoked. A token is for
// chat (the proxy, one's own settings and usage); an administrator may instead create a manage
// token, which also does what they can do here (scopes: @mai/domain TOKEN_SCOPES). The proxy's
// base URL to paste next to it comes from the deployment (MAI_PROXY_PUBLIC_URL, served in
// index.html as <meta name="mai-proxy-url">), else the build's VITE_MAI_PROXY_URL, else the proxy's
// default port on this host.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Trans, useTranslation } from "react-i18next";
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

// What each scope lets a token do, in one sentence (the form's hint and the list's tooltip): the
// messages' scopeMeaning.<scope>; the select's options: scopeOption.<scope>.
const SCOPES = ["chat", "manage"] as const satisfies readonly Scope[];

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
  const { t } = useTranslation("tokens");
  const [{ url, assumed }] = useState(proxyBaseUrl);
  return (
    <Card title={t("connect.title")}>
      <div className="secret-row">
        <code aria-label={t("connect.urlLabel")}>{url}</code>
        <CopyButton value={url} label={t("connect.copyUrl")} />
      </div>
      {assumed ? <p className="field-hint">{t("connect.assumed", { port: DEFAULT_PROXY_PORT })}</p> : null}
      <ol className="steps">
        <li>{t("connect.step1")}</li>
        <li>
          <Trans t={t} i18nKey="connect.step2" components={{ b: <strong /> }} />
        </li>
        <li>{t("connect.step3")}</li>
      </ol>
      <p className="field-hint">{t("connect.counted")}</p>
    </Card>
  );
}

export default function Tokens() {
  const { t } = useTranslation("tokens");
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
        toast.show(t("create.created", { name: created.name }));
        await queryClient.invalidateQueries(trpc.auth.listTokens.pathFilter());
      },
    }),
  );
  const revoke = useMutation(
    trpc.auth.revokeToken.mutationOptions({
      onSuccess: async () => {
        toast.show(t("revoke.done", { name: revoking?.name ?? "" }));
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
          ? t("create.nameTooLong", { count: MAX_LENGTH.tokenName })
          : null
        : t("create.nameMissing"),
      days:
        expiresInDays === undefined || isTokenLifetime(expiresInDays)
          ? null
          : t("create.daysInvalid", { min: TOKEN_DAYS.min, max: TOKEN_DAYS.max }),
    };
    setFormErrors(errors);
    if (errors.name || errors.days) return;
    create.mutate({ name: trimmed, scope: mayManage ? scope : "chat", ...(expiresInDays !== undefined ? { expiresInDays } : {}) });
  };

  const columns: Column<Token>[] = [
    { key: "name", header: t("list.name"), cell: (token) => token.name, sortValue: (token) => token.name.toLowerCase() },
    { key: "prefix", header: t("list.prefix"), cell: (token) => <code>{token.prefix}…</code> },
    {
      key: "scope",
      header: t("list.scope"),
      cell: (token) => (
        <span title={t(`scopeMeaning.${token.scope}`)}>
          <Badge tone={token.scope === "manage" ? "warning" : "neutral"}>{t(`scope.${token.scope}`)}</Badge>
        </span>
      ),
      sortValue: (token) => token.scope,
    },
    { key: "created", header: t("list.created"), cell: (token) => dateTime(token.createdAt), sortValue: (token) => token.createdAt.getTime() },
    {
      key: "lastUsed",
      header: t("list.lastUsed"),
      cell: (token) => (token.lastUsedAt ? dateTime(token.lastUsedAt) : <span className="muted">{t("list.never")}</span>),
      sortValue: (token) => token.lastUsedAt?.getTime() ?? null,
    },
    {
      key: "expires",
      header: t("list.expires"),
      cell: (token) => (token.expiresAt ? dateTime(token.expiresAt) : <span className="muted">{t("list.never")}</span>),
      sortValue: (token) => token.expiresAt?.getTime() ?? null,
    },
    {
      key: "status",
      header: t("list.status"),
      cell: (token) => {
        const status = statusOf(token, now);
        return <Badge tone={STATUS_TONE[status]}>{t(`status.${status}`)}</Badge>;
      },
      sortValue: (token) => STATUS_ORDER[statusOf(token, now)],
    },
    {
      key: "actions",
      header: t("list.actions"),
      align: "right",
      cell: (token) =>
        statusOf(token, now) === "active" ? (
          <Button
            size="sm"
            variant="ghost"
            aria-label={t("list.revokeLabel", { name: token.name })}
            onClick={() => {
              revoke.reset();
              setRevoking(token);
            }}
          >
            {t("list.revoke")}
          </Button>
        ) : null,
    },
  ];

  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <div className="stack">
        <div className="grid grid-2">
          <Card title={t("create.title")}>
            {create.data ? (
              <div className="stack">
                <p style={{ margin: 0 }}>
                  <Trans
                    t={t}
                    i18nKey={
                      create.data.scope === "manage"
                        ? create.data.expiresAt
                          ? "create.createdManageUntil"
                          : "create.createdManageNoExpiry"
                        : create.data.expiresAt
                          ? "create.createdUntil"
                          : "create.createdNoExpiry"
                    }
                    values={{ name: create.data.name, date: create.data.expiresAt ? dateTime(create.data.expiresAt) : "" }}
                    components={{ b: <strong /> }}
                  />
                </p>
                <SecretOnce label={t("create.secretLabel")} value={create.data.token} />
                <FormActions label={t("create.done")} onClick={() => create.reset()} />
              </div>
            ) : (
              <form className="form" onSubmit={submit} noValidate>
                <MutationError error={create.error}>{t("create.failed")}</MutationError>
                <TextField
                  label={t("create.name")}
                  required
                  maxLength={MAX_LENGTH.tokenName}
                  placeholder={t("create.namePlaceholder")}
                  value={name}
                  error={formErrors.name}
                  onChange={(e) => setName(e.target.value)}
                />
                <TextField
                  label={t("create.days")}
                  type="number"
                  inputMode="numeric"
                  min={TOKEN_DAYS.min}
                  max={TOKEN_DAYS.max}
                  step={1}
                  value={days}
                  error={formErrors.days}
                  hint={t("create.daysHint")}
                  onChange={(e) => setDays(e.target.value)}
                />
                {mayManage ? (
                  <SelectField
                    label={t("create.scope")}
                    options={SCOPES.map((value) => ({ value, label: t(`scopeOption.${value}`) }))}
                    value={scope}
                    hint={t(`scopeMeaning.${scope}`)}
                    onChange={(e) => setScope(e.target.value === "manage" ? "manage" : "chat")}
                  />
                ) : null}
                <FormActions label={t("create.submit")} busy={create.isPending} />
              </form>
            )}
          </Card>
          <ConnectClient />
        </div>
        <Card title={t("list.title")}>
          {tokens.error ? <ErrorNotice error={tokens.error} onRetry={() => void tokens.refetch()} /> : null}
          {tokens.data ? (
            tokens.data.length ? (
              <DataTable
                rows={tokens.data}
                columns={columns}
                rowKey={(t) => t.id}
                caption={t("list.caption")}
                initialSort={{ key: "created", direction: "desc" }}
              />
            ) : (
              <EmptyState title={t("list.empty")}>{t("list.emptyBody")}</EmptyState>
            )
          ) : tokens.isPending ? (
            <Skeleton lines={3} />
          ) : null}
        </Card>
      </div>
      <ConfirmDialog
        open={revoking !== null}
        title={t("revoke.title", { name: revoking?.name ?? "" })}
        confirmLabel={t("revoke.confirm")}
        busy={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate({ id: revoking.id })}
        onClose={() => setRevoking(null)}
      >
        <MutationError error={revoke.error} />
        <p>
          <Trans t={t} i18nKey="revoke.body" values={{ prefix: revoking?.prefix ?? "" }} components={{ code: <code /> }} />
        </p>
      </ConfirmDialog>
    </>
  );
}
