// `mai users reset-password`: the first administrator's way back in on a stopped stack (issue 14:
// nobody could change a password, not even from the CLI). Run in-process (runCli), on a fresh
// embedded data directory and, with DATABASE_URL, on a throwaway PostgreSQL database.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { createLocalCaller } from "@mai/api";
import { createTestDb, queryRows, sql, testDrivers, type TestDb } from "@mai/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openOperator, type Operator } from "../src/operator";
import { runCli } from "../src/program";

type Env = Record<string, string>;

async function mai(
  env: Env,
  args: string[],
  input = "",
): Promise<{ code: number; stdout: string; stderr: string }> {
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

function cleanEnv(): Env {
  const env: Env = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith("MAI_") && name !== "DATABASE_URL" && name !== "LOG_LEVEL")
      env[name] = value;
  }
  return env;
}

const ADMIN = "admin@mai.test";
const FIRST_PASSWORD = "the first password of the operator";

describe.each(testDrivers())("mai users reset-password on %s", (driver) => {
  let dataDir: string;
  let env: Env;
  let testDb: TestDb | undefined;
  const run = (args: string[], input?: string) => mai(env, args, input);
  async function withDb<T>(fn: (op: Operator) => Promise<T>): Promise<T> {
    const op = await openOperator(env);
    try {
      return await fn(op);
    } finally {
      await op.close();
    }
  }
  const signIn = (password: string) =>
    withDb((op) => createLocalCaller(op.deps, null).auth.login({ email: ADMIN, password }));
  const sessions = () =>
    withDb(
      async (op) =>
        (await queryRows<{ n: number }>(op.handle.db, sql`select count(*)::int as n from sessions`))[0]!.n,
    );

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "mai-cli-reset-"));
    env = { ...cleanEnv(), MAI_DATA_DIR: dataDir, MAI_RECONCILE_INTERVAL_MS: "0" };
    if (driver === "postgres") {
      testDb = await createTestDb("postgres", { max: 2 });
      const [row] = await queryRows<{ name: string }>(testDb.db, sql`select current_database() as name`);
      const url = new URL(process.env.DATABASE_URL!);
      url.pathname = `/${row!.name}`;
      env.DATABASE_URL = url.toString();
      env.MAI_ENCRYPTION_KEY = randomBytes(32).toString("base64");
    }
    const created = await run(
      ["users", "create", "--email", ADMIN, "--role", "provider_admin", "--password", "-"],
      `${FIRST_PASSWORD}\n`,
    );
    expect(created.code, created.stderr).toBe(0);
  });

  afterAll(async () => {
    await testDb?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("prints a temporary password once: every session ends, it signs in only to choose a new password", async () => {
    await signIn(FIRST_PASSWORD);
    expect(await sessions()).toBe(1);

    const reset = await run(["users", "reset-password", ADMIN]);
    expect(reset.code, reset.stderr).toBe(0);
    const temporary = /^ {2}([A-Za-z0-9]{20})$/m.exec(reset.stdout)?.[1];
    expect(temporary, reset.stdout).toBeDefined();
    expect(reset.stdout).toMatch(/shown only now/);
    expect(reset.stdout).toMatch(/72 hours/);
    expect(await sessions()).toBe(0);

    await expect(signIn(FIRST_PASSWORD)).rejects.toThrow("Wrong e-mail or password.");
    await expect(signIn(temporary!)).resolves.toMatchObject({ email: ADMIN, mustChangePassword: true });

    await withDb(async (op) => {
      const audit = await queryRows<{ actor_kind: string; details: unknown }>(
        op.handle.db,
        sql`select actor_kind, details from audit_log where action = 'user.password_reset'`,
      );
      expect(audit).toEqual([
        { actor_kind: "cli", details: expect.objectContaining({ temporary: true, sessionsEnded: 1 }) },
      ]);
      const all = await queryRows(op.handle.db, sql`select * from audit_log`);
      expect(JSON.stringify(all)).not.toContain(temporary);
    });
  });

  it("--password-stdin sets a password the operator chose, checked by the password rule", async () => {
    const weak = await run(["users", "reset-password", ADMIN, "--password-stdin"], "password1234\n");
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/^mai: .*common passwords/);

    const chosen = "lanterns over the quiet harbour";
    const done = await run(["users", "reset-password", ADMIN, "--password-stdin", "--json"], `${chosen}\n`);
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({
      user: { email: ADMIN, role: "provider_admin" },
      temporaryPassword: null,
    });
    expect(done.stdout).not.toContain(chosen);
    await expect(signIn(chosen)).resolves.toMatchObject({ mustChangePassword: false });
  });

  it("refuses an unknown account, and an embedded data directory a running stack holds", async () => {
    const unknown = await run(["users", "reset-password", "nobody@mai.test"]);
    expect(unknown).toMatchObject({ code: 1, stdout: "" });
    expect(unknown.stderr).toMatch(/^mai: No user with the e-mail nobody@mai.test/);
    if (driver === "pglite") {
      // A live process (this test's parent) holds the directory, as `mai start` would.
      writeFileSync(join(dataDir, "stack.pid"), `${process.ppid}\n`);
      try {
        const held = await run(["users", "reset-password", ADMIN]);
        expect(held.code).toBe(1);
        expect(held.stderr).toMatch(/in use by process .*Stop it first/);
      } finally {
        rmSync(join(dataDir, "stack.pid"), { force: true });
      }
    }
  });
});
