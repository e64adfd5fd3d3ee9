// The Overview's banner when a limit alert of the current billing month fired for the organisation
// in scope (alerts.list, which its members may read too): the highest threshold reached, spent of
// the limit when it fired, and a link to the Alerts page. Nothing while loading, on an error (the
// Alerts page says it) or when this month has none.
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { Notice } from "./Feedback";
import { dateTime, money } from "../lib/format";
import { trpc } from "../trpc";

export function LimitAlertBanner({ organizationId }: { organizationId: string | undefined }) {
  const alerts = useQuery({ ...trpc.alerts.list.queryOptions({ organizationId, limit: 10 }), enabled: Boolean(organizationId) });
  const data = alerts.data;
  const thisMonth = data ? data.items.filter((a) => a.period === data.currentPeriod) : [];
  if (!data || thisMonth.length === 0) return null;
  const top = thisMonth.reduce((a, b) => (b.thresholdPercent > a.thresholdPercent ? b : a));
  const month = new Intl.DateTimeFormat("en-GB", { month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(`${top.period}-01T00:00:00Z`));
  return (
    <Notice tone={top.thresholdPercent >= 100 ? "error" : "warning"}>
      {top.thresholdPercent >= 100
        ? `The monthly limit for ${month} is reached: chat requests are refused until it is raised or the month ends.`
        : `${top.thresholdPercent} % of the monthly limit for ${month} is spent.`}{" "}
      Alert sent {dateTime(top.firedAt)} at {money(top.spentNano)} of {money(top.limitNano)}. See <Link to="/alerts">Alerts</Link>.
    </Notice>
  );
}
