// The request events, newest first: time, user (administrators), model and provider, tokens, the
// exact billed cost (and the raw cost when the API's answer carries it: the provider's view), status
// and latency. For an organisation whose currency is not USD, each billed cost has its conversion
// beside it (from its own nano-USD value).
import { useTranslation } from "react-i18next";
import { ConvertedAmount, type DisplayCurrencyData } from "../../components/Converted";
import { TableRegion } from "../../components/DataTable";
import { StatusBadge } from "../../components/Feedback";
import { count, dateTime, moneyExact } from "../../lib/format";
import { carries } from "../../lib/provider-cost";
import type { UsageEvent } from "./rows";

export function EventsTable({
  items,
  showUser,
  display,
}: {
  items: readonly UsageEvent[];
  showUser: boolean;
  display?: DisplayCurrencyData;
}) {
  const { t } = useTranslation("usage");
  const ms = (value: number | null) => (value === null ? "—" : t("events.table.ms", { value: count(value) }));
  return (
    <TableRegion label={t("events.table.label")}>
      <table className="usage-events">
        <caption className="visually-hidden">{t("events.table.label")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("events.table.time")}</th>
            {showUser ? <th scope="col">{t("events.table.user")}</th> : null}
            <th scope="col">{t("events.table.modelProvider")}</th>
            <th scope="col" className="num">
              {t("events.table.tokens")}
            </th>
            <th scope="col" className="num">
              {t("events.table.billedCost")}
            </th>
            <th scope="col">{t("events.table.status")}</th>
            <th scope="col" className="num">
              {t("events.table.latency")}
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.generationId}>
              <td className="nowrap">
                <time dateTime={e.occurredAt.toISOString()}>{dateTime(e.occurredAt)}</time>
              </td>
              {showUser ? (
                <td className="usage-event-user">
                  {e.email ?? <span className="muted">{t("events.table.unknownUser")}</span>}
                  <div className="muted mono break-all">{e.externalUserId}</div>
                </td>
              ) : null}
              <td className="usage-event-model">
                <code>{e.model}</code>
                <div className="muted">{e.provider ?? "—"}</div>
              </td>
              <td className="num nowrap">
                {count(e.promptTokens)} / {count(e.completionTokens)}
                {e.reasoningTokens || e.cachedTokens ? (
                  <div className="muted">
                    {[
                      e.reasoningTokens ? t("events.table.reasoning", { count: e.reasoningTokens }) : null,
                      e.cachedTokens ? t("events.table.cached", { count: e.cachedTokens }) : null,
                    ]
                      .filter(Boolean)
                      .join(" · ")}
                  </div>
                ) : null}
              </td>
              <td className="num nowrap">
                <span>{moneyExact(e.billedCostNano)}</span>
                <ConvertedAmount nano={e.billedCostNano} display={display} />
                {carries(e, "rawCostNano") ? <div className="muted">{t("events.table.raw", { amount: moneyExact(e.rawCostNano) })}</div> : null}
              </td>
              <td className="nowrap">
                <StatusBadge status={e.status} />
                <div className="muted">{e.streamed ? t("events.table.streamed") : t("events.table.notStreamed")}</div>
              </td>
              <td className="num nowrap">
                {ms(e.latencyMs)}
                <div className="muted">{t("events.table.ttfb", { value: ms(e.ttfbMs) })}</div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}
