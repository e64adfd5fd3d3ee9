// The usage of one scope (an organisation, or a member's own) over a period: the breakdowns by user,
// by model and by day (with the requests refused at the limit), the requests, and the monthly statement. Raw cost shows where the API's answer
// carries it (the provider's view: lib/provider-cost.ts), never by the role alone.
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { EmptyState } from "../../components/Feedback";
import { Card, PageHeader } from "../../components/Page";
import { date } from "../../lib/format";
import { useMe } from "../../session";
import { trpc } from "../../trpc";
import { ByDayCard } from "./ByDay";
import { ByModelCard } from "./ByModel";
import { ByUserCard } from "./ByUser";
import { EventsCard } from "./EventsCard";
import { useUsageFilters } from "./filters";
import { PeriodFilter } from "./PeriodFilter";
import { StatementCard } from "./StatementCard";

export function UsageReport({
  organizationId,
  organizationName,
}: {
  organizationId: string | undefined;
  organizationName: string | undefined;
}) {
  const { t } = useTranslation("usage");
  const me = useMe();
  const admin = me.role !== "member";
  const [filters, update] = useUsageFilters();

  const rangeError =
    filters.from && filters.to && filters.from > filters.to
      ? t("report.rangeError")
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

  // The organisation's currency and the rate its figures are converted at: the rate of the
  // period's last month's statement (the last rate before the day after that month, or before
  // today while it runs) — one rate for every table, so a table's figures match its caption.
  const rateMonth = range?.to.slice(0, 7);
  const display = useQuery({
    ...trpc.usage.currency.queryOptions({ organizationId, ...(rateMonth ? { month: rateMonth } : {}) }),
    enabled: range !== undefined,
  }).data;

  const who = me.role === "member" ? t("report.yourOwnUsage") : organizationName;
  const description = [
    who,
    range ? t("report.period", { from: date(range.from), to: date(range.to) }) : null,
    resolved ? t("report.daysIn", { timeZone: resolved.timeZone }) : null,
  ]
    .filter(Boolean)
    .join(" · ");
  return (
    <>
      <PageHeader title={t("title")} description={description || undefined} />
      <div className="stack">
        <PeriodFilter filters={filters} update={update} resolved={resolved} rangeError={rangeError} />

        {rangeError ? (
          <Card>
            <EmptyState title={t("report.invalidPeriod.title")}>{t("report.invalidPeriod.body")}</EmptyState>
          </Card>
        ) : (
          <>
            {admin ? <ByUserCard query={byUser} display={display} /> : null}

            <ByModelCard query={byModel} admin={admin} display={display} />

            <ByDayCard organizationId={organizationId} range={range} display={display} />

            <EventsCard
              organizationId={organizationId}
              admin={admin}
              filters={filters}
              update={update}
              range={range}
              rangeUnknown={byModel.isError && (!admin || byUser.isError)}
              users={byUser.data?.rows}
              models={byModel.data?.rows}
              display={display}
            />
          </>
        )}

        <StatementCard organizationId={organizationId} />
      </div>
    </>
  );
}
