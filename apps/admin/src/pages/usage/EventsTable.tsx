// The request events, newest first: time, user (administrators), model and provider, tokens, the
// exact billed cost (and the raw cost when the API's answer carries it: the provider's view), status
// and latency.
import { TableRegion } from "../../components/DataTable";
import { StatusBadge } from "../../components/Feedback";
import { count, dateTime, moneyExact } from "../../lib/format";
import { carries } from "../../lib/provider-cost";
import type { UsageEvent } from "./rows";

const ms = (value: number | null) => (value === null ? "—" : `${count(value)} ms`);

export function EventsTable({
  items,
  showUser,
}: {
  items: readonly UsageEvent[];
  showUser: boolean;
}) {
  return (
    <TableRegion label="Usage events, newest first">
      <table className="usage-events">
        <caption className="visually-hidden">Usage events, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            {showUser ? <th scope="col">User</th> : null}
            <th scope="col">Model / provider</th>
            <th scope="col" className="num">
              Tokens in / out
            </th>
            <th scope="col" className="num">
              Billed cost
            </th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Latency / TTFB
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
                  {e.email ?? <span className="muted">Unknown user</span>}
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
                      e.reasoningTokens ? `${count(e.reasoningTokens)} reasoning` : null,
                      e.cachedTokens ? `${count(e.cachedTokens)} cached` : null,
                    ]
                      .filter(Boolean)
                      .join(" · ")}
                  </div>
                ) : null}
              </td>
              <td className="num nowrap">
                <span>{moneyExact(e.billedCostNano)}</span>
                {carries(e, "rawCostNano") ? <div className="muted">raw {moneyExact(e.rawCostNano)}</div> : null}
              </td>
              <td className="nowrap">
                <StatusBadge status={e.status} />
                <div className="muted">{e.streamed ? "streamed" : "not streamed"}</div>
              </td>
              <td className="num nowrap">
                {ms(e.latencyMs)}
                <div className="muted">TTFB {ms(e.ttfbMs)}</div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}
