// What every operator command shares: opening (and always closing) the operator context, turning
// the API's errors into one-line CliErrors with the API's own message, finding an organisation by
// id or name and a user by id or e-mail, reading a secret from stdin (so it stays out of shell
// history), and the JSON views of the API's bigint money.
import { createLocalCaller, type LocalCaller } from "@mai/api";
import { getUserByEmail, getUserById, SecretBoxError, type User } from "@mai/db";
import { exactMoneyDecimal, formatMoney, isDomainError } from "@mai/domain";
import type { Command } from "commander";
import { cliIo } from "../io";
import { CliError } from "../lock";
import { openOperator, type Operator } from "../operator";

export { CliError };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const isUuid = (value: string): boolean => UUID.test(value.trim());

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, " ").trim();

interface TrpcLikeError extends Error {
  code: string;
  cause?: unknown;
}

// Duck-typed rather than `instanceof TRPCError`: the CLI does not depend on @trpc/server itself,
// and a caller built by @mai/api throws that package's class.
function isTrpcError(error: unknown): error is TrpcLikeError {
  return (
    error instanceof Error && error.name === "TRPCError" && typeof (error as TrpcLikeError).code === "string"
  );
}

/** Input validation failures carry zod issues: show them as "field: message; …", not as JSON. */
function issuesOf(cause: unknown): string | undefined {
  const issues = (cause as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(issues) || issues.length === 0) return undefined;
  return issues
    .map((issue: { path?: unknown[]; message?: string }) => {
      const path =
        Array.isArray(issue.path) && issue.path.length > 0 ? `${issue.path.map(String).join(".")}: ` : "";
      return `${path}${issue.message ?? "invalid"}`;
    })
    .join("; ");
}

/** The operator-facing form of an error: the API's message on one line; anything else unchanged. */
function toCliError(error: unknown): unknown {
  if (error instanceof CliError) return new CliError(oneLine(error.message));
  if (isTrpcError(error)) {
    if (error.code === "INTERNAL_SERVER_ERROR")
      return new CliError("The API failed (internal error); see the log above.");
    return new CliError(oneLine(issuesOf(error.cause) ?? error.message));
  }
  if (isDomainError(error)) return new CliError(oneLine(error.message));
  // Opening the database: configuration and master-key problems are the operator's to fix.
  if (error instanceof SecretBoxError) return new CliError(oneLine(error.message));
  return error;
}

// Connection refused, unknown host, bad password, no such database.
const DATABASE_UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "28P01",
  "28000",
  "3D000",
]);

export interface Session {
  op: Operator;
  /**
   * The API's procedures as the provider administrator; throws a CliError if there is none, so a
   * command that may run before one exists (users create) must not destructure it eagerly.
   */
  readonly provider: LocalCaller;
  /** The API's procedures as the proxy. */
  internal: LocalCaller;
}

/**
 * Open the operator context, run `fn`, always close it (which also releases the data directory).
 * Logs go to stderr, so `--json` output on stdout stays one parseable document.
 */
export async function withOperator<T>(fn: (session: Session) => Promise<T>): Promise<T> {
  let op: Operator;
  try {
    op = await openOperator(cliIo().env);
  } catch (error) {
    const code = (error as { code?: unknown } | undefined)?.code;
    if (error instanceof Error && typeof code === "string" && DATABASE_UNREACHABLE.has(code)) {
      throw new CliError(`Cannot open the database: ${oneLine(error.message)}`);
    }
    throw toCliError(error);
  }
  try {
    const internal = createLocalCaller(op.deps, null, { internal: true });
    return await fn({
      op,
      get provider() {
        return op.provider;
      },
      internal,
    });
  } catch (error) {
    throw toCliError(error);
  } finally {
    await op.close();
  }
}

/** `--json` on a command. */
export function withJson(command: Command): Command {
  return command.option("--json", "print one JSON document (for scripts)");
}

/** An organisation by id, or by name (exact, then case-insensitive), as the provider sees it. */
export async function findOrganization(provider: LocalCaller, ref: string) {
  const wanted = ref.trim();
  if (!wanted) throw new CliError("Name an organisation (its id or its name).");
  if (isUuid(wanted)) return provider.organizations.get({ organizationId: wanted.toLowerCase() });
  const all = await provider.organizations.list();
  const exact = all.filter((o) => o.name === wanted);
  const matches = exact.length > 0 ? exact : all.filter((o) => o.name.toLowerCase() === wanted.toLowerCase());
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1)
    throw new CliError(`Several organisations are named "${wanted}": use the id (see \`mai orgs list\`).`);
  throw new CliError(`No organisation named "${wanted}" (see \`mai orgs list\`).`);
}

/** A user by id or e-mail. */
export async function findUser(op: Operator, ref: string): Promise<User> {
  const wanted = ref.trim();
  if (isUuid(wanted)) {
    const user = await getUserById(op.handle.db, wanted.toLowerCase());
    if (!user) throw new CliError(`No user with the id ${wanted}.`);
    return user;
  }
  if (!wanted.includes("@")) throw new CliError(`"${wanted}" is neither a user id nor an e-mail address.`);
  const user = await getUserByEmail(op.handle.db, wanted);
  if (!user) throw new CliError(`No user with the e-mail ${wanted}.`);
  return user;
}

/**
 * A secret from stdin: the first non-empty line of piped input, or typed at a terminal without
 * echo. Read before the database is opened, so nothing is held while the operator types.
 */
export async function readSecret(prompt: string): Promise<string> {
  const { stdin, stderr } = cliIo();
  if (!stdin.isTTY || !stdin.setRawMode) {
    let text = "";
    stdin.setEncoding("utf8");
    for await (const chunk of stdin) text += chunk as string;
    return (
      text
        .split(/\r?\n/)
        .map((line) => line.trim())
        .find((line) => line !== "") ?? ""
    );
  }
  const setRawMode = stdin.setRawMode.bind(stdin);
  stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = (result: () => void) => {
      stdin.off("data", onData);
      setRawMode(false);
      stdin.pause();
      stderr.write("\n");
      result();
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") return finish(() => resolve(value.trim()));
        if (ch === "\u0003") return finish(() => reject(new CliError("Cancelled.")));
        if (ch === "\u007f" || ch === "\b") value = Array.from(value).slice(0, -1).join("");
        else value += ch;
      }
    };
    stdin.setEncoding("utf8");
    setRawMode(true);
    stdin.resume();
    stdin.on("data", onData);
  });
}

/** A value given on the command line, or read from stdin when it is "-". */
export async function valueOrStdin(value: string, prompt: string): Promise<string> {
  return value === "-" ? readSecret(prompt) : value;
}

/**
 * Money for people, by @mai/domain's one formatter (the dashboard's): "$1,234.56", and a sub-cent
 * amount with 2 significant digits ("$0.000016", never "$0.00"). The CLI's locale is fixed (en-GB,
 * the dashboard's fallback) so its output is the same on every machine and in scripts' logs.
 */
export const CLI_LOCALE = "en-GB";
export const usd = (nano: bigint): string => formatMoney(nano, { locale: CLI_LOCALE });

/** Money for scripts: both the exact nano-USD integer (as a string) and the exact decimal USD. */
export const money = (nano: bigint) => ({ nano: nano.toString(), usd: exactMoneyDecimal(nano) });

type OrganizationDto = Awaited<ReturnType<LocalCaller["organizations"]["get"]>>;

/**
 * The CLI acts as the provider, whose answers always carry the provider's cost (raw cost, markup);
 * a client role's answer has no such key unless the provider allows it (apps/api README, "Raw cost
 * visibility"). This narrows an answer to the provider's view, the one that carries `key`.
 */
export function providerView<T extends object, K extends string>(value: T, key: K): Extract<T, Record<K, unknown>> {
  if (!(key in value)) throw new CliError(`The API's answer has no ${key}: only the provider's view carries it.`);
  return value as Extract<T, Record<K, unknown>>;
}

/** An organisation for --json: masked key only, money as exact strings. */
export function organizationJson(dto: OrganizationDto) {
  const o = providerView(dto, "markupBp");
  return {
    id: o.id,
    name: o.name,
    active: o.active,
    billingEmail: o.billingEmail,
    keyHint: o.keyHint,
    keySource: o.keySource,
    markup: o.markup,
    markupBp: o.markupBp,
    monthlyLimit: money(o.monthlyLimitNano),
    period: o.period,
    monthToDate: money(o.monthToDateNano),
    memberCount: o.memberCount,
    createdAt: o.createdAt,
    deactivatedAt: o.deactivatedAt,
  };
}

/** Aligned "label: value" lines. */
export function printFields(fields: readonly (readonly [string, string])[]): void {
  const width = Math.max(...fields.map(([label]) => label.length)) + 1;
  for (const [label, value] of fields) say(`${`${label}:`.padEnd(width + 1)}${value}`);
}

export const say = (line = ""): void => void cliIo().stdout.write(`${line}\n`);
export const warn = (line: string): void => void cliIo().stderr.write(`${line}\n`);
