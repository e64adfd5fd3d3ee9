// One database type for both drivers: PGlite (a real PostgreSQL in-process, for `npm start` and
// tests) and postgres.js (PostgreSQL over DATABASE_URL). Nothing above this package knows which
// one runs; drizzle's PgDatabase is the common surface.
import { PGlite } from "@electric-sql/pglite";
import type { ExtractTablesWithRelations, SQL } from "drizzle-orm";
import { PgDialect, type PgDatabase, type PgQueryResultHKT, type PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema/index";

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Query functions take this as their first argument, so they run alone or inside a transaction. */
export type Executor = Database | Transaction;

export type Driver = "pglite" | "postgres";

/** Sees every statement drizzle sends, with its parameters (tests: query plans). Never for logs: parameters are data. */
export type QueryObserver = (query: string, params: unknown[]) => void;

export type DbOptions = (
  | { url: string; max?: number; onNotice?: (message: string) => void }
  | { dataDir: string }
  /** In memory; `from` starts it as a copy of a dumped data directory (PGlite's `dumpDataDir`). */
  | { memory: true; from?: Blob }
) & { observe?: QueryObserver };

export interface DbHandle {
  db: Database;
  driver: Driver;
  close(): Promise<void>;
}

const drivers = new WeakMap<object, { driver: Driver; client: PGlite | postgres.Sql }>();

export function createDb(options: DbOptions): DbHandle {
  const logger = options.observe ? { logQuery: options.observe } : undefined;
  if ("url" in options) {
    const client = postgres(options.url, {
      max: options.max ?? 10,
      // Notices ("relation already exists, skipping") are noise in logs unless asked for.
      onnotice: options.onNotice ? (n) => options.onNotice?.(String(n.message)) : () => {},
    });
    const db = drizzlePostgres({ client, schema, ...(logger ? { logger } : {}) }) as unknown as Database;
    drivers.set(db, { driver: "postgres", client });
    return { db, driver: "postgres", close: () => client.end({ timeout: 5 }) };
  }
  const client =
    "dataDir" in options
      ? new PGlite(options.dataDir)
      : options.from
        ? new PGlite({ loadDataDir: options.from })
        : new PGlite();
  const db = drizzlePglite({ client, schema, ...(logger ? { logger } : {}) }) as unknown as Database;
  drivers.set(db, { driver: "pglite", client });
  return { db, driver: "pglite", close: () => client.close() };
}

/** Internal: which driver a Database was created with (migrate needs the matching migrator). */
export function driverOf(db: Database): { driver: Driver; client: PGlite | postgres.Sql } {
  const entry = drivers.get(db);
  if (!entry) throw new Error("This Database was not created by createDb().");
  return entry;
}

const dialect = new PgDialect();

/**
 * Raw SQL returning rows, whatever the driver (PGlite answers `{ rows }`, postgres.js an array).
 * `prepared`: for a statement sent again and again with the same text (the usage ingest's), which
 * postgres.js then parses once per connection as a named prepared statement (drizzle's `execute`
 * sends every statement unnamed, parsed anew each time); PGlite runs it as before.
 */
export async function queryRows<T>(db: Executor, query: SQL, options: { prepared?: boolean } = {}): Promise<T[]> {
  const result: unknown = options.prepared
    ? await db._.session.prepareQuery(dialect.sqlToQuery(query), undefined, "prepared", false).execute()
    : await db.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
