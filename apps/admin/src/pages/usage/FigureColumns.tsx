// The figure columns both breakdowns share — requests, tokens, billed and (provider only) raw
// cost — and the cells of their TOTAL row.
import type { Column } from "../../components/DataTable";
import { count, money, moneyExact } from "../../lib/format";
import type { UsageFigures as Figures } from "@mai/domain/usage-figures";

function Requests({ requests, errorRequests }: Pick<Figures, "requests" | "errorRequests">) {
  return (
    <>
      {count(requests)}
      {errorRequests ? <div className="muted">{count(errorRequests)} failed</div> : null}
    </>
  );
}

function Tokens({
  totalTokens,
  promptTokens,
  completionTokens,
}: Pick<Figures, "totalTokens" | "promptTokens" | "completionTokens">) {
  return (
    <>
      {count(totalTokens)}
      <div className="muted">
        {count(promptTokens)} in · {count(completionTokens)} out
      </div>
    </>
  );
}

/** A total rounded to the cent, with every nano-dollar on hover. */
function MoneyTotal({ nano }: { nano: bigint }) {
  return <span title={moneyExact(nano)}>{money(nano)}</span>;
}

/** The figure columns both breakdowns share: requests, tokens, billed and (provider) raw cost. */
export function figureColumns<T extends Figures>(provider: boolean): Column<T>[] {
  const columns: Column<T>[] = [
    {
      key: "requests",
      header: "Requests",
      align: "right",
      cell: (r) => <Requests {...r} />,
      sortValue: (r) => r.requests,
    },
    {
      key: "tokens",
      header: "Tokens",
      align: "right",
      cell: (r) => <Tokens {...r} />,
      sortValue: (r) => r.totalTokens,
    },
    {
      key: "billed",
      header: "Billed cost",
      align: "right",
      cell: (r) => <MoneyTotal nano={r.billedCostNano} />,
      sortValue: (r) => r.billedCostNano,
    },
  ];
  if (provider)
    columns.push({
      key: "raw",
      header: "Raw cost",
      align: "right",
      cell: (r) => <MoneyTotal nano={r.rawCostNano} />,
      sortValue: (r) => r.rawCostNano,
    });
  return columns;
}

/** The TOTAL row's cells under figureColumns (bigint sums). */
export function FigureTotals({ total, provider }: { total: Figures; provider: boolean }) {
  return (
    <>
      <td className="num">
        <Requests {...total} />
      </td>
      <td className="num">
        <Tokens {...total} />
      </td>
      <td className="num">
        <MoneyTotal nano={total.billedCostNano} />
      </td>
      {provider ? (
        <td className="num">
          <MoneyTotal nano={total.rawCostNano} />
        </td>
      ) : null}
    </>
  );
}
