// The period the breakdowns cover: from and to, as local days of the billing time zone. Empty
// means the current billing month, as the API chooses it.
import { useTranslation } from "react-i18next";
import { Button } from "../../components/Button";
import { TextField } from "../../components/Field";
import type { FilterPatch, Filters } from "./filters";

export interface PeriodFilterProps {
  filters: Filters;
  update: (patch: FilterPatch) => void;
  /** The period the API answered with (the current billing month unless the URL names one). */
  resolved: { from: string; to: string; timeZone: string } | undefined;
  rangeError: string | null;
}

export function PeriodFilter({ filters, update, resolved, rangeError }: PeriodFilterProps) {
  const { t } = useTranslation("usage");
  const shown = { from: filters.from ?? resolved?.from ?? "", to: filters.to ?? resolved?.to ?? "" };
  // Changing one end pins the other to what is shown, so the period never jumps under the user.
  const setDate = (end: "from" | "to", value: string) => {
    const other = end === "from" ? "to" : "from";
    update({
      [end]: value || undefined,
      [other]: filters[other] ?? (value ? shown[other] || undefined : undefined),
    });
  };
  const custom = Boolean(filters.from || filters.to);

  return (
    <div>
      <div className="filters usage-period" role="group" aria-label={t("period.label")}>
        <TextField
          label={t("period.from")}
          type="date"
          value={shown.from}
          max={shown.to || undefined}
          onChange={(e) => setDate("from", e.target.value)}
        />
        <TextField
          label={t("period.to")}
          type="date"
          value={shown.to}
          min={shown.from || undefined}
          error={rangeError}
          onChange={(e) => setDate("to", e.target.value)}
        />
        {custom ? (
          <Button onClick={() => update({ from: undefined, to: undefined })}>{t("period.currentMonth")}</Button>
        ) : null}
      </div>
      <p className="field-hint usage-period-hint">
        {resolved ? t("period.hintWithZone", { timeZone: resolved.timeZone }) : t("period.hint")}
      </p>
    </div>
  );
}
