// The request filters — user (administrators), model, status — offered from the period's
// breakdowns; a value from the URL that the period does not list still shows as chosen.
import { useMemo } from "react";
import { Button } from "../../components/Button";
import { SelectField } from "../../components/Field";
import { STATUSES, type FilterPatch, type Filters } from "./filters";
import { userLabel, type ModelRow, type UserRow } from "./rows";

export interface RequestFiltersProps {
  admin: boolean;
  filters: Filters;
  update: (patch: FilterPatch) => void;
  users: readonly UserRow[] | undefined;
  models: readonly ModelRow[] | undefined;
  /** Some request filter is set: offer to clear them. */
  filtered: boolean;
  onClear: () => void;
}

export function RequestFilters({
  admin,
  filters,
  update,
  users,
  models,
  filtered,
  onClear,
}: RequestFiltersProps) {
  const userOptions = useMemo(() => {
    const rows = [...(users ?? [])].sort((a, b) => userLabel(a).localeCompare(userLabel(b)));
    const options = rows.map((r) => ({
      value: r.userId,
      label: r.email && r.name ? `${r.email} (${r.name})` : userLabel(r),
    }));
    // A user from the URL with no usage in the period still shows as chosen.
    if (filters.user && !rows.some((r) => r.userId === filters.user))
      options.unshift({ value: filters.user, label: `User ${filters.user.slice(0, 8)}…` });
    return [{ value: "", label: "All users" }, ...options];
  }, [users, filters.user]);
  const modelOptions = useMemo(() => {
    const names = [...new Set((models ?? []).map((r) => r.model))].sort((a, b) => a.localeCompare(b));
    if (filters.model && !names.includes(filters.model)) names.unshift(filters.model);
    return [{ value: "", label: "All models" }, ...names.map((m) => ({ value: m, label: m }))];
  }, [models, filters.model]);
  const statusOptions = [
    { value: "", label: "All statuses" },
    ...STATUSES.map((s) => ({ value: s, label: s })),
  ];

  return (
    <div className="filters" role="group" aria-label="Request filters">
      {admin ? (
        <SelectField
          label="User"
          value={filters.user ?? ""}
          options={userOptions}
          onChange={(e) => update({ user: e.target.value })}
        />
      ) : null}
      <SelectField
        label="Model"
        value={filters.model ?? ""}
        options={modelOptions}
        onChange={(e) => update({ model: e.target.value })}
      />
      <SelectField
        label="Status"
        value={filters.status ?? ""}
        options={statusOptions}
        onChange={(e) => update({ status: e.target.value })}
      />
      {filtered ? (
        <Button variant="ghost" onClick={onClear}>
          Clear request filters
        </Button>
      ) : null}
    </div>
  );
}
