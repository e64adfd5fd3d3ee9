// What an operator command works with: the database named by the environment (DATABASE_URL, or
// the embedded PGlite in MAI_DATA_DIR, refused while a running stack holds it), migrated, and the
// API's procedures called in-process as the provider administrator — so the CLI keeps every rule,
// check and audit entry the dashboard has.
import { join } from "node:path";
import { createDeps, createLocalCaller, createLogger, loadEnv, type AppDeps, type Env, type LocalCaller } from "@mai/api";
import { createDb, createSecretBox, getAuthUser, migrate, queryRows, resolveMasterKey, type AuthUser, type DbHandle } from "@mai/db";
import { sql } from "drizzle-orm";
import { acquire, CliError } from "./lock";

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

export async function openOperator(source: Record<string, string | undefined> = process.env): Promise<Operator> {
  let env: Env;
  try {
    env = loadEnv({ LOG_LEVEL: "warn", ...source });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const release = env.DATABASE_URL ? () => undefined : acquire(env.MAI_DATA_DIR);
  const handle = env.DATABASE_URL ? createDb({ url: env.DATABASE_URL }) : createDb({ dataDir: join(env.MAI_DATA_DIR, "pglite") });
  try {
    const secrets = createSecretBox(
      resolveMasterKey({ encryptionKey: env.MAI_ENCRYPTION_KEY, dataDir: env.DATABASE_URL ? undefined : env.MAI_DATA_DIR }),
    );
    await migrate(handle.db);
    // Logs go to stderr: stdout is the command's output (--json must stay parseable).
    const logger = createLogger({ level: env.LOG_LEVEL === "info" ? "warn" : env.LOG_LEVEL, destination: process.stderr });
    const deps = createDeps({ db: handle.db, secrets, env, logger });
    const [row] = await queryRows<{ id: string }>(handle.db, sql`select id from users where role = 'provider_admin' and disabled_at is null order by created_at limit 1`);
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
