// The API as a service: open the database (PostgreSQL via DATABASE_URL, else embedded PGlite in
// MAI_DATA_DIR), migrate before listening, make sure a provider admin exists, serve, reconcile on a
// timer; close() stops all of it. Used by src/main.ts and by the `mai start` / `mai demo` stack.
import { openDatabase, type DbHandle } from "@mai/db";
import { createDeps, type AppDeps } from "./deps";
import type { Env } from "./env";
import type { Logger } from "./logger";
import { createApiServer } from "./server";
import { ensureProviderAdmin } from "./services/auth/bootstrap";
import { scheduleLeaseSweep } from "./services/internal/reserve";
import { scheduleReconciliation } from "./services/usage/reconcile";
import { scheduleKeyReconciliation } from "./services/usage/key-reconcile";
import { scheduleKeyRetirement } from "./services/organizations/retire-keys";
import { scheduleRollupVacuum, scheduleUsagePartitions } from "./services/usage/partitions";
import { scheduleExchangeRates } from "./services/exchange-rates/nbp";
import { scheduleLimitAlerts } from "./services/alerts/run";

export interface ApiService {
  url: string;
  deps: AppDeps;
  handle: DbHandle;
  /** Whether this start created the provider administrator (first start). */
  createdAdmin: boolean;
  close(): Promise<void>;
}

export async function startApiService(
  env: Env,
  logger: Logger,
  options: {
    print?: (line: string) => void;
    port?: number;
    host?: string;
    /** The SQL migrations; a bundle passes its own (src/paths.ts), @mai/db's default is relative to its source. */
    migrationsFolder?: string;
  } = {},
): Promise<ApiService> {
  // @mai/db's one way to open: the driver, the data directory and the master key from env, migrated.
  const handle = await openDatabase(env, { migrationsFolder: options.migrationsFolder });
  try {
    const admin = await ensureProviderAdmin(handle.db, env, logger, options.print);
    if (!env.MAI_INTERNAL_TOKEN) logger.warn("MAI_INTERNAL_TOKEN is not set: internal.* procedures (the proxy) refuse every call");
    // Reports read DATABASE_READ_URL's replica when there is one (handle.read is handle.db otherwise).
    const deps = createDeps({ db: handle.db, readDb: handle.read, secrets: handle.secrets, env, logger });
    const api = createApiServer(deps);
    const reconciliation = scheduleReconciliation(deps, env.MAI_RECONCILE_INTERVAL_MS);
    // Expired monthly-limit leases (a proxy that crashed or was cut off) return every quarter lifetime.
    const leaseSweep = scheduleLeaseSweep(deps);
    const keyReconciliation = scheduleKeyReconciliation(deps, env.MAI_KEY_RECONCILE_INTERVAL_MS);
    const keyRetirement = scheduleKeyRetirement(deps, env.MAI_KEY_RETIREMENT_INTERVAL_MS);
    // This month's partition of the ledger and the next two, before the first request; retention.
    const partitions = scheduleUsagePartitions(deps);
    await partitions.firstPass;
    // PGlite has no autovacuum: the rollups the ingest updates in place are vacuumed every minute.
    const vacuum = scheduleRollupVacuum(deps, handle.driver);
    // Display currencies' exchange rates: NBP's, fetched at start and every MAI_NBP_INTERVAL_MS.
    const exchangeRates = scheduleExchangeRates(deps);
    // Limit alerts: thresholds compared with month-to-date spend, deliveries sent from the outbox.
    const alerts = scheduleLimitAlerts(deps, env.MAI_ALERTS_INTERVAL_MS);
    const { url } = await api.listen(options.port, options.host);
    logger.info({ url, driver: handle.driver, readReplica: handle.read !== handle.db }, "mAI API listening");
    return {
      url,
      deps,
      handle,
      createdAdmin: admin.created,
      async close() {
        reconciliation.stop();
        leaseSweep.stop();
        keyReconciliation.stop();
        keyRetirement.stop();
        partitions.stop();
        vacuum.stop();
        exchangeRates.stop();
        alerts.stop();
        await api.close();
        await handle.close();
      },
    };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}
