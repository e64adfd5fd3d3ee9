// Today and month to date, the monthly limit, a 30-day trend, top users and top models — for the
// organisation in scope (a member sees their own usage, by model: a top-users list of one says
// nothing). Raw cost and margin show only when the API's answer carries raw cost — the provider's
// view (lib/provider-cost.ts) — never by the role alone.
// A client administrator or member of no organisation yet sees what to do next instead
// (NoOrganization.tsx): no usage is asked for, so there is nothing to fail.
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { Suspense, lazy, type ReactNode } from "react";
import { Trans, useTranslation } from "react-i18next";
import { TableRegion } from "../components/DataTable";
import { EmptyState, ErrorNotice, Notice, Skeleton } from "../components/Feedback";
import { LimitAlertBanner } from "../components/LimitAlertBanner";
import { LimitGauge } from "../components/LimitGauge";
import { Card, PageHeader, Stat } from "../components/Page";
import { ConvertedAmount, RateCaption, type DisplayCurrencyData } from "../components/Converted";
import { count, date, money, moneyExact, moneyIn } from "../lib/format";
import { carries } from "../lib/provider-cost";
import { useMe, useOrgScope, type RouterOutputs } from "../session";
import { trpc } from "../trpc";
import { NoOrganization } from "./NoOrganization";

const TrendChart = lazy(() => import("../components/TrendChart").then((m) => ({ default: m.TrendChart })));

type Summary = RouterOutputs["usage"]["summary"];
/** Either view of the summary's figures (Omit would keep only what both views share). */
type Figures = Summary["today"] | Summary["monthToDate"];

function FigureStats({ title, figures, display }: { title: string; figures: Figures; display?: DisplayCurrencyData }) {
  const { t } = useTranslation("overview");
  const { t: tc } = useTranslation();
  const raw = carries(figures, "rawCostNano") ? figures.rawCostNano : null;
  return (
    <Card title={title}>
      <div className="stat-group">
        <Stat
          label={tc("figures.requests")}
          value={count(figures.requests)}
          detail={figures.errorRequests ? tc("figures.failed", { count: figures.errorRequests }) : undefined}
        />
        <Stat
          label={tc("figures.tokens")}
          value={count(figures.totalTokens)}
          detail={tc("figures.tokensDetail", { prompt: count(figures.promptTokens), completion: count(figures.completionTokens) })}
        />
        <Stat
          label={tc("figures.billedCost")}
          value={money(figures.billedCostNano)}
          detail={display?.rate ? moneyIn(figures.billedCostNano, display.rate) : undefined}
        />
        {raw !== null ? <Stat label={tc("figures.rawCost")} value={money(raw)} /> : null}
        {raw !== null ? <Stat label={t("stats.margin")} value={money(figures.billedCostNano - raw)} /> : null}
      </div>
    </Card>
  );
}

interface Ranked {
  requests: number;
  billedCostNano: bigint;
}

/** The five largest rows of a month's breakdown by billed cost (compared as bigints). */
function TopFive<T extends Ranked>({
  title,
  header,
  query,
  rowKey,
  label,
  display,
}: {
  title: string;
  header: string;
  display: DisplayCurrencyData | undefined;
  query: { data?: { rows: T[] }; error: unknown; isPending: boolean };
  rowKey: (row: T) => string;
  label: (row: T) => ReactNode;
}) {
  const { t } = useTranslation("overview");
  const top = query.data ? [...query.data.rows].sort((a, b) => (b.billedCostNano > a.billedCostNano ? 1 : b.billedCostNano < a.billedCostNano ? -1 : 0)).slice(0, 5) : [];
  return (
    <Card title={title}>
      {query.error ? <ErrorNotice error={query.error} /> : null}
      {query.data ? (
        top.length ? (
          <TableRegion label={t("top.tableLabel", { title })}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{header}</th>
                  <th scope="col" className="num">
                    {t("top.requests")}
                  </th>
                  <th scope="col" className="num">
                    {t("top.billed")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {top.map((r) => (
                  <tr key={rowKey(r)}>
                    <td>{label(r)}</td>
                    <td className="num">{count(r.requests)}</td>
                    <td className="num">
                      {money(r.billedCostNano)}
                      <ConvertedAmount nano={r.billedCostNano} display={display} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
        ) : (
          <EmptyState title={t("top.empty")} />
        )
      ) : query.isPending ? (
        <Skeleton />
      ) : null}
    </Card>
  );
}

export default function Overview() {
  const { t } = useTranslation("overview");
  const me = useMe();
  const scope = useOrgScope();
  const provider = me.role === "provider_admin";
  const needsOrg = provider;
  const input = { organizationId: scope.organizationId };
  const withoutOrganization = !provider && !me.organizationId;
  const ready = provider ? Boolean(scope.organizationId) : !withoutOrganization;
  const summary = useQuery({ ...trpc.usage.summary.queryOptions(input), enabled: ready });
  const daily = useQuery({ ...trpc.usage.daily.queryOptions({ ...input, days: 30 }), enabled: ready });
  const member = me.role === "member";
  // A member's own usage has one user: no top-users list, their models instead.
  const byUser = useQuery({ ...trpc.usage.byUser.queryOptions(input), enabled: ready && !member });
  const byModel = useQuery({ ...trpc.usage.byModel.queryOptions(input), enabled: ready });
  // The organisation's currency, when not USD, and the rate of month-to-date figures (the last before today).
  const display = useQuery({ ...trpc.usage.currency.queryOptions(input), enabled: ready }).data;
  // Key-level reconciliation (administrators): usage of the organisation's key the gateway did not record.
  const unmetered = useQuery({
    ...trpc.organizations.unmeteredUsage.queryOptions(input),
    enabled: ready && me.role !== "member",
  });
  // The provider's view says what OpenRouter charged; a client's, what it comes to at their price.
  const unmeteredAmount = (check: NonNullable<NonNullable<typeof unmetered.data>[number]["check"]>) =>
    carries(check, "unmeteredNano") ? check.unmeteredNano : check.unmeteredBilledNano;
  const unmeteredCheck = unmetered.data?.find((u) => u.check?.unmetered && unmeteredAmount(u.check) > 0n)?.check;

  if (withoutOrganization) return <NoOrganization me={me} />;

  if (needsOrg && !scope.isLoading && !scope.organizationId) {
    return (
      <>
        <PageHeader title={t("title")} />
        <Card>
          <EmptyState title={t("noOrganizations.title")} action={<Link to="/organizations">{t("noOrganizations.action")}</Link>}>
            {t("noOrganizations.body")}
          </EmptyState>
        </Card>
      </>
    );
  }

  const s = summary.data;
  const limitCard = s ? (
    <Card title={t("monthlyLimit", { period: s.limit.period })}>
      <LimitGauge {...s.limit} display={display} />
    </Card>
  ) : null;
  // A limit nearly or wholly spent leads the page: on a phone the figures above it fill the first screen.
  const limitFirst = s !== undefined && s.limit.level !== "ok";
  return (
    <>
      <PageHeader
        title={t("title")}
        description={
          s
            ? t("description", {
                who: me.role === "member" ? t("yourUsage") : s.organizationName,
                timeZone: s.timeZone,
                period: s.monthToDate.period,
              })
            : undefined
        }
      />
      {summary.error ? <ErrorNotice error={summary.error} onRetry={() => void summary.refetch()} /> : null}
      <LimitAlertBanner organizationId={provider ? scope.organizationId : (me.organizationId ?? undefined)} />
      {unmeteredCheck ? (
        <Notice tone="warning">
          <Trans
            t={t}
            i18nKey={carries(unmeteredCheck, "unmeteredNano") ? "unmetered.chargedByOpenRouter" : "unmetered.atYourPrice"}
            values={{ amount: moneyExact(unmeteredAmount(unmeteredCheck)) }}
            components={{ a: <Link to="/organizations" /> }}
          />
        </Notice>
      ) : null}
      <div className="stack">
        {limitFirst ? limitCard : null}
        {s ? (
          <div className="grid grid-2">
            <FigureStats title={t("today", { date: date(s.today.date) })} figures={s.today} display={display} />
            <FigureStats title={t("monthToDate")} figures={s.monthToDate} display={display} />
          </div>
        ) : summary.isPending ? (
          <Card>
            <Skeleton lines={4} />
          </Card>
        ) : null}
        <RateCaption display={display} />
        {limitFirst ? null : limitCard}
        <Card title={t("last30Days")}>
          {daily.error ? <ErrorNotice error={daily.error} /> : null}
          {daily.data ? (
            daily.data.some((d) => d.requests > 0) ? (
              <Suspense fallback={<Skeleton lines={6} />}>
                <TrendChart days={daily.data} />
              </Suspense>
            ) : (
              <EmptyState title={t("noRequests.title")}>
                <Trans t={t} i18nKey="noRequests.body" components={{ a: <Link to="/tokens" /> }} />
              </EmptyState>
            )
          ) : daily.isPending ? (
            <Skeleton lines={6} />
          ) : null}
        </Card>
        {member ? (
          <TopFive title={t("top.yourModels")} header={t("top.model")} display={display} query={byModel} rowKey={(r) => r.model} label={(r) => <span className="mono">{r.model}</span>} />
        ) : (
          <div className="grid grid-2">
            <TopFive
              title={t("top.users")}
              header={t("top.user")}
              display={display}
              query={byUser}
              rowKey={(r) => r.userId}
              label={(r) => (
                <>
                  {r.email ?? r.name ?? "—"}
                  <div className="muted mono break-all">{r.externalUserId}</div>
                </>
              )}
            />
            <TopFive title={t("top.models")} header={t("top.model")} display={display} query={byModel} rowKey={(r) => r.model} label={(r) => <span className="mono">{r.model}</span>} />
          </div>
        )}
      </div>
    </>
  );
}
