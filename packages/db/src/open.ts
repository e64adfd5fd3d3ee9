// The one way a process opens the database: PostgreSQL when DATABASE_URL is set, else the embedded
// PGlite in MAI_DATA_DIR/pglite; the master key from MAI_ENCRYPTION_KEY or, embedded, the data
// directory's generated file; migrated before anything reads it. The API and the CLI both call
// this, so they cannot disagree on where the data lives or which key opens it.
//
// DATABASE_READ_URL (optional, only beside DATABASE_URL) names a PostgreSQL read replica: the handle
// then carries a second Database, `read`, for the dashboard's reports. It is opened, never migrated
// (a replica follows its primary; it refuses writes anyway) and never probed here, so a replica that
// is down costs the dashboard's reports their answers, not the API its start.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createDb, type Database, type DbHandle } from "./client";
import { resolveMasterKey } from "./crypto/master-key";
import { createSecretBox, type SecretBox } from "./crypto/secret-box";
import { migrate } from "./migrate";

/** The environment variables that choose the database (each app's validated env has them). */
export interface DatabaseEnv {
  /** PostgreSQL over postgres.js; unset: the embedded PGlite. */
  DATABASE_URL?: string | undefined;
  /** A PostgreSQL read replica of DATABASE_URL for reads that may lag; only meaningful with DATABASE_URL. */
  DATABASE_READ_URL?: string | undefined;
  /** Embedded mode: the PGlite data (in `pglite/`) and the generated master key live here. */
  MAI_DATA_DIR: string;
  /** base64 of 32 bytes; required with DATABASE_URL, generated into MAI_DATA_DIR otherwise. */
  MAI_ENCRYPTION_KEY?: string | undefined;
}

export interface OpenDatabase extends DbHandle {
  /** Seals and opens OpenRouter keys with the resolved master key. */
  secrets: SecretBox;
  /**
   * Where reads that may be a moment behind go: the replica's Database with DATABASE_READ_URL,
   * otherwise `db` itself (the same object). Never for writes, limits or anything that must see
   * its own writes. `close()` closes it too.
   */
  read: Database;
}

/** The environment names a database setup that cannot work (said in words, before anything opens). */
export class DatabaseConfigError extends Error {
  override name = "DatabaseConfigError";
}

/** Where the embedded database lives inside MAI_DATA_DIR. */
export const PGLITE_DIR = "pglite";

/**
 * Opens, resolves the master key and migrates (pass `migrationsFolder` when the SQL files are not
 * beside this package, e.g. in a bundle). On any failure the connection is closed again.
 */
export async function openDatabase(
  env: DatabaseEnv,
  options: { migrationsFolder?: string | undefined } = {},
): Promise<OpenDatabase> {
  if (env.DATABASE_READ_URL && !env.DATABASE_URL) {
    // The embedded PGlite has no replicas: reading "from a replica" of it would read another database.
    throw new DatabaseConfigError(
      "DATABASE_READ_URL names a read replica of the PostgreSQL database in DATABASE_URL, which is not set: set DATABASE_URL too, or unset DATABASE_READ_URL.",
    );
  }
  // PGlite creates its own directory but not its parents.
  if (!env.DATABASE_URL) mkdirSync(env.MAI_DATA_DIR, { recursive: true, mode: 0o700 });
  const handle = env.DATABASE_URL
    ? createDb({ url: env.DATABASE_URL })
    : createDb({ dataDir: join(env.MAI_DATA_DIR, PGLITE_DIR) });
  try {
    const secrets = createSecretBox(
      resolveMasterKey({
        encryptionKey: env.MAI_ENCRYPTION_KEY,
        dataDir: env.DATABASE_URL ? undefined : env.MAI_DATA_DIR,
      }),
    );
    await migrate(handle.db, options.migrationsFolder ? { migrationsFolder: options.migrationsFolder } : {});
    if (!env.DATABASE_READ_URL) return { ...handle, secrets, read: handle.db };
    // Opened last, so nothing above has to close it; postgres.js connects on the first query.
    const replica = createDb({ url: env.DATABASE_READ_URL });
    return {
      ...handle,
      secrets,
      read: replica.db,
      close: async () => {
        const [primary, read] = await Promise.allSettled([handle.close(), replica.close()]);
        if (primary.status === "rejected") throw primary.reason;
        if (read.status === "rejected") throw read.reason;
      },
    };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}
