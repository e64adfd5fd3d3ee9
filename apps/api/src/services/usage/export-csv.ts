// The monthly statement as CSV: one row per user × model for a billing month (local days of the
// billing time zone), then a TOTAL row. Amounts are exact USD decimals (nanoToUsdString), and the
// total is the sum of the rows' nano-dollar amounts — so the file adds up to the cent and beyond.
// The organisation's statement (not a member's own usage) also carries the month's adjustment
// lines — unmetered usage the provider chose to bill (organizations.billUnmetered) — one row each
// ("ADJUSTMENT", the description in the model column), and its TOTAL includes them.
// The raw_cost_usd column is the provider's: a caller who may not see the provider's cost
// (trpc/provider-cost.ts — client roles, unless the provider's setting allows it) gets the statement
// without it, and adjustment lines described without their raw amount.
// A report: read from the read replica when there is one (README: "Read replica").
import { listUsageAdjustments, reportStatementByUserModel } from "@mai/db";
import { externalUserId, nanoToUsdString, sumUsageFigures } from "@mai/domain";
import type { usageExportCsvInput } from "@mai/domain/schemas";
import type { z } from "zod";
import { csvDocument, csvNumber, csvText } from "./csv";
import { appendConversion, statementConversion } from "./statement-currency";
import type { Context, UsageScope } from "../../context";

const CSV_HEADER = [
  "email",
  "external_user_id",
  "model",
  "requests",
  "prompt_tokens",
  "completion_tokens",
  "raw_cost_usd",
  "billed_cost_usd",
];
/** The column the provider's cost is in: left out of every line for a caller who may not see it. */
const RAW_COST_COLUMN = CSV_HEADER.indexOf("raw_cost_usd");

/**
 * A client's adjustment line without the provider's cost: the stored description states the raw
 * amount ("… $x at cost"), so it is described by its kind and period instead.
 */
function billedDescription(a: { kind: string; period: string }): string {
  return a.kind === "unmetered_usage" ? `Unmetered usage on the organisation's OpenRouter key in ${a.period}` : `Adjustment for ${a.period}`;
}

function slug(name: string): string {
  return (
    name
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60) || "organization"
  );
}

export async function exportUsageCsv(
  ctx: Context,
  scope: UsageScope,
  input: z.output<typeof usageExportCsvInput>,
  /** Whether the caller sees the provider's cost (trpc/provider-cost.ts): off, no raw-cost column. */
  view: { providerCost: boolean },
) {
  const { organization } = scope;
  const db = ctx.deps.readDb;
  const rows = await reportStatementByUserModel(db, {
    organizationId: organization.id,
    userId: scope.userId,
    period: input.month,
  });

  // The TOTAL row adds exactly as the dashboard does (one rule in @mai/domain), plus adjustments.
  const total = sumUsageFigures(rows);
  const adjustments = scope.ownUsageOnly ? [] : await listUsageAdjustments(db, organization.id, input.month);
  const lines: string[][] = [CSV_HEADER];
  for (const r of rows) {
    lines.push([
      csvText(r.email),
      csvText(r.externalUserId ?? externalUserId(organization.id, r.userId)),
      csvText(r.model),
      csvNumber(r.requests),
      csvNumber(r.promptTokens),
      csvNumber(r.completionTokens),
      csvNumber(nanoToUsdString(r.rawCostNano)),
      csvNumber(nanoToUsdString(r.billedCostNano)),
    ]);
  }
  let rawTotal = total.rawCostNano;
  let billedTotal = total.billedCostNano;
  for (const a of adjustments) {
    lines.push([
      "ADJUSTMENT",
      "",
      csvText(view.providerCost ? a.description : billedDescription(a)),
      "",
      "",
      "",
      csvNumber(nanoToUsdString(a.rawCostNano)),
      csvNumber(nanoToUsdString(a.billedCostNano)),
    ]);
    rawTotal += a.rawCostNano;
    billedTotal += a.billedCostNano;
  }
  lines.push([
    "TOTAL",
    "",
    "",
    csvNumber(total.requests),
    csvNumber(total.promptTokens),
    csvNumber(total.completionTokens),
    csvNumber(nanoToUsdString(rawTotal)),
    csvNumber(nanoToUsdString(billedTotal)),
  ]);
  // In the organisation's display currency too, when it is not USD and a rate is known (statement-currency.ts).
  const billedByLine = [null, ...rows.map((r) => r.billedCostNano), ...adjustments.map((a) => a.billedCostNano), billedTotal];
  appendConversion(lines, billedByLine, await statementConversion(ctx, organization.id, input.month));
  const who = scope.ownUsageOnly ? "-my-usage" : "";
  return {
    filename: `mai-usage-${slug(organization.name)}-${input.month}${who}.csv`,
    contentType: "text/csv" as const,
    content: csvDocument(view.providerCost ? lines : lines.map((cells) => cells.filter((_, i) => i !== RAW_COST_COLUMN))),
    rows: rows.length,
    totalBilledCostNano: billedTotal,
  };
}
