// The Overview's banner when a limit alert of the current billing month fired for the organisation
// in scope (alerts.list, which its members may read too): the highest threshold reached, spent of
// the limit when it fired, and a link to the Alerts page. Nothing while loading, on an error (the
// Alerts page says it) or when this month has none.
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { Trans, useTranslation } from "react-i18next";
import { Notice } from "./Feedback";
import { count, dateTime, displayLocale, money } from "../lib/format";
import { trpc } from "../trpc";

export function LimitAlertBanner({ organizationId }: { organizationId: string | undefined }) {
  const { t } = useTranslation();
  const alerts = useQuery({ ...trpc.alerts.list.queryOptions({ organizationId, limit: 10 }), enabled: Boolean(organizationId) });
  const data = alerts.data;
  const thisMonth = data ? data.items.filter((a) => a.period === data.currentPeriod) : [];
  if (!data || thisMonth.length === 0) return null;
  const top = thisMonth.reduce((a, b) => (b.thresholdPercent > a.thresholdPercent ? b : a));
  // "December 2026", "grudzień 2026": the month in the reader's language.
  const month = new Intl.DateTimeFormat(displayLocale(), { month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(`${top.period}-01T00:00:00Z`));
  return (
    <Notice tone={top.thresholdPercent >= 100 ? "error" : "warning"}>
      {top.thresholdPercent >= 100
        ? t("limitAlert.reached", { month })
        : t("limitAlert.threshold", { percent: count(top.thresholdPercent), month })}{" "}
      <Trans
        t={t}
        i18nKey="limitAlert.sent"
        values={{ when: dateTime(top.firedAt), spent: money(top.spentNano), limit: money(top.limitNano) }}
        components={{ a: <Link to="/alerts" /> }}
      />
    </Notice>
  );
}
