// `mai mapping get <user>`: what would be sent to OpenRouter as `user` for this person, and why
// (userMapping.testMapping, the proxy's own decision).
import type { Command } from "commander";
import { printJson } from "../output";
import { findUser, printFields, withJson, withOperator } from "./shared";

export function registerMapping(program: Command): void {
  const mapping = program
    .command("mapping")
    .description("User mapping: which organisation and external user id a user's requests carry.");

  withJson(
    mapping
      .command("get")
      .description(
        "Show a user's organisation, external user id, whether requests would be sent, the reason and any warnings.",
      )
      .argument("<user>", "the user's id or e-mail"),
  )
    .addHelpText(
      "after",
      `
Examples:
  $ mai mapping get ola@kowalski.pl
  $ mai mapping get 6f1c2a9e-…-…-…-… --json | jq .wouldSend`,
    )
    .action(async (ref: string, options: { json?: boolean }) => {
      const result = await withOperator(async ({ op, provider }) => {
        const user = await findUser(op, ref);
        return provider.userMapping.testMapping({ userId: user.id });
      });
      if (options.json) return printJson(result);
      const org = result.organizationId
        ? `${result.organizationName} (${result.organizationId})${result.organizationActive ? "" : ", INACTIVE"}`
        : "none";
      printFields([
        ["User", `${result.email} (${result.role}${result.disabled ? ", disabled" : ""}, ${result.userId})`],
        ["Organisation", org],
        ["External id", result.storedExternalUserId ?? "—"],
        ["Would send", result.wouldSend ? `yes, as user = ${result.user}` : "no"],
        ["Reason", result.reason],
        ["Warnings", result.warnings.length > 0 ? result.warnings.join(" ") : "none"],
      ]);
    });
}
