// The proxy's HTTP surface: one handler per endpoint. OpenRouter's paths are accepted under /v1
// and /api/v1, so a chat client can use the proxy as a drop-in OpenRouter base URL.
//
// No request can end the process. Everything a client controls — the request line, headers,
// body, timing — is either refused in words (a 4xx, OpenAI-shaped) or served:
//   - every handler runs inside one wrapper: a synchronous throw or a rejected promise becomes a
//     logged "handler failed" (with the request id) and a 500 with a fixed sentence, never a crash;
//   - what Node refuses before a handler runs (a broken request line, bad header bytes, headers too
//     large, a request not received in time) is answered by the clientError listener, not Node's
//     empty 400; CONNECT and unsupported Expect headers likewise;
//   - the client limits (header and request timeouts, keep-alive, header size; body size and JSON
//     depth in the handler) come from env.ts. Node's request timeout bounds *receiving* a request:
//     an answer, once the request is in, streams as long as it lasts (the upstream idle timeout
//     bounds a silent one);
//   - every request has an id (a sane incoming x-request-id, else a new one), echoed in the
//     x-request-id header and named in every 5xx body and in the log lines about it.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { encodeUsageEvents, unframedTransferEncoding } from "@mai/domain";
import { OpenRouterClient } from "@mai/openrouter";
import { pino, type Logger } from "pino";
import { Pool } from "undici";
import { apiErrorCode, createApiClient } from "./api-client";
import type { ProxyDeps } from "./deps";
import type { ProxyEnv } from "./env";
import { Errors, rawErrorResponse, sendError, type ProxyError } from "./errors";
import { handleCompletion } from "./handlers/completions";
import { requestIdOf, sendJson } from "./http";
import { createIdentityResolver, gatewayOptions } from "./identity";
import { usageSinkError } from "./metering/api-sink";
import { createRequestJournal, settleRecovered } from "./metering/journal";
import { createUsageRecorder } from "./metering/recorder";
import { createRefusalRecorder } from "./metering/refusals";
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
/** How long a connection whose request could not be parsed is kept half-closed for the client to read the answer. */
const CLIENT_ERROR_LINGER_MS = 2_000;
const METRIC_ROUTES = new Set(["/v1/chat/completions", "/v1/completions", "/v1/models"]);

/** The path of a request target (origin or absolute form), or null when it is not a URL at all. */
function pathOf(target: string): string | null {
  try {
    return new URL(target, "http://localhost").pathname;
  } catch {
    return null;
  }
}

/**
 * Node checks its client timeouts only every connectionsCheckingInterval (30 s by default): a
 * quarter of the shorter timeout, between 50 ms and 1 s, honours each within a small fraction.
 */
function connectionsCheckingInterval(env: ProxyEnv): number {
  const shortest = Math.min(env.MAI_PROXY_CLIENT_HEADERS_TIMEOUT_MS, env.MAI_PROXY_CLIENT_REQUEST_TIMEOUT_MS);
  return Math.max(50, Math.min(1_000, Math.floor(shortest / 4)));
}

/** What to answer to a request Node refused before any handler ran; null: the peer is gone. */
function clientErrorAnswer(code: string | undefined, maxHeaderBytes: number): { error: ProxyError; reason: string } | null {
  switch (code) {
    case "ECONNRESET":
    case "EPIPE":
    case "ERR_STREAM_DESTROYED":
      return null;
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return { error: Errors.requestTimeout(), reason: "Request Timeout" };
    case "HPE_HEADER_OVERFLOW":
      return { error: Errors.headersTooLarge(maxHeaderBytes), reason: "Request Header Fields Too Large" };
    default:
      return { error: Errors.malformed(), reason: "Bad Request" };
  }
}

/** For log lines only (never for a response): what failed and where. */
export function describeError(error: unknown): { name: string; message: string; stack?: string } {
  if (!(error instanceof Error)) return { name: typeof error, message: String(error).slice(0, 500) };
  return { name: error.name, message: error.message.slice(0, 500), ...(error.stack ? { stack: error.stack.slice(0, 2_000) } : {}) };
}

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
  // The request journal lives beside the usage spool (journal.ts): opened before the recorder, whose
  // durable events close its records.
  const journal = await createRequestJournal({ dir: env.MAI_PROXY_SPOOL_DIR, logger });
  const recorder = await createUsageRecorder({
    onDurable: (events) => {
      for (const event of events) journal.close(event.generationId);
    },
    sink: async (events, { signal }) => {
      try {
        await api.internal.recordUsage.mutate({ ndjson: encodeUsageEvents(events) }, { signal });
      } catch (error) {
        throw usageSinkError(error);
      }
    },
    maxServerErrors: env.MAI_PROXY_USAGE_MAX_SERVER_ERRORS,
    spoolDir: env.MAI_PROXY_SPOOL_DIR,
    maxBatch: env.MAI_PROXY_USAGE_BATCH,
    flushIntervalMs: env.MAI_PROXY_USAGE_FLUSH_MS,
    logger,
  });
  const refusals = createRefusalRecorder({
    send: async (batch) => {
      await api.internal.recordRefusals.mutate({ refusals: batch });
    },
    isRejection: (error) => apiErrorCode(error) === "BAD_REQUEST",
    flushIntervalMs: Math.max(env.MAI_PROXY_USAGE_FLUSH_MS, 1_000),
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
    refusals,
    reservations,
    metrics,
    upstream,
    upstreamBasePath: base.pathname.replace(/\/+$/, ""),
    openrouter,
    journal,
    inflight: new Set(),
  };

  // What a previous run left open in the journal, settled off the request path (journal.ts).
  const lookups = new OpenRouterClient({ baseUrl: env.MAI_OPENROUTER_BASE_URL, timeoutMs: 30_000, appTitle: "mAI Gateway", generationRetry: { retries: 0 } });
  const recovery = settleRecovered({
    journal,
    organizationKey: async (organizationId) => (await api.internal.resolveOrganization.mutate({ organizationId })).openrouterKey,
    generation: (generationId, key, signal) => lookups.getGeneration(generationId, { key, signal }),
    record: (event) => recorder.record(event),
    logger,
  });

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
  // The latest request a socket delivered, for the clientError handler: a request timeout while
  // its body trickles in is answered on its response (with the request id), not raw; a parse error
  // in a later pipelined request waits until the answers before it have gone out.
  const latest = new WeakMap<Duplex, { req: IncomingMessage; res: ServerResponse }>();
  const lingering = new WeakSet<Duplex>();

  /** Routes one request; a returned promise is tracked (drain on shutdown) and its failure answered. */
  function route(req: IncomingMessage, res: ServerResponse, labelAs: (label: string) => void): Promise<void> | void {
    const target = pathOf(req.url ?? "/");
    if (target === null) return sendError(res, Errors.invalidTarget());
    if (unframedTransferEncoding(req.headers["transfer-encoding"])) {
      // Answered, then closed: what follows on this connection is a body of unknown length.
      return sendError(res, Errors.unframedBody(), { connection: "close" });
    }
    // Answered here, not by Node (requireHostHeader: false), so the refusal is in words too.
    if (req.httpVersion === "1.1" && req.headers.host === undefined) return sendError(res, Errors.missingHost());
    const path = target.replace(/^\/api\/v1\//, "/v1/");
    // Metric labels come from a fixed set: a label per client-chosen path would grow without bound.
    if (METRIC_ROUTES.has(path)) labelAs(path);
    const cors = corsHeaders(env, req.headers.origin);
    for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);

    if (req.method === "OPTIONS") {
      if (!cors["access-control-allow-origin"]) return sendError(res, Errors.notFound(req.method, target));
      res.writeHead(204, {
        "access-control-allow-methods": "GET, POST, OPTIONS",
        "access-control-allow-headers": CORS_ALLOWED_HEADERS,
        "access-control-max-age": "600",
      });
      return void res.end();
    }
    if (draining && req.method === "POST") {
      return sendError(res, { status: 503, type: "api_error", code: "shutting_down", message: "The gateway is restarting; retry.", retryAfter: "1" });
    }
    switch (`${req.method} ${path}`) {
      case "POST /v1/chat/completions":
        return handleCompletion(deps, req, res, "chat", "/v1/chat/completions");
      case "POST /v1/completions":
        return handleCompletion(deps, req, res, "completions", "/v1/completions");
      case "GET /v1/models":
        return listModels(req, res, cors);
      case "GET /healthz":
        return sendJson(res, 200, { status: "ok" });
      case "GET /readyz":
        return readiness().then((ok) => sendJson(res, ok ? 200 : 503, { status: ok ? "ready" : "api unreachable" }));
      case "GET /metrics":
        return metrics.registry.metrics().then((text) => {
          if (res.headersSent) return; // answered meanwhile (a request timeout): see sendJson
          res.writeHead(200, { "content-type": metrics.registry.contentType });
          res.end(text);
        });
      default:
        return sendError(res, Errors.notFound(req.method ?? "?", target));
    }
  }

  const server = createServer(
    {
      headersTimeout: env.MAI_PROXY_CLIENT_HEADERS_TIMEOUT_MS,
      requestTimeout: env.MAI_PROXY_CLIENT_REQUEST_TIMEOUT_MS,
      keepAliveTimeout: env.MAI_PROXY_CLIENT_KEEP_ALIVE_TIMEOUT_MS,
      maxHeaderSize: env.MAI_PROXY_MAX_HEADER_BYTES,
      connectionsCheckingInterval: connectionsCheckingInterval(env),
      requireHostHeader: false,
    },
    (req, res) => {
      const requestId = requestIdOf(req);
      res.setHeader("x-request-id", requestId);
      const socket = req.socket;
      latest.set(socket, { req, res });
      let label = "other";
      res.once("finish", () => {
        metrics.requests.inc({ route: label, status: String(res.statusCode) });
        if (res.statusCode >= 500) logger.warn({ requestId, method: req.method, route: label, status: res.statusCode }, "request answered with a server error");
      });
      res.once("close", () => {
        if (latest.get(socket)?.res === res) latest.delete(socket);
      });
      const fail = (error: unknown) => {
        try {
          logger.error({ requestId, method: req.method, route: label, err: describeError(error) }, "handler failed");
          if (!res.headersSent) sendError(res, Errors.internal());
          else res.destroy();
        } catch {
          res.destroy();
        }
      };
      try {
        const pending = route(req, res, (l) => (label = l));
        if (pending) {
          const task = pending.catch(fail);
          deps.inflight.add(task);
          const forget = () => deps.inflight.delete(task);
          task.then(forget, forget);
        }
      } catch (error) {
        fail(error);
      }
    },
  );

  // Requests Node could not parse or did not receive in time. Node's default answer is an empty
  // 400/408/431; ours says what was wrong, OpenAI-shaped, and closes the connection.
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    try {
      // Answered already: what else arrives is the rest of the bad request, dropped until the
      // client closes or the linger time is up.
      if (lingering.has(socket)) return;
      const answer = clientErrorAnswer(error.code, env.MAI_PROXY_MAX_HEADER_BYTES);
      if (!answer || !socket.writable) {
        socket.destroy();
        return;
      }
      logger.debug({ code: error.code, status: answer.error.status }, "client error");
      const current = latest.get(socket);
      if (current && error.code === "ERR_HTTP_REQUEST_TIMEOUT" && !current.req.complete) {
        // Its handler is waiting for a body that did not arrive in time: answer on its response.
        if (current.res.headersSent) return void socket.destroy();
        // Once answered, the request is destroyed too: Node aborts only requests whose answer is
        // still pending, and the handler's body reader must hear that nothing more will come.
        current.res.once("finish", () => {
          current.req.destroy();
          socket.destroy();
        });
        sendError(current.res, answer.error, { connection: "close" });
        return;
      }
      lingering.add(socket);
      const answerRaw = () => {
        if (!socket.writable) return void socket.destroy();
        // Half-close and linger rather than destroy: closing a socket with unread request bytes
        // sends a reset, which can make the client lose the answer it has not read yet. Paused,
        // so the rest of the bad request is not fed to the parser again.
        socket.end(rawErrorResponse(answer.error, randomUUID(), answer.reason));
        socket.pause();
        setTimeout(() => socket.destroy(), CLIENT_ERROR_LINGER_MS).unref();
      };
      // Answers go out in request order: an earlier request still being answered goes first.
      if (current && !current.res.writableFinished && !current.res.destroyed) current.res.once("close", answerRaw);
      else answerRaw();
    } catch {
      socket.destroy();
    }
  });
  // Not a forward proxy. Node hands the socket over with no error listener of its own.
  server.on("connect", (req: IncomingMessage, socket: Duplex) => {
    socket.on("error", () => socket.destroy());
    socket.end(rawErrorResponse(Errors.methodNotAllowed("CONNECT"), requestIdOf(req), "Method Not Allowed"), () => socket.destroy());
  });
  server.on("checkExpectation", (req: IncomingMessage, res: ServerResponse) => {
    res.setHeader("x-request-id", requestIdOf(req));
    sendError(res, Errors.expectationFailed(), { connection: "close" });
  });
  // After listen, a server error (e.g. EMFILE when accepting) must not end the process.
  server.on("error", (error) => logger.error({ err: describeError(error) }, "proxy server error"));

  return {
    server,
    deps,
    listen: (port = env.MAI_PROXY_PORT, host = env.MAI_PROXY_HOST) =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
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
      recovery.stop();
      await recovery.done;
      await recorder.close();
      await refusals.close();
      await journal.shutdown();
      await reservations.returnAll();
      reservations.close();
      await upstream.close();
    },
  };
}
