// The operators' commands, run as an operator runs them, on a fresh embedded data directory (and,
// with DATABASE_URL, on a throwaway PostgreSQL database), with the OpenRouter simulator upstream.
// The cases build on each other in order: the first provider administrator, the provisioning key,
// organisations, users, tokens, recorded usage, the context the proxy would use and the monthly
// statement — each with its --json form and a clear error, and no full OpenRouter key in any
// listing.
//
// They run the `mai` program in-process (runCli: the same commander program, stdin, stdout, stderr,
// environment and exit code the binary has, each command opening and closing the database as it
// does), because a child process costs a Node start and the import of the API for every one of
// ~80 commands. The smoke tests at the end run the real binary as a child process, for what only a
// process has: argv, exit codes, piped stdin, one line on a stderr the logger also writes to.
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { createLocalCaller } from "@mai/api";
import { createTestDb, queryRows, sql, testDrivers, type TestDb } from "@mai/db/testing";
import { billedCost, encodeUsageEvents, nanoToUsdString } from "@mai/domain";
import {
  FIXTURE_API_KEY,
  FIXTURE_MANAGEMENT_KEY,
  startSimulator,
  type Simulator,
} from "@mai/openrouter/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openOperator, type Operator } from "../src/operator";
import { runCli } from "../src/program";

const BIN = fileURLToPath(new URL("../bin/mai.js", import.meta.url));
/** Any full OpenRouter key (the fixtures and every key the simulator mints are sk-or-v1- + 64 hex). */
const FULL_KEY = /sk-or-v1-[0-9a-f]{64}/;
const MASKED = /^sk-or-v1-[0-9a-f]{4}…[0-9a-f]{4}$/;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

type Env = Record<string, string>;

/** `mai <args>` in this process, with `input` piped on stdin. */
async function mai(env: Env, args: string[], input = ""): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdin: Readable.from(input ? [Buffer.from(input)] : [], { objectMode: false }),
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env,
  });
  return { code, stdout, stderr };
}

/** `mai <args>` as a child process: the real binary, `input` piped on stdin. */
function maiProcess(env: Env, args: string[], input = ""): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env, cwd: env.MAI_DATA_DIR, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error
          ? typeof (error as { code?: unknown }).code === "number"
            ? (error as { code: number }).code
            : 1
          : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin!.end(input);
  });
}

function ok(run: Run): Run {
  expect(run.code, `exit ${run.code}\n${run.stderr}`).toBe(0);
  return run;
}

function json<T = Record<string, unknown>>(run: Run): T {
  ok(run);
  return JSON.parse(run.stdout) as T;
}

/** An operator error: exit code 1 and exactly one line on stderr, `mai: …`. */
function refused(run: Run, message: RegExp | string): void {
  expect(run.code, run.stdout).toBe(1);
  const lines = run.stderr.trimEnd().split("\n");
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^mai: /);
  if (typeof message === "string") expect(lines[0]).toContain(message);
  else expect(lines[0]).toMatch(message);
  expect(run.stdout).toBe("");
}

/** A command-line error (commander): exit code 1, the reason on the first line of stderr. */
function usageError(run: Run, message: string): void {
  expect(run.code).toBe(1);
  expect(run.stderr.split("\n")[0]).toContain(message);
  expect(run.stdout).toBe("");
}

/** The environment of one run: nothing of ours inherited from the caller's environment. */
function cleanEnv(): Env {
  const env: Env = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith("MAI_") && name !== "DATABASE_URL" && name !== "LOG_LEVEL")
      env[name] = value;
  }
  return env;
}

describe.each(testDrivers())("operator commands on %s", (driver) => {
  let sim: Simulator;
  let dataDir: string;
  let env: Env;
  let testDb: TestDb | undefined;
  const run = (args: string[], input?: string) => mai(env, args, input);
  /** The database, opened in this process between commands (the data directory is free then). */
  async function withDb<T>(fn: (op: Operator) => Promise<T>): Promise<T> {
    const op = await openOperator(env);
    try {
      return await fn(op);
    } finally {
      await op.close();
    }
  }

  // Shared by the cases below, in order.
  let provisionedKey = "";
  let kowalski: { id: string; name: string; period: string };
  let ola: { id: string; externalUserId: string };
  const rawCostNano = 1_234_567_891n;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, generationDelayMs: 0 });
    dataDir = mkdtempSync(join(tmpdir(), "mai-cli-"));
    env = {
      ...cleanEnv(),
      MAI_DATA_DIR: dataDir,
      MAI_OPENROUTER_BASE_URL: sim.url,
      MAI_OPENROUTER_EXTRA_HOSTS: sim.origin,
      MAI_RECONCILE_INTERVAL_MS: "0",
    };
    if (driver === "postgres") {
      testDb = await createTestDb("postgres", { max: 2 });
      const [row] = await queryRows<{ name: string }>(testDb.db, sql`select current_database() as name`);
      const url = new URL(process.env.DATABASE_URL!);
      url.pathname = `/${row!.name}`;
      env.DATABASE_URL = url.toString();
      env.MAI_ENCRYPTION_KEY = randomBytes(32).toString("base64");
    }
  });

  afterAll(async () => {
    await sim?.close();
    await testDb?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("refuses to act as the provider before a provider administrator exists", async () => {
    refused(await run(["orgs", "list"]), "No provider administrator exists yet");
  });

  it("users create --role provider_admin seeds the first provider administrator on an empty database", async () => {
    const seeded = json<{
      user: { id: string; email: string; role: string };
      created: boolean;
      generatedPassword: string;
      organization: null;
    }>(
      await run([
        "users",
        "create",
        "--email",
        "Admin@Mai.Test",
        "--name",
        "Provider",
        "--role",
        "provider_admin",
        "--json",
      ]),
    );
    expect(seeded.user).toMatchObject({ email: "admin@mai.test", role: "provider_admin" });
    expect(seeded.created).toBe(true);
    expect(seeded.organization).toBeNull();
    expect(seeded.generatedPassword).toMatch(/^[A-Za-z0-9]{16,}$/);

    // People-readable form, with a chosen password read from stdin: not printed back.
    const second = ok(
      await run(
        ["users", "create", "--email", "ops@mai.test", "--role", "provider_admin", "--password", "-"],
        "a chosen password 123\n",
      ),
    );
    expect(second.stdout).toContain("Created provider_admin ops@mai.test.");
    expect(second.stdout).not.toContain("a chosen password");
    expect(second.stdout).not.toMatch(/shown only now/);

    // The passwords work (checked through auth.login, in-process), and the creation is audited.
    await withDb(async (op) => {
      const anonymous = createLocalCaller(op.deps, null);
      await expect(
        anonymous.auth.login({ email: "admin@mai.test", password: seeded.generatedPassword }),
      ).resolves.toMatchObject({ role: "provider_admin" });
      await expect(
        anonymous.auth.login({ email: "ops@mai.test", password: "a chosen password 123" }),
      ).resolves.toMatchObject({ role: "provider_admin" });
      const audit = await queryRows<{ actor_kind: string; action: string }>(
        op.handle.db,
        sql`select actor_kind, action from audit_log where action = 'user.created'`,
      );
      expect(audit).toEqual([
        { actor_kind: "cli", action: "user.created" },
        { actor_kind: "cli", action: "user.created" },
      ]);
    });
  });

  it("users create: clear errors for a taken e-mail, a bad role, a missing flag, a short password, --org on a provider", async () => {
    refused(
      await run(["users", "create", "--email", "admin@mai.test", "--role", "provider_admin"]),
      "already exists",
    );
    refused(
      await run(["users", "create", "--email", "not-an-email", "--role", "member"]),
      "is not an e-mail address",
    );
    refused(
      await run([
        "users",
        "create",
        "--email",
        "x@mai.test",
        "--role",
        "provider_admin",
        "--password",
        "short",
      ]),
      "at least 12 characters",
    );
    // The one password rule of every password a person chooses, not only its length.
    refused(
      await run(["users", "create", "--email", "x@mai.test", "--role", "provider_admin", "--password", "password1234"]),
      "common passwords",
    );
    refused(
      await run(["users", "create", "--email", "anna.kowalska@mai.test", "--role", "provider_admin", "--password", "Anna.Kowalska w domu 2026"]),
      "e-mail address or name",
    );
    refused(
      await run([
        "users",
        "create",
        "--email",
        "x@mai.test",
        "--role",
        "provider_admin",
        "--org",
        "Anything",
      ]),
      "drop --org",
    );
    usageError(
      await run(["users", "create", "--email", "x@mai.test", "--role", "root"]),
      "Allowed choices are provider_admin, org_admin, member",
    );
    usageError(
      await run(["users", "create", "--role", "member"]),
      "required option '--email <email>' not specified",
    );
  });

  it("setup provisioning-key: reads the key from stdin, verifies it live, prints it only masked", async () => {
    refused(await run(["setup", "provisioning-key"], ""), "No key given");
    refused(await run(["setup", "provisioning-key"], `${FIXTURE_API_KEY}\n`), "inference key");

    const saved = ok(await run(["setup", "provisioning-key"], `\n${FIXTURE_MANAGEMENT_KEY}\n`));
    expect(saved.stdout).toContain("sk-or-v1-0123…cdef");
    expect(saved.stdout + saved.stderr).not.toMatch(FULL_KEY);

    const again = json<{ provisioningKeyHint: string }>(
      await run(["setup", "provisioning-key", "--key", FIXTURE_MANAGEMENT_KEY, "--json"]),
    );
    expect(again.provisioningKeyHint).toBe("sk-or-v1-0123…cdef");
    expect(JSON.stringify(again)).not.toMatch(FULL_KEY);
  });

  it("clients create: provisions a key by default and prints it once, with a warning", async () => {
    const created = ok(
      await run([
        "clients",
        "create",
        "--name",
        "Kowalski Consulting",
        "--billing-email",
        "faktury@kowalski.pl",
        "--monthly-limit",
        "500",
        "--markup",
        "1.3",
      ]),
    );
    expect(created.stdout).toContain('Created organisation "Kowalski Consulting".');
    expect(created.stdout).toContain("$500.00");
    expect(created.stdout).toMatch(/will NOT be shown again/);
    const keys = created.stdout.match(new RegExp(FULL_KEY, "g")) ?? [];
    expect(keys).toHaveLength(1);
    provisionedKey = keys[0]!;
    // Minted upstream with the monthly limit as its credit limit.
    expect(sim.getKey(provisionedKey)).toMatchObject({ limitNano: 500_000_000_000n, disabled: false });

    const viaJson = json<{
      organization: {
        id: string;
        name: string;
        keyHint: string;
        keySource: string;
        period: string;
        markup: string;
        monthlyLimit: { nano: string; usd: string };
      };
      provisionedKey: string;
    }>(await run(["clients", "create", "--name", "Nowak Logistics", "--monthly-limit", "250.5", "--json"]));
    expect(viaJson.provisionedKey).toMatch(FULL_KEY);
    expect(viaJson.organization).toMatchObject({
      name: "Nowak Logistics",
      keySource: "provisioned",
      markup: "1.3",
      monthlyLimit: { nano: "250500000000", usd: "250.5" },
    });
    expect(viaJson.organization.keyHint).toMatch(MASKED);

    // The client's own key, from stdin; and an organisation with no key at all.
    const own = json<{ organization: { keySource: string; keyHint: string }; provisionedKey: null }>(
      await run(
        ["clients", "create", "--name", "Zielińska Studio", "--key", "-", "--json"],
        `${FIXTURE_API_KEY}\n`,
      ),
    );
    expect(own).toMatchObject({
      provisionedKey: null,
      organization: { keySource: "client", keyHint: "sk-or-v1-abab…abab" },
    });
    const none = json<{ organization: { keyHint: null }; provisionedKey: null }>(
      await run(["clients", "create", "--name", "Empty Sp. z o.o.", "--no-provision", "--json"]),
    );
    expect(none).toMatchObject({ provisionedKey: null, organization: { keyHint: null } });
  });

  it("clients create: clear errors for a duplicate name, a bad markup, a key in use, a missing --name", async () => {
    refused(
      await run(["clients", "create", "--name", "Kowalski Consulting", "--no-provision"]),
      'An organisation named "Kowalski Consulting" already exists.',
    );
    refused(
      await run(["clients", "create", "--name", "Bad Markup", "--markup", "abc", "--no-provision"]),
      /markup/i,
    );
    refused(
      await run(["clients", "create", "--name", "Same Key", "--key", FIXTURE_API_KEY]),
      "already attached to another organisation",
    );
    usageError(
      await run(["clients", "create", "--markup", "1.3"]),
      "required option '--name <name>' not specified",
    );
  });

  it("orgs list: every organisation with masked keys and exact money, never a full key", async () => {
    const table = ok(await run(["orgs", "list"]));
    expect(table.stdout.split("\n")[0]).toMatch(
      /^NAME\s+ID\s+ACTIVE\s+KEY\s+MARKUP\s+MONTHLY LIMIT\s+MONTH TO DATE\s+UNMETERED$/,
    );
    expect(table.stdout).toMatch(
      // Unmetered: "—" until key-level reconciliation has looked at the key.
      /Kowalski Consulting\s+[0-9a-f-]{36}\s+yes\s+sk-or-v1-[0-9a-f]{4}…[0-9a-f]{4}\s+1\.3×\s+\$500\.00\s+\$0\.00\s+—/,
    );
    expect(table.stdout).toMatch(/Nowak Logistics .*\$250\.50/);
    expect(table.stdout).not.toMatch(FULL_KEY);

    const rows = json<
      {
        id: string;
        name: string;
        active: boolean;
        keyHint: string | null;
        period: string;
        monthToDate: { nano: string; usd: string };
      }[]
    >(await run(["orgs", "list", "--json"]));
    expect(rows.map((r) => r.name).sort()).toEqual([
      "Empty Sp. z o.o.",
      "Kowalski Consulting",
      "Nowak Logistics",
      "Zielińska Studio",
    ]);
    for (const row of rows) if (row.keyHint !== null) expect(row.keyHint).toMatch(MASKED);
    expect(JSON.stringify(rows)).not.toMatch(FULL_KEY);
    const k = rows.find((r) => r.name === "Kowalski Consulting")!;
    expect(k.monthToDate).toEqual({ nano: "0", usd: "0" });
    kowalski = { id: k.id, name: k.name, period: k.period };
  });

  it("users create --org: the operator creates and maps the user (a generated password printed once)", async () => {
    const added = json<{
      user: { id: string; role: string };
      organization: { id: string; name: string };
      externalUserId: string;
      created: boolean;
      generatedPassword: string;
    }>(
      await run([
        "users",
        "create",
        "--email",
        "ola@kowalski.pl",
        "--name",
        "Ola Kowalska",
        "--role",
        "member",
        "--org",
        "kowalski consulting",
        "--json",
      ]),
    );
    expect(added).toMatchObject({
      user: { role: "member" },
      organization: { id: kowalski.id, name: "Kowalski Consulting" },
      created: true,
    });
    expect(added.externalUserId).toMatch(
      new RegExp(`^mai_client_${kowalski.id.slice(0, 8)}_user_${added.user.id.slice(0, 8)}$`),
    );
    expect(added.generatedPassword).toMatch(/^\S{16,}$/);
    ola = { id: added.user.id, externalUserId: added.externalUserId };

    // An administrator with a chosen password, the organisation named by id, people-readable output.
    const admin = ok(
      await run([
        "users",
        "create",
        "--email",
        "szef@kowalski.pl",
        "--role",
        "org_admin",
        "--org",
        kowalski.id,
        "--password",
        "herbata z cytryna 2026",
      ]),
    );
    expect(admin.stdout).toContain("Created org_admin szef@kowalski.pl.");
    expect(admin.stdout).toContain(`Kowalski Consulting (${kowalski.id})`);
    expect(admin.stdout).not.toMatch(/shown only now/);
    await withDb(async (op) => {
      await expect(
        createLocalCaller(op.deps, null).auth.login({
          email: "szef@kowalski.pl",
          password: "herbata z cytryna 2026",
        }),
      ).resolves.toMatchObject({
        role: "org_admin",
        organizationId: kowalski.id,
      });
    });

    // An administrator with no organisation yet (their first key save will create one).
    ok(await run(["users", "create", "--email", "solo@firma.pl", "--role", "org_admin"]));

    refused(
      await run(["users", "create", "--email", "x@kowalski.pl", "--role", "member", "--org", "Nope Inc"]),
      'No organisation named "Nope Inc"',
    );
    refused(
      await run([
        "users",
        "create",
        "--email",
        "ola@kowalski.pl",
        "--role",
        "member",
        "--org",
        "Nowak Logistics",
      ]),
      "already belongs to another organisation",
    );
  });

  it("mapping get: the external id that would be sent, and why; by e-mail or id", async () => {
    const text = ok(await run(["mapping", "get", "ola@kowalski.pl"]));
    expect(text.stdout).toMatch(/Organisation:\s+Kowalski Consulting/);
    expect(text.stdout).toContain(`Would send:   yes, as user = ${ola.externalUserId}`);
    expect(text.stdout).toMatch(/Reason:\s+Mapped to "Kowalski Consulting"/);
    expect(text.stdout).toMatch(/Warnings:\s+none/);

    const byId = json<{ wouldSend: boolean; user: string; organizationId: string; warnings: string[] }>(
      await run(["mapping", "get", ola.id, "--json"]),
    );
    expect(byId).toMatchObject({
      wouldSend: true,
      user: ola.externalUserId,
      organizationId: kowalski.id,
      warnings: [],
    });

    const solo = json<{ wouldSend: boolean; mapped: boolean; reason: string }>(
      await run(["mapping", "get", "solo@firma.pl", "--json"]),
    );
    expect(solo).toMatchObject({ wouldSend: false, mapped: false });
    expect(solo.reason).toMatch(/not mapped/);

    refused(
      await run(["mapping", "get", "nobody@kowalski.pl"]),
      "No user with the e-mail nobody@kowalski.pl",
    );
    refused(await run(["mapping", "get", "nobody"]), "neither a user id nor an e-mail");
    usageError(await run(["mapping", "get"]), "missing required argument 'user'");
  });

  it("tokens create: a working personal token for another user, printed once", async () => {
    const text = ok(await run(["tokens", "create", "--user", "ola@kowalski.pl", "--name", "Open WebUI"]));
    const token = /mai_[0-9a-f]{48}/.exec(text.stdout)?.[0];
    expect(token, text.stdout).toBeDefined();
    expect(text.stdout).toMatch(/will NOT be shown again/);
    expect(text.stdout).toMatch(/Expires:\s+never/);

    // 30 days from the moment the command ran: between the clock before it and after it, however
    // long it took.
    const before = Date.now();
    const viaJson = json<{
      token: string;
      prefix: string;
      name: string;
      expiresAt: string;
      user: { id: string };
    }>(
      await run(["tokens", "create", "--user", ola.id, "--name", "ci", "--expires-in-days", "30", "--json"]),
    );
    const after = Date.now();
    expect(viaJson.token).toMatch(/^mai_[0-9a-f]{48}$/);
    expect(viaJson.prefix).toBe(viaJson.token.slice(0, 12));
    expect(viaJson.user.id).toBe(ola.id);
    const thirtyDays = 30 * 86_400_000;
    expect(Date.parse(viaJson.expiresAt)).toBeGreaterThanOrEqual(before + thirtyDays);
    expect(Date.parse(viaJson.expiresAt)).toBeLessThanOrEqual(after + thirtyDays);

    // The proxy accepts both tokens as Ola; the audit log has the creation without the token.
    await withDb(async (op) => {
      for (const t of [token!, viaJson.token]) {
        const ctx = await op.internal.internal.resolveContext({ token: t });
        expect(ctx.user.id).toBe(ola.id);
        expect(ctx.externalUserId).toBe(ola.externalUserId);
      }
      const audit = await queryRows<{ actor_kind: string; details: unknown }>(
        op.handle.db,
        sql`select actor_kind, details from audit_log where action = 'token.created'`,
      );
      expect(audit).toHaveLength(2);
      expect(audit.every((a) => a.actor_kind === "cli")).toBe(true);
      expect(JSON.stringify(audit)).not.toMatch(/mai_[0-9a-f]{48}/);
    });

    refused(
      await run(["tokens", "create", "--user", "ghost@kowalski.pl"]),
      "No user with the e-mail ghost@kowalski.pl",
    );
    usageError(
      await run(["tokens", "create", "--user", ola.id, "--expires-in-days", "0"]),
      "a whole number of days from 1 to 3650",
    );
    usageError(await run(["tokens", "create"]), "required option '--user <user>' not specified");

    // Scopes: chat unless asked; manage only for an administrator; the scope stored, printed and audited.
    const scopeOf = (prefix: string) =>
      withDb(async (op) => (await queryRows<{ scope: string }>(op.handle.db, sql`select scope from api_tokens where prefix = ${prefix}`))[0]?.scope);
    expect(await scopeOf(viaJson.prefix)).toBe("chat");
    refused(
      await run(["tokens", "create", "--user", "ola@kowalski.pl", "--scope", "manage"]),
      "ola@kowalski.pl is a member: Only administrators can create a manage token",
    );
    usageError(await run(["tokens", "create", "--user", ola.id, "--scope", "root"]), "one of chat, manage");
    const manage = ok(await run(["tokens", "create", "--user", "szef@kowalski.pl", "--name", "automation", "--scope", "manage"]));
    expect(manage.stdout).toMatch(/Scope:\s+manage/);
    const manageJson = json<{ prefix: string; scope: string }>(
      await run(["tokens", "create", "--user", "szef@kowalski.pl", "--name", "automation 2", "--scope", "manage", "--json"]),
    );
    expect(manageJson.scope).toBe("manage");
    expect(await scopeOf(manageJson.prefix)).toBe("manage");
    await withDb(async (op) => {
      const audit = await queryRows<{ details: { scope?: string } }>(
        op.handle.db,
        sql`select details from audit_log where action = 'token.created' and target_id = (select id::text from api_tokens where prefix = ${manageJson.prefix})`,
      );
      expect(audit.map((a) => a.details.scope)).toEqual(["manage"]);
    });
  });

  it("context get: organisation, masked key, markup, external id, limit, spend and remaining — never the full key", async () => {
    // One metered request, recorded as the proxy records it.
    await withDb((op) =>
      op.internal.internal.recordUsage({
        ndjson: encodeUsageEvents([
          {
            generationId: "gen-cli-test-1",
            organizationId: kowalski.id,
            userId: ola.id,
            externalUserId: ola.externalUserId,
            model: "openai/gpt-4o-mini",
            promptTokens: 1200,
            completionTokens: 345,
            rawCostNano,
            markupBp: 13_000,
            status: "ok",
            streamed: true,
            occurredAt: new Date(),
          },
        ]),
      }),
    );
    const billed = billedCost(rawCostNano, 13_000);
    const limit = 500_000_000_000n;

    const text = ok(await run(["context", "get", "ola@kowalski.pl"]));
    expect(text.stdout).toMatch(/Organisation:\s+Kowalski Consulting/);
    expect(text.stdout).toMatch(/OpenRouter key:\s+sk-or-v1-[0-9a-f]{4}…[0-9a-f]{4}\n/);
    expect(text.stdout).toMatch(/Markup:\s+1\.3×/);
    expect(text.stdout).toContain(ola.externalUserId);
    expect(text.stdout).toMatch(/Monthly limit:\s+\$500\.00/);
    expect(text.stdout).toMatch(/Spent this month:\s+\$1\.60\n/);
    expect(text.stdout).toMatch(/Remaining:\s+\$498\.40\n/);
    expect(text.stdout + text.stderr).not.toMatch(FULL_KEY);
    expect(text.stdout).not.toContain(provisionedKey);

    type Ctx = {
      source: string;
      keyHint: string;
      organization: { id: string; active: boolean };
      externalUserId: string;
      markup: string;
      markupBp: number;
      billing: Record<string, unknown>;
      notes: string[];
    };
    const viewed = json<Ctx>(await run(["context", "get", "ola@kowalski.pl", "--json"]));
    expect(viewed).toMatchObject({
      source: "provider view",
      organization: { id: kowalski.id, active: true },
      externalUserId: ola.externalUserId,
      markup: "1.3",
      markupBp: 13_000,
      notes: [],
    });
    expect(viewed.keyHint).toMatch(MASKED);
    expect(viewed.billing).toMatchObject({
      period: kowalski.period,
      monthlyLimit: { nano: limit.toString(), usd: "500" },
      spent: { nano: billed.toString(), usd: nanoToUsdString(billed) },
      remaining: { nano: (limit - billed).toString(), usd: nanoToUsdString(limit - billed) },
    });
    expect(JSON.stringify(viewed)).not.toMatch(FULL_KEY);

    // A user linked to Open WebUI is looked up exactly as the proxy's trusted gateway does
    // (internal.resolveContext): the same figures, the same mask.
    await withDb((op) =>
      op.handle.db.execute(sql`update users set openwebui_user_id = 'owui-ola' where id = ${ola.id}`),
    );
    const resolved = json<Ctx>(await run(["context", "get", ola.id, "--json"]));
    expect(resolved.source).toBe("internal.resolveContext");
    expect({ ...resolved, source: "" }).toEqual({ ...viewed, source: "" });
    expect(JSON.stringify(resolved)).not.toMatch(FULL_KEY);

    refused(await run(["context", "get", "solo@firma.pl"]), "not mapped to an organisation");
    refused(
      await run(["context", "get", "admin@mai.test"]),
      "Provider administrators belong to no organisation",
    );
    refused(await run(["context", "get", "ghost@kowalski.pl"]), "No user with the e-mail ghost@kowalski.pl");
  });

  it("usage export: the month's statement as CSV to a file, to stdout, or in JSON", async () => {
    const out = join(dataDir, "statement.csv");
    const written = ok(
      await run([
        "usage",
        "export",
        "--org",
        "Kowalski Consulting",
        "--month",
        kowalski.period,
        "--out",
        out,
      ]),
    );
    expect(written.stdout).toBe("");
    expect(written.stderr).toContain(`Wrote 1 row (total billed $1.60) to ${out}.`);
    const csv = readFileSync(out, "utf8");
    const lines = csv.trimEnd().split(/\r?\n/);
    expect(lines[0]).toBe(
      "email,external_user_id,model,requests,prompt_tokens,completion_tokens,raw_cost_usd,billed_cost_usd",
    );
    expect(lines[1]).toBe(
      `ola@kowalski.pl,${ola.externalUserId},openai/gpt-4o-mini,1,1200,345,${nanoToUsdString(rawCostNano)},${nanoToUsdString(billedCost(rawCostNano, 13_000))}`,
    );
    expect(lines[2]).toMatch(/^TOTAL,,,1,1200,345,/);

    const toStdout = ok(await run(["usage", "export", "--org", kowalski.id, "--month", kowalski.period]));
    expect(toStdout.stdout).toBe(csv);

    const viaJson = json<{ filename: string; rows: number; total: { usd: string }; content: string }>(
      await run(["usage", "export", "--org", "Kowalski Consulting", "--month", kowalski.period, "--json"]),
    );
    expect(viaJson).toMatchObject({
      filename: `mai-usage-kowalski-consulting-${kowalski.period}.csv`,
      rows: 1,
      total: { usd: nanoToUsdString(billedCost(rawCostNano, 13_000)) },
      content: csv,
    });

    refused(
      await run(["usage", "export", "--org", "Kowalski Consulting", "--month", "2026-13"]),
      "month: Use a month written YYYY-MM.",
    );
    refused(
      await run(["usage", "export", "--org", "Nope Inc", "--month", kowalski.period]),
      'No organisation named "Nope Inc"',
    );
    refused(
      await run([
        "usage",
        "export",
        "--org",
        "00000000-0000-4000-8000-000000000000",
        "--month",
        kowalski.period,
      ]),
      "Organisation not found.",
    );
    usageError(
      await run(["usage", "export", "--org", "Kowalski Consulting"]),
      "required option '--month <YYYY-MM>' not specified",
    );
  });

  it("orgs list shows the month's spend once usage is recorded (still no full key)", async () => {
    const rows = json<{ name: string; monthToDate: { nano: string } }[]>(
      await run(["orgs", "list", "--json"]),
    );
    expect(rows.find((r) => r.name === "Kowalski Consulting")!.monthToDate.nano).toBe(
      billedCost(rawCostNano, 13_000).toString(),
    );
    const table = ok(await run(["orgs", "list"]));
    expect(table.stdout).toMatch(/Kowalski Consulting .*\$500\.00\s+\$1\.60/);
    expect(table.stdout).not.toMatch(FULL_KEY);
  });

  it("context get and orgs list: a sub-cent spend is shown with its significant digits, never $0.00", async () => {
    const created = json<{ user: { id: string }; externalUserId: string; organization: { id: string } }>(
      await run(["users", "create", "--email", "piotr@nowak.pl", "--role", "member", "--org", "Nowak Logistics", "--json"]),
    );
    // 12 308 nano-USD raw × 1.3 = 16 000 nano billed: $0.000016.
    await withDb((op) =>
      op.internal.internal.recordUsage({
        ndjson: encodeUsageEvents([
          {
            generationId: "gen-cli-sub-cent",
            organizationId: created.organization.id,
            userId: created.user.id,
            externalUserId: created.externalUserId,
            model: "openai/gpt-4o-mini",
            promptTokens: 12,
            completionTokens: 3,
            rawCostNano: 12_308n,
            markupBp: 13_000,
            status: "ok",
            streamed: false,
            occurredAt: new Date(),
          },
        ]),
      }),
    );
    expect(billedCost(12_308n, 13_000)).toBe(16_000n);
    const text = ok(await run(["context", "get", "piotr@nowak.pl"]));
    expect(text.stdout).toMatch(/Spent this month:\s+\$0\.000016\n/);
    expect(text.stdout).toMatch(/Remaining:\s+\$250\.50\n/); // 250.499984: cents once
    const table = ok(await run(["orgs", "list"]));
    expect(table.stdout).toMatch(/Nowak Logistics .*\$250\.50\s+\$0\.000016/);
  });

  it("--help on every command describes it with examples", async () => {
    const commands = [
      ["setup", "provisioning-key"],
      ["clients", "create"],
      ["orgs", "list"],
      ["mapping", "get"],
      ["context", "get"],
      ["users", "create"],
      ["tokens", "create"],
      ["usage", "export"],
    ];
    const top = ok(await run(["--help"]));
    for (const [group] of commands) expect(top.stdout).toContain(group);
    // --help opens no database, so these may run side by side.
    const helps = await Promise.all(commands.map((command) => run([...command, "--help"])));
    for (const [i, command] of commands.entries()) {
      const help = ok(helps[i]!);
      expect(help.stdout).toContain(`Usage: mai ${command.join(" ")}`);
      expect(help.stdout).toContain("--json");
      expect(help.stdout).toContain("Examples:");
    }
  });

  it.runIf(driver === "pglite")(
    "refuses the embedded directory while another live process holds it",
    async () => {
      // A process that lives until it is killed, whatever the time the commands take.
      const holder = spawn(process.execPath, ["-e", "setInterval(() => {}, 1 << 30)"], { stdio: "ignore" });
      const exited = new Promise((resolve) => holder.once("exit", resolve));
      try {
        writeFileSync(join(dataDir, "stack.pid"), `${holder.pid}\n`);
        refused(await run(["orgs", "list"]), `is in use by process ${holder.pid}`);
        refused(
          await run(["users", "create", "--email", "late@mai.test", "--role", "provider_admin"]),
          `is in use by process ${holder.pid}`,
        );
      } finally {
        holder.kill();
        await exited;
      }
      // The holder is gone: the directory is free again (its stale pid file is taken over).
      ok(await run(["orgs", "list"]));
    },
  );
});

describe("the mai binary (child processes)", () => {
  let dataDir: string;
  let env: Env;
  const run = (args: string[], input?: string) => maiProcess(env, args, input);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "mai-cli-bin-"));
    env = { ...cleanEnv(), MAI_DATA_DIR: dataDir, MAI_RECONCILE_INTERVAL_MS: "0" };
    // In a checkout the binary first brings its bundle up to date (saying so on stderr); that
    // happens here, once, so the cases below see the command's own output only.
    ok(await run(["--help"]));
  });
  afterAll(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("--help and a command-line mistake: commander's output and exit codes", async () => {
    const [top, help, mistake] = await Promise.all([
      run(["--help"]),
      run(["users", "create", "--help"]),
      run(["users", "create", "--email", "x@mai.test", "--role", "root"]),
    ]);
    expect(ok(top).stdout).toContain("Usage: mai [options] [command]");
    for (const group of ["start", "demo", "setup", "clients", "orgs", "mapping", "context", "users", "tokens", "usage"])
      expect(top.stdout).toContain(group);
    expect(ok(help).stdout).toContain("Usage: mai users create");
    expect(help.stdout).toContain("Examples:");
    usageError(mistake, "Allowed choices are provider_admin, org_admin, member");
  });

  it("an operator error is one line on stderr, exit code 1; a secret piped on stdin; --json on stdout", async () => {
    refused(await run(["orgs", "list"]), "No provider administrator exists yet");
    const created = json<{ user: { email: string; role: string }; generatedPassword: null }>(
      await run(
        ["users", "create", "--email", "admin@mai.test", "--role", "provider_admin", "--password", "-", "--json"],
        "a piped password 123\n",
      ),
    );
    expect(created).toMatchObject({
      user: { email: "admin@mai.test", role: "provider_admin" },
      generatedPassword: null,
    });
  });
});
