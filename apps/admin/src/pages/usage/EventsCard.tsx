// The requests of the period, newest first, under their own filters; "Load more" follows the API's
// cursor.
import { useInfiniteQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useMemo } from "react";
import { Button } from "../../components/Button";
import { EmptyState, ErrorNotice, Skeleton } from "../../components/Feedback";
import { Card } from "../../components/Page";
import { count } from "../../lib/format";
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

  const filtered = hasRequestFilters(filters, admin);
  const clear = () => update(NO_REQUEST_FILTERS);

  return (
    <Card title="Requests">
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
            <EventsTable items={items} showUser={admin} />
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
