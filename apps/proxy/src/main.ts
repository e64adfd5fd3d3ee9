// Entry point: validate env, install the last-resort error handlers (last-resort.ts), start, drain
// and flush on SIGINT/SIGTERM.
import { loadProxyEnv } from "./env";
import { installLastResortHandlers } from "./last-resort";
import { createProxyServer, describeError } from "./server";

const env = loadProxyEnv();
const proxy = await createProxyServer(env);
const { logger } = proxy.deps;

installLastResortHandlers(logger);

const { url } = await proxy.listen();
logger.info({ url, upstream: env.MAI_OPENROUTER_BASE_URL, api: env.MAI_API_URL }, "mAI proxy listening");

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "draining and flushing usage");
  try {
    await proxy.close();
  } catch (error) {
    logger.error({ err: describeError(error) }, "shutdown did not finish cleanly");
    process.exitCode = 1;
  }
  process.exit();
}
const stop = (signal: string) => () => {
  shutdown(signal).catch(() => process.exit(1));
};
process.on("SIGINT", stop("SIGINT"));
process.on("SIGTERM", stop("SIGTERM"));
