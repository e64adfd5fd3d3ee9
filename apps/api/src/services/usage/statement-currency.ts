// The statement's converted columns: when the organisation's display currency is not USD and a
// rate is known for the statement's date (the last effective strictly before the day after the
// month — or today while it runs), every line gains `billed_<currency>` — its billed USD × the
// rate as an exact decimal (@mai/domain exactMoneyDecimal: no rounding at all, so the TOTAL is
// still the exact sum of the lines) — and the rate, its day, its source and NBP's table number.
// No rate known: no converted columns (the books' USD only); usage.currency says why.
import { exactMoneyDecimal } from "@mai/domain";
import type { Context } from "../../context";
import { csvNumber, csvText } from "./csv";
import { displayCurrencyFor, type DisplayCurrency } from "./currency";

export interface StatementConversion {
  display: DisplayCurrency;
  header: string[];
  /** The converted cells of a line whose billed amount is `billedNano` (null: a line without one). */
  cells(billedNano: bigint | null): string[];
}

export async function statementConversion(ctx: Context, organizationId: string, month: string): Promise<StatementConversion | null> {
  const display = await displayCurrencyFor(ctx, organizationId, month);
  const rate = display.rate;
  if (!rate) return null;
  const code = rate.currency.toLowerCase();
  return {
    display,
    header: [`billed_${code}`, "rate", "rate_date", "rate_source", "rate_table"],
    cells: (billedNano) =>
      billedNano === null
        ? ["", "", "", "", ""]
        : [csvNumber(exactMoneyDecimal(billedNano, rate)), csvNumber(rate.rate), rate.effectiveDate, rate.source, csvText(rate.tableNo ?? "")],
  };
}

/** Appends the converted columns to `lines` (the header first), in place; `billed[i]` is line i's billed amount. */
export function appendConversion(lines: string[][], billed: readonly (bigint | null)[], conversion: StatementConversion | null): void {
  if (!conversion) return;
  // The header is a new array: the caller's may be a shared constant.
  lines.forEach((cells, i) => {
    if (i === 0) lines[0] = [...cells, ...conversion.header];
    else cells.push(...conversion.cells(billed[i] ?? null));
  });
}
