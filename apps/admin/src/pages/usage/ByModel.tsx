// Usage by model over the period, with a TOTAL row summed exactly. Administrators also see how many
// users used each model.
import type { UseQueryResult } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { Trans, useTranslation } from "react-i18next";
import { RateCaption, type DisplayCurrencyData } from "../../components/Converted";
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
  display,
}: {
  rows: readonly ModelRow[];
  admin: boolean;
  display: DisplayCurrencyData | undefined;
}) {
  const { t } = useTranslation("usage");
  // A raw-cost column only when the API's answer carries it (the provider's view).
  const raw = allCarry(rows, "rawCostNano");
  const columns: Column<ModelRow>[] = [
    {
      key: "model",
      header: t("byModel.model"),
      cell: (r) => <code className="break-all">{r.model}</code>,
      sortValue: (r) => r.model,
    },
  ];
  // A member's view is their own usage: a users column would always say 1.
  if (admin)
    columns.push({
      key: "users",
      header: t("byModel.users"),
      align: "right",
      cell: (r) => count(r.users),
      sortValue: (r) => r.users,
    });
  columns.push(...figureColumns<ModelRow>(t, raw, display));
  const total = sumFigures(rows);
  return (
    <DataTable
      rows={rows}
      columns={columns}
      rowKey={(r) => r.model}
      caption={t("byModel.caption")}
      initialSort={{ key: "billed", direction: "desc" }}
      footer={
        <tr>
          <th scope="row">{t("figures.total")}</th>
          {/* A user of several models is one user: a sum of this column would overcount. */}
          {admin ? <td /> : null}
          <FigureTotals total={total} raw={raw} display={display} />
        </tr>
      }
    />
  );
}

export function ByModelCard({
  query,
  admin,
  display,
}: {
  query: UseQueryResult<RouterOutputs["usage"]["byModel"], unknown>;
  admin: boolean;
  /** The organisation's display currency: billed figures converted, the rate captioned once. */
  display?: DisplayCurrencyData;
}) {
  const { t } = useTranslation("usage");
  return (
    <Card title={t("byModel.title")} className="usage-breakdown">
      {query.error ? <ErrorNotice error={query.error} onRetry={() => void query.refetch()} /> : null}
      {query.data ? (
        query.data.rows.length ? (
          <>
            <ByModelTable rows={query.data.rows} admin={admin} display={display} />
            <RateCaption display={display} />
          </>
        ) : (
          <EmptyState title={t("empty.title")}>
            <Trans t={t} i18nKey="byModel.emptyBody" components={{ a: <Link to="/tokens" /> }} />
          </EmptyState>
        )
      ) : query.isPending ? (
        <Skeleton lines={4} />
      ) : null}
    </Card>
  );
}
