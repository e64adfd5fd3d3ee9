// The usage filters live in the URL (?from&to&user&model&status), so a view survives a reload and
// can be shared. The root route validates only `org`; the other parameters pass through untouched,
// so they are checked here: anything malformed is ignored rather than sent.
import { useNavigate, useSearch } from "@tanstack/react-router";
import { useCallback, useMemo } from "react";
import type { EventStatus } from "./rows";

export const STATUSES = ["ok", "error", "aborted", "incomplete"] as const satisfies readonly EventStatus[];
const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Filters {
  from?: string;
  to?: string;
  user?: string;
  model?: string;
  status?: EventStatus;
}
export type FilterPatch = { [K in keyof Filters]?: string | undefined };
const FILTER_KEYS = ["from", "to", "user", "model", "status"] as const;

/** The patch that clears the request filters (user, model, status) and keeps the period. */
export const NO_REQUEST_FILTERS: FilterPatch = { user: undefined, model: undefined, status: undefined };

/** Whether the requests are narrowed beyond the period (a member's user filter does not count). */
export const hasRequestFilters = (filters: Filters, admin: boolean) =>
  Boolean((admin && filters.user) || filters.model || filters.status);

function text(value: unknown, max = 300): string | undefined {
  return typeof value === "string" && value.trim() !== "" && value.length <= max ? value : undefined;
}

export function readFilters(search: Record<string, unknown>): Filters {
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

/** The filters in the URL, and a function that patches them (an empty value removes a parameter). */
export function useUsageFilters() {
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
