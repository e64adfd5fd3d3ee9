// Usage by model over the period, with a TOTAL row summed exactly. Administrators also see how many
// users used each model.
import type { UseQueryResult } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { DataTable, type Column } from "../../components/DataTable";
import { EmptyState, ErrorNotice, Skeleton } from "../../components/Feedback";
import { Card } from "../../components/Page";
import { count } from "../../lib/format";
import { allCarry } from "../../lib/provider-cost";
import type { RouterOutputs } from "../../session";
import { FigureTotals, figureColumns } from "./FigureColumns";
import type { ModelRow } from "./rows";
import { sumUsageFigures as sumFigures } from "@mai/domain/usage-figures";

function ByModelTable({
  rows,
  admin,
}: {
  rows: readonly ModelRow[];
  admin: boolean;
}) {
  // A raw-cost column only when the API's answer carries it (the provider's view).
  const raw = allCarry(rows, "rawCostNano");
  const columns: Column<ModelRow>[] = [
    {
      key: "model",
      header: "Model",
      cell: (r) => <code className="break-all">{r.model}</code>,
      sortValue: (r) => r.model,
    },
  ];
  // A member's view is their own usage: a users column would always say 1.
  if (admin)
    columns.push({
      key: "users",
      header: "Users",
      align: "right",
      cell: (r) => count(r.users),
      sortValue: (r) => r.users,
    });
  columns.push(...figureColumns<ModelRow>(raw));
  const total = sumFigures(rows);
  return (
    <DataTable
      rows={rows}
      columns={columns}
      rowKey={(r) => r.model}
      caption="Usage by model"
      initialSort={{ key: "billed", direction: "desc" }}
      footer={
        <tr>
          <th scope="row">Total</th>
          {/* A user of several models is one user: a sum of this column would overcount. */}
          {admin ? <td /> : null}
          <FigureTotals total={total} raw={raw} />
        </tr>
      }
    />
  );
}

export function ByModelCard({
  query,
  admin,
}: {
  query: UseQueryResult<RouterOutputs["usage"]["byModel"], unknown>;
  admin: boolean;
}) {
  return (
    <Card title="By model" className="usage-breakdown">
      {query.error ? <ErrorNotice error={query.error} onRetry={() => void query.refetch()} /> : null}
      {query.data ? (
        query.data.rows.length ? (
          <ByModelTable rows={query.data.rows} admin={admin} />
        ) : (
          <EmptyState title="No usage in this period">
            Choose another period above, or <Link to="/tokens">create an API token</Link> to connect a chat
            client.
          </EmptyState>
        )
      ) : query.isPending ? (
        <Skeleton lines={4} />
      ) : null}
    </Card>
  );
}
