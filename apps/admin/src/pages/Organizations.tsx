// Client organisations. The provider sees all of them in a sortable table and manages them: create
// (a dedicated OpenRouter key is minted and shown once, or the client's own key is attached), edit,
// rotate a provisioned key (shown once), set a client key, deactivate (the upstream key is disabled
// too). A client administrator sees their own organisation and may change only its billing e-mail.
// Money is bigint nano-USD throughout: typed amounts are checked with the domain's exact decimal
// parsers and sent as text; figures are formatted only by lib/format.
import { markupFromMultiplier, nanoToUsdString, usdToNano } from "@mai/domain/money";
import { validateOpenRouterKey } from "@mai/domain/keys";
import { evaluateMonthlyLimit } from "@mai/domain/monthly-limit";
import { useIsMutating, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { Button } from "../components/Button";
import { SecretOnce } from "../components/CopyButton";
import { DataTable, type Column } from "../components/DataTable";
import { ConfirmDialog, Dialog } from "../components/Dialog";
import { Badge, EmptyState, ErrorNotice, Notice, Skeleton } from "../components/Feedback";
import { CheckboxField, TextField } from "../components/Field";
import { Card, PageHeader } from "../components/Page";
import { useToast } from "../components/Toast";
import { errorMessage } from "../lib/errors";
import { count, dateTime, money, percent } from "../lib/format";
import { useMe, useOrgScope, type Organization } from "../session";
import { isEmailAddress } from "../lib/validate";
import { trpc } from "../trpc";

// ---------------------------------------------------------------------------------------------
// Shared bits

/** The domain's verdict on a pasted key (the same rule and words as the API's), or null when it is fine. */
function keyProblem(key: string): string | null {
  const check = validateOpenRouterKey(key);
  return check.ok ? null : check.message;
}

/** "12.3 % of the limit", coloured by the domain's limit level (amber from 80 %, red once spent). */
function UsedOfLimit({ organization: o }: { organization: Organization }) {
  const { usedBp, level } = evaluateMonthlyLimit({ spentNano: o.monthToDateNano, reservedNano: 0n, requestNano: 0n, limitNano: o.monthlyLimitNano });
  return <span className={`org-used org-used-${level}`}>{percent(usedBp / 100)} of the limit</span>;
}

function StatusBadge({ organization }: { organization: Organization }) {
  return organization.active ? (
    <Badge tone="success">active</Badge>
  ) : (
    <span title={organization.deactivatedAt ? `Deactivated ${dateTime(organization.deactivatedAt)}` : undefined}>
      <Badge tone="neutral">inactive</Badge>
    </span>
  );
}

function KeyCell({ organization }: { organization: Organization }) {
  if (!organization.keyHint) return <span className="muted">No key yet</span>;
  return (
    <div className="org-key">
      <code>{organization.keyHint}</code>
      <span className="muted">{organization.keySource ?? "unknown source"}</span>
    </div>
  );
}

/** "1.3" (or "1.3×") → "1.3", else the reason it is refused. Empty input is the caller's business. */
function checkMarkup(text: string): { value: string } | { error: string } {
  const value = text.trim().replace(/\s*[×xX]$/, "");
  try {
    markupFromMultiplier(value);
    return { value };
  } catch (error) {
    return { error: error instanceof Error ? error.message : "Enter a multiplier such as 1.3." };
  }
}

/** "250" / "99.50" → the same text and its exact nano-USD, else the reason it is refused. */
function checkUsd(text: string): { value: string; nano: bigint } | { error: string } {
  const value = text.trim().replace(/^\$\s*/, "");
  let nano: bigint;
  try {
    nano = usdToNano(value);
  } catch {
    return { error: "Enter an amount in US dollars such as 250 or 99.50 (no thousands separators)." };
  }
  if (nano < 0n) return { error: "The monthly limit cannot be negative." };
  return { value, nano };
}

function checkEmail(text: string): string | null {
  const value = text.trim();
  if (!value) return null;
  return isEmailAddress(value) ? null : "Enter an e-mail address such as billing@example.com, or leave it empty.";
}

const nameId = (o: Organization) => `org-name-${o.id}`;

// ---------------------------------------------------------------------------------------------
// Provider: create

interface CreateForm {
  name: string;
  billingEmail: string;
  monthlyLimitUsd: string;
  markup: string;
  provisionKey: boolean;
  key: string;
}
const EMPTY_CREATE: CreateForm = { name: "", billingEmail: "", monthlyLimitUsd: "", markup: "", provisionKey: true, key: "" };

function CreateOrganizationForm({ onDone }: { onDone: () => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [form, setForm] = useState<CreateForm>(EMPTY_CREATE);
  const [errors, setErrors] = useState<Partial<Record<keyof CreateForm, string | null>>>({});
  const defaults = useQuery(trpc.userMapping.configuration.queryOptions());
  const create = useMutation(
    trpc.organizations.create.mutationOptions({
      onSuccess: async (result) => {
        toast.show(`Organisation “${result.organization.name}” created`);
        if (!result.provisionedKey) onDone();
        await queryClient.invalidateQueries(trpc.organizations.pathFilter());
      },
    }),
  );
  const set = <K extends keyof CreateForm>(field: K, value: CreateForm[K]) => setForm((f) => ({ ...f, [field]: value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const name = form.name.trim();
    const limit = form.monthlyLimitUsd.trim() ? checkUsd(form.monthlyLimitUsd) : null;
    const markup = form.markup.trim() ? checkMarkup(form.markup) : null;
    const key = form.key.trim();
    const next = {
      name: name ? (name.length > 200 ? "At most 200 characters." : null) : "Name the organisation, e.g. the client's company name.",
      billingEmail: checkEmail(form.billingEmail),
      monthlyLimitUsd: limit && "error" in limit ? limit.error : null,
      markup: markup && "error" in markup ? markup.error : null,
      key: !form.provisionKey && key ? keyProblem(key) : null,
    };
    setErrors(next);
    if (Object.values(next).some(Boolean)) return;
    create.mutate({
      name,
      billingEmail: form.billingEmail.trim() || null,
      ...(limit && "value" in limit ? { monthlyLimitUsd: limit.value } : {}),
      ...(markup && "value" in markup ? { markup: markup.value } : {}),
      provisionKey: form.provisionKey,
      ...(!form.provisionKey && key ? { key } : {}),
    });
  };

  if (create.data?.provisionedKey) {
    const { organization, provisionedKey } = create.data;
    return (
      <div className="stack">
        <Notice tone="success">
          <strong>{organization.name}</strong> was created with a dedicated OpenRouter key limited to {money(organization.monthlyLimitNano)} a month.
        </Notice>
        <SecretOnce label="OpenRouter key" value={provisionedKey} />
        <p className="field-hint">
          Hand it to the client's administrator over a safe channel: they save it under Connections, which links their account to this organisation. If it is
          lost, rotate the key.
        </p>
        <div className="form-actions">
          <Button variant="primary" onClick={onDone}>
            Done
          </Button>
        </div>
      </div>
    );
  }

  const d = defaults.data;
  return (
    <form className="form" onSubmit={submit} noValidate>
      {create.error ? (
        <p className="notice notice-error" role="alert">
          The organisation was not created. {errorMessage(create.error)}
        </p>
      ) : null}
      <TextField label="Name" required maxLength={200} autoComplete="off" value={form.name} error={errors.name} onChange={(e) => set("name", e.target.value)} autoFocus />
      <TextField
        label="Billing e-mail"
        type="email"
        autoComplete="off"
        value={form.billingEmail}
        error={errors.billingEmail}
        hint="Optional. Where the client's statements go."
        onChange={(e) => set("billingEmail", e.target.value)}
      />
      <div className="form-row org-form-row">
        <TextField
          label="Monthly limit (USD)"
          inputMode="decimal"
          autoComplete="off"
          placeholder={d ? nanoToUsdString(d.defaultMonthlyLimitNano) : "1000"}
          value={form.monthlyLimitUsd}
          error={errors.monthlyLimitUsd}
          hint={d ? `Empty: the default, ${money(d.defaultMonthlyLimitNano)}.` : "Empty: the default limit."}
          onChange={(e) => set("monthlyLimitUsd", e.target.value)}
        />
        <TextField
          label="Markup"
          inputMode="decimal"
          autoComplete="off"
          placeholder={d ? d.defaultMarkup : "1.3"}
          value={form.markup}
          error={errors.markup}
          hint={d ? `Multiplier of the OpenRouter cost. Empty: the default, ${d.defaultMarkup}×.` : "Multiplier of the OpenRouter cost, e.g. 1.3. Empty: the default."}
          onChange={(e) => set("markup", e.target.value)}
        />
      </div>
      <CheckboxField
        label="Provision a dedicated OpenRouter key"
        checked={form.provisionKey}
        onChange={(e) => set("provisionKey", e.target.checked)}
        hint={
          <>
            Minted with the provisioning key from <Link to="/settings">Settings</Link>, limited upstream to the monthly limit, and shown here once.
          </>
        }
      />
      {form.provisionKey ? null : (
        <TextField
          label="OpenRouter key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="sk-or-v1-…"
          value={form.key}
          error={errors.key}
          hint="Optional: the client's own key. Without one, the client's administrator adds it later under Connections."
          onChange={(e) => set("key", e.target.value)}
        />
      )}
      <div className="form-actions">
        <Button onClick={onDone} disabled={create.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" busy={create.isPending}>
          Create organisation
        </Button>
      </div>
    </form>
  );
}

// ---------------------------------------------------------------------------------------------
// Provider: edit

function EditOrganizationForm({ organization: o, onDone }: { organization: Organization; onDone: () => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [name, setName] = useState(o.name);
  const [billingEmail, setBillingEmail] = useState(o.billingEmail ?? "");
  const [markup, setMarkup] = useState(o.markup);
  const [limit, setLimit] = useState(nanoToUsdString(o.monthlyLimitNano));
  const [active, setActive] = useState(o.active);
  const [errors, setErrors] = useState<Record<string, string | null>>({});
  const update = useMutation(
    trpc.organizations.update.mutationOptions({
      onSuccess: async (saved) => {
        toast.show(`Organisation “${saved.name}” saved`);
        onDone();
        await queryClient.invalidateQueries(trpc.organizations.pathFilter());
      },
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmedName = name.trim();
    const markupCheck = markup.trim() ? checkMarkup(markup) : { error: "Enter a multiplier such as 1.3 (1 = no markup)." };
    const limitCheck = limit.trim() ? checkUsd(limit) : { error: "Enter the monthly limit in US dollars, e.g. 250." };
    const next = {
      name: trimmedName ? (trimmedName.length > 200 ? "At most 200 characters." : null) : "The organisation needs a name.",
      billingEmail: checkEmail(billingEmail),
      markup: "error" in markupCheck ? markupCheck.error : null,
      limit: "error" in limitCheck ? limitCheck.error : null,
    };
    setErrors(next);
    if (Object.values(next).some(Boolean) || "error" in markupCheck || "error" in limitCheck) return;

    // Only what changed: a limit or name change also updates a provisioned key upstream.
    const email = billingEmail.trim() || null;
    const patch = {
      ...(trimmedName !== o.name ? { name: trimmedName } : {}),
      ...(email !== o.billingEmail ? { billingEmail: email } : {}),
      ...(markupFromMultiplier(markupCheck.value) !== o.markupBp ? { markup: markupCheck.value } : {}),
      ...(limitCheck.nano !== o.monthlyLimitNano ? { monthlyLimitUsd: limitCheck.value } : {}),
      ...(active !== o.active ? { active } : {}),
    };
    if (Object.keys(patch).length === 0) {
      toast.show("Nothing changed", "info");
      onDone();
      return;
    }
    update.mutate({ organizationId: o.id, ...patch });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      {update.error ? (
        <p className="notice notice-error" role="alert">
          Nothing was saved. {errorMessage(update.error)}
        </p>
      ) : null}
      <TextField label="Name" required maxLength={200} autoComplete="off" value={name} error={errors.name} onChange={(e) => setName(e.target.value)} />
      <TextField
        label="Billing e-mail"
        type="email"
        autoComplete="off"
        value={billingEmail}
        error={errors.billingEmail}
        hint="Empty removes it."
        onChange={(e) => setBillingEmail(e.target.value)}
      />
      <div className="form-row org-form-row">
        <TextField
          label="Markup"
          inputMode="decimal"
          autoComplete="off"
          value={markup}
          error={errors.markup}
          hint="Multiplier of the OpenRouter cost; applies to requests from now on."
          onChange={(e) => setMarkup(e.target.value)}
        />
        <TextField
          label="Monthly limit (USD)"
          inputMode="decimal"
          autoComplete="off"
          value={limit}
          error={errors.limit}
          hint={o.provisioned ? "The dedicated key's OpenRouter limit follows." : `Spent this month: ${money(o.monthToDateNano)}.`}
          onChange={(e) => setLimit(e.target.value)}
        />
      </div>
      <CheckboxField
        label="Active"
        checked={active}
        onChange={(e) => setActive(e.target.checked)}
        hint="An inactive organisation's chat requests are refused."
      />
      {o.active && !active ? (
        <Notice tone="warning">
          Saving deactivates {o.name}: its members' requests are refused{o.provisioned ? " and its dedicated key is disabled on OpenRouter" : ""}.
        </Notice>
      ) : null}
      <div className="form-actions">
        <Button onClick={onDone} disabled={update.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" busy={update.isPending}>
          Save
        </Button>
      </div>
    </form>
  );
}

// ---------------------------------------------------------------------------------------------
// Provider: set a client key

function SetKeyForm({ organization: o, onDone }: { organization: Organization; onDone: () => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [key, setKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const setClientKey = useMutation(
    trpc.organizations.setKey.mutationOptions({
      onSuccess: async (result) => {
        setKey("");
        toast.show(result.status === "updated" ? `Key saved for “${result.organization.name}”` : "No change: the key was already attached", "info");
        await queryClient.invalidateQueries(trpc.organizations.pathFilter());
      },
    }),
  );

  if (setClientKey.data) {
    const { status, organization, previousKeyDeleted } = setClientKey.data;
    return (
      <div className="stack">
        {status === "updated" ? (
          <Notice tone="success">
            Updated: {organization.name} now uses <code>{organization.keyHint}</code>.
          </Notice>
        ) : (
          <Notice tone="info">Unchanged: {organization.name} already uses this key.</Notice>
        )}
        {previousKeyDeleted === true ? <p className="field-hint">The previous dedicated key was deleted on OpenRouter.</p> : null}
        {previousKeyDeleted === false ? (
          <Notice tone="warning">The previous dedicated key could not be deleted on OpenRouter: delete it in the OpenRouter dashboard.</Notice>
        ) : null}
        <div className="form-actions">
          <Button variant="primary" onClick={onDone}>
            Done
          </Button>
        </div>
      </div>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = key.trim();
    const problem = !trimmed ? "Paste the client's OpenRouter key." : keyProblem(trimmed);
    setError(problem);
    if (problem) return;
    setClientKey.mutate({ organizationId: o.id, key: trimmed });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      {setClientKey.error ? (
        <p className="notice notice-error" role="alert">
          The key was not saved. {errorMessage(setClientKey.error)}
        </p>
      ) : null}
      <p style={{ margin: 0 }}>
        {o.keyHint ? (
          <>
            {o.name} uses <code>{o.keyHint}</code> ({o.keySource ?? "unknown source"}) now.
          </>
        ) : (
          <>{o.name} has no key yet.</>
        )}{" "}
        {o.provisioned ? "Its dedicated key is deleted on OpenRouter once the new one is saved." : null}
      </p>
      <TextField
        label="OpenRouter key"
        type="password"
        autoComplete="off"
        spellCheck={false}
        placeholder="sk-or-v1-…"
        required
        value={key}
        error={error}
        hint="The client's own key. It is stored encrypted and shown only masked."
        onChange={(e) => setKey(e.target.value)}
        autoFocus
      />
      <div className="form-actions">
        <Button onClick={onDone} disabled={setClientKey.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" busy={setClientKey.isPending}>
          Set key
        </Button>
      </div>
    </form>
  );
}

// ---------------------------------------------------------------------------------------------
// Provider: the table and its actions

function ProviderOrganizations() {
  const queryClient = useQueryClient();
  const toast = useToast();
  const scope = useOrgScope();
  const list = useQuery(trpc.organizations.list.queryOptions());

  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Organization | null>(null);
  const [settingKey, setSettingKey] = useState<Organization | null>(null);
  const [rotating, setRotating] = useState<Organization | null>(null);
  const [deactivating, setDeactivating] = useState<Organization | null>(null);

  // A dialog whose request is in flight stays open: a new key must not be lost by closing it early.
  const createBusy = useIsMutating({ mutationKey: trpc.organizations.create.mutationKey() }) > 0;
  const editBusy = useIsMutating({ mutationKey: trpc.organizations.update.mutationKey() }) > 0;
  const setKeyBusy = useIsMutating({ mutationKey: trpc.organizations.setKey.mutationKey() }) > 0;

  const rotate = useMutation(
    trpc.organizations.rotateKey.mutationOptions({
      onSuccess: async (result) => {
        toast.show(`New key for “${result.organization.name}”`);
        setRotating(null);
        await queryClient.invalidateQueries(trpc.organizations.pathFilter());
      },
    }),
  );
  const deactivate = useMutation(
    trpc.organizations.deactivate.mutationOptions({
      onSuccess: async (result) => {
        const name = result.organization.name;
        const upstream =
          result.upstreamKey === "disabled"
            ? "; its OpenRouter key is disabled"
            : result.upstreamKey === "missing"
              ? "; its key no longer existed on OpenRouter"
              : "";
        toast.show(`“${name}” deactivated${upstream}`);
        setDeactivating(null);
        await queryClient.invalidateQueries(trpc.organizations.pathFilter());
      },
    }),
  );

  const columns: Column<Organization>[] = [
    {
      key: "name",
      header: "Name",
      sortValue: (o) => o.name.toLowerCase(),
      cell: (o) => {
        const inScope = o.id === scope.organizationId;
        return (
          <div className="org-name">
            <span className="row">
              <button
                type="button"
                id={nameId(o)}
                className="link-button org-name-button"
                title={inScope ? "The organisation in scope on the other pages" : "Make this the organisation in scope on the other pages"}
                onClick={() => scope.select(o.id)}
              >
                {o.name}
              </button>
              {inScope ? <Badge tone="info">in scope</Badge> : null}
            </span>
            {o.billingEmail ? <span className="muted">{o.billingEmail}</span> : null}
          </div>
        );
      },
    },
    { key: "status", header: "Status", sortValue: (o) => (o.active ? 0 : 1), cell: (o) => <StatusBadge organization={o} /> },
    { key: "key", header: "Key", sortValue: (o) => o.keySource ?? null, cell: (o) => <KeyCell organization={o} /> },
    { key: "markup", header: "Markup", align: "right", sortValue: (o) => o.markupBp, cell: (o) => `${o.markup}×` },
    { key: "limit", header: "Monthly limit", align: "right", sortValue: (o) => o.monthlyLimitNano, cell: (o) => money(o.monthlyLimitNano) },
    {
      key: "spend",
      header: "Month to date",
      align: "right",
      sortValue: (o) => o.monthToDateNano,
      cell: (o) => (
        <div className="org-spend">
          <span>{money(o.monthToDateNano)}</span>
          <UsedOfLimit organization={o} />
        </div>
      ),
    },
    {
      key: "members",
      header: "Members",
      align: "right",
      sortValue: (o) => o.memberCount,
      cell: (o) => (
        <Link to="/members" search={{ org: o.id }} aria-describedby={nameId(o)} title="Show the members">
          {count(o.memberCount)}
        </Link>
      ),
    },
    {
      key: "actions",
      header: "Actions",
      align: "right",
      cell: (o) => (
        <div className="org-actions">
          <Button size="sm" variant="ghost" aria-describedby={nameId(o)} onClick={() => setEditing(o)}>
            Edit
          </Button>
          {o.provisioned ? (
            <Button
              size="sm"
              variant="ghost"
              aria-describedby={nameId(o)}
              onClick={() => {
                rotate.reset();
                setRotating(o);
              }}
            >
              Rotate key
            </Button>
          ) : null}
          <Button size="sm" variant="ghost" aria-describedby={nameId(o)} onClick={() => setSettingKey(o)}>
            Set key
          </Button>
          {o.active ? (
            <Button
              size="sm"
              variant="ghost"
              className="org-danger"
              aria-describedby={nameId(o)}
              onClick={() => {
                deactivate.reset();
                setDeactivating(o);
              }}
            >
              Deactivate
            </Button>
          ) : null}
        </div>
      ),
    },
  ];

  const rows = list.data ?? [];
  const active = rows.filter((o) => o.active).length;
  const period = rows[0]?.period;

  return (
    <>
      <PageHeader
        title="Organisations"
        description={
          list.data && rows.length
            ? `${count(rows.length)} client organisation${rows.length === 1 ? "" : "s"}, ${count(active)} active · spend for billing month ${period}. Select a name to make it the organisation in scope.`
            : "Client organisations: their OpenRouter key, markup, monthly limit and this month's spend."
        }
        actions={
          <Button variant="primary" onClick={() => setCreating(true)}>
            New organisation
          </Button>
        }
      />
      <Card>
        {list.error ? <ErrorNotice error={list.error} onRetry={() => void list.refetch()} /> : null}
        {list.data ? (
          rows.length ? (
            <div className="org-table">
              <DataTable rows={rows} columns={columns} rowKey={(o) => o.id} caption="Client organisations" initialSort={{ key: "name", direction: "asc" }} />
            </div>
          ) : (
            <EmptyState title="No organisations yet">
              Create the first client organisation with “New organisation”. With a provisioning key in <Link to="/settings">Settings</Link>, it gets a dedicated
              OpenRouter key at once; otherwise attach the client's own key.
            </EmptyState>
          )
        ) : list.isPending ? (
          <Skeleton lines={5} height="1.6rem" />
        ) : null}
      </Card>

      <Dialog open={creating} title="New organisation" wide onClose={() => !createBusy && setCreating(false)}>
        <CreateOrganizationForm onDone={() => setCreating(false)} />
      </Dialog>

      <Dialog open={editing !== null} title={`Edit “${editing?.name ?? ""}”`} wide onClose={() => !editBusy && setEditing(null)}>
        {editing ? <EditOrganizationForm key={editing.id} organization={editing} onDone={() => setEditing(null)} /> : null}
      </Dialog>

      <Dialog open={settingKey !== null} title={`Set the key of “${settingKey?.name ?? ""}”`} onClose={() => !setKeyBusy && setSettingKey(null)}>
        {settingKey ? <SetKeyForm key={settingKey.id} organization={settingKey} onDone={() => setSettingKey(null)} /> : null}
      </Dialog>

      <ConfirmDialog
        open={rotating !== null}
        title={`Rotate the key of “${rotating?.name ?? ""}”?`}
        confirmLabel="Rotate key"
        busy={rotate.isPending}
        onConfirm={() => rotating && rotate.mutate({ organizationId: rotating.id })}
        onClose={() => !rotate.isPending && setRotating(null)}
      >
        {rotate.error ? (
          <p className="notice notice-error" role="alert">
            The key was not rotated. {errorMessage(rotate.error)}
          </p>
        ) : null}
        <p>
          A new dedicated OpenRouter key is minted and used at once; the current key <code>{rotating?.keyHint}</code> is then deleted on OpenRouter. Anyone
          using it directly, such as the client's Open WebUI connection, needs the new key, which is shown only once.
        </p>
      </ConfirmDialog>

      <Dialog open={rotate.data !== undefined} title={`New key for “${rotate.data?.organization.name ?? ""}”`} onClose={() => rotate.reset()}>
        {rotate.data ? (
          <div className="stack">
            <SecretOnce label="OpenRouter key" value={rotate.data.provisionedKey} />
            {rotate.data.previousKeyDeleted === false ? (
              <Notice tone="warning">The previous key could not be deleted on OpenRouter: delete it in the OpenRouter dashboard.</Notice>
            ) : null}
            <p className="field-hint">Hand it to the client's administrator over a safe channel; they replace the old key under Connections.</p>
            <div className="form-actions">
              <Button variant="primary" onClick={() => rotate.reset()}>
                Done
              </Button>
            </div>
          </div>
        ) : null}
      </Dialog>

      <ConfirmDialog
        open={deactivating !== null}
        title={`Deactivate “${deactivating?.name ?? ""}”?`}
        confirmLabel="Deactivate"
        busy={deactivate.isPending}
        onConfirm={() => deactivating && deactivate.mutate({ organizationId: deactivating.id })}
        onClose={() => !deactivate.isPending && setDeactivating(null)}
      >
        {deactivate.error ? (
          <p className="notice notice-error" role="alert">
            {deactivating?.name} was not deactivated. {errorMessage(deactivate.error)}
          </p>
        ) : null}
        <p>
          <strong>{deactivating?.name}</strong> is deactivated: chat requests of its members are refused from now on.{" "}
          {deactivating?.provisioned
            ? "Its upstream OpenRouter key is disabled too, so it cannot be used directly either."
            : "Its upstream OpenRouter key is disabled too where the gateway manages it; a client's own key stays valid on OpenRouter."}
        </p>
        <p className="muted">Members, usage and statements are kept. It can be reactivated under Edit.</p>
      </ConfirmDialog>
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// Client administrator: their organisation, billing e-mail only

function BillingEmailForm({ organization: o }: { organization: Organization }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [email, setEmail] = useState(o.billingEmail ?? "");
  const [error, setError] = useState<string | null>(null);
  const update = useMutation(
    trpc.organizations.update.mutationOptions({
      onSuccess: async (saved) => {
        toast.show(saved.billingEmail ? `Billing e-mail saved: ${saved.billingEmail}` : "Billing e-mail removed");
        await queryClient.invalidateQueries(trpc.organizations.pathFilter());
      },
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problem = checkEmail(email);
    setError(problem);
    if (problem) return;
    update.mutate({ organizationId: o.id, billingEmail: email.trim() || null });
  };
  return (
    <form className="form" onSubmit={submit} noValidate>
      {update.error ? (
        <p className="notice notice-error" role="alert">
          The billing e-mail was not saved. {errorMessage(update.error)}
        </p>
      ) : null}
      <TextField
        label="Billing e-mail"
        type="email"
        autoComplete="email"
        value={email}
        error={error}
        hint="Where your provider sends statements. Leave empty to remove it."
        onChange={(e) => setEmail(e.target.value)}
      />
      <div>
        <Button type="submit" variant="primary" busy={update.isPending} disabled={(email.trim() || null) === o.billingEmail}>
          Save
        </Button>
      </div>
    </form>
  );
}

function ClientOrganization() {
  const list = useQuery(trpc.organizations.list.queryOptions());
  const o = list.data?.[0];
  return (
    <>
      <PageHeader title="Organisations" description="Your organisation as your provider set it up. You can change where statements go; the rest is up to your provider." />
      {list.error ? <ErrorNotice error={list.error} onRetry={() => void list.refetch()} /> : null}
      {o ? (
        <div className="grid grid-2">
          <Card title={o.name}>
            <dl className="dl">
              <dt>Status</dt>
              <dd>
                <StatusBadge organization={o} />
              </dd>
              <dt>Billing e-mail</dt>
              <dd>{o.billingEmail ?? <span className="muted">not set</span>}</dd>
              <dt>OpenRouter key</dt>
              <dd>
                <KeyCell organization={o} />
              </dd>
              <dt>Markup</dt>
              <dd>{o.markup}× the OpenRouter cost</dd>
              <dt>Monthly limit</dt>
              <dd>{money(o.monthlyLimitNano)}</dd>
              <dt>Spent in {o.period}</dt>
              <dd>
                <div className="org-spend org-spend-left">
                  <span>{money(o.monthToDateNano)}</span>
                  <UsedOfLimit organization={o} />
                </div>
              </dd>
              <dt>Members</dt>
              <dd>
                <Link to="/members">{count(o.memberCount)}</Link>
              </dd>
            </dl>
            {o.active ? null : (
              <Notice tone="warning">This organisation is deactivated: chat requests are refused. Contact your provider.</Notice>
            )}
          </Card>
          <Card title="Where statements go">
            <BillingEmailForm key={o.id} organization={o} />
          </Card>
        </div>
      ) : list.data ? (
        <Card>
          <EmptyState title="Your organisation is not set up yet" action={<Link to="/connections">Open Connections</Link>}>
            Save the OpenRouter key your provider gave you under Connections: that links your account to your organisation.
          </EmptyState>
        </Card>
      ) : list.isPending ? (
        <Card>
          <Skeleton lines={6} />
        </Card>
      ) : null}
    </>
  );
}

export default function Organizations() {
  const me = useMe();
  return me.role === "provider_admin" ? <ProviderOrganizations /> : <ClientOrganization />;
}
