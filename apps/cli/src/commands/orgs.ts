// `mai orgs list`: every client organisation as the provider sees it (organizations.list) — keys
// only masked (the API's output schema admits nothing else), money exact.
import type { Command } from "commander";
import { printJson, printTable } from "../output";
import { organizationJson, say, usd, withJson, withOperator } from "./shared";

export function registerOrgs(program: Command): void {
  const orgs = program.command("orgs").description("Client organisations: list them.");

  withJson(
    orgs
      .command("list")
      .description(
        "List the client organisations: id, active, masked key, markup, monthly limit, month-to-date spend.",
      ),
  )
    .addHelpText(
      "after",
      `
Examples:
  $ mai orgs list
  $ mai orgs list --json | jq -r '.[] | select(.active) | .name'

Month to date is the current billing month (in the billing time zone) at the billed price
(raw cost × markup). With --json, money is exact: { "nano": "…", "usd": "12.345" }.`,
    )
    .action(async (options: { json?: boolean }) => {
      const rows = await withOperator(({ provider }) => provider.organizations.list());
      if (options.json) return printJson(rows.map(organizationJson));
      if (rows.length === 0)
        return say("No organisations yet. Create one with `mai clients create --name …`.");
      printTable(
        ["NAME", "ID", "ACTIVE", "KEY", "MARKUP", "MONTHLY LIMIT", "MONTH TO DATE"],
        rows.map((o) => [
          o.name,
          o.id,
          o.active ? "yes" : "no",
          o.keyHint ?? "—",
          `${o.markup}×`,
          usd(o.monthlyLimitNano),
          usd(o.monthToDateNano),
        ]),
      );
    });
}
