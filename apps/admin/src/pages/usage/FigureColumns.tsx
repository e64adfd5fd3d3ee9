// The figure columns both breakdowns share — requests, tokens, billed and (when the API's answer
// carries it: the provider's view) raw cost — and the cells of their TOTAL row. For an organisation
// whose currency is not USD, every billed figure has its conversion beside it, each converted from
// its own nano-USD value (a total from the exact USD total: converted figures are never summed).
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { i18n } from "../../i18n";
import { ConvertedAmount, type DisplayCurrencyData } from "../../components/Converted";
import type { Column } from "../../components/DataTable";
import { count, money, moneyExact } from "../../lib/format";
import type { UsageFigures } from "@mai/domain/usage-figures";

/** A row's figures: raw cost only in the provider's view of the answer. */
type Figures = Omit<UsageFigures, "rawCostNano"> & { rawCostNano?: bigint };

function Requests({ requests, errorRequests }: Pick<Figures, "requests" | "errorRequests">) {
  const { t: tc } = useTranslation();
  return (
    <>
      {count(requests)}
      {errorRequests ? <div className="muted">{tc("figures.failed", { count: errorRequests })}</div> : null}
    </>
  );
}

function Tokens({
  totalTokens,
  promptTokens,
  completionTokens,
}: Pick<Figures, "totalTokens" | "promptTokens" | "completionTokens">) {
  const { t: tc } = useTranslation();
  return (
    <>
      {count(totalTokens)}
      <div className="muted">{tc("figures.tokensDetail", { prompt: count(promptTokens), completion: count(completionTokens) })}</div>
    </>
  );
}

/** A total rounded to the cent, with every nano-dollar on hover. */
function MoneyTotal({ nano }: { nano: bigint }) {
  return <span title={moneyExact(nano)}>{money(nano)}</span>;
}

/** A billed figure: USD (every nano-dollar on hover), then its conversion when there is one. */
function Billed({ nano, display }: { nano: bigint; display: DisplayCurrencyData | undefined }) {
  return (
    <>
      <MoneyTotal nano={nano} />
      <ConvertedAmount nano={nano} display={display} />
    </>
  );
}

/**
 * The figure columns both breakdowns share: requests, tokens, billed (converted too, with `display`'s
 * rate) and (`raw`) raw cost.
 */
export function figureColumns<T extends Figures>(t: TFunction<"usage">, raw: boolean, display?: DisplayCurrencyData): Column<T>[] {
  // The headers every figure table shares (common messages), in the language being rendered.
  const tc = i18n.t.bind(i18n);
  const columns: Column<T>[] = [
    {
      key: "requests",
      header: tc("figures.requests"),
      align: "right",
      cell: (r) => <Requests {...r} />,
      sortValue: (r) => r.requests,
    },
    {
      key: "tokens",
      header: tc("figures.tokens"),
      align: "right",
      cell: (r) => <Tokens {...r} />,
      sortValue: (r) => r.totalTokens,
    },
    {
      key: "billed",
      header: tc("figures.billedCost"),
      align: "right",
      cell: (r) => <Billed nano={r.billedCostNano} display={display} />,
      sortValue: (r) => r.billedCostNano,
    },
  ];
  if (raw)
    columns.push({
      key: "raw",
      header: tc("figures.rawCost"),
      align: "right",
      cell: (r) => <MoneyTotal nano={r.rawCostNano ?? 0n} />,
      sortValue: (r) => r.rawCostNano ?? 0n,
    });
  return columns;
}

/** The TOTAL row's cells under figureColumns (bigint sums). */
export function FigureTotals({ total, raw, display }: { total: UsageFigures; raw: boolean; display?: DisplayCurrencyData }) {
  return (
    <>
      <td className="num">
        <Requests {...total} />
      </td>
      <td className="num">
        <Tokens {...total} />
      </td>
      <td className="num">
        <Billed nano={total.billedCostNano} display={display} />
      </td>
      {raw ? (
        <td className="num">
          <MoneyTotal nano={total.rawCostNano} />
        </td>
      ) : null}
    </>
  );
}
