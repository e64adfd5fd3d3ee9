// Is every user attributed correctly? The validation report (problems first, then every user), a
// test of what the proxy would send to OpenRouter as `user` for one person, this month's usage by
// external id, and the live configuration the mapping follows. The provider looks at the
// organisation in scope or at all organisations; a client administrator at their own.
import { skipToken, useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { Trans, useTranslation } from "react-i18next";
import { Button } from "../components/Button";
import { DataTable, type Column } from "../components/DataTable";
import { Badge, EmptyState, ErrorNotice, Notice, Skeleton } from "../components/Feedback";
import { SelectField } from "../components/Field";
import { Card, PageHeader, Stat } from "../components/Page";
import { serverText } from "../lib/errors";
import { count, markupText, money } from "../lib/format";
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

/** A problem's name, in the reader's language. */
function ProblemLabel({ code }: { code: ProblemCode }) {
  const { t } = useTranslation("mapping");
  return <>{t(`problem.${code}`)}</>;
}

function ExternalId({ value }: { value: string | null }) {
  const { t } = useTranslation("mapping");
  return value ? <code>{value}</code> : <span className="muted">{t("none")}</span>;
}

function Summary({ report }: { report: Report }) {
  const { t } = useTranslation("mapping");
  const { counts } = report;
  return (
    <Card title={t("summary.title")}>
      <div className="stat-group">
        <Stat label={t("summary.users")} value={count(counts.users)} />
        <Stat label={t("summary.mapped")} value={count(counts.mappedUsers)} />
        <Stat label={t("summary.unmapped")} value={count(counts.unmappedUsers)} />
        <Stat
          label={t("summary.withProblems")}
          value={count(counts.usersWithProblems)}
          detail={counts.problems ? t("summary.problemsInAll", { count: counts.problems }) : undefined}
        />
      </div>
      <div className="mapping-verdict">
        {report.ok ? (
          <Notice tone="success">{t("summary.ok")}</Notice>
        ) : (
          <Notice tone="warning">{t("summary.attention", { count: counts.usersWithProblems })}</Notice>
        )}
      </div>
    </Card>
  );
}

function ProblemsTable({ report }: { report: Report }) {
  const { t } = useTranslation("mapping");
  const orgName = new Map(report.users.map((u) => [u.userId, u.organizationName]));
  const columns: Column<Problem>[] = [
    {
      key: "code",
      header: t("problems.problem"),
      cell: (p) => (
        <Badge tone={PROBLEM_TONE[p.code]}>
          <ProblemLabel code={p.code} />
        </Badge>
      ),
      sortValue: (p) => p.code,
    },
    { key: "email", header: t("problems.user"), cell: (p) => p.email, sortValue: (p) => p.email },
    {
      key: "organisation",
      header: t("problems.organization"),
      cell: (p) => orgName.get(p.userId) ?? (p.organizationId ? <code>{p.organizationId}</code> : <span className="muted">{t("none")}</span>),
    },
    {
      key: "ids",
      header: t("problems.ids"),
      cell: (p) => (
        <div className="id-pair">
          <span>
            <span className="muted">{t("problems.stored")}</span>
            <ExternalId value={p.externalUserId} />
          </span>
          <span>
            <span className="muted">{t("problems.expected")}</span>
            <ExternalId value={p.expectedExternalUserId} />
          </span>
        </div>
      ),
    },
    { key: "message", header: t("problems.meaning"), cell: (p) => serverText(p.message, p.messageKey, p.messageParams) },
  ];
  return (
    <Card title={t("problems.title")}>
      {report.problems.length ? (
        <DataTable rows={report.problems} columns={columns} rowKey={(p) => `${p.userId}:${p.code}`} caption={t("problems.caption")} />
      ) : (
        <EmptyState title={t("problems.emptyTitle")}>{t("problems.emptyText")}</EmptyState>
      )}
    </Card>
  );
}

function UsersTable({ report, showOrganisation }: { report: Report; showOrganisation: boolean }) {
  const { t } = useTranslation("mapping");
  const columns: Column<ReportUser>[] = [
    {
      key: "user",
      header: t("users.user"),
      cell: (u) => (
        <>
          {u.email}
          {u.name ? <div className="muted">{u.name}</div> : null}
        </>
      ),
      sortValue: (u) => u.email,
    },
    { key: "role", header: t("users.role"), cell: (u) => <RoleLabel role={u.role} />, sortValue: (u) => u.role },
    ...(showOrganisation
      ? [
          {
            key: "organisation",
            header: t("users.organization"),
            cell: (u: ReportUser) =>
              u.organizationName ? (
                <>
                  {u.organizationName}
                  {u.organizationActive === false ? <span className="muted">{t("users.inactive")}</span> : null}
                </>
              ) : (
                <span className="muted">{t("none")}</span>
              ),
            sortValue: (u: ReportUser) => u.organizationName,
          },
        ]
      : []),
    { key: "external", header: t("users.externalId"), cell: (u) => <ExternalId value={u.externalUserId} />, sortValue: (u) => u.externalUserId },
    {
      key: "status",
      header: t("users.status"),
      cell: (u) => (
        <div className="row">
          {u.ok ? <Badge tone="success">{t("users.ok")}</Badge> : <Badge tone="danger">{t("users.problem")}</Badge>}
          {u.problems.map((code) => (
            <Badge key={code} tone={PROBLEM_TONE[code]}>
              <ProblemLabel code={code} />
            </Badge>
          ))}
          {u.disabled ? <Badge>{t("users.disabled")}</Badge> : null}
        </div>
      ),
      sortValue: (u) => (u.ok ? 1 : 0),
    },
  ];
  return (
    <Card title={t("users.title")}>
      {report.users.length ? (
        <DataTable rows={report.users} columns={columns} rowKey={(u) => u.userId} caption={t("users.caption")} />
      ) : (
        <EmptyState title={t("users.emptyTitle")} action={<Link to="/members">{t("users.emptyAction")}</Link>}>
          {t("users.emptyText")}
        </EmptyState>
      )}
    </Card>
  );
}

function TestMapping({ users }: { users: readonly ReportUser[] }) {
  const { t } = useTranslation("mapping");
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
    <Card title={t("test.title")}>
      {users.length ? (
        <form className="filters" onSubmit={submit}>
          <SelectField
            label={t("test.user")}
            value={userId}
            onChange={(e) => setSelected(e.target.value)}
            options={users.map((u) => ({ value: u.userId, label: u.organizationName ? `${u.email} (${u.organizationName})` : u.email }))}
          />
          <Button type="submit" variant="primary" busy={result.isFetching}>
            {t("test.submit")}
          </Button>
        </form>
      ) : (
        <EmptyState title={t("test.emptyTitle")}>{t("test.emptyText")}</EmptyState>
      )}
      {result.error ? <ErrorNotice error={result.error} title={t("test.error")} /> : null}
      {r ? (
        <div className="test-result" aria-live="polite">
          <dl className="dl">
            <dt>{t("test.user")}</dt>
            <dd>{r.email}</dd>
            <dt>{t("test.wouldSend")}</dt>
            <dd>{r.wouldSend ? <Badge tone="success">{t("test.yes")}</Badge> : <Badge tone="danger">{t("test.no")}</Badge>}</dd>
            <dt>
              <Trans t={t} i18nKey="test.userValue" components={{ code: <code /> }} />
            </dt>
            <dd>{r.user ? <code>{r.user}</code> : <span className="muted">{t("test.nothingSent")}</span>}</dd>
            <dt>{t("test.organization")}</dt>
            <dd>{r.organizationName ?? <span className="muted">{t("none")}</span>}</dd>
            <dt>{t("test.reason")}</dt>
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
  const { t } = useTranslation("mapping");
  const stats = useQuery({ ...trpc.userMapping.statistics.queryOptions({ organizationId }), enabled });
  const s = stats.data;
  const columns: Column<StatRow>[] = [
    { key: "external", header: t("stats.externalId"), cell: (r) => <code>{r.externalUserId}</code>, sortValue: (r) => r.externalUserId },
    { key: "email", header: t("stats.user"), cell: (r) => r.email ?? <span className="muted">{t("stats.unknown")}</span>, sortValue: (r) => r.email },
    {
      key: "mapped",
      header: t("stats.mapping"),
      cell: (r) => (r.mapped ? <Badge tone="success">{t("stats.mapped")}</Badge> : <Badge tone="warning">{t("stats.noLongerMapped")}</Badge>),
      sortValue: (r) => (r.mapped ? 1 : 0),
    },
    { key: "requests", header: t("stats.requests"), align: "right", cell: (r) => count(r.requests), sortValue: (r) => r.requests },
    // Raw cost only when the API's answer carries it (the provider's view: lib/provider-cost.ts).
    ...(s && allCarry<StatRow, "rawCostNano">(s.perExternalId, "rawCostNano")
      ? [
          {
            key: "raw",
            header: t("stats.rawCost"),
            align: "right" as const,
            cell: (r: StatRow) => (carries(r, "rawCostNano") ? money(r.rawCostNano) : "—"),
            sortValue: (r: StatRow) => (carries(r, "rawCostNano") ? r.rawCostNano : null),
          },
        ]
      : []),
    { key: "billed", header: t("stats.billedCost"), align: "right", cell: (r) => money(r.billedCostNano), sortValue: (r) => r.billedCostNano },
  ];
  return (
    <Card title={s ? t("stats.titleWithPeriod", { period: s.period, timeZone: s.timeZone }) : t("stats.title")}>
      {stats.error ? <ErrorNotice error={stats.error} onRetry={() => void stats.refetch()} /> : null}
      {s ? (
        <div className="stack">
          <div className="stat-group">
            {organizationId ? null : (
              <Stat label={t("stats.organizations")} value={count(s.organizations)} detail={t("stats.active", { count: s.activeOrganizations })} />
            )}
            <Stat
              label={t("stats.users")}
              value={count(s.users)}
              detail={t("stats.usersDetail", { mapped: count(s.mappedUsers), unmapped: count(s.unmappedUsers) })}
            />
            <Stat label={t("stats.activeThisMonth")} value={count(s.activeUsersThisMonth)} />
            <Stat label={t("stats.requests")} value={count(s.requestsThisMonth)} />
            <Stat label={t("stats.billedCost")} value={money(s.billedCostNanoThisMonth)} />
          </div>
          {s.perExternalId.length ? (
            <DataTable
              rows={s.perExternalId}
              columns={columns}
              rowKey={(r) => r.externalUserId}
              caption={t("stats.caption")}
              initialSort={{ key: "billed", direction: "desc" }}
            />
          ) : (
            <EmptyState title={t("stats.emptyTitle")}>
              <Trans t={t} i18nKey="stats.emptyText" components={{ link: <Link to="/tokens" /> }} />
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
  const { t } = useTranslation("mapping");
  const config = useQuery(trpc.userMapping.configuration.queryOptions());
  const c = config.data;
  return (
    <Card title={t("config.title")}>
      {config.error ? <ErrorNotice error={config.error} onRetry={() => void config.refetch()} /> : null}
      {c ? (
        <dl className="dl">
          <dt>{t("config.format")}</dt>
          <dd>
            <code>{c.externalUserId.format}</code>
            <div className="field-hint">{c.externalUserId.description}</div>
          </dd>
          <dt>{t("config.example")}</dt>
          <dd>
            <code>{c.externalUserId.example}</code>
          </dd>
          <dt>{t("config.timeZone")}</dt>
          <dd>{c.billingTimeZone}</dd>
          <dt>{t("config.currency")}</dt>
          <dd>{c.currency}</dd>
          {carries(c, "defaultMarkup") ? (
            <>
              <dt>{t("config.markup")}</dt>
              <dd>×{markupText(c.defaultMarkup)}</dd>
            </>
          ) : null}
          <dt>{t("config.monthlyLimit")}</dt>
          <dd>{money(c.defaultMonthlyLimitNano)}</dd>
          <dt>{t("config.verification")}</dt>
          <dd>{c.verifyKeys ? t("config.verifyOn") : t("config.verifyOff")}</dd>
          <dt>{t("config.hosts")}</dt>
          <dd>
            <ul className="plain-list">
              {c.acceptedOpenRouterHosts.map((host) => (
                <li key={host}>
                  <code>{host}</code>
                </li>
              ))}
            </ul>
          </dd>
          <dt>{t("config.hostRule")}</dt>
          <dd>{c.hostRule}</dd>
          <dt>{t("config.syncTrigger")}</dt>
          <dd>{c.syncTrigger}</dd>
        </dl>
      ) : config.isPending ? (
        <Skeleton lines={6} />
      ) : null}
    </Card>
  );
}

export default function UserMapping() {
  const { t } = useTranslation("mapping");
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
        title={t("title")}
        description={<Trans t={t} i18nKey="description" components={{ code: <code /> }} />}
        actions={
          provider && scope.organizations.length ? (
            <div className="mapping-scope">
              <SelectField
                label={t("scope")}
                value={organizationId ?? ALL}
                onChange={(e) => {
                  if (e.target.value === ALL) setAllOrganisations(true);
                  else {
                    setAllOrganisations(false);
                    scope.select(e.target.value);
                  }
                }}
                options={[
                  { value: ALL, label: t("allOrganizations") },
                  ...scope.organizations.map((o) => ({ value: o.id, label: o.active ? o.name : t("inactiveOrganization", { name: o.name }) })),
                ]}
              />
            </div>
          ) : null
        }
      />
      <div className="stack">
        {withoutOrganisation ? (
          <Card>
            <EmptyState title={t("noOrganization.title")} action={<Link to="/connections">{t("noOrganization.action")}</Link>}>
              {t("noOrganization.text")}
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
