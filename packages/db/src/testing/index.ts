// Test databases: every DB test file runs on PGlite, and also on PostgreSQL when DATABASE_URL is
// set. Each PostgreSQL test database is created fresh (and dropped afterwards) under a unique
// name, so parallel test files and concurrent CI runs never see each other's rows.
//
// Each test database starts as a copy of a migrated template rather than migrating from nothing:
// on PGlite, starting an empty instance and applying every migration costs ~4 s of CPU, loading a
// migrated data directory ~0.6 s, and a run starts a few hundred. The template is made by the real
// `migrate` once per set of migrations (a hash of the SQL files names it) and shared between test
// processes: a dumped PGlite data directory in the temp folder, a template database on PostgreSQL.
import { createHash, randomBytes } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { validateOpenRouterKey, type OpenRouterKey } from "@mai/domain";
import { sql } from "drizzle-orm";
import { createDb, driverOf, type DbHandle, type Driver, type QueryObserver } from "../client";
import { createSecretBox, type SecretBox } from "../crypto/secret-box";
import { migrate, MIGRATIONS_FOLDER } from "../migrate";

// For tests (and benchmarks) that look beneath the query functions — asserting on stored rows,
// counting tables, instrumenting drizzle's prepared queries — the operators, raw SQL and drizzle
// classes they need, from here: @mai/db owns the drizzle dependency (one version), and its main
// entry offers query functions only, so no application code writes SQL (packages/db/README.md).
export { and, count, eq, getTableName, is, sql, sum } from "drizzle-orm";
export { PgPreparedQuery, PgTable } from "drizzle-orm/pg-core";
// createDb: a database opened some other way than openDatabase (in memory, or an absent server).
export { createDb, queryRows, type DbOptions, type QueryObserver } from "../client";

export interface TestDb extends DbHandle {
  secrets: SecretBox;
  /** PostgreSQL: the database's URL (for a test that opens it again, as DATABASE_URL or DATABASE_READ_URL); PGlite: undefined. */
  url?: string;
}

/** The drivers this run covers: PGlite always; PostgreSQL when DATABASE_URL is set. */
export function testDrivers(): Driver[] {
  return process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

const PREFIX = "mai_test_";
const STALE_MS = 60 * 60 * 1000;

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Names the migrated state: every migration file (name and bytes), and for PGlite its build. */
function migrationsHash(extra = ""): string {
  const hash = createHash("sha256").update(extra);
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory()) walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      else hash.update(`${prefix}${entry.name}\0`).update(readFileSync(join(dir, entry.name))).update("\0");
    }
  };
  walk(MIGRATIONS_FOLDER, "");
  return hash.digest("hex").slice(0, 16);
}

let pgliteTemplate: Promise<Blob> | undefined;

/** The migrated PGlite data directory, dumped: read from the temp folder, or made once and written there. */
function migratedPgliteTemplate(): Promise<Blob> {
  pgliteTemplate ??= (async () => {
    const build = createRequire(import.meta.url).resolve("@electric-sql/pglite");
    const { size, mtimeMs } = statSync(build);
    const dir = join(tmpdir(), "mai-test-templates");
    const file = join(dir, `pglite-${migrationsHash(`${build}:${size}:${mtimeMs}`)}.tar`);
    try {
      return new Blob([readFileSync(file)]);
    } catch {
      // Not made yet (or by a process still writing it: files appear only whole, by rename).
    }
    const handle = createDb({ memory: true });
    try {
      await migrate(handle.db);
      const dump = await (driverOf(handle.db).client as PGlite).dumpDataDir("none");
      mkdirSync(dir, { recursive: true });
      const partial = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
      writeFileSync(partial, new Uint8Array(await dump.arrayBuffer()));
      renameSync(partial, file);
      return dump;
    } finally {
      await handle.close();
    }
  })();
  pgliteTemplate.catch(() => {
    pgliteTemplate = undefined;
  });
  return pgliteTemplate;
}

const TEMPLATE_PREFIX = "mai_template_";

/** The migrated template database on this server, made once per set of migrations. */
async function migratedPostgresTemplate(admin: postgres.Sql, adminUrl: string): Promise<string> {
  const name = `${TEMPLATE_PREFIX}${migrationsHash()}`;
  const [existing] = await admin`select 1 from pg_database where datname = ${name}`;
  if (existing) return name;
  // Made under a name of its own and renamed when whole: a concurrent maker loses the rename and
  // drops its copy, and no process ever copies a half-migrated template.
  const draft = `${name}_${randomBytes(4).toString("hex")}`;
  await admin.unsafe(`create database "${draft}"`);
  try {
    const handle = createDb({ url: withDatabase(adminUrl, draft), max: 2 });
    try {
      await migrate(handle.db);
    } finally {
      await handle.close();
    }
    await admin.unsafe(`alter database "${draft}" rename to "${name}"`);
  } catch (error) {
    await admin.unsafe(`drop database if exists "${draft}" with (force)`).catch(() => {});
    const [made] = await admin`select 1 from pg_database where datname = ${name}`;
    if (!made) throw error;
  }
  return name;
}

async function createPostgresDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const name = `${PREFIX}${Date.now()}_${randomBytes(4).toString("hex")}`;
  try {
    // Databases left behind by a crashed run are dropped once they are an hour old.
    const stale = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${`${PREFIX}%`}`;
    for (const { datname } of stale) {
      const created = Number(datname.slice(PREFIX.length).split("_")[0]);
      if (Number.isFinite(created) && Date.now() - created > STALE_MS) {
        await admin.unsafe(`drop database if exists "${datname}" with (force)`).catch(() => {});
      }
    }
    const template = await migratedPostgresTemplate(admin, adminUrl);
    // Copying needs the template to have no other session; another copy in flight can hold it for
    // a moment (SQLSTATE 55006), so that one error is retried.
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.unsafe(`create database "${name}" template "${template}"`);
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== "55006" || attempt >= 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      }
    }
  } finally {
    await admin.end({ timeout: 5 });
  }
  return {
    url: withDatabase(adminUrl, name),
    drop: async () => {
      const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await cleanup.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await cleanup.end({ timeout: 5 });
      }
    },
  };
}

/** A fresh, migrated database (a copy of the template) with a random master key. Call close() in afterAll/afterEach. */
export async function createTestDb(
  driver: Driver = "pglite",
  options: { max?: number; observe?: QueryObserver } = {},
): Promise<TestDb> {
  const secrets = createSecretBox(randomBytes(32));
  const observe = options.observe ? { observe: options.observe } : {};
  if (driver === "pglite") {
    const handle = createDb({ memory: true, from: await migratedPgliteTemplate(), ...observe });
    return { ...handle, secrets };
  }
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error("DATABASE_URL is required for the postgres test driver.");
  const database = await createPostgresDatabase(adminUrl);
  const handle = createDb({ url: database.url, max: options.max ?? 10, ...observe });
  return {
    ...handle,
    secrets,
    url: database.url,
    close: async () => {
      await handle.close();
      await database.drop();
    },
  };
}

/**
 * A database as it was before migration `tag` ("0011"): fresh, migrated only up to the migration
 * before it, for a test of what that migration does to existing rows (`migrate(db)` then applies the
 * rest). PGlite: a new one in memory (the template is migrated fully); PostgreSQL: a fresh test
 * database emptied and migrated again.
 */
export async function createTestDbBefore(driver: Driver, tag: string): Promise<DbHandle> {
  const folder = mkdtempSync(join(tmpdir(), "mai-migrations-"));
  try {
    cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
    const journalFile = join(folder, "meta", "_journal.json");
    const journal = JSON.parse(readFileSync(journalFile, "utf8")) as { entries: { tag: string }[] };
    journal.entries = journal.entries.filter((e) => e.tag < tag);
    writeFileSync(journalFile, JSON.stringify(journal));
    const handle: DbHandle = driver === "pglite" ? createDb({ memory: true }) : await createTestDb(driver);
    try {
      if (driver === "postgres") {
        await handle.db.execute(sql.raw("drop schema public cascade; drop schema drizzle cascade; create schema public;"));
      }
      await migrate(handle.db, { migrationsFolder: folder });
      return handle;
    } catch (error) {
      await handle.close();
      throw error;
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** PostgreSQL's plan for one statement as drizzle sent it (`EXPLAIN (FORMAT JSON)`), run in a transaction with `settings` set locally. */
export async function explainPlan(
  handle: DbHandle,
  query: string,
  params: unknown[],
  settings: Record<string, string> = {},
): Promise<PlanNode> {
  const { client } = driverOf(handle.db);
  const sets = Object.entries(settings).map(([name, value]) => `set local ${name} = ${value}`);
  let plan: unknown;
  if (handle.driver === "pglite") {
    await (client as PGlite).transaction(async (tx) => {
      for (const set of sets) await tx.exec(set);
      const result = await tx.query<Record<string, unknown>>(`explain (format json) ${query}`, params);
      plan = Object.values(result.rows[0]!)[0];
    });
  } else {
    await (client as postgres.Sql).begin(async (tx) => {
      for (const set of sets) await tx.unsafe(set);
      const rows = await tx.unsafe(`explain (format json) ${query}`, params as postgres.ParameterOrJSON<never>[]);
      plan = Object.values(rows[0] as Record<string, unknown>)[0];
    });
  }
  const parsed = (typeof plan === "string" ? JSON.parse(plan) : plan) as { Plan: PlanNode }[];
  return parsed[0]!.Plan;
}

export interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
  [key: string]: unknown;
}

/** Every node of a plan, depth first. */
export function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

/** Obviously fake OpenRouter keys: `sk-or-v1-` + a repeated pattern, distinct per seed. */
/** A test's key (a simulator's, say) as the validated key the database layer takes; throws if it is not one. */
export function asOpenRouterKey(raw: string): OpenRouterKey {
  const valid = validateOpenRouterKey(raw);
  if (!valid.ok) throw new Error(`not an OpenRouter key: ${valid.code}`);
  return valid.key;
}

export function fakeOpenRouterKey(seed: number | string = 0): OpenRouterKey {
  const unit = typeof seed === "number" ? seed.toString(16).padStart(4, "0").slice(-4) : seed;
  if (!/^[0-9a-f]+$/.test(unit) || 64 % unit.length !== 0) throw new Error("fakeOpenRouterKey: seed must be hex dividing 64");
  return `sk-or-v1-${unit.repeat(64 / unit.length)}` as OpenRouterKey;
}
