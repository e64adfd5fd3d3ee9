// For runners (npm start, the demo) and tests: build a proxy from a validated environment.
export { createProxyServer, type ProxyServer } from "./server";
// For an entry point that hosts the proxy alone, as src/main.ts does: `mai start` runs the proxy in
// a worker thread of its own (apps/cli/src/proxy.worker.ts), whose errors are the proxy's to log.
export { installLastResortHandlers } from "./last-resort";
export { envSchema as proxyEnvSchema, loadProxyEnv } from "./env";
