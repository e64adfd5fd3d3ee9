// `mai setup provisioning-key`: the provider's OpenRouter management key, through
// globalSettings.update (which checks it live with OpenRouter before storing it, encrypted). The
// key is read from stdin unless given, so it stays out of shell history; only its mask is printed.
import type { Command } from "commander";
import { CliError, printFields, readSecret, withJson, withOperator } from "./shared";
import { printJson } from "../output";

export function registerSetup(program: Command): void {
  const setup = program
    .command("setup")
    .description("One-time settings of the provider (the provisioning key).");

  withJson(
    setup
      .command("provisioning-key")
      .description(
        "Set the provider's OpenRouter provisioning (management) key, used to mint a key per client organisation. Verified live with OpenRouter; stored encrypted; shown only masked.",
      )
      .option(
        "--key <key>",
        "the management key (sk-or-…); omit it to read the key from stdin, which keeps it out of shell history",
      ),
  )
    .addHelpText(
      "after",
      `
Examples:
  $ mai setup provisioning-key                        # paste the key (not echoed), then Enter
  $ pass show openrouter/management | mai setup provisioning-key
  $ mai setup provisioning-key --json < key.txt       # {"provisioningKeyHint": "sk-or-v1-0123…cdef", …}

The key must be an OpenRouter management key (openrouter.ai → Settings → Management keys);
an inference key is refused. Nothing is saved if OpenRouter cannot be reached.`,
    )
    .action(async (options: { key?: string; json?: boolean }) => {
      const key = (options.key ?? (await readSecret("OpenRouter provisioning key (input hidden): "))).trim();
      if (!key) throw new CliError("No key given: pass --key, or pipe the key on stdin.");
      const settings = await withOperator(({ provider }) =>
        provider.globalSettings.update({ provisioningKey: key }),
      );
      if (options.json) return printJson(settings);
      printFields([
        ["Provisioning key saved", settings.provisioningKeyHint ?? "(none)"],
        ["Verified", "an OpenRouter management key"],
      ]);
    });
}
