// Entry point: validate env, start, drain and flush on SIGINT/SIGTERM.
import { loadProxyEnv } from "./env";
import { createProxyServer } from "./server";

const env = loadProxyEnv();
const proxy = await createProxyServer(env);
const { url } = await proxy.listen();
proxy.deps.logger.info({ url, upstream: env.MAI_OPENROUTER_BASE_URL, api: env.MAI_API_URL }, "mAI proxy listening");

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  proxy.deps.logger.info({ signal }, "draining and flushing usage");
  await proxy.close();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
