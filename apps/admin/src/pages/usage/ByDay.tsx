// Usage per local day over the period (the billing time zone's days, every day listed, quiet ones as
// zeros), with the requests the proxy refused before forwarding them counted beside the ledger's
// figures: at the monthly limit (402) and for a deactivated organisation (403). Nothing was charged
// for those, so they are in no cost column.
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { RateCaption, type DisplayCurrencyData } from "../../components/Converted";
import { DataTable, type Column } from "../../components/DataTable";
import { ErrorNotice, Skeleton } from "../../components/Feedback";
import { Card } from "../../components/Page";
import { count, date } from "../../lib/format";
import { allCarry } from "../../lib/provider-cost";
import type { RouterOutputs } from "../../session";
import { trpc } from "../../trpc";
import { FigureTotals, figureColumns } from "./FigureColumns";
import { sumUsageFigures as sumFigures } from "@mai/domain/usage-figures";

type DayRow = RouterOutputs["usage"]["daily"][number];

function Refused({ limit, inactive }: { limit: number; inactive: number }) {
  const { t } = useTranslation("usage");
  if (limit + inactive === 0) return <span className="muted">0</span>;
  return (
    <>
      {count(limit + inactive)}
      <div className="muted">
        {[limit ? t("byDay.atLimit", { count: limit }) : null, inactive ? t("byDay.deactivated", { count: inactive }) : null]
          .filter(Boolean)
          .join(" · ")}
      </div>
    </>
  );
}

function ByDayTable({ rows, display }: { rows: readonly DayRow[]; display: DisplayCurrencyData | undefined }) {
  const { t } = useTranslation("usage");
  const raw = allCarry(rows, "rawCostNano");
  const columns: Column<DayRow>[] = [
    { key: "date", header: t("byDay.day"), cell: (r) => date(r.date), sortValue: (r) => r.date },
    ...figureColumns<DayRow>(t, raw, display),
    {
      key: "refused",
      header: t("byDay.refused"),
      align: "right",
      cell: (r) => <Refused limit={r.refusedLimit} inactive={r.refusedInactive} />,
      sortValue: (r) => r.refusedLimit + r.refusedInactive,
    },
  ];
  const total = sumFigures(rows);
  const refusedLimit = rows.reduce((n, r) => n + r.refusedLimit, 0);
  const refusedInactive = rows.reduce((n, r) => n + r.refusedInactive, 0);
  return (
    <DataTable
      rows={rows}
      columns={columns}
      rowKey={(r) => r.date}
      caption={t("byDay.caption")}
      initialSort={{ key: "date", direction: "asc" }}
      footer={
        <tr>
          <th scope="row">{t("figures.total")}</th>
          <FigureTotals total={total} raw={raw} display={display} />
          <td className="num">
            <Refused limit={refusedLimit} inactive={refusedInactive} />
          </td>
        </tr>
      }
    />
  );
}

export function ByDayCard({
  organizationId,
  range,
  display,
}: {
  organizationId: string | undefined;
  range: { from: string; to: string } | undefined;
  display?: DisplayCurrencyData;
}) {
  const { t } = useTranslation("usage");
  const query = useQuery({
    ...trpc.usage.daily.queryOptions({ organizationId, from: range?.from, to: range?.to }),
    enabled: range !== undefined,
  });
  return (
    <Card title={t("byDay.title")} className="usage-breakdown">
      {query.error ? <ErrorNotice error={query.error} onRetry={() => void query.refetch()} /> : null}
      {query.data ? (
        <>
          <ByDayTable rows={query.data} display={display} />
          <RateCaption display={display} />
        </>
      ) : range && query.isPending ? (
        <Skeleton lines={4} />
      ) : null}
    </Card>
  );
}
