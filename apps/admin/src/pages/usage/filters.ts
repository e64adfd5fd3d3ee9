// The usage filters live in the URL (?from&to&user&model&status), so a view survives a reload and
// can be shared. The route parses them with @mai/domain's usageSearch — usage.events' own field
// schemas — so anything malformed is dropped rather than sent.
import { usageStatusInput, type UsageSearch } from "@mai/domain/schemas";
import { getRouteApi, useNavigate } from "@tanstack/react-router";
import { useCallback } from "react";

const route = getRouteApi("/app/usage");

export const STATUSES = usageStatusInput.options;

export type Filters = UsageSearch;
export type FilterPatch = { [K in keyof Filters]?: string | undefined };
const FILTER_KEYS = ["from", "to", "user", "model", "status"] as const satisfies readonly (keyof Filters)[];

/** The patch that clears the request filters (user, model, status) and keeps the period. */
export const NO_REQUEST_FILTERS: FilterPatch = { user: undefined, model: undefined, status: undefined };

/** Whether the requests are narrowed beyond the period (a member's user filter does not count). */
export const hasRequestFilters = (filters: Filters, admin: boolean) =>
  Boolean((admin && filters.user) || filters.model || filters.status);

/** The filters in the URL, and a function that patches them (an empty value removes a parameter). */
export function useUsageFilters() {
  const filters = route.useSearch();
  const navigate = useNavigate();
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
