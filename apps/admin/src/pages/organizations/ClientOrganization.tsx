// A client administrator's view: their organisation as the provider set it up — status, key
// (masked), limit, this month's spend, members — and where statements go. The markup only when the
// API's answer carries it (the provider lets clients see its cost: lib/provider-cost.ts). When the
// organisation's currency is not USD (PLN), each USD figure is followed by its conversion at the
// month-to-date rate, and the rate is captioned once under the card; converted figures are never summed.
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { ConvertedAmount, RateCaption } from "../../components/Converted";
import { EmptyState, ErrorNotice, Notice, Skeleton } from "../../components/Feedback";
import { Card, PageHeader } from "../../components/Page";
import { useDisplayCurrency } from "../../lib/display";
import { count, markupText, money } from "../../lib/format";
import { carries } from "../../lib/provider-cost";
import { trpc } from "../../trpc";
import { BillingEmailForm } from "./BillingEmailForm";
import { KeyCell, OrganizationStatus, UsedOfLimit } from "./OrganizationCells";
import { UnmeteredCell, useUnmeteredUsage } from "./Unmetered";

export function ClientOrganization() {
  const { t } = useTranslation("organizations");
  const list = useQuery(trpc.organizations.list.queryOptions());
  const o = list.data?.[0];
  const unmetered = useUnmeteredUsage();
  const display = useDisplayCurrency(o?.id).data;
  return (
    <>
      <PageHeader title={t("title")} description={t("client.description")} />
      {list.error ? <ErrorNotice error={list.error} onRetry={() => void list.refetch()} /> : null}
      {o ? (
        <div className="grid grid-2">
          <Card title={o.name}>
            <dl className="dl">
              <dt>{t("client.status")}</dt>
              <dd>
                <OrganizationStatus organization={o} />
              </dd>
              <dt>{t("client.billingEmail")}</dt>
              <dd>{o.billingEmail ?? <span className="muted">{t("client.notSet")}</span>}</dd>
              <dt>{t("client.openRouterKey")}</dt>
              <dd>
                <KeyCell organization={o} />
              </dd>
              {carries(o, "markup") ? (
                <>
                  <dt>{t("client.markup")}</dt>
                  <dd>{t("client.markupValue", { markup: markupText(o.markup) })}</dd>
                </>
              ) : null}
              <dt>{t("client.monthlyLimit")}</dt>
              <dd>
                {money(o.monthlyLimitNano)}
                <ConvertedAmount nano={o.monthlyLimitNano} display={display} />
              </dd>
              <dt>{t("client.spentIn", { period: o.period })}</dt>
              <dd>
                <div className="org-spend org-spend-left">
                  <span>
                    {money(o.monthToDateNano)}
                    <ConvertedAmount nano={o.monthToDateNano} display={display} />
                  </span>
                  <UsedOfLimit organization={o} />
                </div>
              </dd>
              {/* Usage of your key that did not go through the gateway (e.g. the key used elsewhere). */}
              <dt>{t("client.unmetered")}</dt>
              <dd>
                <UnmeteredCell usage={unmetered.get(o.id)} display={display} />
              </dd>
              <dt>{t("client.members")}</dt>
              <dd>
                <Link to="/members">{count(o.memberCount)}</Link>
              </dd>
            </dl>
            <RateCaption display={display} />
            {o.active ? null : <Notice tone="warning">{t("client.deactivated")}</Notice>}
          </Card>
          <Card title={t("client.whereStatementsGo")}>
            <BillingEmailForm key={o.id} organization={o} />
          </Card>
        </div>
      ) : list.data ? (
        <Card>
          <EmptyState title={t("client.notSetUp")} action={<Link to="/connections">{t("client.openConnections")}</Link>}>
            {t("client.notSetUpBody")}
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
