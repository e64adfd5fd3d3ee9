// `mai orgs list`: every client organisation as the provider sees it (organizations.list) — keys
// only masked (the API's output schema admits nothing else), money exact — with each one's
// unmetered usage this UTC month (organizations.unmeteredUsage: OpenRouter's own usage of the
// organisation's key beyond what the gateway recorded).
import type { Command } from "commander";
import { printJson, printTable } from "../output";
import { money, organizationJson, say, usd, withJson, withOperator, providerView } from "./shared";

export function registerOrgs(program: Command): void {
  const orgs = program.command("orgs").description("Client organisations: list them.");

  withJson(
    orgs
      .command("list")
      .description(
        "List the client organisations: id, active, masked key, markup, monthly limit, month-to-date spend, unmetered usage.",
      ),
  )
    .addHelpText(
      "after",
      `
Examples:
  $ mai orgs list
  $ mai orgs list --json | jq -r '.[] | select(.active) | .name'

Month to date is the current billing month (in the billing time zone) at the billed price
(raw cost × markup). Unmetered is this UTC month's usage of the organisation's OpenRouter key that
the gateway did not record (key-level reconciliation; "—": not checked yet, "none": within rounding),
at cost. With --json, money is exact: { "nano": "…", "usd": "12.345" }.`,
    )
    .action(async (options: { json?: boolean }) => {
      const [listed, checked] = await withOperator(({ provider }) =>
        Promise.all([provider.organizations.list(), provider.organizations.unmeteredUsage()]),
      );
      const rows = listed.map((o) => providerView(o, "markupBp"));
      const unmetered = checked.map((u) => providerView(u, "unbilledRawNano"));
      const byOrg = new Map(unmetered.map((u) => [u.organizationId, u]));
      const unmeteredJson = (id: string) => {
        const u = byOrg.get(id);
        if (!u?.check) return null;
        return {
          month: u.month,
          checkedAt: u.check.checkedAt.toISOString(),
          beyondRounding: u.check.unmetered,
          unmetered: money(u.check.unmeteredNano),
          unbilled: money(u.unbilledRawNano),
        };
      };
      const unmeteredCell = (id: string) => {
        const check = byOrg.get(id)?.check;
        if (!check) return "—";
        return check.unmetered ? usd(check.unmeteredNano) : "none";
      };
      if (options.json) return printJson(rows.map((o) => ({ ...organizationJson(o), unmeteredUsage: unmeteredJson(o.id) })));
      if (rows.length === 0)
        return say("No organisations yet. Create one with `mai clients create --name …`.");
      printTable(
        ["NAME", "ID", "ACTIVE", "KEY", "MARKUP", "MONTHLY LIMIT", "MONTH TO DATE", "UNMETERED"],
        rows.map((o) => [
          o.name,
          o.id,
          o.active ? "yes" : "no",
          o.keyHint ?? "—",
          `${o.markup}×`,
          usd(o.monthlyLimitNano),
          usd(o.monthToDateNano),
          unmeteredCell(o.id),
        ]),
      );
    });
}
