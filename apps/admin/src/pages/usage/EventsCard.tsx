// The requests of the period, newest first, under their own filters; "Load more" follows the API's
// cursor.
import { useInfiniteQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useMemo } from "react";
import { Trans, useTranslation } from "react-i18next";
import { Button } from "../../components/Button";
import { RateCaption, type DisplayCurrencyData } from "../../components/Converted";
import { EmptyState, ErrorNotice, Skeleton } from "../../components/Feedback";
import { Card } from "../../components/Page";
import { trpc } from "../../trpc";
import { EventsTable } from "./EventsTable";
import { hasRequestFilters, NO_REQUEST_FILTERS, type FilterPatch, type Filters } from "./filters";
import { RequestFilters } from "./RequestFilters";
import type { ModelRow, UserRow } from "./rows";

const EVENTS_PAGE = 50;

export interface EventsCardProps {
  organizationId: string | undefined;
  admin: boolean;
  filters: Filters;
  update: (patch: FilterPatch) => void;
  /** The range the breakdowns cover (explicit or the API's default); undefined while unknown. */
  range: { from: string; to: string } | undefined;
  /** The range could not be resolved (the breakdown failed): list without a date filter. */
  rangeUnknown: boolean;
  users: readonly UserRow[] | undefined;
  models: readonly ModelRow[] | undefined;
  /** The organisation's display currency: each request's billed cost converted, the rate captioned once. */
  display?: DisplayCurrencyData;
}

export function EventsCard({
  organizationId,
  admin,
  filters,
  update,
  range,
  rangeUnknown,
  users,
  models,
  display,
}: EventsCardProps) {
  const { t } = useTranslation("usage");
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

  const filtered = hasRequestFilters(filters, admin);
  const clear = () => update(NO_REQUEST_FILTERS);

  return (
    <Card title={t("events.title")}>
      <RequestFilters
        admin={admin}
        filters={filters}
        update={update}
        users={users}
        models={models}
        filtered={filtered}
        onClear={clear}
      />
      {events.error && !events.isFetchNextPageError ? (
        <ErrorNotice error={events.error} onRetry={() => void events.refetch()} />
      ) : null}
      {events.data ? (
        items.length ? (
          <>
            <EventsTable items={items} showUser={admin} display={display} />
            <RateCaption display={display} />
            {events.isFetchNextPageError ? (
              <ErrorNotice
                title={t("events.moreFailed")}
                error={events.error}
                onRetry={() => void events.fetchNextPage()}
              />
            ) : null}
            <div className="pager">
              <span className="muted" role="status">
                {events.hasNextPage ? t("events.shown", { count: items.length }) : t("events.shownAll", { count: items.length })}
              </span>
              {events.hasNextPage ? (
                <Button busy={events.isFetchingNextPage} onClick={() => void events.fetchNextPage()}>
                  {t("events.loadMore")}
                </Button>
              ) : null}
            </div>
          </>
        ) : filtered ? (
          <EmptyState
            title={t("events.noMatch.title")}
            action={
              <Button variant="secondary" onClick={clear}>
                {t("filters.clear")}
              </Button>
            }
          >
            {t("events.noMatch.body")}
          </EmptyState>
        ) : (
          <EmptyState title={t("events.none.title")}>
            <Trans t={t} i18nKey="events.none.body" components={{ a: <Link to="/tokens" /> }} />
          </EmptyState>
        )
      ) : events.isPending && !events.error ? (
        <Skeleton lines={6} />
      ) : null}
    </Card>
  );
}
