// The whole system in one process: the API (with the dashboard) on its database, and the proxy in
// front of OpenRouter (or the simulator) in a worker thread of its own (proxy-thread.ts: the API's
// database and usage ingest must not share the proxy's event loop). The proxy reaches the API over
// loopback HTTP with an internal token, exactly as separate deployments do; in embedded mode the
// token is generated once into the data directory (mode 0600), like the encryption key.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createLogger, installLastResortHandlers, loadEnv, startApiService, type ApiService, type Env } from "@mai/api";
import { createProxyServer, loadProxyEnv } from "@mai/proxy";
import { acquire, CliError } from "../lock";
import { MIGRATIONS_FOLDER } from "../paths";
import { startProxyThread, type ProxyThread } from "./proxy-thread";

export interface Stack {
  api: ApiService;
  /** The proxy, in its own thread. */
  proxy: ProxyThread;
  apiUrl: string;
  /** The proxy's base URL for chat clients (…/v1). */
  proxyBaseUrl: string;
  env: Env;
  /** The provider administrator's password when this start created the account with a generated one. */
  generatedPassword: string | null;
  close(): Promise<void>;
}

function internalToken(env: Env, source: Record<string, string | undefined>): string {
  if (source.MAI_INTERNAL_TOKEN) return source.MAI_INTERNAL_TOKEN;
  if (env.DATABASE_URL) return randomBytes(24).toString("hex"); // both ends live in this process
  const file = join(env.MAI_DATA_DIR, "internal.token");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(env.MAI_DATA_DIR, { recursive: true, mode: 0o700 });
  const token = randomBytes(24).toString("hex");
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/** The proxy on this thread, beside the API (MAI_STACK_PROXY_THREAD=0), with the API's logger as before. */
async function startProxyInline(source: Record<string, string | undefined>): Promise<ProxyThread> {
  const env = loadProxyEnv(source);
  const proxy = await createProxyServer(env, { logger: createLogger({ level: env.LOG_LEVEL }) });
  const { url, port } = await proxy.listen();
  return { url, port, close: () => proxy.close() };
}

const hostForUrl = (host: string) => (host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host);

export async function startStack(source: Record<string, string | undefined>, options: { logLevel?: string } = {}): Promise<Stack> {
  const base = { LOG_LEVEL: options.logLevel ?? "warn", ...source };
  let env: Env;
  try {
    env = loadEnv(base);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const release = env.DATABASE_URL ? () => undefined : acquire(env.MAI_DATA_DIR);
  try {
    const token = internalToken(env, source);
    const proxySource = (apiUrl: string) => ({
      MAI_PROXY_SPOOL_DIR: join(env.MAI_DATA_DIR, "spool"),
      ...base,
      MAI_INTERNAL_TOKEN: token,
      MAI_API_URL: apiUrl,
      MAI_OPENROUTER_BASE_URL: env.MAI_OPENROUTER_BASE_URL,
    });
    let proxyEnv: ReturnType<typeof loadProxyEnv>;
    try {
      // Validated before anything starts; MAI_API_URL is set once the API listens.
      proxyEnv = loadProxyEnv(proxySource(`http://${hostForUrl(env.MAI_API_HOST)}:${env.MAI_API_PORT}`));
    } catch (error) {
      throw new CliError((error as Error).message);
    }
    const proxyBaseUrl = env.MAI_PROXY_PUBLIC_URL ?? `http://${hostForUrl(proxyEnv.MAI_PROXY_HOST)}:${proxyEnv.MAI_PROXY_PORT}/v1`;
    const apiEnv = loadEnv({ ...base, MAI_INTERNAL_TOKEN: token, MAI_PROXY_PUBLIC_URL: proxyBaseUrl });
    const logger = createLogger({ level: apiEnv.LOG_LEVEL });
    let generatedPassword: string | null = null;
    const api = await startApiService(apiEnv, logger, {
      migrationsFolder: MIGRATIONS_FOLDER,
      print: (line) => {
        const match = /password:\s+(\S+)/.exec(line);
        if (match) generatedPassword = match[1]!;
      },
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") throw new CliError(`Port ${apiEnv.MAI_API_PORT} is taken: set MAI_API_PORT to a free port.`);
      throw error;
    });
    let proxy: ProxyThread;
    try {
      proxyEnv = loadProxyEnv(proxySource(api.url));
      // MAI_STACK_PROXY_THREAD=0: the proxy on the main thread, beside the API, as before it had a
      // thread (for the benchmark's side-by-side comparison, or should a worker thread misbehave).
      const start = source.MAI_STACK_PROXY_THREAD === "0" ? startProxyInline : startProxyThread;
      proxy = await start(proxySource(api.url), (error) => {
        // Only a fatal error ends the thread (it logs and survives the rest): without its proxy the
        // stack is not running, so the process ends, as it would have with the proxy in it.
        logger.fatal({ err: { message: error.message, stack: error.stack } }, "the proxy's thread ended unexpectedly; stopping");
        api
          .close()
          .catch(() => undefined)
          .finally(() => {
            release();
            process.exit(1);
          });
      }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "EADDRINUSE") throw new CliError(`Port ${proxyEnv.MAI_PROXY_PORT} is taken: set MAI_PROXY_PORT to a free port.`);
        throw error;
      });
    } catch (error) {
      await api.close();
      throw error;
    }
    return {
      api,
      proxy,
      apiUrl: api.url,
      proxyBaseUrl,
      env: apiEnv,
      generatedPassword,
      async close() {
        await proxy.close(); // drains streams, flushes usage to the API (still serving on this thread)
        await api.close();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

/**
 * The process now belongs to the stack: stop cleanly on Ctrl-C or SIGTERM (once, within a bound,
 * then exit), and log — not die of — an error a bug left unhandled (the API's last-resort net).
 */
export function stopOnSignal(stop: () => Promise<void>, say: (line: string) => void): void {
  installLastResortHandlers(createLogger({ level: "error" }));
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    say(`\n${signal}: stopping (finishing streams in flight, flushing usage)…`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    stop()
      .then(() => {
        say("Stopped.");
        process.exit(0);
      })
      .catch((error: unknown) => {
        process.stderr.write(`mai: shutdown failed: ${(error as Error).message}\n`);
        process.exit(1);
      });
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
}
