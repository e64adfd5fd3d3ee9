// Entry point: validate env, start the service (src/service.ts), shut down cleanly on a signal.
import { loadEnv } from "./env";
import { installLastResortHandlers } from "./last-resort";
import { createLogger } from "./logger";
import { MIGRATIONS_FOLDER } from "./paths";
import { startApiService } from "./service";

const env = loadEnv();
const logger = createLogger({ level: env.LOG_LEVEL });
installLastResortHandlers(logger);
const service = await startApiService(env, logger, { migrationsFolder: MIGRATIONS_FOLDER });

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "shutting down");
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  await service.close();
  process.exit(0);
}
const stopOn = (signal: NodeJS.Signals) => {
  shutdown(signal).catch((error: unknown) => {
    logger.fatal({ err: { name: (error as Error | undefined)?.name } }, "shutdown failed");
    process.exit(1);
  });
};
process.on("SIGINT", stopOn);
process.on("SIGTERM", stopOn);
