// The IPC side of a server the benchmark runs in a child process (bench/bare-proxy.ts,
// bench/proxy-child.ts): announce the URL, answer memory questions, close on request.
//   parent → child: { type: "stats", gc?: boolean }   child → parent: { type: "stats", memory, cpu }
//   parent → child: { type: "close" }                  child exits (0) once closed (a --cpu-prof profile is written then)
//   parent → child: { type: NAME, … } for a handler NAME given to serveParent → { type: "NAME:result", result } or { type: "error", message }
export interface ChildStats {
  memory: NodeJS.MemoryUsage;
  cpu: NodeJS.CpuUsage;
}

type Handlers = Record<string, (message: Record<string, unknown>) => Promise<unknown>>;

export function serveParent(url: string, close: () => Promise<void>, handlers: Handlers = {}): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error("serveParent: not forked with an IPC channel");
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    // Bounded: a stuck drain must not hold the benchmark (and the profile is written on exit).
    setTimeout(() => process.exit(0), 3_000).unref();
    void close()
      .catch(() => undefined)
      .finally(() => process.exit(0));
  };
  process.on("message", (message: { type: string; gc?: boolean }) => {
    const handler = Object.hasOwn(handlers, message.type) ? handlers[message.type] : undefined;
    if (handler) {
      handler(message).then(
        (result) => send({ type: `${message.type}:result`, result }),
        (error: unknown) => send({ type: "error", message: `${message.type}: ${(error as Error).message}` }),
      );
    } else if (message.type === "stats") {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (message.gc && gc) gc();
      const stats: ChildStats = { memory: process.memoryUsage(), cpu: process.cpuUsage() };
      send({ type: "stats", ...stats });
    } else if (message.type === "close") shutdown();
  });
  process.on("disconnect", shutdown);
  process.on("SIGTERM", shutdown);
  send({ type: "ready", url });
}
