// The proxy's thread in `mai start` / `mai demo` (started by src/stack/proxy-thread.ts). The API, its
// database and the usage ingest keep the main thread; the proxy gets an event loop (and a core) of
// its own, so a batch of usage written to PGlite never holds up a request in flight. The two still
// talk only over loopback HTTP with the internal token, as separate deployments do.
//
// Built exactly as the proxy's own entry point builds it (src/main.ts of @mai/proxy): from the
// validated environment the main thread passes (workerData.source), with the proxy's logger (JSON
// lines on stdout, `"service":"mai-proxy"`, written from this thread) and its last-resort net
// (handlers installed in a worker catch this thread's errors only).
//   main → worker: { type: "close" }   drain streams, flush usage, then answer { type: "closed" }
//   worker → main: { type: "listening", url, port } | { type: "failed", error } | { type: "closed" }
//                  | { type: "close-failed", error }
// Bundled as its own file, dist/proxy.worker.js, beside dist/main.js (@mai/bundle: src/*.worker.ts).
import { parentPort, workerData } from "node:worker_threads";
import { createProxyServer, installLastResortHandlers, loadProxyEnv, type ProxyServer } from "@mai/proxy";

export interface ProxyWorkerData {
  /** The proxy's environment (validated by the main thread first: it is loaded again here). */
  source: Record<string, string | undefined>;
}
export interface ThreadError {
  message: string;
  code?: string;
  stack?: string;
}
export type ProxyWorkerMessage =
  | { type: "listening"; url: string; port: number }
  | { type: "failed"; error: ThreadError }
  | { type: "closed" }
  | { type: "close-failed"; error: ThreadError };

const port = parentPort;
if (!port) throw new Error("proxy.worker: not started as a worker thread");
const post = (message: ProxyWorkerMessage) => port.postMessage(message);
const threadError = (error: unknown): ThreadError => {
  const e = error as NodeJS.ErrnoException;
  return { message: e?.message ?? String(error), ...(e?.code ? { code: e.code } : {}), ...(e?.stack ? { stack: e.stack } : {}) };
};

const { source } = workerData as ProxyWorkerData;
let proxy: ProxyServer | undefined;
try {
  proxy = await createProxyServer(loadProxyEnv(source));
  installLastResortHandlers(proxy.deps.logger);
  const { url, port: listening } = await proxy.listen();
  post({ type: "listening", url, port: listening });
} catch (error) {
  // The main thread ends this thread on hearing it (as a failed start ended the process before).
  post({ type: "failed", error: threadError(error) });
}

let closing = false;
port.on("message", (message: { type: string }) => {
  if (message.type !== "close" || closing || !proxy) return;
  closing = true;
  proxy.close().then(
    () => post({ type: "closed" }),
    (error: unknown) => post({ type: "close-failed", error: threadError(error) }),
  );
});
