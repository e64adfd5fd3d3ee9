// A real proxy process for the tests that kill one (crash.test.ts, lease-expiry.test.ts):
// bench/proxy-child.ts, built as src/main.ts builds the proxy, run with tsx and the given
// environment; it reports its URL over IPC once it listens.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface ProxyChild {
  process: ChildProcess;
  url: string;
  /** Everything the child wrote to stdout and stderr. */
  output: string[];
}

export function startProxyChild(env: Record<string, string>): Promise<ProxyChild> {
  const child = fork(fileURLToPath(new URL("../bench/proxy-child.ts", import.meta.url)), [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  const output: string[] = [];
  child.stdout?.on("data", (d: Buffer) => output.push(String(d)));
  child.stderr?.on("data", (d: Buffer) => output.push(String(d)));
  return new Promise((resolve, reject) => {
    child.once("message", (message: { type: string; url?: string }) => {
      if (message.type === "ready" && message.url) resolve({ process: child, url: message.url, output });
      else reject(new Error(`unexpected message ${message.type}`));
    });
    child.once("exit", (code) => reject(new Error(`the proxy child exited (${code}) before it was ready:\n${output.join("")}`)));
  });
}

/** Resolves once the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}
