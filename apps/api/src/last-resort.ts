// The net under the net: an error nothing handled would end the process, and with it every stream
// in flight and every usage event not yet recorded. Every request path handles its own errors (and
// the tests prove it without this net); this only keeps a bug from becoming an outage — logged
// loudly, the process keeps serving. Logged by name, code and stack frames only: an error message
// can embed SQL parameters or a key.
import type { Logger } from "./logger";

function describe(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  const frames = (error.stack ?? "").split("\n").filter((line) => line.trimStart().startsWith("at "));
  return { name: error.name, code: (error as { code?: unknown }).code, frames: frames.slice(0, 8).map((f) => f.trim()) };
}

/** Installs the handlers once per process; returns a function that removes them. */
export function installLastResortHandlers(logger: Logger): () => void {
  const onException = (error: unknown) => logger.fatal({ err: describe(error) }, "uncaught exception: a bug; the process keeps serving");
  const onRejection = (reason: unknown) => logger.fatal({ err: describe(reason) }, "unhandled rejection: a bug; the process keeps serving");
  process.on("uncaughtException", onException);
  process.on("unhandledRejection", onRejection);
  return () => {
    process.off("uncaughtException", onException);
    process.off("unhandledRejection", onRejection);
  };
}
