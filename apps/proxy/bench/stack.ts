// The benchmark's `npm start` target: the whole system as a newcomer runs it, in one process —
// `node apps/cli/bin/mai.js start` (what the root `npm start` runs, without npm in front; the CLI's
// bundle, rebuilt first when stale) with the API, its database (PGlite in a fresh data directory,
// as `npm start` keeps it; PostgreSQL — a fresh database — when the benchmark has DATABASE_URL) and
// the proxy (in its worker thread, apps/cli/src/stack/proxy-thread.ts) — against the benchmark's
// OpenRouter simulator. No dashboard build (MAI_ADMIN_DIST=""), LOG_LEVEL as `npm start` defaults.
//
// It is set up the way its users set it up, over the API: the provider administrator signs in,
// creates an organisation with the simulator's key, invites a member, who accepts and makes a token.
// At the end the API says how many requests it metered, and SIGINT must end it with "Stopped."
// (the proxy drained and flushed, then the API closed) — as Ctrl-C does.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AppRouter } from "@mai/api";
import { createTRPCClient, httpLink, type TRPCClient } from "@trpc/client";
import superjson from "superjson";

const MAI_BIN = fileURLToPath(new URL("../../cli/bin/mai.js", import.meta.url));
const ADMIN = { email: "bench@mai.local", password: "copper kettles whistle at noon" };

export interface StackProcess {
  child: ChildProcess;
  apiUrl: string;
  /** The proxy's chat endpoint. */
  chatUrl: string;
  /** A member's personal token, of the organisation that holds the simulator's key. */
  token: string;
  /** Requests the API metered for the organisation this month (usage.summary). */
  meteredRequests(): Promise<number>;
  /** SIGINT, as Ctrl-C; resolves with the process's output after the banner and whether it said "Stopped.". */
  stop(): Promise<{ stopped: boolean; code: number | null; output: string }>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A tRPC client over HTTP keeping the session cookie, from the dashboard's own origin. */
function apiClient(apiUrl: string): TRPCClient<AppRouter> {
  let cookie = "";
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${apiUrl}/trpc`,
        transformer: superjson,
        headers: () => ({ origin: new URL(apiUrl).origin, ...(cookie ? { cookie } : {}) }),
        fetch: async (input, init) => {
          const res = await fetch(input as string | URL, init);
          const set = res.headers.get("set-cookie");
          if (set) cookie = set.split(";")[0]!;
          return res;
        },
      }),
    ],
  });
}

export async function startStackProcess(options: {
  simulatorUrl: string;
  simulatorKey: string;
  /** A fresh PostgreSQL database for the stack (else PGlite in a fresh data directory). */
  databaseUrl?: string;
  /** false: MAI_STACK_PROXY_THREAD=0, the proxy on the main thread beside the API (the layout before the thread). */
  proxyThread?: boolean;
  /** Node options for the stack's process (the benchmark's --prof: --cpu-prof, which every thread writes). */
  nodeArgs?: string[];
}): Promise<StackProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "mai-bench-stack-"));
  const [apiPort, proxyPort] = [await freePort(), await freePort()];
  // As a newcomer runs it: only what `npm start` reads, none of the benchmark's own settings.
  const { DATABASE_URL: _database, MAI_ENCRYPTION_KEY: _key, LOG_LEVEL: _level, MAI_STACK_PROXY_THREAD: _thread, ...inherited } = process.env;
  const env: Record<string, string | undefined> = {
    ...inherited,
    MAI_DATA_DIR: dataDir,
    MAI_API_PORT: String(apiPort),
    MAI_PROXY_PORT: String(proxyPort),
    MAI_ADMIN_DIST: "",
    MAI_ADMIN_EMAIL: ADMIN.email,
    MAI_ADMIN_PASSWORD: ADMIN.password,
    MAI_OPENROUTER_BASE_URL: options.simulatorUrl,
    MAI_OPENROUTER_EXTRA_HOSTS: new URL(options.simulatorUrl).origin,
    ...(options.proxyThread === false ? { MAI_STACK_PROXY_THREAD: "0" } : {}),
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl, MAI_ENCRYPTION_KEY: randomBytes(32).toString("base64") } : {}),
  };
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), MAI_BIN, "start"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let banner = -1;
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    process.stderr.write(chunk); // the bundle's build messages, errors
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (output.includes("Ctrl-C stops both")) {
        banner = output.length;
        child.stdout.off("data", check);
        resolve();
      }
    };
    child.stdout.on("data", check);
    exited.then((code) => reject(new Error(`npm start exited with ${code} before it was ready:\n${output}`))).catch(() => undefined);
  });
  const apiUrl = `http://127.0.0.1:${apiPort}`;

  const provider = apiClient(apiUrl);
  await provider.auth.login.mutate(ADMIN);
  const { organization } = await provider.organizations.create.mutate({
    name: `Bench Stack ${randomBytes(3).toString("hex")}`,
    provisionKey: false,
    key: options.simulatorKey,
    monthlyLimitUsd: "1000000000",
  });
  const email = `bench-${randomBytes(3).toString("hex")}@stack.example`;
  const { code } = await provider.members.add.mutate({ organizationId: organization.id, email, role: "member" });
  const member = apiClient(apiUrl);
  await member.auth.acceptInvitation.mutate({ email, code, password: ADMIN.password });
  const { token } = await member.auth.createToken.mutate({ name: "bench" });

  return {
    child,
    apiUrl,
    chatUrl: `http://127.0.0.1:${proxyPort}/v1/chat/completions`,
    token,
    async meteredRequests() {
      return (await provider.usage.summary.query({ organizationId: organization.id })).monthToDate.requests;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      const code = await exited;
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
      const after = output.slice(Math.max(0, banner));
      return { stopped: after.includes("Stopped."), code, output: after };
    },
  };
}
