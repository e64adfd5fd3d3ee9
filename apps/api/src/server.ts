// The API's HTTP surface: tRPC under /trpc, health and readiness, and the REST endpoints an
// Open WebUI-based chat client calls unchanged (GET /api/v1/users/user/settings and POST
// /api/v1/users/user/settings/update) — with our credentials, or with Open WebUI's own session
// when an Open WebUI is configured (services/openwebui/: a reverse proxy mirrors the save here).
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { countAppliedMigrations, isDatabaseUnavailable } from "@mai/db";
import { csrfProblem, dashboardOrigins, parseBearer, unframedTransferEncoding } from "@mai/domain";
import { createAdminStatic } from "./admin-static";
import { clientAddress, createContextFromRequest, INTERNAL_TOKEN_HEADER, sessionCookieValue, type Context } from "./context";
import type { AppDeps } from "./deps";
import { HttpProblem, parseJsonBody, readBodyText, requestUrl, requireShallowJson, sendJson } from "./http";
import { appRouter } from "./routers/_app";
import { safeEqual } from "./services/auth/tokens";
import { actingUser } from "./services/openwebui/acting-user";
import {
  chooseInstance,
  hasMirrorToken,
  openWebUiCredential,
  openWebUiSessionsEnabled,
  refuseForgedOpenWebUiRequest,
  type OpenWebUiCredential,
} from "./services/openwebui/request";
import { createOpenWebUiSessions } from "./services/openwebui/session-lookup";
import { createCallerFactory, logFailure, serverErrorMessage, ServerFault, toTRPCError } from "./trpc/init";

export interface ApiServer {
  server: Server;
  listen(port?: number, host?: string): Promise<{ url: string; port: number }>;
  close(): Promise<void>;
}

/** The tRPC codes of the statuses an HttpProblem at the door carries (anything else: BAD_REQUEST). */
const TRPC_CODE_OF_STATUS: Partial<Record<number, TRPCError["code"]>> = {
  403: "FORBIDDEN",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
};

/** The id the server assigned to this request (set before anything else runs). */
const requestIdOf = (req: IncomingMessage) => String(req.headers["x-request-id"]);

export function createApiServer(deps: AppDeps): ApiServer {
  const { env } = deps;
  const isInternal = (req: IncomingMessage) => {
    const header = req.headers[INTERNAL_TOKEN_HEADER];
    return typeof header === "string" && env.MAI_INTERNAL_TOKEN !== undefined && safeEqual(header, env.MAI_INTERNAL_TOKEN);
  };

  /**
   * Cross-site request forgery (packages/domain/src/csrf.ts): a request with side effects that a
   * browser could have sent on another page's behalf — it carries the session cookie, or no
   * credential at all (signing in) — must be JSON from the dashboard's own origin. A 403 or 415 in
   * words otherwise, before the body is read. Bearer-token and internal calls without the cookie pass.
   */
  function refuseCrossSite(req: IncomingMessage): void {
    const header = (name: string) => {
      const value = req.headers[name];
      return typeof value === "string" ? value : undefined;
    };
    const problem = csrfProblem({
      method: req.method ?? "GET",
      contentType: header("content-type"),
      origin: header("origin"),
      secFetchSite: header("sec-fetch-site"),
      allowedOrigins: dashboardOrigins({ publicUrl: env.MAI_PUBLIC_URL, host: header("host") }),
      hasSessionCookie: sessionCookieValue(req.headers.cookie) !== undefined,
      hasHeaderCredential: parseBearer(req.headers.authorization) !== null || header(INTERNAL_TOKEN_HEADER) !== undefined,
    });
    if (problem) throw new HttpProblem(problem.status, problem.message);
  }

  /** Building the context failed (the database is away, …): logged here, a generic 5xx out. */
  function contextFailure(req: IncomingMessage, error: unknown): ServerFault {
    const requestId = requestIdOf(req);
    const fault = new ServerFault(isDatabaseUnavailable(error) ? "SERVICE_UNAVAILABLE" : "INTERNAL_SERVER_ERROR", requestId, error);
    logFailure(deps.logger.child({ requestId }), fault, { stage: "context" });
    return fault;
  }

  async function context(req: IncomingMessage, res: ServerResponse, known?: Pick<Context, "user" | "auth" | "internal">): Promise<Context> {
    try {
      return await createContextFromRequest(deps, req, res, known);
    } catch (error) {
      throw contextFailure(req, error);
    }
  }

  /**
   * Before tRPC reads anything: the body, bounded in size (a larger bound for the proxy's usage
   * batches, behind the internal token) and in nesting depth, handed over as text; a query's
   * `input` parameter bounded in depth. tRPC answers the refusal in its own error shape.
   */
  async function admitTrpcRequest(req: IncomingMessage & { body?: unknown }): Promise<void> {
    refuseCrossSite(req);
    if (req.method === "GET" || req.method === "HEAD") {
      const input = requestUrl(req).searchParams.get("input");
      if (input) requireShallowJson(input, env.MAI_API_MAX_JSON_DEPTH);
      return;
    }
    const text = await readBodyText(req, isInternal(req) ? env.MAI_API_MAX_INTERNAL_BODY_BYTES : env.MAI_API_MAX_BODY_BYTES);
    requireShallowJson(text, env.MAI_API_MAX_JSON_DEPTH);
    req.body = text;
  }

  const trpcHandler = createHTTPHandler({
    router: appRouter,
    basePath: "/trpc/",
    maxBodySize: env.MAI_API_MAX_INTERNAL_BODY_BYTES,
    middleware: (req, res, next) => {
      admitTrpcRequest(req)
        .then(
          () => {
            next();
          },
          (error: unknown) => {
            if (error instanceof HttpProblem) {
              // tRPC parses the request (its content type, its path) before it looks at this error,
              // and answers its own 415 for a form or text/plain: hand it an empty JSON request, so
              // the refusal is what answers — in tRPC's error shape, batch or not.
              req.headers["content-type"] = "application/json";
              (req as IncomingMessage & { body?: unknown }).body = "";
            }
            next(
              error instanceof HttpProblem
                ? new TRPCError({ code: TRPC_CODE_OF_STATUS[error.status] ?? "BAD_REQUEST", message: error.message })
                : error,
            );
          },
        )
        .catch((error: unknown) => {
          // tRPC's own handling threw: answer for it rather than leave the request hanging.
          deps.logger.error({ requestId: requestIdOf(req), err: { name: (error as Error | undefined)?.name } }, "tRPC request failed");
          sendJson(res, 500, { error: { message: serverErrorMessage("INTERNAL_SERVER_ERROR", requestIdOf(req)) } });
        });
    },
    createContext: ({ req, res }) => context(req, res),
    onError({ error, ctx, req }) {
      // Procedures log their own failures (trpc/init.ts); this catches what fails outside them.
      if (!ctx && !(error instanceof ServerFault) && getHTTPStatusCodeFromError(error) >= 500) {
        logFailure(deps.logger.child({ requestId: requestIdOf(req) }), error, { stage: "trpc" });
      }
    },
  });
  const createCaller = createCallerFactory(appRouter);
  const admin = createAdminStatic(env.MAI_ADMIN_DIST, { proxyPublicUrl: env.MAI_PROXY_PUBLIC_URL });
  if (admin) deps.logger.debug({ dir: admin.dir }, "serving the dashboard");

  // Open WebUI's answers about its sessions, kept for MAI_OPENWEBUI_SESSION_TTL_MS (one cache per server).
  const openWebUiSessions = openWebUiSessionsEnabled(env)
    ? createOpenWebUiSessions({
        ttlMs: env.MAI_OPENWEBUI_SESSION_TTL_MS,
        timeoutMs: env.MAI_OPENWEBUI_TIMEOUT_MS,
        now: deps.now,
        logger: deps.logger,
      })
    : null;

  /**
   * The settings endpoints with Open WebUI's own session: the door's checks (mirror token, CSRF for
   * the cookie, the instance), the body, Open WebUI's word on whose session it is, the mAI user it
   * acts as — then the very procedures a token's request runs, so every rule of the save holds
   * (only administrators sync, a failed sync never fails the save, audited). Mirrored saves are
   * answered to a reverse proxy that discards the answer: the log line says how it went.
   */
  async function openWebUiSessionSettings(
    req: IncomingMessage,
    res: ServerResponse,
    method: "get" | "update",
    held: OpenWebUiCredential,
    sessions: NonNullable<typeof openWebUiSessions>,
  ): Promise<void> {
    const mirrored = hasMirrorToken(req, env);
    refuseForgedOpenWebUiRequest(req, env, held, mirrored);
    const instance = chooseInstance(req, env, mirrored);
    const body =
      method === "update"
        ? parseJsonBody(await readBodyText(req, env.MAI_API_MAX_BODY_BYTES), env.MAI_API_MAX_JSON_DEPTH)
        : undefined;
    const sessionUser = await sessions.lookup(instance, held.credential);
    const log = deps.logger.child({ requestId: requestIdOf(req) });
    let acting: Awaited<ReturnType<typeof actingUser>>;
    try {
      const readOnly = method === "get";
      const groupNames = () => sessions.groupNames(instance, held.credential);
      acting = await actingUser({ db: deps.db, env, log, ip: clientAddress(req, deps), readOnly, groupNames }, instance, sessionUser);
    } catch (error) {
      if (error instanceof HttpProblem) throw error;
      throw contextFailure(req, error);
    }
    // A read creates nobody (queries have no side effects): someone mAI has not met yet has no
    // settings here, which reads as what settings.get answers for a new account.
    if (!acting) return sendJson(res, 200, { ui: {} });
    const { user, status: resolution } = acting;
    const auth = { kind: "openwebui" as const, instance: instance.name };
    const caller = createCaller(await context(req, res, { user, auth, internal: false }));
    if (method === "get") return sendJson(res, 200, await caller.settings.get());
    const result = await caller.settings.update(body as never);
    const sync = result.openrouterSync;
    log.info(
      {
        instance: instance.name,
        mirrored,
        credentialFrom: held.from,
        userId: user.id,
        role: user.role,
        resolution,
        sync: sync.status,
        organizationId: sync.organizationId ?? user.organizationId,
      },
      "open webui settings saved",
    );
    sendJson(res, 200, result);
  }

  // Open WebUI's own endpoint shape: errors are `{ detail }`, as its frontend expects.
  async function openWebUiSettings(req: IncomingMessage, res: ServerResponse, method: "get" | "update"): Promise<void> {
    const requestId = requestIdOf(req);
    try {
      // Without an Open WebUI configured nothing changes: only our token and our cookie count.
      const held = openWebUiSessions ? openWebUiCredential(req, sessionCookieValue(req.headers.cookie)) : null;
      if (held && openWebUiSessions) {
        return await openWebUiSessionSettings(req, res, method, held, openWebUiSessions).catch((error: unknown) => {
          // A mirrored request's answer goes to a reverse proxy that discards it: say here why
          // nothing was done (our own sentence; never the credential).
          if (error instanceof HttpProblem) {
            deps.logger.warn({ requestId, status: error.status, reason: error.message }, "open webui session not acted on");
          }
          throw error;
        });
      }
      refuseCrossSite(req);
      const body = method === "update" ? parseJsonBody(await readBodyText(req, env.MAI_API_MAX_BODY_BYTES), env.MAI_API_MAX_JSON_DEPTH) : undefined;
      const caller = createCaller(await context(req, res));
      const result = method === "get" ? await caller.settings.get() : await caller.settings.update(body as never);
      sendJson(res, 200, result);
    } catch (error) {
      if (error instanceof HttpProblem) return sendJson(res, error.status, { detail: error.message });
      const mapped = toTRPCError(error, requestId);
      const status = getHTTPStatusCodeFromError(mapped);
      sendJson(res, status, { detail: status >= 500 ? serverErrorMessage(mapped.code, requestId) : mapped.message });
    }
  }

  async function readiness(res: ServerResponse): Promise<void> {
    try {
      // Migrations run before listen, so a reachable database with the migration table means ready.
      sendJson(res, 200, { status: "ready", migrations: await countAppliedMigrations(deps.db) });
    } catch {
      sendJson(res, 503, { status: "unavailable" });
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    // One id per request, echoed to the client and carried by every log line of the request.
    const incoming = req.headers["x-request-id"];
    const requestId = typeof incoming === "string" && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    req.headers["x-request-id"] = requestId;
    res.setHeader("x-request-id", requestId);
    let path = "(invalid target)";
    res.on("finish", () => {
      const fields = { requestId, method: req.method, path, status: res.statusCode, ms: Math.round(performance.now() - started) };
      if (path === "/healthz" || path === "/readyz") deps.logger.debug(fields, "request");
      else deps.logger.info(fields, "request");
    });
    let url: URL;
    try {
      url = requestUrl(req);
    } catch (error) {
      return sendJson(res, 400, { error: { message: (error as Error).message } });
    }
    path = url.pathname;
    if (unframedTransferEncoding(req.headers["transfer-encoding"])) {
      // RFC 9112 §6.1: a body whose length cannot be determined is refused and the connection closed.
      res.setHeader("connection", "close");
      return sendJson(res, 400, { error: { message: "The request body's length cannot be determined: the last Transfer-Encoding must be chunked." } });
    }
    const route = `${req.method} ${url.pathname}`;
    if (url.pathname.startsWith("/trpc/")) return trpcHandler(req, res);
    switch (route) {
      case "GET /healthz":
        return sendJson(res, 200, { status: "ok" });
      case "GET /readyz":
        return readiness(res);
      case "GET /api/v1/users/user/settings":
        return openWebUiSettings(req, res, "get");
      case "POST /api/v1/users/user/settings/update":
        return openWebUiSettings(req, res, "update");
      default: {
        const notFound = () => sendJson(res, 404, { error: { message: `No route for ${req.method} ${url.pathname}.` } });
        // Everything else that is a page or an asset belongs to the dashboard, when it is built.
        if (admin && (req.method === "GET" || req.method === "HEAD") && !url.pathname.startsWith("/api/")) return admin.handler(req, res, notFound);
        return notFound();
      }
    }
  }

  const server = createServer(
    {
      maxHeaderSize: env.MAI_API_MAX_HEADER_BYTES,
      headersTimeout: env.MAI_API_HEADERS_TIMEOUT_MS,
      requestTimeout: env.MAI_API_REQUEST_TIMEOUT_MS,
      keepAliveTimeout: env.MAI_API_KEEP_ALIVE_TIMEOUT_MS,
      // Node checks the two timeouts above only this often (default 30 s): check often enough
      // that they mean what they say.
      connectionsCheckingInterval: Math.max(50, Math.min(env.MAI_API_HEADERS_TIMEOUT_MS, env.MAI_API_REQUEST_TIMEOUT_MS) / 4),
    },
    (req, res) => {
      // Every path above handles its own errors; this is the net for a bug, never for a client.
      handle(req, res).catch((error: unknown) => {
        const requestId = requestIdOf(req);
        deps.logger.error({ requestId, err: { name: (error as Error | undefined)?.name } }, "request handler failed");
        sendJson(res, 500, { error: { message: serverErrorMessage("INTERNAL_SERVER_ERROR", requestId) } });
      });
    },
  );

  return {
    server,
    listen: (port = deps.env.MAI_API_PORT, host = deps.env.MAI_API_HOST) =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          const address = server.address() as AddressInfo;
          resolve({ url: `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`, port: address.port });
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
