// The API's HTTP surface: tRPC under /trpc, health and readiness, and the one REST endpoint an
// Open WebUI-based chat client calls unchanged (POST /api/v1/users/user/settings/update).
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { queryRows } from "@mai/db";
import { sql } from "drizzle-orm";
import { createAdminStatic } from "./admin-static";
import { createContextFromRequest } from "./context";
import type { AppDeps } from "./deps";
import { appRouter } from "./routers/_app";
import { createCallerFactory, toTRPCError } from "./trpc";

const MAX_BODY_BYTES = 1 << 20;

export interface ApiServer {
  server: Server;
  listen(port?: number, host?: string): Promise<{ url: string; port: number }>;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw Object.assign(new Error("Request body too large."), { status: 413 });
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8") || "null");
  } catch {
    throw Object.assign(new Error("The body is not valid JSON."), { status: 400 });
  }
}

export function createApiServer(deps: AppDeps): ApiServer {
  const trpcHandler = createHTTPHandler({
    router: appRouter,
    basePath: "/trpc/",
    createContext: ({ req, res }) => createContextFromRequest(deps, req, res),
  });
  const createCaller = createCallerFactory(appRouter);
  const admin = createAdminStatic(deps.env.MAI_ADMIN_DIST, { proxyPublicUrl: deps.env.MAI_PROXY_PUBLIC_URL });
  if (admin) deps.logger.debug({ dir: admin.dir }, "serving the dashboard");

  // Open WebUI's own endpoint shape: errors are `{ detail }`, as its frontend expects.
  async function openWebUiSettings(req: IncomingMessage, res: ServerResponse, method: "get" | "update") {
    const ctx = await createContextFromRequest(deps, req, res);
    try {
      const caller = createCaller(ctx);
      const result = method === "get" ? await caller.settings.get() : await caller.settings.update((await readJson(req)) as never);
      sendJson(res, 200, result);
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status) return sendJson(res, status, { detail: (error as Error).message });
      const trpcError = toTRPCError(error);
      sendJson(res, getHTTPStatusCodeFromError(trpcError), { detail: trpcError.message });
    }
  }

  const server = createServer((req, res) => {
    const started = performance.now();
    const url = new URL(req.url ?? "/", "http://localhost");
    // One id per request, echoed to the client and carried by every log line of the request.
    const incoming = req.headers["x-request-id"];
    const requestId = typeof incoming === "string" && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    req.headers["x-request-id"] = requestId;
    res.setHeader("x-request-id", requestId);
    res.on("finish", () => {
      const fields = { requestId, method: req.method, path: url.pathname, status: res.statusCode, ms: Math.round(performance.now() - started) };
      if (url.pathname === "/healthz" || url.pathname === "/readyz") deps.logger.debug(fields, "request");
      else deps.logger.info(fields, "request");
    });
    const route = `${req.method} ${url.pathname}`;
    if (url.pathname.startsWith("/trpc/")) return trpcHandler(req, res);
    switch (route) {
      case "GET /healthz":
        return sendJson(res, 200, { status: "ok" });
      case "GET /readyz":
        // Migrations run before listen, so a reachable database with the migration table means ready.
        return void queryRows<{ n: number }>(deps.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`)
          .then(([row]) => sendJson(res, 200, { status: "ready", migrations: row?.n ?? 0 }))
          .catch(() => sendJson(res, 503, { status: "unavailable" }));
      case "GET /api/v1/users/user/settings":
        return void openWebUiSettings(req, res, "get");
      case "POST /api/v1/users/user/settings/update":
        return void openWebUiSettings(req, res, "update");
      default: {
        const notFound = () => sendJson(res, 404, { error: { message: `No route for ${req.method} ${url.pathname}.` } });
        // Everything else that is a page or an asset belongs to the dashboard, when it is built.
        if (admin && (req.method === "GET" || req.method === "HEAD") && !url.pathname.startsWith("/api/")) return admin.handler(req, res, notFound);
        return notFound();
      }
    }
  });

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
