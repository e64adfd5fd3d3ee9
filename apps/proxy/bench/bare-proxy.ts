// The practical floor of the proxy benchmark: a pass-through with no logic at all. node:http in,
// undici Pool out (the same pool settings as the mAI proxy's upstream in src/server.ts), a fixed
// OpenRouter key, POST /v1/chat/completions → <upstream>/chat/completions, request and response
// bodies piped untouched. No identity, no parsing, no reservation, no metering, no metrics.
// Whatever the mAI proxy costs above this is the price of its logic.
//
// In the benchmark it runs in a child process (forked with BARE_UPSTREAM and BARE_KEY set; see
// bench/child.ts for the IPC).
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream/promises";
import { pathToFileURL } from "node:url";
import { Pool } from "undici";
import { serveParent } from "./child";

interface BareProxy {
  url: string;
  /** Benchmark-only: swap the upstream pool for one with this many connections. */
  setConnections(connections: number): void;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authenticate", "proxy-authorization"]);

function forwardable(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

async function startBareProxy(options: { upstream: string; key: string; port?: number; host?: string; connections?: number }): Promise<BareProxy> {
  const base = new URL(options.upstream);
  const path = `${base.pathname.replace(/\/+$/, "")}/chat/completions`;
  const pools = [new Pool(base.origin, { connections: options.connections ?? 256, keepAliveTimeout: 30_000 })];
  let pool = pools[0]!;
  const authorization = `Bearer ${options.key}`;

  const server = createServer((req, res) => {
    if (req.method !== "POST" || (req.url !== "/v1/chat/completions" && req.url !== "/api/v1/chat/completions")) {
      res.writeHead(404).end();
      return;
    }
    const controller = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    const headers: Record<string, string> = { authorization, "content-type": req.headers["content-type"] ?? "application/json" };
    if (req.headers["content-length"]) headers["content-length"] = req.headers["content-length"];
    if (req.headers.accept) headers.accept = req.headers.accept;
    pool
      .request({ path, method: "POST", headers, body: req, signal: controller.signal })
      .then(async (upstream) => {
        res.writeHead(upstream.statusCode, forwardable(upstream.headers));
        await pipeline(upstream.body, res);
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(502).end();
        else res.destroy();
      });
  });
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    setConnections(connections) {
      pool = new Pool(base.origin, { connections, keepAliveTimeout: 30_000 });
      pools.push(pool);
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await Promise.all(pools.map((p) => p.close()));
    },
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const upstream = process.env.BARE_UPSTREAM;
  const key = process.env.BARE_KEY;
  if (!upstream || !key) throw new Error("bare-proxy: set BARE_UPSTREAM (the simulator's /api/v1 URL) and BARE_KEY");
  const proxy = await startBareProxy({ upstream, key, ...(process.env.BARE_PORT ? { port: Number(process.env.BARE_PORT) } : {}) });
  if (process.send) {
    serveParent(proxy.url, () => proxy.close(), {
      widenUpstream: async (message) => {
        proxy.setConnections(Number(message.connections));
        return { connections: Number(message.connections) };
      },
    });
  }
  else console.log(`bare proxy listening ${proxy.url} → ${upstream}`);
}
