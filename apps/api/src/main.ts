// Entry point: validate env, open the database (PostgreSQL via DATABASE_URL, else embedded
// PGlite), migrate before listening, make sure a provider admin exists, serve, shut down cleanly.
import { createDb, createSecretBox, migrate, resolveMasterKey } from "@mai/db";
import { join } from "node:path";
import { createDeps } from "./deps";
import { loadEnv } from "./env";
import { createLogger } from "./logger";
import { createApiServer } from "./server";
import { ensureProviderAdmin } from "./services/auth/bootstrap";
import { scheduleReconciliation } from "./services/usage/reconcile";

const env = loadEnv();
const logger = createLogger({ level: env.LOG_LEVEL });

const handle = env.DATABASE_URL ? createDb({ url: env.DATABASE_URL }) : createDb({ dataDir: join(env.MAI_DATA_DIR, "pglite") });
const secrets = createSecretBox(
  resolveMasterKey({ encryptionKey: env.MAI_ENCRYPTION_KEY, dataDir: env.DATABASE_URL ? undefined : env.MAI_DATA_DIR }),
);
await migrate(handle.db);
await ensureProviderAdmin(handle.db, env, logger);
if (!env.MAI_INTERNAL_TOKEN) logger.warn("MAI_INTERNAL_TOKEN is not set: internal.* procedures (the proxy) refuse every call");

const deps = createDeps({ db: handle.db, secrets, env, logger });
const api = createApiServer(deps);
const reconciliation = scheduleReconciliation(deps, env.MAI_RECONCILE_INTERVAL_MS);
const { url } = await api.listen();
logger.info({ url, driver: handle.driver }, "mAI API listening");

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "shutting down");
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  reconciliation.stop();
  await api.close();
  await handle.close();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
