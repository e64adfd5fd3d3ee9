// Usage by user over the period (administrators only): who chatted, how much, at what cost, with a
// TOTAL row summed exactly.
import type { UseQueryResult } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { Trans, useTranslation } from "react-i18next";
import { RateCaption, type DisplayCurrencyData } from "../../components/Converted";
import { DataTable, type Column } from "../../components/DataTable";
import { EmptyState, ErrorNotice, Skeleton } from "../../components/Feedback";
import { Card } from "../../components/Page";
import { allCarry } from "../../lib/provider-cost";
import type { RouterOutputs } from "../../session";
import { FigureTotals, figureColumns } from "./FigureColumns";
import { userLabel, type UserRow } from "./rows";
import { sumUsageFigures as sumFigures } from "@mai/domain/usage-figures";

function ByUserTable({ rows, display }: { rows: readonly UserRow[]; display: DisplayCurrencyData | undefined }) {
  const { t } = useTranslation("usage");
  // A raw-cost column only when the API's answer carries it (the provider's view).
  const raw = allCarry(rows, "rawCostNano");
  const columns: Column<UserRow>[] = [
    {
      key: "user",
      header: t("byUser.user"),
      cell: (r) => (
        <>
          {r.email ?? r.name ?? <span className="muted">{t("byUser.unknownUser")}</span>}
          {r.email && r.name ? <div className="muted">{r.name}</div> : null}
        </>
      ),
      sortValue: (r) => userLabel(r).toLowerCase(),
    },
    {
      key: "external",
      header: t("byUser.externalUserId"),
      cell: (r) => <code className="break-all">{r.externalUserId}</code>,
      sortValue: (r) => r.externalUserId,
    },
    ...figureColumns<UserRow>(t, raw, display),
  ];
  const total = sumFigures(rows);
  return (
    <DataTable
      rows={rows}
      columns={columns}
      rowKey={(r) => r.userId}
      caption={t("byUser.caption")}
      initialSort={{ key: "billed", direction: "desc" }}
      footer={
        <tr>
          <th scope="row">{t("figures.total")}</th>
          <td className="muted">{t("byUser.users", { count: rows.length })}</td>
          <FigureTotals total={total} raw={raw} display={display} />
        </tr>
      }
    />
  );
}

export function ByUserCard({
  query,
  display,
}: {
  query: UseQueryResult<RouterOutputs["usage"]["byUser"], unknown>;
  /** The organisation's display currency: billed figures converted, the rate captioned once. */
  display?: DisplayCurrencyData;
}) {
  const { t } = useTranslation("usage");
  return (
    <Card title={t("byUser.title")} className="usage-breakdown">
      {query.error ? <ErrorNotice error={query.error} onRetry={() => void query.refetch()} /> : null}
      {query.data ? (
        query.data.rows.length ? (
          <>
            <ByUserTable rows={query.data.rows} display={display} />
            <RateCaption display={display} />
          </>
        ) : (
          <EmptyState title={t("empty.title")}>
            <Trans t={t} i18nKey="byUser.emptyBody" components={{ a: <Link to="/user-mapping" /> }} />
          </EmptyState>
        )
      ) : query.isPending ? (
        <Skeleton lines={4} />
      ) : null}
    </Card>
  );
}
