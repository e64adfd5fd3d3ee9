// The figure columns both breakdowns share — requests, tokens, billed and (when the API's answer
// carries it: the provider's view) raw cost — and the cells of their TOTAL row.
import type { Column } from "../../components/DataTable";
import { count, money, moneyExact } from "../../lib/format";
import type { UsageFigures } from "@mai/domain/usage-figures";

/** A row's figures: raw cost only in the provider's view of the answer. */
type Figures = Omit<UsageFigures, "rawCostNano"> & { rawCostNano?: bigint };

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

/** The figure columns both breakdowns share: requests, tokens, billed and (`raw`) raw cost. */
export function figureColumns<T extends Figures>(raw: boolean): Column<T>[] {
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
  if (raw)
    columns.push({
      key: "raw",
      header: "Raw cost",
      align: "right",
      cell: (r) => <MoneyTotal nano={r.rawCostNano ?? 0n} />,
      sortValue: (r) => r.rawCostNano ?? 0n,
    });
  return columns;
}

/** The TOTAL row's cells under figureColumns (bigint sums). */
export function FigureTotals({ total, raw }: { total: UsageFigures; raw: boolean }) {
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
      {raw ? (
        <td className="num">
          <MoneyTotal nano={total.rawCostNano} />
        </td>
      ) : null}
    </>
  );
}
