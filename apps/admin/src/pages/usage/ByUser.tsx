// Usage by user over the period (administrators only): who chatted, how much, at what cost, with a
// TOTAL row summed exactly.
import type { UseQueryResult } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { DataTable, type Column } from "../../components/DataTable";
import { EmptyState, ErrorNotice, Skeleton } from "../../components/Feedback";
import { Card } from "../../components/Page";
import { count } from "../../lib/format";
import { allCarry } from "../../lib/provider-cost";
import type { RouterOutputs } from "../../session";
import { FigureTotals, figureColumns } from "./FigureColumns";
import { userLabel, type UserRow } from "./rows";
import { sumUsageFigures as sumFigures } from "@mai/domain/usage-figures";

function ByUserTable({ rows }: { rows: readonly UserRow[] }) {
  // A raw-cost column only when the API's answer carries it (the provider's view).
  const raw = allCarry(rows, "rawCostNano");
  const columns: Column<UserRow>[] = [
    {
      key: "user",
      header: "User",
      cell: (r) => (
        <>
          {r.email ?? r.name ?? <span className="muted">Unknown user</span>}
          {r.email && r.name ? <div className="muted">{r.name}</div> : null}
        </>
      ),
      sortValue: (r) => userLabel(r).toLowerCase(),
    },
    {
      key: "external",
      header: "External user id",
      cell: (r) => <code className="break-all">{r.externalUserId}</code>,
      sortValue: (r) => r.externalUserId,
    },
    ...figureColumns<UserRow>(raw),
  ];
  const total = sumFigures(rows);
  return (
    <DataTable
      rows={rows}
      columns={columns}
      rowKey={(r) => r.userId}
      caption="Usage by user"
      initialSort={{ key: "billed", direction: "desc" }}
      footer={
        <tr>
          <th scope="row">Total</th>
          <td className="muted">
            {count(rows.length)} {rows.length === 1 ? "user" : "users"}
          </td>
          <FigureTotals total={total} raw={raw} />
        </tr>
      }
    />
  );
}

export function ByUserCard({
  query,
}: {
  query: UseQueryResult<RouterOutputs["usage"]["byUser"], unknown>;
}) {
  return (
    <Card title="By user" className="usage-breakdown">
      {query.error ? <ErrorNotice error={query.error} onRetry={() => void query.refetch()} /> : null}
      {query.data ? (
        query.data.rows.length ? (
          <ByUserTable rows={query.data.rows} />
        ) : (
          <EmptyState title="No usage in this period">
            Users appear here once they chat through the proxy. Choose another period, or check{" "}
            <Link to="/user-mapping">User mapping</Link> if requests are expected.
          </EmptyState>
        )
      ) : query.isPending ? (
        <Skeleton lines={4} />
      ) : null}
    </Card>
  );
}
