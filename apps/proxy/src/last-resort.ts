// Last resort for a process that runs the proxy: an exception or rejection nothing handled is
// logged and the process keeps serving. Every handler owns its errors (and the tests, which run the
// server in-process under vitest, fail on any unhandled one), so these should never fire; if one
// does, ending the process would cut every stream in flight and lose their usage — worse than
// carrying on after a logged bug in one request. Only an entry point calls this (src/main.ts, and
// `mai start`'s proxy thread, apps/cli/src/proxy.worker.ts: handlers installed in a worker thread
// catch that thread's errors only): a library must not change how its host treats errors.
import type { Logger } from "pino";
import { describeError } from "./server";

export function installLastResortHandlers(logger: Logger): void {
  process.on("uncaughtException", (error, origin) => {
    logger.error({ err: describeError(error), origin }, "uncaught exception (a bug: some path does not handle its errors); still serving");
  });
  process.on("unhandledRejection", (reason) => {
    logger.error({ err: describeError(reason) }, "unhandled rejection (a bug: some path does not handle its errors); still serving");
  });
}
