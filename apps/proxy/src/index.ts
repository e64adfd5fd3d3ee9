// For runners (npm start, the demo) and tests: build a proxy from a validated environment.
export { createProxyServer, type ProxyServer } from "./server";
export { envSchema as proxyEnvSchema, loadProxyEnv } from "./env";
