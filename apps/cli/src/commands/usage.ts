// `mai usage export`: an organisation's monthly statement (usage.exportCsv: user × model rows and a
// TOTAL row, exact decimal USD, formula-injection guard), to a file or stdout.
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { printJson, write } from "../output";
import { CliError, findOrganization, money, usd, warn, withJson, withOperator } from "./shared";

interface ExportOptions {
  org: string;
  month: string;
  out?: string;
  json?: boolean;
}

export function registerUsage(program: Command): void {
  const usage = program.command("usage").description("Usage and billing statements.");

  withJson(
    usage
      .command("export")
      .description("Export an organisation's monthly statement as CSV (RFC 4180), to --out or stdout.")
      .requiredOption("--org <org>", "the organisation's id or name")
      .requiredOption("--month <YYYY-MM>", "the billing month (in the billing time zone)")
      .option("--out <file>", "write the CSV to this file instead of stdout"),
  )
    .addHelpText(
      "after",
      `
Examples:
  $ mai usage export --org "Kowalski Consulting" --month 2026-11 --out statement.csv
  $ mai usage export --org 3f2a…-… --month 2026-11 > statement.csv
  $ mai usage export --org "Kowalski Consulting" --month 2026-11 --json | jq .total

Columns: email, external_user_id, model, requests, prompt_tokens, completion_tokens,
raw_cost_usd, billed_cost_usd; the last row is the TOTAL. With --json and no --out, the CSV is
in the "content" field.`,
    )
    .action(async (options: ExportOptions) => {
      const statement = await withOperator(async ({ provider }) => {
        const org = await findOrganization(provider, options.org);
        return provider.usage.exportCsv({ organizationId: org.id, month: options.month.trim() });
      });
      if (options.out !== undefined) {
        try {
          writeFileSync(options.out, statement.content);
        } catch (error) {
          throw new CliError(`Cannot write ${options.out}: ${(error as Error).message}`);
        }
      }
      if (options.json) {
        return printJson({
          filename: statement.filename,
          rows: statement.rows,
          total: money(statement.totalBilledCostNano),
          ...(options.out !== undefined ? { out: options.out } : { content: statement.content }),
        });
      }
      if (options.out === undefined) return write(statement.content);
      warn(
        `Wrote ${statement.rows} row${statement.rows === 1 ? "" : "s"} (total billed ${usd(statement.totalBilledCostNano)}) to ${options.out}.`,
      );
    });
}
