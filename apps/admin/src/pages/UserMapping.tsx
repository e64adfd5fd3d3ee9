// Is every user attributed correctly? The validation report (problems first, then every user), a
// test of what the proxy would send to OpenRouter as `user` for one person, this month's usage by
// external id, and the live configuration the mapping follows. The provider looks at the
// organisation in scope or at all organisations; a client administrator at their own.
import { skipToken, useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { Button } from "../components/Button";
import { DataTable, type Column } from "../components/DataTable";
import { Badge, EmptyState, ErrorNotice, Notice, Skeleton } from "../components/Feedback";
import { SelectField } from "../components/Field";
import { Card, PageHeader, Stat } from "../components/Page";
import { count, money } from "../lib/format";
import { allCarry, carries } from "../lib/provider-cost";
import { RoleLabel } from "../components/RoleLabel";
import { useMe, useOrgScope, type RouterOutputs } from "../session";
import { trpc } from "../trpc";

type Report = RouterOutputs["userMapping"]["validate"];
type Problem = Report["problems"][number];
type ReportUser = Report["users"][number];
type ProblemCode = Problem["code"];
type StatRow = RouterOutputs["userMapping"]["statistics"]["perExternalId"][number];

const ALL = "__all__";

const PROBLEM_TONE: Record<ProblemCode, "danger" | "warning"> = {
  invalid_format: "danger",
  mismatch: "danger",
  duplicate: "danger",
  inactive_organization: "warning",
  unmapped: "warning",
};
const PROBLEM_LABEL: Record<ProblemCode, string> = {
  invalid_format: "invalid format",
  mismatch: "mismatch",
  duplicate: "duplicate",
  inactive_organization: "inactive organisation",
  unmapped: "unmapped",
};

function ExternalId({ value }: { value: string | null }) {
  return value ? <code>{value}</code> : <span className="muted">none</span>;
}

function Summary({ report }: { report: Report }) {
  const { counts } = report;
  return (
    <Card title="Summary">
      <div className="stat-group">
        <Stat label="Users" value={count(counts.users)} />
        <Stat label="Mapped" value={count(counts.mappedUsers)} />
        <Stat label="Unmapped" value={count(counts.unmappedUsers)} />
        <Stat label="With problems" value={count(counts.usersWithProblems)} detail={counts.problems ? `${count(counts.problems)} problems in all` : undefined} />
      </div>
      <div className="mapping-verdict">
        {report.ok ? (
          <Notice tone="success">Every user in scope is mapped to the external id derived from their organisation and user.</Notice>
        ) : (
          <Notice tone="warning">
            {count(counts.usersWithProblems)} {counts.usersWithProblems === 1 ? "user needs" : "users need"} attention: their requests are refused or would be
            attributed to the wrong external id. See the problems below.
          </Notice>
        )}
      </div>
    </Card>
  );
}

function ProblemsTable({ report }: { report: Report }) {
  const orgName = new Map(report.users.map((u) => [u.userId, u.organizationName]));
  const columns: Column<Problem>[] = [
    {
      key: "code",
      header: "Problem",
      cell: (p) => <Badge tone={PROBLEM_TONE[p.code]}>{PROBLEM_LABEL[p.code]}</Badge>,
      sortValue: (p) => p.code,
    },
    { key: "email", header: "User", cell: (p) => p.email, sortValue: (p) => p.email },
    {
      key: "organisation",
      header: "Organisation",
      cell: (p) => orgName.get(p.userId) ?? (p.organizationId ? <code>{p.organizationId}</code> : <span className="muted">none</span>),
    },
    {
      key: "ids",
      header: "Stored / expected external id",
      cell: (p) => (
        <div className="id-pair">
          <span>
            <span className="muted">stored </span>
            <ExternalId value={p.externalUserId} />
          </span>
          <span>
            <span className="muted">expected </span>
            <ExternalId value={p.expectedExternalUserId} />
          </span>
        </div>
      ),
    },
    { key: "message", header: "What it means", cell: (p) => p.message },
  ];
  return (
    <Card title="Problems">
      {report.problems.length ? (
        <DataTable rows={report.problems} columns={columns} rowKey={(p) => `${p.userId}:${p.code}`} caption="Mapping problems" />
      ) : (
        <EmptyState title="No problems found">Nothing to fix: every mapping has the documented format, is unique and belongs to an active organisation.</EmptyState>
      )}
    </Card>
  );
}

function UsersTable({ report, showOrganisation }: { report: Report; showOrganisation: boolean }) {
  const columns: Column<ReportUser>[] = [
    {
      key: "user",
      header: "User",
      cell: (u) => (
        <>
          {u.email}
          {u.name ? <div className="muted">{u.name}</div> : null}
        </>
      ),
      sortValue: (u) => u.email,
    },
    { key: "role", header: "Role", cell: (u) => <RoleLabel role={u.role} />, sortValue: (u) => u.role },
    ...(showOrganisation
      ? [
          {
            key: "organisation",
            header: "Organisation",
            cell: (u: ReportUser) =>
              u.organizationName ? (
                <>
                  {u.organizationName}
                  {u.organizationActive === false ? <span className="muted"> (inactive)</span> : null}
                </>
              ) : (
                <span className="muted">none</span>
              ),
            sortValue: (u: ReportUser) => u.organizationName,
          },
        ]
      : []),
    { key: "external", header: "External id", cell: (u) => <ExternalId value={u.externalUserId} />, sortValue: (u) => u.externalUserId },
    {
      key: "status",
      header: "Status",
      cell: (u) => (
        <div className="row">
          {u.ok ? <Badge tone="success">ok</Badge> : <Badge tone="danger">problem</Badge>}
          {u.problems.map((code) => (
            <Badge key={code} tone={PROBLEM_TONE[code]}>
              {PROBLEM_LABEL[code]}
            </Badge>
          ))}
          {u.disabled ? <Badge>disabled</Badge> : null}
        </div>
      ),
      sortValue: (u) => (u.ok ? 1 : 0),
    },
  ];
  return (
    <Card title="All users">
      {report.users.length ? (
        <DataTable rows={report.users} columns={columns} rowKey={(u) => u.userId} caption="All users and their mappings" />
      ) : (
        <EmptyState title="No users in scope yet" action={<Link to="/members">Add members</Link>}>
          Users appear here once they are members of an organisation.
        </EmptyState>
      )}
    </Card>
  );
}

function TestMapping({ users }: { users: readonly ReportUser[] }) {
  const [selected, setSelected] = useState<string | null>(null);
  const [tested, setTested] = useState<string | null>(null);
  const userId = selected && users.some((u) => u.userId === selected) ? selected : (users[0]?.userId ?? "");
  const result = useQuery(trpc.userMapping.testMapping.queryOptions(tested ? { userId: tested } : skipToken));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!userId) return;
    if (userId === tested) void result.refetch();
    else setTested(userId);
  };
  const r = result.data;
  return (
    <Card title="Test mapping">
      {users.length ? (
        <form className="filters" onSubmit={submit}>
          <SelectField
            label="User"
            value={userId}
            onChange={(e) => setSelected(e.target.value)}
            options={users.map((u) => ({ value: u.userId, label: u.organizationName ? `${u.email} (${u.organizationName})` : u.email }))}
          />
          <Button type="submit" variant="primary" busy={result.isFetching}>
            Test mapping
          </Button>
        </form>
      ) : (
        <EmptyState title="No users to test">Add members to an organisation, then check what their requests would carry.</EmptyState>
      )}
      {result.error ? <ErrorNotice error={result.error} title="The mapping could not be tested" /> : null}
      {r ? (
        <div className="test-result" aria-live="polite">
          <dl className="dl">
            <dt>User</dt>
            <dd>{r.email}</dd>
            <dt>Would send</dt>
            <dd>{r.wouldSend ? <Badge tone="success">yes</Badge> : <Badge tone="danger">no</Badge>}</dd>
            <dt>
              <code>user</code> value
            </dt>
            <dd>{r.user ? <code>{r.user}</code> : <span className="muted">nothing is sent</span>}</dd>
            <dt>Organisation</dt>
            <dd>{r.organizationName ?? <span className="muted">none</span>}</dd>
            <dt>Reason</dt>
            <dd>{r.reason}</dd>
          </dl>
          {r.warnings.length ? (
            <Notice tone="warning">
              <ul className="plain-list">
                {r.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            </Notice>
          ) : null}
        </div>
      ) : null}
    </Card>
  );
}

function Statistics({ organizationId, enabled }: { organizationId: string | undefined; enabled: boolean }) {
  const stats = useQuery({ ...trpc.userMapping.statistics.queryOptions({ organizationId }), enabled });
  const s = stats.data;
  const columns: Column<StatRow>[] = [
    { key: "external", header: "External id", cell: (r) => <code>{r.externalUserId}</code>, sortValue: (r) => r.externalUserId },
    { key: "email", header: "User", cell: (r) => r.email ?? <span className="muted">unknown</span>, sortValue: (r) => r.email },
    {
      key: "mapped",
      header: "Mapping",
      cell: (r) => (r.mapped ? <Badge tone="success">mapped</Badge> : <Badge tone="warning">no longer mapped</Badge>),
      sortValue: (r) => (r.mapped ? 1 : 0),
    },
    { key: "requests", header: "Requests", align: "right", cell: (r) => count(r.requests), sortValue: (r) => r.requests },
    // Raw cost only when the API's answer carries it (the provider's view: lib/provider-cost.ts).
    ...(s && allCarry<StatRow, "rawCostNano">(s.perExternalId, "rawCostNano")
      ? [
          {
            key: "raw",
            header: "Raw cost",
            align: "right" as const,
            cell: (r: StatRow) => (carries(r, "rawCostNano") ? money(r.rawCostNano) : "—"),
            sortValue: (r: StatRow) => (carries(r, "rawCostNano") ? r.rawCostNano : null),
          },
        ]
      : []),
    { key: "billed", header: "Billed cost", align: "right", cell: (r) => money(r.billedCostNano), sortValue: (r) => r.billedCostNano },
  ];
  return (
    <Card title={s ? `This month by external id · ${s.period} (${s.timeZone})` : "This month by external id"}>
      {stats.error ? <ErrorNotice error={stats.error} onRetry={() => void stats.refetch()} /> : null}
      {s ? (
        <div className="stack">
          <div className="stat-group">
            {organizationId ? null : <Stat label="Organisations" value={count(s.organizations)} detail={`${count(s.activeOrganizations)} active`} />}
            <Stat label="Users" value={count(s.users)} detail={`${count(s.mappedUsers)} mapped · ${count(s.unmappedUsers)} unmapped`} />
            <Stat label="Active this month" value={count(s.activeUsersThisMonth)} />
            <Stat label="Requests" value={count(s.requestsThisMonth)} />
            <Stat label="Billed cost" value={money(s.billedCostNanoThisMonth)} />
          </div>
          {s.perExternalId.length ? (
            <DataTable
              rows={s.perExternalId}
              columns={columns}
              rowKey={(r) => r.externalUserId}
              caption="Usage this month by external id"
              initialSort={{ key: "billed", direction: "desc" }}
            />
          ) : (
            <EmptyState title="No usage this month yet">
              Requests through the proxy appear here by external id. <Link to="/tokens">Create an API token</Link> to connect a chat client.
            </EmptyState>
          )}
        </div>
      ) : stats.isPending ? (
        <Skeleton lines={4} />
      ) : null}
    </Card>
  );
}

function Configuration() {
  const config = useQuery(trpc.userMapping.configuration.queryOptions());
  const c = config.data;
  return (
    <Card title="Configuration">
      {config.error ? <ErrorNotice error={config.error} onRetry={() => void config.refetch()} /> : null}
      {c ? (
        <dl className="dl">
          <dt>External id format</dt>
          <dd>
            <code>{c.externalUserId.format}</code>
            <div className="field-hint">{c.externalUserId.description}</div>
          </dd>
          <dt>Example</dt>
          <dd>
            <code>{c.externalUserId.example}</code>
          </dd>
          <dt>Billing time zone</dt>
          <dd>{c.billingTimeZone}</dd>
          <dt>Currency</dt>
          <dd>{c.currency}</dd>
          {carries(c, "defaultMarkup") ? (
            <>
              <dt>Default markup</dt>
              <dd>×{c.defaultMarkup}</dd>
            </>
          ) : null}
          <dt>Default monthly limit</dt>
          <dd>{money(c.defaultMonthlyLimitNano)}</dd>
          <dt>Key verification</dt>
          <dd>{c.verifyKeys ? "On: a saved OpenRouter key is checked with OpenRouter before the sync" : "Off: saved keys are not checked with OpenRouter"}</dd>
          <dt>Accepted OpenRouter hosts</dt>
          <dd>
            <ul className="plain-list">
              {c.acceptedOpenRouterHosts.map((host) => (
                <li key={host}>
                  <code>{host}</code>
                </li>
              ))}
            </ul>
          </dd>
          <dt>Host rule</dt>
          <dd>{c.hostRule}</dd>
          <dt>Sync trigger</dt>
          <dd>{c.syncTrigger}</dd>
        </dl>
      ) : config.isPending ? (
        <Skeleton lines={6} />
      ) : null}
    </Card>
  );
}

export default function UserMapping() {
  const me = useMe();
  const scope = useOrgScope();
  const provider = me.role === "provider_admin";
  // The provider looks at the organisation in scope unless they choose all of them.
  const [allOrganisations, setAllOrganisations] = useState(false);
  const organizationId = provider && !allOrganisations ? scope.organizationId : undefined;
  // A client administrator joins an organisation by saving its OpenRouter connection.
  const withoutOrganisation = me.role === "org_admin" && !me.organizationId;
  const ready = provider ? !scope.isLoading : !withoutOrganisation;
  const report = useQuery({ ...trpc.userMapping.validate.queryOptions({ organizationId }), enabled: ready });
  const showOrganisation = provider && !organizationId;

  return (
    <>
      <PageHeader
        title="User mapping"
        description={
          <>
            Each user's requests reach OpenRouter with their organisation's key and an external id as its <code>user</code> field, so usage is attributed to the right person. This page checks every mapping.
          </>
        }
        actions={
          provider && scope.organizations.length ? (
            <div className="mapping-scope">
              <SelectField
                label="Scope"
                value={organizationId ?? ALL}
                onChange={(e) => {
                  if (e.target.value === ALL) setAllOrganisations(true);
                  else {
                    setAllOrganisations(false);
                    scope.select(e.target.value);
                  }
                }}
                options={[{ value: ALL, label: "All organisations" }, ...scope.organizations.map((o) => ({ value: o.id, label: o.active ? o.name : `${o.name} (inactive)` }))]}
              />
            </div>
          ) : null
        }
      />
      <div className="stack">
        {withoutOrganisation ? (
          <Card>
            <EmptyState title="You do not belong to an organisation yet" action={<Link to="/connections">Open Connections</Link>}>
              Save your organisation's OpenRouter connection (base URL and key) on the Connections page: your organisation is created or joined, and its users'
              mappings show here.
            </EmptyState>
          </Card>
        ) : null}
        {report.error ? <ErrorNotice error={report.error} onRetry={() => void report.refetch()} /> : null}
        {report.data ? (
          <>
            <Summary report={report.data} />
            <ProblemsTable report={report.data} />
            <UsersTable report={report.data} showOrganisation={showOrganisation} />
            <TestMapping users={report.data.users} />
          </>
        ) : report.isPending && !withoutOrganisation ? (
          <Card>
            <Skeleton lines={6} />
          </Card>
        ) : null}
        {withoutOrganisation ? null : <Statistics organizationId={organizationId} enabled={ready} />}
        <Configuration />
      </div>
    </>
  );
}
