// Where a command reads and writes: the process's streams and environment when `mai` runs as a
// command, or a test's when the program runs in-process (`runCli`). The streams of one run are
// held in an AsyncLocalStorage for as long as it lasts, so the commands keep calling `say`,
// `warn` and `printJson` without a parameter threaded through every action, and two runs in one
// process (a test's parallel `--help` calls) never share output.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Readable } from "node:stream";
import { processEnv, type Environment } from "./env";

export interface CliIo {
  /** Piped input (secrets given as `-`), or a terminal: then read raw, without echo. */
  stdin: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  env: Environment;
}

const current = new AsyncLocalStorage<CliIo>();

export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: processEnv() };
}

/** Run `fn` with `io` as every command's input, output and environment. */
export function withIo<T>(io: CliIo, fn: () => Promise<T>): Promise<T> {
  return current.run(io, fn);
}

/**
 * The current run's streams; outside a run (a stack's signal handler, long after its command
 * returned) the process's own.
 */
export function cliIo(): CliIo {
  return current.getStore() ?? processIo();
}
