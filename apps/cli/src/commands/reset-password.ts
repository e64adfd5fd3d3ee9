// `mai users reset-password <user>`: the way back in for an administrator who lost their password
// (the first provider administrator above all: nobody above them can reset it in the dashboard).
// It runs on a stopped stack (the operator context refuses an embedded data directory a running
// stack holds), like every operator command, and uses the API's own reset: by default a temporary
// password, printed once, that signs in only to choose a new one within 72 hours; with
// --password-stdin a password the operator chose (checked by the same rule as the dashboard's).
// Either way every session of the account ends, and the audit log says the CLI did it — never the
// password.
import { issueTemporaryPassword, setChosenPassword } from "@mai/api";
import type { Command } from "commander";
import { printJson } from "../output";
import { CliError, findUser, printFields, readSecret, say, withJson, withOperator } from "./shared";

interface ResetOptions {
  passwordStdin?: boolean;
  json?: boolean;
}

export function registerResetPassword(users: Command): void {
  withJson(
    users
      .command("reset-password")
      .description(
        "Reset an account's password: a temporary one, printed once, that must be changed at the next sign-in (72 hours), or with --password-stdin one you choose. Every session of the account ends.",
      )
      .argument("<user>", "the account's e-mail or id")
      .option(
        "--password-stdin",
        "read the new password from stdin (first line; typed hidden at a terminal) instead of generating a temporary one",
      ),
  )
    .addHelpText(
      "after",
      `
Examples:
  $ mai users reset-password admin@mai.local                 # prints a temporary password
  $ mai users reset-password admin@mai.local --password-stdin < new-password.txt
  $ mai users reset-password ola@kowalski.pl --json

Run it with the stack stopped (an embedded database is held by the running stack). A temporary
password signs in only to choose a new one, and not at all after 72 hours. A chosen password needs
at least 12 characters and must not be a common one.`,
    )
    .action(async (ref: string, options: ResetOptions) => {
      const chosen = options.passwordStdin ? await readSecret("New password (input hidden): ") : undefined;
      if (chosen !== undefined && chosen === "") throw new CliError("No password on stdin.");
      const result = await withOperator(async ({ op }) => {
        const user = await findUser(op, ref);
        const now = op.deps.now();
        const audit = {
          actorKind: "cli" as const,
          action: "user.password_reset",
          details: { temporary: chosen === undefined },
        };
        if (chosen !== undefined) {
          await setChosenPassword(op.handle.db, { user, password: chosen, now, audit });
          return {
            user: { id: user.id, email: user.email, role: user.role },
            temporaryPassword: null,
            expiresAt: null,
          };
        }
        const issued = await issueTemporaryPassword(op.handle.db, { userId: user.id, now, audit });
        return {
          user: { id: user.id, email: user.email, role: user.role },
          temporaryPassword: issued.temporaryPassword,
          expiresAt: issued.expiresAt,
        };
      });

      if (options.json) return printJson(result);
      say(`The password of ${result.user.email} was reset; every session of the account ended.`);
      printFields([
        ["Id", result.user.id],
        ["Role", result.user.role],
      ]);
      if (result.temporaryPassword) {
        say();
        say("Temporary password — shown only now, it will NOT be shown again:");
        say();
        say(`  ${result.temporaryPassword}`);
        say();
        say(
          `It signs in only to choose a new password, until ${result.expiresAt?.toISOString()} (72 hours).`,
        );
      }
    });
}
