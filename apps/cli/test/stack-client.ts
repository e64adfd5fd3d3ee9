// Helpers for the smoke tests: run a root npm script as a user would (its own process group, so
// Ctrl-C reaches everything it started), read its banner, and talk to the API over HTTP.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import type { AppRouter } from "@mai/api";
import { createTRPCClient, httpLink, type TRPCClient } from "@trpc/client";
import superjson from "superjson";

const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Running {
  child: ChildProcess;
  output: () => string;
  /**
   * Resolves with the output once `text` appears; rejects if the process exits first. No deadline
   * of its own: the test's timeout is the only one.
   */
  waitFor(text: string | RegExp): Promise<string>;
  /**
   * Ctrl-C: SIGINT to the whole process group (npm and the node process it runs). Resolves once
   * every process of the group has let go of the output (npm itself dies of the signal; the node
   * process under it is what must shut down cleanly: it prints "Stopped." only when it did so
   * before its own 15 s bound).
   */
  interrupt(): Promise<void>;
  /** The same with another signal to the whole group (SIGTERM: what a service manager sends). */
  kill(signal: NodeJS.Signals): Promise<void>;
}

export function runNpm(args: string[], env: Record<string, string>): Running {
  // As a newcomer runs it: the embedded database, whatever this test run's DATABASE_URL is.
  const { DATABASE_URL: _database, MAI_ENCRYPTION_KEY: _key, ...inherited } = process.env;
  const child = spawn("npm", args, { cwd: REPO_ROOT, env: { ...inherited, ...env, FORCE_COLOR: "0" }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const released = Promise.all([new Promise((r) => child.stdout.once("close", r)), new Promise((r) => child.stderr.once("close", r))]);
  return {
    child,
    output: () => out,
    waitFor(text) {
      return new Promise((resolve, reject) => {
        const matches = () => (typeof text === "string" ? out.includes(text) : text.test(out));
        // Checked on every chunk of output, not on a timer.
        const check = () => matches() && done();
        child.stdout.on("data", check);
        child.stderr.on("data", check);
        exited.then((code) => done(matches() ? undefined : new Error(`exited with ${code} before ${String(text)}; output:\n${out}`)), done);
        check();
        function done(error?: Error) {
          child.stdout.off("data", check);
          child.stderr.off("data", check);
          if (error) reject(error);
          else resolve(out);
        }
      });
    },
    interrupt() {
      return this.kill("SIGINT");
    },
    async kill(signal) {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        /* already gone */
      }
      await released;
    },
  };
}

/** A tRPC client over HTTP keeping the session cookie, as the dashboard does. */
export function apiClient(apiUrl: string): TRPCClient<AppRouter> {
  let cookie = "";
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${apiUrl}/trpc`,
        transformer: superjson,
        // The dashboard's own origin, as a browser on its page names it (the API refuses side effects
        // from any other: cross-site request forgery).
        headers: () => ({ origin: new URL(apiUrl).origin, ...(cookie ? { cookie } : {}) }),
        fetch: async (input, init) => {
          // tRPC types `input` with the DOM's RequestInfo, which Node's types do not declare (an
          // error type, i.e. `any`, to the checker); httpLink passes the URL as a string.
          const res = await fetch(input as string | URL, init);
          const set = res.headers.get("set-cookie");
          if (set) cookie = set.split(";")[0]!;
          return res;
        },
      }),
    ],
  });
}

/**
 * Polls `fn` until it returns something, 200 ms between tries. The deadline is a safety net for a
 * condition that never comes (so the loop does not outlive its test), far above what a busy
 * machine needs: the waiting is on the condition, not on the clock.
 */
export async function waitUntil<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
