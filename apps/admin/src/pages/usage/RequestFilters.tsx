// The request filters — user (administrators), model, status — offered from the period's
// breakdowns; a value from the URL that the period does not list still shows as chosen.
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
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
  const { t } = useTranslation("usage");
  const userOptions = useMemo(() => {
    const rows = [...(users ?? [])].sort((a, b) => userLabel(a).localeCompare(userLabel(b)));
    const options = rows.map((r) => ({
      value: r.userId,
      label: r.email && r.name ? `${r.email} (${r.name})` : userLabel(r),
    }));
    // A user from the URL with no usage in the period still shows as chosen.
    if (filters.user && !rows.some((r) => r.userId === filters.user))
      options.unshift({ value: filters.user, label: t("filters.someUser", { id: filters.user.slice(0, 8) }) });
    return [{ value: "", label: t("filters.allUsers") }, ...options];
  }, [users, filters.user, t]);
  const modelOptions = useMemo(() => {
    const names = [...new Set((models ?? []).map((r) => r.model))].sort((a, b) => a.localeCompare(b));
    if (filters.model && !names.includes(filters.model)) names.unshift(filters.model);
    return [{ value: "", label: t("filters.allModels") }, ...names.map((m) => ({ value: m, label: m }))];
  }, [models, filters.model, t]);
  const statusOptions = [
    { value: "", label: t("filters.allStatuses") },
    ...STATUSES.map((s) => ({ value: s, label: t(`filters.statuses.${s}`) })),
  ];

  return (
    <div className="filters" role="group" aria-label={t("filters.label")}>
      {admin ? (
        <SelectField
          label={t("filters.user")}
          value={filters.user ?? ""}
          options={userOptions}
          onChange={(e) => update({ user: e.target.value })}
        />
      ) : null}
      <SelectField
        label={t("filters.model")}
        value={filters.model ?? ""}
        options={modelOptions}
        onChange={(e) => update({ model: e.target.value })}
      />
      <SelectField
        label={t("filters.status")}
        value={filters.status ?? ""}
        options={statusOptions}
        onChange={(e) => update({ status: e.target.value })}
      />
      {filtered ? (
        <Button variant="ghost" onClick={onClear}>
          {t("filters.clear")}
        </Button>
      ) : null}
    </div>
  );
}
