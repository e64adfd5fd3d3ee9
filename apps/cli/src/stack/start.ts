// `mai start` (`npm start`): build the dashboard if needed, then the API (serving it) and the proxy
// on the embedded database in MAI_DATA_DIR (or DATABASE_URL), with real OpenRouter upstream unless
// MAI_OPENROUTER_BASE_URL says otherwise. Prints where everything is and how to sign in.
import type { Command } from "commander";
import { findFirstProviderAdmin, getUserByEmail } from "@mai/db";
import type { Environment } from "../env";
import { cliIo } from "../io";
import { ensureDashboard } from "./dashboard";
import { startStack, stopOnSignal, type Stack } from "./services";

const say = (line: string) => process.stdout.write(`${line}\n`);

export function printBanner(stack: Stack, signIn: string[]): void {
  const where = stack.env.DATABASE_URL
    ? "PostgreSQL (DATABASE_URL)"
    : `embedded PGlite in ${stack.env.MAI_DATA_DIR}`;
  say("");
  say("  mAI Gateway is running");
  say(`    Dashboard:        ${stack.env.MAI_PUBLIC_URL ?? stack.apiUrl}`);
  say(`    Proxy base URL:   ${stack.proxyBaseUrl}   (OpenAI-compatible; Bearer mai_… token)`);
  say(`    Upstream:         ${stack.env.MAI_OPENROUTER_BASE_URL}`);
  say(`    Database:         ${where}`);
  for (const line of signIn) say(`    ${line}`);
  say("  Ctrl-C stops both.");
  say("");
}

export function registerStart(program: Command): void {
  program
    .command("start")
    .description(
      "Run the API (with the dashboard) and the proxy on the embedded database; Ctrl-C stops both.",
    )
    .addHelpText(
      "after",
      `
Configuration comes from the environment (see the README): MAI_DATA_DIR (default ./.mai-data),
DATABASE_URL, MAI_API_PORT (8787), MAI_PROXY_PORT (8788), MAI_ADMIN_EMAIL / MAI_ADMIN_PASSWORD,
MAI_OPENROUTER_BASE_URL, LOG_LEVEL (default warn here; info logs every request).`,
    )
    .action(async () => {
      const { env } = cliIo();
      if (env.MAI_ADMIN_DIST === undefined) await ensureDashboard(say);
      const stack = await startStack(env);
      printBanner(stack, await signInLines(stack, env));
      stopOnSignal(() => stack.close(), say);
    });
}

/**
 * How to sign in, naming the provider administrator the database has — MAI_ADMIN_EMAIL's account
 * when it exists, otherwise the first one — not the default e-mail: an administrator created on an
 * earlier start with MAI_ADMIN_EMAIL keeps that address when the variable is gone.
 */
export async function signInLines(stack: Stack, env: Environment): Promise<string[]> {
  const { db } = stack.api.deps;
  const named = env.MAI_ADMIN_EMAIL ? await getUserByEmail(db, env.MAI_ADMIN_EMAIL) : undefined;
  const email = (named?.role === "provider_admin" ? named.email : (await findFirstProviderAdmin(db))?.email) ?? env.MAI_ADMIN_EMAIL ?? "admin@mai.local";
  return stack.generatedPassword
    ? [
        `Sign in:          ${email} / ${stack.generatedPassword}`,
        "                  (first start: this password is shown only now; change it under Account)",
      ]
    : [
        `Sign in:          ${email} with ${env.MAI_ADMIN_PASSWORD ? "MAI_ADMIN_PASSWORD" : "the password printed on the first start"}`,
        `                  (lost it? stop the stack and run: mai users reset-password ${email})`,
      ];
}
