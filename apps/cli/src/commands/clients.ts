// `mai clients create`: a client organisation through organizations.create — by default with a
// dedicated OpenRouter key minted through the provisioning key (credit limit = the monthly limit).
// That key is printed exactly once: OpenRouter never shows it again and we keep it only sealed.
import type { Command } from "commander";
import { printJson } from "../output";
import {
  CliError,
  organizationJson,
  printFields,
  say,
  usd,
  valueOrStdin,
  warn,
  withJson,
  withOperator,
} from "./shared";

interface CreateOptions {
  name: string;
  billingEmail?: string;
  monthlyLimit?: string;
  markup?: string;
  provision: boolean;
  key?: string;
  json?: boolean;
}

export function registerClients(program: Command): void {
  const clients = program
    .command("clients")
    .description("Client organisations: create one, with its own OpenRouter key.");

  withJson(
    clients
      .command("create")
      .description(
        "Create a client organisation; by default mint its dedicated OpenRouter key (printed once).",
      )
      .requiredOption("--name <name>", "the organisation's name (unique)")
      .option("--billing-email <email>", "where statements go")
      .option(
        "--monthly-limit <usd>",
        "monthly spending limit in USD, e.g. 500 (default: the global default)",
      )
      .option("--markup <multiplier>", "price multiplier, e.g. 1.3 (default: the global default)")
      .option("--no-provision", "do not mint a key (the client brings their own, or it is set later)")
      .option(
        "--key <sk-or-…>",
        "the client's own OpenRouter key instead of a minted one (implies --no-provision; '-' reads it from stdin)",
      ),
  )
    .addHelpText(
      "after",
      `
Examples:
  $ mai clients create --name "Kowalski Consulting" --billing-email faktury@kowalski.pl \\
        --monthly-limit 500 --markup 1.3
  $ mai clients create --name "Nowak Logistics" --no-provision
  $ mai clients create --name "Zielińska Studio" --key - < client-key.txt
  $ mai clients create --name "Acme" --json | jq -r .provisionedKey

Minting needs the provisioning key (\`mai setup provisioning-key\`). The minted key is shown only
now: hand it to the client's administrator, who saves it in the chat client's Settings →
Connections (their account then joins this organisation automatically).`,
    )
    .action(async (options: CreateOptions) => {
      const key =
        options.key !== undefined
          ? (await valueOrStdin(options.key, "Client's OpenRouter key (input hidden): ")).trim()
          : undefined;
      if (options.key !== undefined && !key) throw new CliError("--key is empty.");
      const { organization, provisionedKey } = await withOperator(({ provider }) =>
        provider.organizations.create({
          name: options.name,
          ...(options.billingEmail !== undefined ? { billingEmail: options.billingEmail } : {}),
          ...(options.monthlyLimit !== undefined ? { monthlyLimitUsd: options.monthlyLimit } : {}),
          ...(options.markup !== undefined ? { markup: options.markup } : {}),
          provisionKey: options.provision && key === undefined,
          ...(key !== undefined ? { key } : {}),
        }),
      );
      if (options.json) {
        printJson({ organization: organizationJson(organization), provisionedKey });
        if (provisionedKey)
          warn("mai: the provisioned key is in this output only: it will not be shown again.");
        return;
      }
      say(`Created organisation "${organization.name}".`);
      printFields([
        ["Id", organization.id],
        ["Billing e-mail", organization.billingEmail ?? "—"],
        ["Markup", `${organization.markup}×`],
        ["Monthly limit", usd(organization.monthlyLimitNano)],
        [
          "OpenRouter key",
          organization.keyHint
            ? `${organization.keyHint} (${organization.provisioned ? "provisioned" : "the client's own"})`
            : "none yet",
        ],
      ]);
      if (provisionedKey) {
        say();
        say("The organisation's OpenRouter key — shown only now, it will NOT be shown again:");
        say();
        say(`  ${provisionedKey}`);
        say();
        say("Hand it to the client's administrator (they save it in Settings → Connections).");
      }
    });
}
