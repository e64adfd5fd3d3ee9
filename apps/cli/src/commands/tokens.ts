// `mai tokens create`: a personal API token for another user (auth.createToken only makes tokens for
// the signed-in user, in a dashboard session). Same generation as the API (generateApiToken: `mai_`
// + 48 hex, stored as SHA-256), stored with @mai/db's createApiToken and audited with actorKind
// "cli". Printed once. A chat token by default; `--scope manage` (also the dashboard's powers of
// the user) only for administrators, by the same rule as the API (@mai/domain tokenScopeProblem).
import { generateApiToken } from "@mai/api";
import { appendAudit, createApiToken, getAuthUser, type AuthUser, type Database } from "@mai/db";
import { TOKEN_SCOPES, tokenScopeProblem, type TokenScope } from "@mai/domain";
import { InvalidArgumentError, type Command } from "commander";
import { printJson } from "../output";
import { CliError, findUser, printFields, say, warn, withJson, withOperator } from "./shared";

const MAX_DAYS = 3650;
const DAY_MS = 86_400_000;

function days(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1 || n > MAX_DAYS) {
    throw new InvalidArgumentError(`a whole number of days from 1 to ${MAX_DAYS}.`);
  }
  return n;
}

function scope(value: string): TokenScope {
  const known = TOKEN_SCOPES.find((s) => s === value.trim().toLowerCase());
  if (!known) throw new InvalidArgumentError(`one of ${TOKEN_SCOPES.join(", ")}.`);
  return known;
}

interface CreateOptions {
  user: string;
  name: string;
  expiresInDays?: number;
  scope: TokenScope;
  json?: boolean;
}

/**
 * A personal token for `user`, made by the operator (audited as the CLI's): what `mai tokens
 * create` and the demo's traffic use. The token is in the result, the only time it exists in clear.
 */
export async function mintToken(
  db: Database,
  user: AuthUser,
  input: { name: string; scope: TokenScope; expiresAt: Date | null },
) {
  const problem = tokenScopeProblem(user.role, input.scope);
  if (problem) throw new CliError(`${user.email} is a member: ${problem}`);
  const generated = generateApiToken();
  const row = await db.transaction(async (tx) => {
    const created = await createApiToken(tx, {
      userId: user.id,
      name: input.name,
      prefix: generated.prefix,
      tokenHash: generated.hash,
      expiresAt: input.expiresAt,
      scope: input.scope,
    });
    await appendAudit(tx, {
      actorKind: "cli",
      action: "token.created",
      organizationId: user.organizationId,
      targetType: "api_token",
      targetId: created.id,
      details: { name: created.name, prefix: created.prefix, scope: created.scope, userId: user.id },
    });
    return created;
  });
  return { ...row, token: generated.token };
}

export function registerTokens(program: Command): void {
  const tokens = program
    .command("tokens")
    .description("Personal API tokens (Bearer mai_…) for chat clients and scripts.");

  withJson(
    tokens
      .command("create")
      .description("Create a personal API token for a user; it is printed once.")
      .requiredOption("--user <user>", "the user's id or e-mail")
      .option("--name <name>", "what the token is for (shown in the user's token list)", "mai CLI")
      .option(
        "--expires-in-days <days>",
        `expire after this many days (1–${MAX_DAYS}; default: never)`,
        days,
      )
      .option("--scope <scope>", "chat (the proxy, the user's own settings and usage) or manage (also the dashboard's powers of an administrator)", scope, "chat"),
  )
    .addHelpText(
      "after",
      `
Examples:
  $ mai tokens create --user ola@kowalski.pl --name "Open WebUI"
  $ mai tokens create --user ola@kowalski.pl --name ci --expires-in-days 30 --json | jq -r .token
  $ mai tokens create --user admin@kowalski.pl --name automation --scope manage

The token is the user's API key for the proxy (Authorization: Bearer mai_…). Only its SHA-256
is stored: it is shown now and never again. The user can revoke it in the dashboard.

Scopes: a chat token (the default) reaches the proxy, the user's own settings, who they are and
their own usage — what a chat client needs, and all a leaked one gives away. A manage token also
does whatever the user may do in the dashboard; only administrators can have one. No token can
create another token.`,
    )
    .action(async (options: CreateOptions) => {
      const name = options.name.trim();
      if (!name || name.length > 100) throw new CliError("--name must be 1 to 100 characters.");
      const result = await withOperator(async ({ op }) => {
        const db = op.handle.db;
        const found = await findUser(op, options.user);
        if (found.disabledAt) throw new CliError(`The user ${found.email} is disabled.`);
        const user = (await getAuthUser(db, found.id))!;
        const expiresAt = options.expiresInDays
          ? new Date(Date.now() + options.expiresInDays * DAY_MS)
          : null;
        const row = await mintToken(db, user, { name, scope: options.scope, expiresAt });
        return {
          id: row.id,
          name: row.name,
          prefix: row.prefix,
          scope: row.scope,
          createdAt: row.createdAt,
          expiresAt: row.expiresAt,
          user: { id: user.id, email: user.email, role: user.role, organizationId: user.organizationId },
          token: row.token,
        };
      });

      const unmapped = !result.user.organizationId
        ? `${result.user.email} is not mapped to an organisation yet: the proxy refuses their requests until they are.`
        : null;
      if (options.json) {
        printJson(result);
        warn("mai: the token is in this output only: it will not be shown again.");
        if (unmapped) warn(`mai: ${unmapped}`);
        return;
      }
      say(`Created the API token "${result.name}" for ${result.user.email}.`);
      printFields([
        ["Prefix", result.prefix],
        ["Scope", result.scope === "manage" ? "manage (the dashboard's powers too)" : "chat"],
        ["Expires", result.expiresAt ? result.expiresAt.toISOString() : "never"],
      ]);
      say();
      say("The token — shown only now, it will NOT be shown again:");
      say();
      say(`  ${result.token}`);
      say();
      if (unmapped) say(`Note: ${unmapped}`);
    });
}
