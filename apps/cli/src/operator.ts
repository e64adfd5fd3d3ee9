// What an operator command works with: the database named by the environment (DATABASE_URL, or
// the embedded PGlite in MAI_DATA_DIR, refused while a running stack holds it), migrated, and the
// API's procedures called in-process as the provider administrator — so the CLI keeps every rule,
// check and audit entry the dashboard has.
import { createDeps, createLocalCaller, createLogger, loadEnv, type AppDeps, type Env, type LocalCaller } from "@mai/api";
import { findFirstProviderAdmin, getAuthUser, openDatabase, type AuthUser, type DbHandle, type OpenDatabase } from "@mai/db";
import { acquire, CliError } from "./lock";
import { MIGRATIONS_FOLDER } from "./paths";

export interface Operator {
  env: Env;
  deps: AppDeps;
  handle: DbHandle;
  /** The API's procedures as the (first) provider administrator; throws a CliError if there is none. */
  readonly provider: LocalCaller;
  readonly providerUser: AuthUser;
  /** The API's procedures as the proxy (internal.*). */
  internal: LocalCaller;
  close(): Promise<void>;
}

/** `source`: the environment to read (the command's, from src/env.ts through its io; a test's own). */
export async function openOperator(source: Readonly<Record<string, string | undefined>>): Promise<Operator> {
  let env: Env;
  try {
    env = loadEnv({ LOG_LEVEL: "warn", ...source });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const release = env.DATABASE_URL ? () => undefined : acquire(env.MAI_DATA_DIR);
  // The same opening as the API's (@mai/db's openDatabase): same data directory, same master key.
  let handle: OpenDatabase;
  try {
    handle = await openDatabase(env, { migrationsFolder: MIGRATIONS_FOLDER });
  } catch (error) {
    release();
    throw error;
  }
  try {
    // Logs go to stderr: stdout is the command's output (--json must stay parseable).
    const logger = createLogger({ level: env.LOG_LEVEL === "info" ? "warn" : env.LOG_LEVEL, destination: process.stderr });
    const deps = createDeps({ db: handle.db, secrets: handle.secrets, env, logger });
    const row = await findFirstProviderAdmin(handle.db, { active: true });
    const providerUser = row ? await getAuthUser(handle.db, row.id) : undefined;
    const need = (): AuthUser => {
      if (!providerUser) throw new CliError("No provider administrator exists yet: run `mai start` once, or `mai users create --role provider_admin`.");
      return providerUser;
    };
    return {
      env,
      deps,
      handle,
      get providerUser() {
        return need();
      },
      get provider() {
        return createLocalCaller(deps, need());
      },
      internal: createLocalCaller(deps, null, { internal: true }),
      async close() {
        await handle.close();
        release();
      },
    };
  } catch (error) {
    await handle.close().catch(() => undefined);
    release();
    throw error;
  }
}
