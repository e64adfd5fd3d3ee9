// The main thread's side of the proxy's worker thread (src/proxy.worker.ts): start it, learn where
// it listens or why it could not, ask it to drain and flush, notice if it ends on its own.
//
// Why a thread: in one process the proxy shared its event loop with the API, PGlite and the usage
// ingest (internal.recordUsage writing a batch stalls every request in flight for as long), and
// reached 0.43–0.48× the bare pass-through's throughput at concurrency 32 (0.49–0.66× in a process
// of its own). In a thread it has an event loop and a core of its own, and `npm start` stays one
// command, one process. The two sides still talk only over loopback HTTP (and these few messages).
//
// From the bundle the worker is dist/proxy.worker.js, run by plain node. From the TypeScript sources
// (tests, benchmarks under tsx) Node 20 does not carry tsx's --import hook into worker threads, so
// the worker starts from a two-line bootstrap that registers tsx in the thread, then imports the
// entry.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { ProxyWorkerData, ProxyWorkerMessage, ThreadError } from "../proxy.worker";
import { PROXY_WORKER } from "../paths";

export interface ProxyThread {
  /** Where the proxy listens (the real port when 0 was asked for). */
  url: string;
  port: number;
  /** Stop accepting, drain streams in flight (bounded), flush usage to the API, end the thread. */
  close(): Promise<void>;
}

function spawnWorker(workerData: ProxyWorkerData): Worker {
  if (PROXY_WORKER.pathname.endsWith(".js")) return new Worker(PROXY_WORKER, { workerData });
  const tsx = join(dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist/esm/api/index.mjs");
  const bootstrap = `import(${JSON.stringify(pathToFileURL(tsx).href)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(PROXY_WORKER.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

const asError = (e: ThreadError): NodeJS.ErrnoException => Object.assign(new Error(e.message), e.code ? { code: e.code } : {}, e.stack ? { stack: e.stack } : {});

/**
 * Starts the proxy in its own thread with this (already validated) environment. Rejects with the
 * thread's own error (its `code` kept, e.g. EADDRINUSE) when it cannot start. `onExit` hears an
 * end nobody asked for (the thread's errors are logged and survived inside it, so only a fatal
 * one — out of memory — ends it).
 */
export function startProxyThread(source: Record<string, string | undefined>, onExit: (error: Error) => void): Promise<ProxyThread> {
  const worker = spawnWorker({ source });
  let closing: Promise<void> | null = null;
  let ended = false; // an error and the exit that follows it are one end, told once
  const unexpected = (error: Error) => {
    if (ended || closing) return;
    ended = true;
    onExit(error);
  };
  return new Promise<ProxyThread>((resolve, reject) => {
    let started = false;
    const exited = new Promise<number>((done) => worker.once("exit", done));
    worker.once("error", (error) => {
      if (!started) reject(error);
      else unexpected(error);
    });
    exited
      .then((code) => {
        if (!started) reject(new Error(`the proxy's thread ended before it listened (exit code ${code})`));
        else unexpected(new Error(`the proxy's thread ended (exit code ${code})`));
      })
      .catch(() => undefined);
    const onMessage = (message: ProxyWorkerMessage) => {
      if (message.type === "failed") {
        worker.off("message", onMessage);
        worker.terminate().catch(() => undefined);
        reject(asError(message.error));
      } else if (message.type === "listening") {
        worker.off("message", onMessage);
        started = true;
        resolve({
          url: message.url,
          port: message.port,
          close() {
            closing ??= new Promise<void>((done, fail) => {
              const onClosed = (m: ProxyWorkerMessage) => {
                if (m.type === "closed") done();
                else if (m.type === "close-failed") fail(asError(m.error));
              };
              worker.on("message", onClosed);
              // Already gone (it can only have died): nothing left to drain.
              exited.then(() => done()).catch(() => undefined);
              worker.postMessage({ type: "close" });
            }).finally(() => worker.terminate().then(() => undefined));
            return closing;
          },
        });
      }
    };
    worker.on("message", onMessage);
  });
}
