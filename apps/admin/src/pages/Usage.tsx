// Usage: per-user and per-model breakdowns over a range of local days (default: the current billing
// month, as the API defaults), the request events newest first ("Load more" on the API's cursor),
// and the monthly CSV statement. The filters live in the URL (?from&to&user&model&status), so a view
// survives a reload and can be shared. Scope: the provider's organisation in the switcher, a client
// administrator's own, a member's own usage (no organisation is named; the server scopes it). Raw
// cost is the provider's alone. Money is bigint nano-USD: summed as bigints, formatted by lib/format.
import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { useCallback, useMemo, useState, type FormEvent } from "react";
import { Button } from "../components/Button";
import { DataTable, type Column } from "../components/DataTable";
import { EmptyState, ErrorNotice, Skeleton, StatusBadge } from "../components/Feedback";
import { SelectField, TextField } from "../components/Field";
import { Card, PageHeader } from "../components/Page";
import { useToast } from "../components/Toast";
import { count, dateTime, money, moneyExact } from "../lib/format";
import { useMe, useOrgScope, type RouterOutputs } from "../session";
import { trpc } from "../trpc";

type UserRow = RouterOutputs["usage"]["byUser"]["rows"][number];
type ModelRow = RouterOutputs["usage"]["byModel"]["rows"][number];
type UsageEvent = RouterOutputs["usage"]["events"]["items"][number];
type EventStatus = UsageEvent["status"];

const STATUSES = ["ok", "error", "aborted", "incomplete"] as const satisfies readonly EventStatus[];
const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EVENTS_PAGE = 50;

// ---------------------------------------------------------------------------------------------
// Filters in the URL. The root route validates only `org`; the other parameters pass through
// untouched, so they are checked here: anything malformed is ignored rather than sent.

interface Filters {
  from?: string;
  to?: string;
  user?: string;
  model?: string;
  status?: EventStatus;
}
type FilterPatch = { [K in keyof Filters]?: string | undefined };
const FILTER_KEYS = ["from", "to", "user", "model", "status"] as const;

function text(value: unknown, max = 300): string | undefined {
  return typeof value === "string" && value.trim() !== "" && value.length <= max ? value : undefined;
}

function readFilters(search: Record<string, unknown>): Filters {
  const from = text(search.from);
  const to = text(search.to);
  const user = text(search.user);
  const status = text(search.status);
  return {
    from: from && LOCAL_DATE.test(from) ? from : undefined,
    to: to && LOCAL_DATE.test(to) ? to : undefined,
    user: user && UUID.test(user) ? user : undefined,
    model: text(search.model),
    status: STATUSES.find((s) => s === status),
  };
}

function useUsageFilters() {
  const search: Record<string, unknown> = useSearch({ strict: false });
  const navigate = useNavigate();
  const filters = useMemo(() => readFilters(search), [search]);
  const update = useCallback(
    (patch: FilterPatch) =>
      void navigate({
        to: ".",
        replace: true,
        search: (prev: Record<string, unknown>) => {
          const next: Record<string, unknown> = { ...prev, ...patch };
          for (const key of FILTER_KEYS) if (next[key] === undefined || next[key] === "") delete next[key];
          return next;
        },
      }),
    [navigate],
  );
  return [filters, update] as const;
}

// ---------------------------------------------------------------------------------------------
// Small pieces.

interface Figures {
  requests: number;
  errorRequests: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  rawCostNano: bigint;
  billedCostNano: bigint;
}

/** Column sums: counts as integers, money as bigint nano-USD (never through a float). */
function sum(rows: readonly Figures[]): Figures {
  const total: Figures = {
    requests: 0,
    errorRequests: 0,
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    rawCostNano: 0n,
    billedCostNano: 0n,
  };
  for (const r of rows) {
    total.requests += r.requests;
    total.errorRequests += r.errorRequests;
    total.promptTokens += r.promptTokens;
    total.completionTokens += r.completionTokens;
    total.totalTokens += r.totalTokens;
    total.rawCostNano += r.rawCostNano;
    total.billedCostNano += r.billedCostNano;
  }
  return total;
}

function Requests({ requests, errorRequests }: Pick<Figures, "requests" | "errorRequests">) {
  return (
    <>
      {count(requests)}
      {errorRequests ? <div className="muted">{count(errorRequests)} failed</div> : null}
    </>
  );
}

function Tokens({
  totalTokens,
  promptTokens,
  completionTokens,
}: Pick<Figures, "totalTokens" | "promptTokens" | "completionTokens">) {
  return (
    <>
      {count(totalTokens)}
      <div className="muted">
        {count(promptTokens)} in · {count(completionTokens)} out
      </div>
    </>
  );
}

/** A total rounded to the cent, with every nano-dollar on hover. */
function MoneyTotal({ nano }: { nano: bigint }) {
  return <span title={moneyExact(nano)}>{money(nano)}</span>;
}

const userLabel = (r: Pick<UserRow, "email" | "name" | "externalUserId">) =>
  r.email ?? r.name ?? r.externalUserId;
const ms = (value: number | null) => (value === null ? "—" : `${count(value)} ms`);

function localMonth(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
}

/** Saves text as a file through a temporary <a download>. */
function saveFile(filename: string, content: string, type: string) {
  const url = URL.createObjectURL(new Blob([content], { type: `${type};charset=utf-8` }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.style.display = "none";
  document.body.append(a);
  a.click();
  a.remove();
  // Some browsers read the blob after click() returns; let them.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// ---------------------------------------------------------------------------------------------
// Breakdowns.

/** The figure columns both breakdowns share: requests, tokens, billed and (provider) raw cost. */
function figureColumns<T extends Figures>(provider: boolean): Column<T>[] {
  const columns: Column<T>[] = [
    {
      key: "requests",
      header: "Requests",
      align: "right",
      cell: (r) => <Requests {...r} />,
      sortValue: (r) => r.requests,
    },
    {
      key: "tokens",
      header: "Tokens",
      align: "right",
      cell: (r) => <Tokens {...r} />,
      sortValue: (r) => r.totalTokens,
    },
    {
      key: "billed",
      header: "Billed cost",
      align: "right",
      cell: (r) => <MoneyTotal nano={r.billedCostNano} />,
      sortValue: (r) => r.billedCostNano,
    },
  ];
  if (provider)
    columns.push({
      key: "raw",
      header: "Raw cost",
      align: "right",
      cell: (r) => <MoneyTotal nano={r.rawCostNano} />,
      sortValue: (r) => r.rawCostNano,
    });
  return columns;
}

/** The TOTAL row's cells under figureColumns (bigint sums). */
function FigureTotals({ total, provider }: { total: Figures; provider: boolean }) {
  return (
    <>
      <td className="num">
        <Requests {...total} />
      </td>
      <td className="num">
        <Tokens {...total} />
      </td>
      <td className="num">
        <MoneyTotal nano={total.billedCostNano} />
      </td>
      {provider ? (
        <td className="num">
          <MoneyTotal nano={total.rawCostNano} />
        </td>
      ) : null}
    </>
  );
}

function ByUserTable({ rows, provider }: { rows: readonly UserRow[]; provider: boolean }) {
  const columns: Column<UserRow>[] = [
    {
      key: "user",
      header: "User",
      cell: (r) => (
        <>
          {r.email ?? r.name ?? <span className="muted">Unknown user</span>}
          {r.email && r.name ? <div className="muted">{r.name}</div> : null}
        </>
      ),
      sortValue: (r) => userLabel(r).toLowerCase(),
    },
    {
      key: "external",
      header: "External user id",
      cell: (r) => <code className="break-all">{r.externalUserId}</code>,
      sortValue: (r) => r.externalUserId,
    },
    ...figureColumns<UserRow>(provider),
  ];
  const total = sum(rows);
  return (
    <DataTable
      rows={rows}
      columns={columns}
      rowKey={(r) => r.userId}
      caption="Usage by user"
      initialSort={{ key: "billed", direction: "desc" }}
      footer={
        <tr>
          <th scope="row">Total</th>
          <td className="muted">
            {count(rows.length)} {rows.length === 1 ? "user" : "users"}
          </td>
          <FigureTotals total={total} provider={provider} />
        </tr>
      }
    />
  );
}

function ByModelTable({
  rows,
  provider,
  admin,
}: {
  rows: readonly ModelRow[];
  provider: boolean;
  admin: boolean;
}) {
  const columns: Column<ModelRow>[] = [
    {
      key: "model",
      header: "Model",
      cell: (r) => <code className="break-all">{r.model}</code>,
      sortValue: (r) => r.model,
    },
  ];
  // A member's view is their own usage: a users column would always say 1.
  if (admin)
    columns.push({
      key: "users",
      header: "Users",
      align: "right",
      cell: (r) => count(r.users),
      sortValue: (r) => r.users,
    });
  columns.push(...figureColumns<ModelRow>(provider));
  const total = sum(rows);
  return (
    <DataTable
      rows={rows}
      columns={columns}
      rowKey={(r) => r.model}
      caption="Usage by model"
      initialSort={{ key: "billed", direction: "desc" }}
      footer={
        <tr>
          <th scope="row">Total</th>
          {/* A user of several models is one user: a sum of this column would overcount. */}
          {admin ? <td /> : null}
          <FigureTotals total={total} provider={provider} />
        </tr>
      }
    />
  );
}

// ---------------------------------------------------------------------------------------------
// Events.

function EventsTable({
  items,
  showUser,
  provider,
}: {
  items: readonly UsageEvent[];
  showUser: boolean;
  provider: boolean;
}) {
  return (
    <div className="table-wrap">
      <table className="usage-events">
        <caption className="visually-hidden">Usage events, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            {showUser ? <th scope="col">User</th> : null}
            <th scope="col">Model / provider</th>
            <th scope="col" className="num">
              Tokens in / out
            </th>
            <th scope="col" className="num">
              Billed cost
            </th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Latency / TTFB
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.generationId}>
              <td className="nowrap">
                <time dateTime={e.occurredAt.toISOString()}>{dateTime(e.occurredAt)}</time>
              </td>
              {showUser ? (
                <td className="usage-event-user">
                  {e.email ?? <span className="muted">Unknown user</span>}
                  <div className="muted mono break-all">{e.externalUserId}</div>
                </td>
              ) : null}
              <td className="usage-event-model">
                <code>{e.model}</code>
                <div className="muted">{e.provider ?? "—"}</div>
              </td>
              <td className="num nowrap">
                {count(e.promptTokens)} / {count(e.completionTokens)}
                {e.reasoningTokens || e.cachedTokens ? (
                  <div className="muted">
                    {[
                      e.reasoningTokens ? `${count(e.reasoningTokens)} reasoning` : null,
                      e.cachedTokens ? `${count(e.cachedTokens)} cached` : null,
                    ]
                      .filter(Boolean)
                      .join(" · ")}
                  </div>
                ) : null}
              </td>
              <td className="num nowrap">
                <span>{moneyExact(e.billedCostNano)}</span>
                {provider ? <div className="muted">raw {moneyExact(e.rawCostNano)}</div> : null}
              </td>
              <td className="nowrap">
                <StatusBadge status={e.status} />
                <div className="muted">{e.streamed ? "streamed" : "not streamed"}</div>
              </td>
              <td className="num nowrap">
                {ms(e.latencyMs)}
                <div className="muted">TTFB {ms(e.ttfbMs)}</div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface EventsCardProps {
  organizationId: string | undefined;
  admin: boolean;
  provider: boolean;
  filters: Filters;
  update: (patch: FilterPatch) => void;
  /** The range the breakdowns cover (explicit or the API's default); undefined while unknown. */
  range: { from: string; to: string } | undefined;
  /** The range could not be resolved (the breakdown failed): list without a date filter. */
  rangeUnknown: boolean;
  users: readonly UserRow[] | undefined;
  models: readonly ModelRow[] | undefined;
}

function EventsCard({
  organizationId,
  admin,
  provider,
  filters,
  update,
  range,
  rangeUnknown,
  users,
  models,
}: EventsCardProps) {
  const input = {
    organizationId,
    // Members see only their own usage; the server scopes it, and another user id would be refused.
    userId: admin ? filters.user : undefined,
    model: filters.model,
    status: filters.status,
    from: range?.from ?? filters.from,
    to: range?.to ?? filters.to,
    limit: EVENTS_PAGE,
  };
  const events = useInfiniteQuery({
    ...trpc.usage.events.infiniteQueryOptions(input, { getNextPageParam: (last) => last.nextCursor }),
    enabled: range !== undefined || rangeUnknown,
  });
  const items = useMemo(() => events.data?.pages.flatMap((p) => p.items) ?? [], [events.data]);

  const userOptions = useMemo(() => {
    const rows = [...(users ?? [])].sort((a, b) => userLabel(a).localeCompare(userLabel(b)));
    const options = rows.map((r) => ({
      value: r.userId,
      label: r.email && r.name ? `${r.email} (${r.name})` : userLabel(r),
    }));
    // A user from the URL with no usage in the period still shows as chosen.
    if (filters.user && !rows.some((r) => r.userId === filters.user))
      options.unshift({ value: filters.user, label: `User ${filters.user.slice(0, 8)}…` });
    return [{ value: "", label: "All users" }, ...options];
  }, [users, filters.user]);
  const modelOptions = useMemo(() => {
    const names = [...new Set((models ?? []).map((r) => r.model))].sort((a, b) => a.localeCompare(b));
    if (filters.model && !names.includes(filters.model)) names.unshift(filters.model);
    return [{ value: "", label: "All models" }, ...names.map((m) => ({ value: m, label: m }))];
  }, [models, filters.model]);
  const statusOptions = [
    { value: "", label: "All statuses" },
    ...STATUSES.map((s) => ({ value: s, label: s })),
  ];

  const filtered = Boolean((admin && filters.user) || filters.model || filters.status);
  const clear = () => update({ user: undefined, model: undefined, status: undefined });

  return (
    <Card title="Requests">
      <div className="filters" role="group" aria-label="Request filters">
        {admin ? (
          <SelectField
            label="User"
            value={filters.user ?? ""}
            options={userOptions}
            onChange={(e) => update({ user: e.target.value })}
          />
        ) : null}
        <SelectField
          label="Model"
          value={filters.model ?? ""}
          options={modelOptions}
          onChange={(e) => update({ model: e.target.value })}
        />
        <SelectField
          label="Status"
          value={filters.status ?? ""}
          options={statusOptions}
          onChange={(e) => update({ status: e.target.value })}
        />
        {filtered ? (
          <Button variant="ghost" onClick={clear}>
            Clear request filters
          </Button>
        ) : null}
      </div>
      {events.error && !events.isFetchNextPageError ? (
        <ErrorNotice error={events.error} onRetry={() => void events.refetch()} />
      ) : null}
      {events.data ? (
        items.length ? (
          <>
            <EventsTable items={items} showUser={admin} provider={provider} />
            {events.isFetchNextPageError ? (
              <ErrorNotice
                title="More requests could not be loaded"
                error={events.error}
                onRetry={() => void events.fetchNextPage()}
              />
            ) : null}
            <div className="pager">
              <span className="muted" role="status">
                {count(items.length)} {items.length === 1 ? "request" : "requests"} shown, newest first
                {events.hasNextPage ? "" : " · that is all for these filters"}
              </span>
              {events.hasNextPage ? (
                <Button busy={events.isFetchingNextPage} onClick={() => void events.fetchNextPage()}>
                  Load more
                </Button>
              ) : null}
            </div>
          </>
        ) : filtered ? (
          <EmptyState
            title="No requests match these filters"
            action={
              <Button variant="secondary" onClick={clear}>
                Clear request filters
              </Button>
            }
          >
            Try another user, model or status, or widen the period above.
          </EmptyState>
        ) : (
          <EmptyState title="No requests in this period">
            Choose another period above. Chat requests through the proxy appear here within seconds;{" "}
            <Link to="/tokens">create an API token</Link> to connect a chat client.
          </EmptyState>
        )
      ) : events.isPending && !events.error ? (
        <Skeleton lines={6} />
      ) : null}
    </Card>
  );
}

// ---------------------------------------------------------------------------------------------
// The monthly statement.

function StatementCard({ organizationId }: { organizationId: string | undefined }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [month, setMonth] = useState(localMonth);
  const [monthError, setMonthError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [last, setLast] = useState<{ filename: string; rows: number; total: bigint } | null>(null);

  const download = async (event: FormEvent) => {
    event.preventDefault();
    if (!MONTH.test(month)) {
      setMonthError(month ? "Write the month as YYYY-MM, e.g. 2025-01." : "Choose a month.");
      return;
    }
    setMonthError(null);
    setError(null);
    setBusy(true);
    try {
      // Fresh every time: a statement must include the latest corrections.
      const statement = await queryClient.fetchQuery({
        ...trpc.usage.exportCsv.queryOptions({ organizationId, month }),
        staleTime: 0,
      });
      saveFile(statement.filename, statement.content, statement.contentType);
      setLast({ filename: statement.filename, rows: statement.rows, total: statement.totalBilledCostNano });
      toast.show(
        `Statement for ${month} downloaded: ${count(statement.rows)} ${statement.rows === 1 ? "row" : "rows"}, ${money(statement.totalBilledCostNano)} billed`,
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title="Monthly statement">
      <form className="filters usage-statement" onSubmit={(e) => void download(e)} noValidate>
        <TextField
          label="Month"
          type="month"
          required
          value={month}
          error={monthError}
          placeholder="YYYY-MM"
          onChange={(e) => {
            setMonth(e.target.value);
            setMonthError(null);
          }}
        />
        <Button type="submit" variant="primary" busy={busy}>
          Download statement (CSV)
        </Button>
      </form>
      {error ? <ErrorNotice title="The statement could not be downloaded" error={error} /> : null}
      {last ? (
        <p className="field-hint" role="status">
          Downloaded <code>{last.filename}</code>: {count(last.rows)} {last.rows === 1 ? "row" : "rows"} (one
          per user and model) and a TOTAL row, <span title={moneyExact(last.total)}>{money(last.total)}</span>{" "}
          billed.
        </p>
      ) : (
        <p className="field-hint">
          One row per user and model for the billing month, then a TOTAL row; amounts are exact decimal USD.
        </p>
      )}
    </Card>
  );
}

// ---------------------------------------------------------------------------------------------
// The page.

function UsageReport({
  organizationId,
  organizationName,
}: {
  organizationId: string | undefined;
  organizationName: string | undefined;
}) {
  const me = useMe();
  const provider = me.role === "provider_admin";
  const admin = me.role !== "member";
  const [filters, update] = useUsageFilters();

  const rangeError =
    filters.from && filters.to && filters.from > filters.to
      ? "The end date must not be before the start date."
      : null;
  const rangeInput = { organizationId, from: filters.from, to: filters.to };
  const byModel = useQuery({ ...trpc.usage.byModel.queryOptions(rangeInput), enabled: !rangeError });
  const byUser = useQuery({ ...trpc.usage.byUser.queryOptions(rangeInput), enabled: admin && !rangeError });

  // The period on screen: what the URL says, else what the API chose (the current billing month).
  const resolved = byModel.data ?? byUser.data;
  const range = rangeError
    ? undefined
    : filters.from && filters.to
      ? { from: filters.from, to: filters.to }
      : resolved
        ? { from: resolved.from, to: resolved.to }
        : undefined;
  const shown = { from: filters.from ?? resolved?.from ?? "", to: filters.to ?? resolved?.to ?? "" };
  // Changing one end pins the other to what is shown, so the period never jumps under the user.
  const setDate = (end: "from" | "to", value: string) => {
    const other = end === "from" ? "to" : "from";
    update({
      [end]: value || undefined,
      [other]: filters[other] ?? (value ? shown[other] || undefined : undefined),
    });
  };
  const custom = Boolean(filters.from || filters.to);

  const who = me.role === "member" ? "Your own usage" : organizationName;
  return (
    <>
      <PageHeader
        title="Usage"
        description={
          <>
            {who}
            {range ? (
              <>
                {who ? " · " : ""}
                {range.from} to {range.to}
              </>
            ) : null}
            {resolved ? ` · days in ${resolved.timeZone}` : null}
          </>
        }
      />
      <div className="stack">
        <div>
          <div className="filters usage-period" role="group" aria-label="Period">
            <TextField
              label="From"
              type="date"
              value={shown.from}
              max={shown.to || undefined}
              onChange={(e) => setDate("from", e.target.value)}
            />
            <TextField
              label="To"
              type="date"
              value={shown.to}
              min={shown.from || undefined}
              error={rangeError}
              onChange={(e) => setDate("to", e.target.value)}
            />
            {custom ? (
              <Button onClick={() => update({ from: undefined, to: undefined })}>Current month</Button>
            ) : null}
          </div>
          <p className="field-hint usage-period-hint">
            The tables cover whole days of the billing time zone{resolved ? ` (${resolved.timeZone})` : ""};
            the requests below also follow their own filters.
          </p>
        </div>

        {rangeError ? (
          <Card>
            <EmptyState title="Choose a valid period">
              The end date must not be before the start date. Change one of the dates above, or go back to the
              current month.
            </EmptyState>
          </Card>
        ) : (
          <>
            {admin ? (
              <Card title="By user" className="usage-breakdown">
                {byUser.error ? (
                  <ErrorNotice error={byUser.error} onRetry={() => void byUser.refetch()} />
                ) : null}
                {byUser.data ? (
                  byUser.data.rows.length ? (
                    <ByUserTable rows={byUser.data.rows} provider={provider} />
                  ) : (
                    <EmptyState title="No usage in this period">
                      Users appear here once they chat through the proxy. Choose another period, or check{" "}
                      <Link to="/user-mapping">User mapping</Link> if requests are expected.
                    </EmptyState>
                  )
                ) : byUser.isPending ? (
                  <Skeleton lines={4} />
                ) : null}
              </Card>
            ) : null}

            <Card title="By model" className="usage-breakdown">
              {byModel.error ? (
                <ErrorNotice error={byModel.error} onRetry={() => void byModel.refetch()} />
              ) : null}
              {byModel.data ? (
                byModel.data.rows.length ? (
                  <ByModelTable rows={byModel.data.rows} provider={provider} admin={admin} />
                ) : (
                  <EmptyState title="No usage in this period">
                    Choose another period above, or <Link to="/tokens">create an API token</Link> to connect a
                    chat client.
                  </EmptyState>
                )
              ) : byModel.isPending ? (
                <Skeleton lines={4} />
              ) : null}
            </Card>

            <EventsCard
              organizationId={organizationId}
              admin={admin}
              provider={provider}
              filters={filters}
              update={update}
              range={range}
              rangeUnknown={byModel.isError && (!admin || byUser.isError)}
              users={byUser.data?.rows}
              models={byModel.data?.rows}
            />
          </>
        )}

        <StatementCard organizationId={organizationId} />
      </div>
    </>
  );
}

export default function Usage() {
  const me = useMe();
  const scope = useOrgScope();

  if (me.role === "provider_admin") {
    if (scope.isLoading) {
      return (
        <>
          <PageHeader title="Usage" />
          <Card>
            <Skeleton lines={6} />
          </Card>
        </>
      );
    }
    if (!scope.organizationId) {
      return (
        <>
          <PageHeader title="Usage" />
          <Card>
            <EmptyState
              title="No organisations yet"
              action={<Link to="/organizations">Create the first organisation</Link>}
            >
              Usage is reported per organisation. Once a client organisation exists and chats through the
              proxy, its requests and costs show here.
            </EmptyState>
          </Card>
        </>
      );
    }
  } else if (!me.organizationId) {
    return (
      <>
        <PageHeader title="Usage" />
        <Card>
          {me.role === "org_admin" ? (
            <EmptyState
              title="Your account is not linked to an organisation yet"
              action={<Link to="/connections">Open Connections</Link>}
            >
              Save your organisation's OpenRouter key under Connections; the gateway then links your account
              to its organisation.
            </EmptyState>
          ) : (
            <EmptyState title="You are not in an organisation yet">
              Ask your organisation's administrator to add you; your usage shows here afterwards.
            </EmptyState>
          )}
        </Card>
      </>
    );
  }

  // Members name no organisation: the server scopes them to their own usage.
  const organizationId = me.role === "member" ? undefined : scope.organizationId;
  return (
    <UsageReport
      key={organizationId ?? "own"}
      organizationId={organizationId}
      organizationName={scope.organization?.name}
    />
  );
}
