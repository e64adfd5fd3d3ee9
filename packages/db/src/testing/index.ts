// Test databases: every DB test file runs on PGlite, and also on PostgreSQL when DATABASE_URL is
// set. Each PostgreSQL test database is created fresh (and dropped afterwards) under a unique
// name, so parallel test files and concurrent CI runs never see each other's rows.
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { validateOpenRouterKey, type OpenRouterKey } from "@mai/domain";
import { createDb, type DbHandle, type Driver } from "../client";
import { createSecretBox, type SecretBox } from "../crypto/secret-box";
import { migrate } from "../migrate";

// For tests (and benchmarks) that look beneath the query functions — asserting on stored rows,
// counting tables, instrumenting drizzle's prepared queries — the operators, raw SQL and drizzle
// classes they need, from here: @mai/db owns the drizzle dependency (one version), and its main
// entry offers query functions only, so no application code writes SQL (packages/db/README.md).
export { and, count, eq, getTableName, is, sql, sum } from "drizzle-orm";
export { PgPreparedQuery, PgTable } from "drizzle-orm/pg-core";
// createDb: a database opened some other way than openDatabase (in memory, or an absent server).
export { createDb, queryRows, type DbOptions } from "../client";

export interface TestDb extends DbHandle {
  secrets: SecretBox;
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
    await admin.unsafe(`create database "${name}"`);
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

/** A fresh, migrated database with a random master key. Call close() in afterAll/afterEach. */
export async function createTestDb(driver: Driver = "pglite", options: { max?: number } = {}): Promise<TestDb> {
  const secrets = createSecretBox(randomBytes(32));
  if (driver === "pglite") {
    const handle = createDb({ memory: true });
    await migrate(handle.db);
    return { ...handle, secrets };
  }
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error("DATABASE_URL is required for the postgres test driver.");
  const database = await createPostgresDatabase(adminUrl);
  const handle = createDb({ url: database.url, max: options.max ?? 10 });
  try {
    await migrate(handle.db);
  } catch (error) {
    await handle.close();
    await database.drop();
    throw error;
  }
  return {
    ...handle,
    secrets,
    close: async () => {
      await handle.close();
      await database.drop();
    },
  };
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
