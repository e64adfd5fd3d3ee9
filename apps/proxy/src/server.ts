// The proxy's HTTP surface: one handler per endpoint. OpenRouter's paths are accepted under /v1
// and /api/v1, so a chat client can use the proxy as a drop-in OpenRouter base URL.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { encodeUsageEvents } from "@mai/domain";
import { OpenRouterClient } from "@mai/openrouter";
import { TRPCClientError } from "@trpc/client";
import { pino, type Logger } from "pino";
import { Pool } from "undici";
import { createApiClient } from "./api-client";
import type { ProxyDeps } from "./deps";
import type { ProxyEnv } from "./env";
import { Errors, sendError } from "./errors";
import { handleCompletion } from "./handlers/completions";
import { sendJson } from "./http";
import { createIdentityResolver, gatewayOptions } from "./identity";
import { createUsageRecorder, UsageRejectedError } from "./metering/recorder";
import { createMetrics } from "./metrics";
import { createModelCatalog } from "./models";
import { createReservations } from "./reservations";

export interface ProxyServer {
  server: Server;
  deps: ProxyDeps;
  listen(port?: number, host?: string): Promise<{ url: string; port: number }>;
  /** Stop accepting, drain in-flight requests (bounded), flush usage, close connections. */
  close(): Promise<void>;
}

const CORS_ALLOWED_HEADERS = "Authorization, Content-Type, Accept";

function corsHeaders(env: ProxyEnv, origin: string | undefined): Record<string, string> {
  if (!origin) return {};
  const allowed = env.MAI_PROXY_CORS_ORIGINS.includes("*") || env.MAI_PROXY_CORS_ORIGINS.includes(origin);
  if (!allowed) return {};
  return {
    "access-control-allow-origin": origin,
    "access-control-expose-headers": "X-Generation-Id, Retry-After",
    vary: "Origin",
  };
}

export async function createProxyServer(env: ProxyEnv, options: { logger?: Logger } = {}): Promise<ProxyServer> {
  const logger = options.logger ?? pino({ level: env.LOG_LEVEL, base: { service: "mai-proxy" } });
  const api = createApiClient({ apiUrl: env.MAI_API_URL, internalToken: env.MAI_INTERNAL_TOKEN });
  const openrouter = new OpenRouterClient({ baseUrl: env.MAI_OPENROUTER_BASE_URL, timeoutMs: 30_000, appTitle: "mAI Gateway" });
  const models = createModelCatalog(openrouter, { ttlMs: env.MAI_PROXY_MODELS_TTL_MS });
  const reservations = createReservations({
    api,
    models,
    logger,
    fallbackUsd: env.MAI_PROXY_FALLBACK_RESERVATION_USD,
    defaultMaxCompletionTokens: env.MAI_PROXY_DEFAULT_MAX_COMPLETION_TOKENS,
    idleMs: env.MAI_PROXY_LEASE_IDLE_MS,
  });
  const recorder = await createUsageRecorder({
    sink: async (events, { signal }) => {
      try {
        await api.internal.recordUsage.mutate({ ndjson: encodeUsageEvents(events) }, { signal });
      } catch (error) {
        // The API refused the batch as invalid: retrying can never succeed, so the recorder
        // isolates the bad events into a dead-letter file. Anything else is retried later.
        if (error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === "BAD_REQUEST") {
          throw new UsageRejectedError(error.message);
        }
        throw error;
      }
    },
    spoolDir: env.MAI_PROXY_SPOOL_DIR,
    maxBatch: env.MAI_PROXY_USAGE_BATCH,
    flushIntervalMs: env.MAI_PROXY_USAGE_FLUSH_MS,
    logger,
  });
  const metrics = createMetrics({ queueDepth: () => recorder.stats().queued, spooledEvents: () => recorder.stats().spooledEvents });
  const base = new URL(env.MAI_OPENROUTER_BASE_URL);
  const upstream = new Pool(base.origin, {
    connections: env.MAI_PROXY_UPSTREAM_CONNECTIONS,
    connectTimeout: env.MAI_PROXY_CONNECT_TIMEOUT_MS,
    headersTimeout: env.MAI_PROXY_HEADERS_TIMEOUT_MS,
    bodyTimeout: env.MAI_PROXY_IDLE_TIMEOUT_MS,
    keepAliveTimeout: 30_000,
  });
  const deps: ProxyDeps = {
    env,
    logger,
    api,
    identity: createIdentityResolver(api, { ttlMs: env.MAI_PROXY_IDENTITY_TTL_MS, gateway: gatewayOptions(env), logger }),
    models,
    recorder,
    reservations,
    metrics,
    upstream,
    upstreamBasePath: base.pathname.replace(/\/+$/, ""),
    openrouter,
    inflight: new Set(),
  };

  let apiReady: { ok: boolean; at: number } = { ok: false, at: 0 };
  async function readiness(): Promise<boolean> {
    if (Date.now() - apiReady.at < 5_000) return apiReady.ok;
    try {
      const res = await fetch(`${env.MAI_API_URL.replace(/\/+$/, "")}/readyz`, { signal: AbortSignal.timeout(2_000) });
      apiReady = { ok: res.ok, at: Date.now() };
    } catch {
      apiReady = { ok: false, at: Date.now() };
    }
    return apiReady.ok;
  }

  async function listModels(req: IncomingMessage, res: ServerResponse, cors: Record<string, string>) {
    const identity = await deps.identity.resolve(req.headers);
    if (!identity.ok) return sendError(res, identity.error, cors);
    try {
      const all = await models.list();
      const allowed = identity.context.organization.allowedModels;
      const data = allowed && allowed.length > 0 ? all.filter((m) => allowed.includes(m.id)) : all;
      sendJson(res, 200, { object: "list", data: data.map((m) => ({ object: "model", owned_by: m.id.split("/")[0], ...m })) }, cors);
    } catch {
      sendError(res, Errors.upstreamUnavailable(), cors);
    }
  }

  let draining = false;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/^\/api\/v1\//, "/v1/");
    const cors = corsHeaders(env, req.headers.origin);
    const route = `${req.method} ${path}`;
    res.on("finish", () => metrics.requests.inc({ route: path.startsWith("/v1/") ? path : "other", status: String(res.statusCode) }));
    for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);

    if (req.method === "OPTIONS") {
      if (!cors["access-control-allow-origin"]) return sendError(res, Errors.notFound(req.method, url.pathname));
      res.writeHead(204, {
        "access-control-allow-methods": "GET, POST, OPTIONS",
        "access-control-allow-headers": CORS_ALLOWED_HEADERS,
        "access-control-max-age": "600",
      });
      return res.end();
    }
    if (draining && route.startsWith("POST ")) {
      return sendError(res, { status: 503, type: "api_error", code: "shutting_down", message: "The gateway is restarting; retry.", retryAfter: "1" });
    }
    const track = (p: Promise<void>) => {
      const task = p.catch((error: unknown) => {
        logger.error({ err: { name: (error as Error).name, message: (error as Error).message } }, "handler failed");
        if (!res.headersSent) sendError(res, { status: 500, type: "api_error", code: "internal_error", message: "Internal gateway error." });
        else res.destroy();
      });
      deps.inflight.add(task);
      void task.finally(() => deps.inflight.delete(task));
    };
    switch (route) {
      case "POST /v1/chat/completions":
        return track(handleCompletion(deps, req, res, "chat", "/v1/chat/completions"));
      case "POST /v1/completions":
        return track(handleCompletion(deps, req, res, "completions", "/v1/completions"));
      case "GET /v1/models":
        return track(listModels(req, res, cors));
      case "GET /healthz":
        return sendJson(res, 200, { status: "ok" });
      case "GET /readyz":
        return void readiness().then((ok) => sendJson(res, ok ? 200 : 503, { status: ok ? "ready" : "api unreachable" }));
      case "GET /metrics":
        return void metrics.registry.metrics().then((text) => {
          res.writeHead(200, { "content-type": metrics.registry.contentType });
          res.end(text);
        });
      default:
        return sendError(res, Errors.notFound(req.method ?? "?", url.pathname));
    }
  });
  // Streams can be long: no server-side request timeout; upstream idle timeouts bound them.
  server.requestTimeout = 0;

  return {
    server,
    deps,
    listen: (port = env.MAI_PROXY_PORT, host = env.MAI_PROXY_HOST) =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          const { port: bound } = server.address() as AddressInfo;
          resolve({ url: `http://${host}:${bound}`, port: bound });
        });
      }),
    async close() {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = new Promise<void>((resolve) => setTimeout(resolve, env.MAI_PROXY_SHUTDOWN_GRACE_MS).unref());
      await Promise.race([Promise.allSettled([...deps.inflight]), grace]);
      server.closeAllConnections();
      await closed;
      await recorder.close();
      await reservations.returnAll();
      reservations.close();
      await upstream.close();
    },
  };
}
