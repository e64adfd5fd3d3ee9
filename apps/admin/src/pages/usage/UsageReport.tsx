// The usage of one scope (an organisation, or a member's own) over a period: the breakdowns by user,
// by model and by day (with the requests refused at the limit), the requests, and the monthly statement. Raw cost shows where the API's answer
// carries it (the provider's view: lib/provider-cost.ts), never by the role alone.
import { useQuery } from "@tanstack/react-query";
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
  const me = useMe();
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
                {date(range.from)} to {date(range.to)}
              </>
            ) : null}
            {resolved ? ` · days in ${resolved.timeZone}` : null}
          </>
        }
      />
      <div className="stack">
        <PeriodFilter filters={filters} update={update} resolved={resolved} rangeError={rangeError} />

        {rangeError ? (
          <Card>
            <EmptyState title="Choose a valid period">
              The end date must not be before the start date. Change one of the dates above, or go back to the
              current month.
            </EmptyState>
          </Card>
        ) : (
          <>
            {admin ? <ByUserCard query={byUser} /> : null}

            <ByModelCard query={byModel} admin={admin} />

            <ByDayCard organizationId={organizationId} range={range} />

            <EventsCard
              organizationId={organizationId}
              admin={admin}
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
