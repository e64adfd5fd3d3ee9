// The API's background jobs (reconciliations, key retirement, the lease sweep, partitions, the
// PGlite vacuum) all run the same way: on a timer that never keeps the process alive, never two
// runs of one job at once, and a failed run logged (its error's name and code, never its message:
// it may quote SQL) and simply tried again next time.
import type { AppDeps } from "../deps";

export interface ScheduledJob {
  stop: () => void;
  /** One run now, unless one is already running; never rejects. */
  run: () => Promise<void>;
}

/** Runs `job` every `intervalMs` (0 or less: never; `run()` still works). `failure` is the log line of a failed run. */
export function scheduleJob(
  deps: AppDeps,
  intervalMs: number,
  failure: string,
  job: () => Promise<unknown>,
): ScheduledJob {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      await job();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      deps.logger.error(
        { err: { name: (error as Error).name, ...(typeof code === "string" ? { code } : {}) } },
        failure,
      );
    } finally {
      running = false;
    }
  };
  if (intervalMs <= 0) return { stop: () => undefined, run };
  const timer = setInterval(() => {
    run().catch(() => undefined); // run() logs its failures itself
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), run };
}
