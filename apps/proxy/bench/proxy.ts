// The proxy benchmark (not a timed test): `npm run bench -w @mai/proxy` prints one table.
//
// The same load is sent (a) straight to the OpenRouter simulator (zero latency), (b) through a bare
// pass-through proxy (bench/bare-proxy.ts: node:http + undici, no logic; the practical floor) and
// (c) through the mAI proxy with identity cached and metering on (every request reserves its worst
// case against the proxy's monthly-limit lease, which the API grants atomically; its usage event is
// recorded through the API, giving back what it used of the reservation), (d) through the proxy of
// `npm start` — the whole system in one process as a newcomer runs it (bench/stack.ts: `mai start`,
// the CLI's bundle, with the API, its database and the proxy, which runs in a worker thread of
// that process), metering on the same way; with `--targets …,stack-main`, also (e) `npm start` with
// MAI_STACK_PROXY_THREAD=0: the proxy on the main thread beside the API, the layout before the
// thread, for a side-by-side comparison. Non-streaming and
// streaming, at concurrency 1 (latency) and 32 (throughput at saturation). Then 1,000 concurrent
// slow streams through the proxy, sampling its memory.
//
// Processes (this machine has 2 cores; a load generator or simulator sharing the proxy's event loop
// would measure itself):
//   this process    orchestration + the real API over HTTP + its database (PGlite in memory, or
//                   PostgreSQL when DATABASE_URL is set); idle except for the API's work in (c)
//   simulator       `tsx packages/openrouter/src/simulator/cli.ts --port 0 --generation-delay 0`
//   bare proxy      bench/bare-proxy.ts (forked)
//   mAI proxy       bench/proxy-child.ts (forked, alone in its process; memory sampled over IPC)
//   load generator  bench/load.ts (forked; undici keep-alive, one connection per worker)
//   npm start       `node apps/cli/bin/mai.js start` (bench/stack.ts): API + its own database (PGlite in
//                   a data directory; a fresh PostgreSQL database with DATABASE_URL) + the proxy in a
//                   worker thread; idle except in (d), as (b) and (c) are idle in the others
// Per scenario, the CPU time each process spent (from /proc/<pid>/stat) is divided by the requests
// served, which says where the cost goes; the API's request log gives the internal.* calls each
// proxied request caused. After the scenarios, each step of one request is timed alone from inside
// the proxy process (bench/proxy-child.ts `probe`), and internal.reserve/settle's SQL directly.
//
// Memory: 1,000 concurrent slow streams (model suffix `@sim:token-latency=50,tokens=40`: 40 tokens,
// 50 ms apart; the X-Sim-Faults header is not forwarded by the proxy), the proxy's memory sampled
// over IPC every 100 ms (process.memoryUsage) and its peak RSS read from /proc (VmHWM, reset first).
// Run for the mAI proxy as shipped (MAI_PROXY_UPSTREAM_CONNECTIONS; if that is below --streams, once
// more with the pool widened, a bench-only swap of deps.upstream, so that all streams really flow at
// once) and for the bare proxy with a pool as wide as --streams, for comparison.
//
// Flags: --seconds 5 (measured, concurrency 32)  --c1-seconds 4 (measured, concurrency 1)
//        --warmup 1  --streams 1000  --skip-memory  --skip-bare-memory
//        --targets direct,bare,mai,stack[,stack-main]  --scenarios ns1,ns32,s1,s32 (non-streaming/streaming × concurrency)
//        --probe 300 (iterations of the per-step timing at concurrency 1; 0 skips it)
//        --rounds 3 (targets take turns this many times per scenario; each keeps its median run)
//        --prof DIR (the proxy children write --cpu-prof profiles to DIR)
// With DATABASE_URL the API uses PostgreSQL (the production configuration) and the PostgreSQL
// server's CPU is reported too; without it, PGlite in this process (the embedded configuration).
import { spawn, fork, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createApiServer, createDeps, loadEnv } from "@mai/api";
import { closeLease, createApiToken, createOrganization, createUser, getGlobalSettings, reserveSpend, schema } from "@mai/db";
import { asOpenRouterKey, createTestDb, queryRows, sql } from "@mai/db/testing";
import { externalUserId, periodKeyOf } from "@mai/domain";
import { FIXTURE_API_KEY } from "@mai/openrouter/simulator";
import { loadProxyEnv } from "../src/index";
import { pino } from "pino";
import type { ChildStats } from "./child";
import type { StepTiming } from "./proxy-child";
import type { LoadJob, LoadResult } from "./load";
import { startStackProcess } from "./stack";

const { values: flags } = parseArgs({
  options: {
    seconds: { type: "string", default: "5" },
    "c1-seconds": { type: "string", default: "4" },
    warmup: { type: "string", default: "1" },
    streams: { type: "string", default: "1000" },
    "skip-memory": { type: "boolean", default: false },
    "skip-bare-memory": { type: "boolean", default: false },
    targets: { type: "string", default: "direct,bare,mai,stack" },
    scenarios: { type: "string", default: "ns1,ns32,s1,s32" },
    prof: { type: "string" },
    probe: { type: "string", default: "300" },
    rounds: { type: "string", default: "3" },
  },
});
const SECONDS = Number(flags.seconds);
const C1_SECONDS = Number(flags["c1-seconds"]);
const WARMUP = Number(flags.warmup);
const STREAMS = Number(flags.streams);
const ROUNDS = Math.max(1, Number(flags.rounds));
const SLOW_MODEL = "openai/gpt-4o-mini@sim:token-latency=50,tokens=40";
const INTERNAL_TOKEN = `bench-internal-${randomBytes(16).toString("hex")}`;
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const TSX = ["--import", "tsx"];

// --- processes -------------------------------------------------------------------------------------

const children: ChildProcess[] = [];

async function startSimulatorProcess(): Promise<{ child: ChildProcess; url: string }> {
  const cli = fileURLToPath(new URL("../../../packages/openrouter/src/simulator/cli.ts", import.meta.url));
  // The simulator parks many concurrent slow streams on one AbortSignal, which makes Node warn
  // (MaxListenersExceededWarning) although every listener is removed: silenced here.
  const child = spawn(process.execPath, [...TSX, "--disable-warning=MaxListenersExceededWarning", cli, "--port", "0", "--quiet", "--generation-delay", "0", "--max-ledger", "100000"], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  child.stdout.resume();
  return { child, url };
}

async function forkServer(module: string, env: Record<string, string>, execArgv: string[] = []): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(here(module), [], { execArgv: [...TSX, ...execArgv], env: { ...process.env, ...env }, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  children.push(child);
  const url = await new Promise<string>((resolve, reject) => {
    child.on("message", (m: { type: string; url?: string }) => {
      if (m.type === "ready") resolve(m.url!);
    });
    child.once("exit", (code) => reject(new Error(`${module} exited with ${code}`)));
  });
  return { child, url };
}

function ask<T>(child: ChildProcess, message: object, reply: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type: string }) => {
      if (m.type === reply || m.type === "error") {
        child.off("message", onMessage);
        if (m.type === "error") reject(new Error((m as unknown as { message: string }).message));
        else resolve(m as T);
      }
    };
    child.on("message", onMessage);
    child.send(message);
  });
}

const stats = (child: ChildProcess, gc = false) => ask<ChildStats>(child, { type: "stats", gc }, "stats");

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  if (child.connected) child.send({ type: "close" });
  else child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

// /proc: CPU time of any process (utime + stime), and resident memory.
const CLK_TCK = 100;
function cpuMs(pid: number, tid?: number): number {
  // /proc/<pid>/stat: the whole process (every thread); /proc/<pid>/task/<pid>/stat: its main thread.
  const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) / CLK_TCK) * 1000;
}
/** CPU time of the local PostgreSQL server's processes (postmaster and backends), when it runs here. */
function postgresCpuMs(): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === "postgres") total += cpuMs(Number(entry));
    } catch {
      /* the process ended meanwhile */
    }
  }
  return total;
}
/**
 * Waits (at most `capMs`) until the benchmark's processes are quiet: in a 250 ms window, together
 * under a tenth of a core. A run leaves work behind — the usage it metered is still being recorded,
 * a journal compacts, a collector runs — and that work belongs to the target that caused it, not
 * to the next target's run (which would look slower for it). Returns how long it waited.
 */
async function quietDown(pids: number[], capMs = 10_000): Promise<number> {
  const started = performance.now();
  const busy = () => pids.reduce((sum, pid) => sum + cpuMs(pid), 0) + (process.cpuUsage().user + process.cpuUsage().system) / 1000 + (usePostgres ? postgresCpuMs() : 0);
  for (;;) {
    const before = busy();
    await new Promise((r) => setTimeout(r, 250));
    if (busy() - before < 25 || performance.now() - started > capMs) return performance.now() - started;
  }
}
function procStatusKb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) : NaN;
}
/** Reset a process's peak RSS (VmHWM) so that it measures one phase; false when not allowed. */
function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}
function openFilesLimit(): string {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    return line?.split(/\s{2,}/)[1] ?? "?";
  } catch {
    return "?";
  }
}

// --- the system ------------------------------------------------------------------------------------

console.log(`proxy benchmark: ${cpus().length} cores, node ${process.version}, open files limit ${openFilesLimit()}, database ${process.env.DATABASE_URL ? "postgres" : "pglite (in memory)"}`);
const spoolDir = mkdtempSync(join(tmpdir(), "mai-bench-spool-"));
const sim = await startSimulatorProcess();

const t = await createTestDb(process.env.DATABASE_URL ? "postgres" : "pglite", { max: 16 });
const apiEnv = loadEnv({ NODE_ENV: "production", MAI_INTERNAL_TOKEN: INTERNAL_TOKEN, MAI_OPENROUTER_BASE_URL: sim.url, LOG_LEVEL: "info" });
// The API logs one line per request at info, as in production. The lines are not kept: each is read
// for its path and duration, which says which internal.* calls a proxied request costs and how long
// the API took to answer them (tRPC batches show as "internal.settle,internal.settle,…").
interface ApiCallStats {
  /** HTTP requests to /trpc per procedure set, and procedure calls in them. */
  http: number;
  procedures: number;
  serverMs: number;
}
let apiCalls = new Map<string, ApiCallStats>();
const apiLogger = pino(
  { level: "info" },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      const line = chunk.toString();
      const path = /"path":"\/trpc\/([^"?]+)/.exec(line)?.[1];
      const ms = /"ms":(\d+)/.exec(line)?.[1];
      if (path && ms) {
        const names = path.split(",");
        const key = [...new Set(names)].join("+");
        const entry = apiCalls.get(key) ?? { http: 0, procedures: 0, serverMs: 0 };
        entry.http += 1;
        entry.procedures += names.length;
        entry.serverMs += Number(ms);
        apiCalls.set(key, entry);
      }
      done();
    },
  }),
);
const api = createApiServer(createDeps({ db: t.db, secrets: t.secrets, env: apiEnv, logger: apiLogger }));
const { url: apiUrl } = await api.listen(0, "127.0.0.1");

// One organisation (the simulator's fixture key, no practical limit), one member, one API token.
const org = await createOrganization(t.db, t.secrets, { name: `Bench Org ${randomBytes(3).toString("hex")}`, key: asOpenRouterKey(FIXTURE_API_KEY), monthlyLimitNano: 10n ** 18n });
const user = await createUser(t.db, { email: `bench-${randomBytes(3).toString("hex")}@proxy.example`, role: "member" });
await t.db.insert(schema.userClientMapping).values({ userId: user.id, organizationId: org.id, externalUserId: externalUserId(org.id, user.id) });
const token = `mai_${randomBytes(24).toString("hex")}`;
await createApiToken(t.db, { userId: user.id, name: "bench", prefix: token.slice(0, 12), tokenHash: createHash("sha256").update(token).digest("hex") });

const targetsWanted = new Set(flags.targets.split(","));
const profArgv = flags.prof ? ["--cpu-prof", `--cpu-prof-dir=${flags.prof}`] : [];
const bare = targetsWanted.has("bare") ? await forkServer("./bare-proxy.ts", { BARE_UPSTREAM: sim.url, BARE_KEY: FIXTURE_API_KEY }, profArgv) : null;
const mai = await forkServer(
  "./proxy-child.ts",
  { MAI_API_URL: apiUrl, MAI_INTERNAL_TOKEN: INTERNAL_TOKEN, MAI_OPENROUTER_BASE_URL: sim.url, MAI_PROXY_SPOOL_DIR: spoolDir, LOG_LEVEL: "warn" },
  ["--expose-gc", ...profArgv],
);

// npm start's own database: a fresh PostgreSQL database with DATABASE_URL (dropped at the end);
// without it, PGlite in the stack's data directory, as `npm start` runs.
async function startStackTarget(proxyThread: boolean) {
  const db = process.env.DATABASE_URL ? await createTestDb("postgres") : null;
  const running = await startStackProcess({ simulatorUrl: sim.url, simulatorKey: FIXTURE_API_KEY, proxyThread, nodeArgs: profArgv, ...(db?.url ? { databaseUrl: db.url } : {}) });
  return { ...running, db, requests: 0 };
}
const stack = targetsWanted.has("stack") ? await startStackTarget(true) : null;
const stackMain = targetsWanted.has("stack-main") ? await startStackTarget(false) : null;
const stacks = [
  ...(stack ? [{ key: "stack" as const, label: "npm start (1 process)", run: stack }] : []),
  ...(stackMain ? [{ key: "stack-main" as const, label: "npm start, proxy on main thread", run: stackMain }] : []),
];

// Warm the identity cache and the model catalogue: the first request resolves the token.
async function warm(url: string, bearer: string, label: string): Promise<void> {
  const res = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "warm" }], max_tokens: 16 }),
  });
  if (res.status !== 200) throw new Error(`warm-up through ${label} answered ${res.status}: ${await res.text()}`);
  await res.text();
}
await warm(`${mai.url}/v1/chat/completions`, token, "the mAI proxy");
let maiRequests = 1;
for (const s of stacks) {
  await warm(s.run.chatUrl, s.run.token, s.label);
  s.run.requests = 1;
}

const load = fork(here("./load.ts"), [], { execArgv: TSX, stdio: ["ignore", "inherit", "inherit", "ipc"] });
children.push(load);
const runJob = async (job: LoadJob) => (await ask<{ result: LoadResult }>(load, { type: "job", job }, "result")).result;

// --- scenarios -------------------------------------------------------------------------------------

type TargetKey = "direct" | "bare" | "mai" | "stack" | "stack-main";
interface Target {
  key: TargetKey;
  label: string;
  url: string;
  token: string;
  pid: number | undefined;
}
const targets: Target[] = [
  { key: "direct" as const, label: "direct (simulator)", url: `${sim.url}/chat/completions`, token: FIXTURE_API_KEY, pid: undefined },
  ...(bare ? [{ key: "bare" as const, label: "bare proxy", url: `${bare.url}/v1/chat/completions`, token, pid: bare.child.pid }] : []),
  { key: "mai" as const, label: "mAI proxy", url: `${mai.url}/v1/chat/completions`, token, pid: mai.child.pid },
  ...stacks.map((s) => ({ key: s.key, label: s.label, url: s.run.chatUrl, token: s.run.token, pid: s.run.child.pid })),
].filter((target) => targetsWanted.has(target.key));

interface Row {
  scenario: string;
  stream: boolean;
  concurrency: number;
  target: Target;
  result: LoadResult;
  /** CPU ms per request: load generator, simulator, proxy (bare or mAI; npm start: its whole process), API (this process: API + PGlite; npm start: its main thread), PostgreSQL server. */
  cpuPerReq: { load: number; sim: number; proxy: number; api: number; pg: number };
  /** The API requests this scenario caused (mAI proxy only), warm-up included. */
  apiCalls: Map<string, ApiCallStats>;
}
const rows: Row[] = [];
/** Per scenario and target: its throughput / the bare proxy's, round by round. */
const roundRatios = new Map<string, number[]>();
const scenariosWanted = new Set(flags.scenarios.split(","));
const scenarios = [
  { id: "ns1", scenario: "non-streaming", stream: false, concurrency: 1 },
  { id: "ns32", scenario: "non-streaming", stream: false, concurrency: 32 },
  { id: "s1", scenario: "streaming", stream: true, concurrency: 1 },
  { id: "s32", scenario: "streaming", stream: true, concurrency: 32 },
].filter((s) => scenariosWanted.has(s.id));
const usePostgres = Boolean(process.env.DATABASE_URL);

const started = performance.now();
for (const s of scenarios) {
  // Targets take turns, ROUNDS times, and each keeps its median run (by throughput): a burst of
  // noise from elsewhere on the machine then hits one run of one target, not a whole comparison.
  const runs = new Map<TargetKey, Row[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const target of targets) {
      await quietDown([load.pid!, sim.child.pid!, ...targets.flatMap((t) => (t.pid ? [t.pid] : []))]);
      const pids = { load: load.pid!, sim: sim.child.pid!, proxy: target.pid };
      apiCalls = new Map();
      // npm start: its main thread (the API, its database, the ingest) apart from the whole process.
      const stackMain = () => (target.key.startsWith("stack") && pids.proxy ? cpuMs(pids.proxy, pids.proxy) : 0);
      const before = { load: cpuMs(pids.load), sim: cpuMs(pids.sim), proxy: pids.proxy ? cpuMs(pids.proxy) : 0, api: process.cpuUsage(), pg: usePostgres ? postgresCpuMs() : 0, stackMain: stackMain() };
      const result = await runJob({
        url: target.url,
        token: target.token,
        concurrency: s.concurrency,
        seconds: s.concurrency === 1 ? C1_SECONDS : SECONDS,
        warmupSeconds: WARMUP,
        stream: s.stream,
      });
      const api = process.cpuUsage(before.api);
      const n = Math.max(1, result.requests + (result.warmupRequests ?? 0));
      const cpuPerReq = {
        load: (cpuMs(pids.load) - before.load) / n,
        sim: (cpuMs(pids.sim) - before.sim) / n,
        proxy: pids.proxy ? (cpuMs(pids.proxy) - before.proxy) / n : 0,
        api: target.key.startsWith("stack") ? (stackMain() - before.stackMain) / n : (api.user + api.system) / 1000 / n,
        pg: usePostgres ? (postgresCpuMs() - before.pg) / n : 0,
      };
      if (target.key === "mai") maiRequests += n;
      const stackTarget = stacks.find((st) => st.key === target.key);
      if (stackTarget) stackTarget.run.requests += n;
      const row = { ...s, target, result, cpuPerReq, apiCalls };
      runs.set(target.key, [...(runs.get(target.key) ?? []), row]);
      const failed = result.failures ? `  FAILURES ${result.failures} (${result.firstFailure})` : "";
      console.log(
        `  ${s.scenario.padEnd(13)} c=${String(s.concurrency).padEnd(2)} ${target.label.padEnd(18)} round ${round + 1}/${ROUNDS} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.latency.p50.toFixed(2)} ms  p99 ${result.latency.p99.toFixed(2)} ms${failed}`,
      );
    }
  }
  for (const target of targets) {
    const sorted = [...runs.get(target.key)!].sort((a, b) => a.result.rps - b.result.rps);
    rows.push(sorted[Math.floor(sorted.length / 2)]!);
    // Throughput against the bare proxy's run of the same round (minutes apart at most, not seconds):
    // what the machine's other load did to one round it did to both, about.
    const bareRuns = runs.get("bare");
    if (bareRuns && target.key !== "bare" && target.key !== "direct") {
      roundRatios.set(`${target.key}:${s.stream}:${s.concurrency}`, runs.get(target.key)!.map((r, i) => r.result.rps / bareRuns[i]!.result.rps));
    }
  }
}
const scenarioSeconds = (performance.now() - started) / 1000;
apiCalls = new Map(); // what follows (the probe) is not any scenario's

// --- where one request's time goes, at concurrency 1 ------------------------------------------------
// Each step of handleCompletion timed alone, from inside the mAI proxy's process with its own
// dependencies (bench/proxy-child.ts `probe`), then the database statements of internal.reserve and
// internal.settle run directly on the database in this process (no HTTP, no tRPC).

const steps: StepTiming[] = [];
const PROBE = Number(flags.probe);
if (PROBE > 0 && targetsWanted.has("mai")) {
  steps.push(...(await ask<{ result: StepTiming[] }>(mai.child, { type: "probe", token, iterations: PROBE }, "probe:result")).result);
  const dbTime = async (step: string, fn: () => Promise<unknown>): Promise<StepTiming> => {
    for (let i = 0; i < 50; i++) await fn();
    const ms: number[] = [];
    for (let i = 0; i < PROBE; i++) {
      const t0 = performance.now();
      await fn();
      ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    const at = (p: number) => ms[Math.min(ms.length - 1, Math.ceil(p * ms.length) - 1)]!;
    return { step, n: PROBE, p50Ms: at(0.5), p99Ms: at(0.99), meanMs: ms.reduce((a, b) => a + b, 0) / ms.length };
  };
  const amountNano = 1_000n;
  let period = "";
  const owner = "bench-lease-owner";
  let leaseId: string | undefined;
  steps.push(
    await dbTime("DB only: getGlobalSettings + reserveSpend into a lease (internal.reserve's statements)", async () => {
      period = periodKeyOf(new Date(), (await getGlobalSettings(t.db)).billingTimeZone);
      leaseId = (await reserveSpend(t.db, { organizationId: org.id, period, amountNano, owner, leaseId, ttlMs: 60_000 })).leaseId ?? undefined;
    }),
  );
  // The probe's lease goes back like any other, so the books balance at the end of the run.
  if (leaseId) await closeLease(t.db, { owner, leaseId, consumedNano: 0n });
  steps.push(
    await dbTime("DB only: reserveSpend of a new lease + closeLease (internal.reserve + internal.settle)", async () => {
      const fresh = await reserveSpend(t.db, { organizationId: org.id, period, amountNano, owner, ttlMs: 60_000 });
      if (fresh.leaseId) await closeLease(t.db, { owner, leaseId: fresh.leaseId, consumedNano: 0n });
    }),
  );
}

// --- 1,000 concurrent slow streams ---------------------------------------------------------------------

interface MemoryReport {
  label: string;
  before: { rssMb: number; heapUsedMb: number };
  peak: { rssMb: number; heapUsedMb: number; heapTotalMb: number; externalMb: number; hwmMb: number | null };
  after: { rssMb: number; heapUsedMb: number };
  result: LoadResult;
}
const mb = (bytes: number) => bytes / 2 ** 20;

async function slowStreams(label: string, child: ChildProcess, url: string): Promise<MemoryReport> {
  const pid = child.pid!;
  const base = await stats(child, true);
  const hwmReset = resetPeakRss(pid);
  const peak = { rss: base.memory.rss, heapUsed: base.memory.heapUsed, heapTotal: base.memory.heapTotal, external: base.memory.external };
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const s = await stats(child);
      peak.rss = Math.max(peak.rss, s.memory.rss);
      peak.heapUsed = Math.max(peak.heapUsed, s.memory.heapUsed);
      peak.heapTotal = Math.max(peak.heapTotal, s.memory.heapTotal);
      peak.external = Math.max(peak.external, s.memory.external);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const result = await runJob({ url, token, concurrency: STREAMS, requests: STREAMS, stream: true, model: SLOW_MODEL, maxTokens: 64 });
  sampling = false;
  await sampler;
  const hwmKb = hwmReset ? procStatusKb(pid, "VmHWM") : NaN;
  await new Promise((r) => setTimeout(r, 1_000)); // the usage recorder flushes, reservations settle
  const after = await stats(child, true);
  return {
    label,
    before: { rssMb: mb(base.memory.rss), heapUsedMb: mb(base.memory.heapUsed) },
    peak: { rssMb: mb(peak.rss), heapUsedMb: mb(peak.heapUsed), heapTotalMb: mb(peak.heapTotal), externalMb: mb(peak.external), hwmMb: Number.isNaN(hwmKb) ? null : hwmKb / 1024 },
    after: { rssMb: mb(after.memory.rss), heapUsedMb: mb(after.memory.heapUsed) },
    result,
  };
}

const memory: MemoryReport[] = [];
const widen = (child: ChildProcess) => ask(child, { type: "widenUpstream", connections: STREAMS }, "widenUpstream:result");
if (!flags["skip-memory"]) {
  console.log(`  ${STREAMS} concurrent slow streams (model ${SLOW_MODEL}) …`);
  if (targetsWanted.has("mai")) {
    const shipped = loadProxyEnv({ MAI_INTERNAL_TOKEN: INTERNAL_TOKEN }).MAI_PROXY_UPSTREAM_CONNECTIONS;
    memory.push(await slowStreams(`mAI proxy as shipped (upstream pool: ${shipped} connections)`, mai.child, `${mai.url}/v1/chat/completions`));
    maiRequests += STREAMS;
    if (shipped < STREAMS) {
      await widen(mai.child);
      memory.push(await slowStreams(`mAI proxy, upstream pool widened to ${STREAMS} (bench-only)`, mai.child, `${mai.url}/v1/chat/completions`));
      maiRequests += STREAMS;
    }
  }
  if (bare && !flags["skip-bare-memory"]) {
    await widen(bare.child);
    memory.push(await slowStreams(`bare proxy, upstream pool ${STREAMS}`, bare.child, `${bare.url}/v1/chat/completions`));
  }
}

// Metering was on: every request through the mAI proxy left a usage event and gave its reservation back.
await new Promise((r) => setTimeout(r, 1_000));
const [events] = await queryRows<{ n: number }>(t.db, sql`select count(*)::int as n from usage_events`);
const [counter] = await queryRows<{ reserved: string; requests: number }>(
  t.db,
  sql`select coalesce(sum(reserved_nano), 0)::text as reserved, coalesce(sum(requests), 0)::int as requests from usage_period_counters`,
);

const stackMetered = await Promise.all(stacks.map((s) => s.run.meteredRequests()));

// --- report ----------------------------------------------------------------------------------------

const f = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : "–");
const us = (ms: number) => (ms * 1000).toFixed(0);
console.log("");
console.log(`| scenario | target | conc. | req/s | p50 ms | p99 ms | TTFB p50 | TTFB p99 | CPU µs/req: load / sim / proxy / API${usePostgres ? " / PostgreSQL" : "+PGlite"} | errors |`);
console.log("|---|---|---:|---:|---:|---:|---:|---:|---|---:|");
for (const r of rows) {
  const ttfb = r.stream ? [f(r.result.ttfb.p50), f(r.result.ttfb.p99)] : ["", ""];
  const c = r.cpuPerReq;
  const mai = r.target.key === "mai";
  const metered = mai || r.target.key.startsWith("stack");
  const cpu = `${us(c.load)} / ${us(c.sim)} / ${r.target.key === "direct" ? "–" : us(c.proxy)} / ${metered ? us(c.api) : "–"}${usePostgres ? ` / ${metered ? us(c.pg) : "–"}` : ""}`;
  console.log(
    `| ${r.scenario}${r.stream ? " (p50/p99 = last byte)" : ""} | ${r.target.label} | ${r.concurrency} | ${r.result.rps.toFixed(0)} | ${f(r.result.latency.p50)} | ${f(r.result.latency.p99)} | ${ttfb[0]} | ${ttfb[1]} | ${cpu} | ${r.result.failures} |`,
  );
}

const find = (key: TargetKey, stream: boolean, concurrency: number) => rows.find((r) => r.target.key === key && r.stream === stream && r.concurrency === concurrency)?.result;
const verdict = (ok: boolean) => (ok ? "met" : "**MISSED**");
const perRound = (key: TargetKey, stream: boolean) => {
  const ratios = roundRatios.get(`${key}:${stream}:32`);
  return ratios && ratios.length > 1 ? `; round by round ${ratios.map((r) => f(r)).join(", ")}` : "";
};
console.log("");
console.log("| target | scenario | measured | goal | verdict |");
console.log("|---|---|---:|---:|---|");
for (const stream of [false, true]) {
  const name = stream ? "streaming" : "non-streaming";
  const bareR = find("bare", stream, 32);
  const maiR = find("mai", stream, 32);
  if (bareR && maiR) {
    const ratio = maiR.rps / bareR.rps;
    console.log(`| throughput mAI / bare, c=32 | ${name} | ${f(ratio)} (${maiR.rps.toFixed(0)} / ${bareR.rps.toFixed(0)} req/s${perRound("mai", stream)}) | ≥ 0.60 | ${verdict(ratio >= 0.6)} |`);
  }
  for (const st of stacks) {
    const stackR = find(st.key, stream, 32);
    if (bareR && stackR) {
      const ratio = stackR.rps / bareR.rps;
      console.log(`| throughput ${st.label} / bare, c=32 | ${name} | ${f(ratio)} (${stackR.rps.toFixed(0)} / ${bareR.rps.toFixed(0)} req/s${perRound(st.key, stream)}) | ≥ 0.60 | ${verdict(ratio >= 0.6)} |`);
    }
  }
  const d = find("direct", stream, 1);
  const b = find("bare", stream, 1);
  const m = find("mai", stream, 1);
  if (d && b && m) {
    const measures: [string, (r: LoadResult) => number][] = stream
      ? [["last byte p50", (r) => r.latency.p50], ["first byte p50", (r) => r.ttfb.p50]]
      : [["p50", (r) => r.latency.p50]];
    for (const [what, pick] of measures) {
      const added = { mai: pick(m) - pick(d), bare: pick(b) - pick(d) };
      const ratio = added.mai / added.bare;
      console.log(
        `| added latency (mAI − direct) / (bare − direct), c=1, ${what} | ${name} | ${f(ratio)} (${f(added.mai, 3)} / ${f(added.bare, 3)} ms) | ≤ 2.00 | ${verdict(ratio <= 2)} |`,
      );
    }
    const p99 = { mai: m.latency.p99 - d.latency.p99, bare: b.latency.p99 - d.latency.p99 };
    console.log(`| (for information) same at p99 | ${name} | ${f(p99.mai / p99.bare)} (${f(p99.mai, 3)} / ${f(p99.bare, 3)} ms) | – | – |`);
  }
  for (const stk of stacks) {
    const st = find(stk.key, stream, 1);
    if (d && b && st) {
      const added = { stack: st.latency.p50 - d.latency.p50, bare: b.latency.p50 - d.latency.p50 };
      console.log(
        `| (for information) added latency (${stk.label} − direct) / (bare − direct), c=1, ${stream ? "last byte " : ""}p50 | ${name} | ${f(added.stack / added.bare)} (${f(added.stack, 3)} / ${f(added.bare, 3)} ms) | – | – |`,
      );
    }
  }
}

if (memory.length > 0) {
  console.log("");
  console.log(`${STREAMS} concurrent slow streams (\`${SLOW_MODEL}\`, ≈ 2 s each at the simulator), memory of the proxy process:`);
  console.log("");
  console.log("| proxy | RSS before (after GC) | heap used before | RSS peak (sampled / VmHWM) | heap used peak | heap total peak | external peak | RSS after (GC) | heap after (GC) | streams ok | most open at once | TTFB p50 / p99 ms | last byte p50 / p99 ms |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const m of memory) {
    const r = m.result;
    console.log(
      `| ${m.label} | ${f(m.before.rssMb, 1)} MB | ${f(m.before.heapUsedMb, 1)} MB | ${f(m.peak.rssMb, 1)} / ${m.peak.hwmMb === null ? "–" : f(m.peak.hwmMb, 1)} MB | ${f(m.peak.heapUsedMb, 1)} MB | ${f(m.peak.heapTotalMb, 1)} MB | ${f(m.peak.externalMb, 1)} MB | ${f(m.after.rssMb, 1)} MB | ${f(m.after.heapUsedMb, 1)} MB | ${r.requests - r.failures}/${STREAMS}${r.failures ? ` (${r.firstFailure})` : ""} | ${r.peakOpen} | ${f(r.ttfb.p50, 0)} / ${f(r.ttfb.p99, 0)} | ${f(r.latency.p50, 0)} / ${f(r.latency.p99, 0)} |`,
    );
  }
}

const maiRows = rows.filter((r) => r.target.key === "mai");
if (maiRows.length > 0) {
  console.log("");
  console.log("API calls caused by the mAI proxy, per proxied request (warm-up included), with the API's own time to answer (its request log, whole ms):");
  console.log("");
  console.log("| scenario | conc. | procedure(s) | HTTP calls / req | procedure calls / req | API ms per HTTP call |");
  console.log("|---|---:|---|---:|---:|---:|");
  for (const r of maiRows) {
    const n = Math.max(1, r.result.requests + r.result.warmupRequests);
    for (const [name, c] of [...r.apiCalls].sort((a, b) => b[1].procedures - a[1].procedures)) {
      console.log(`| ${r.scenario} | ${r.concurrency} | ${name} | ${f(c.http / n, 3)} | ${f(c.procedures / n, 3)} | ${f(c.serverMs / c.http)} |`);
    }
  }
}

if (steps.length > 0) {
  console.log("");
  console.log(`Where one mAI request's time goes (each step alone, concurrency 1, ${PROBE} iterations, nothing else running):`);
  console.log("");
  console.log("| step | p50 ms | p99 ms | mean ms |");
  console.log("|---|---:|---:|---:|");
  for (const s of steps) console.log(`| ${s.step} | ${f(s.p50Ms, 3)} | ${f(s.p99Ms, 3)} | ${f(s.meanMs, 3)} |`);
}

console.log("");
console.log(
  `Metering: ${events?.n ?? "?"} usage events recorded for ${maiRequests} requests through the mAI proxy; ` +
    `reserved after the run: ${counter?.reserved ?? "?"} nano (0 = every reservation settled).`,
);
for (const [i, s] of stacks.entries()) console.log(`Metering through ${s.label}: its API counted ${stackMetered[i]} requests for ${s.run.requests} sent through its proxy.`);
console.log(
  `CPU µs/req: CPU time of each process over the scenario's median run (warm-up included) / requests; "API" is this process ` +
    `(the API${process.env.DATABASE_URL ? " and its PostgreSQL client; PostgreSQL is the server's processes" : " and its PGlite database"}), idle for the other targets; ` +
    `for npm start, "proxy" is its whole process (every thread: the proxy's, the API's, V8's and libuv's) and "API" its main thread alone ` +
    `(the API and ${process.env.DATABASE_URL ? "its PostgreSQL client" : "PGlite"}; with the proxy on the main thread, the proxy too). ` +
    `Each figure is the median of ${ROUNDS} interleaved runs; a ratio is of those medians, "round by round" the ratios of runs made in the same round. ` +
    `Scenarios took ${scenarioSeconds.toFixed(0)} s.`,
);

// --- teardown --------------------------------------------------------------------------------------

load.disconnect();
for (const s of stacks) {
  const stopped = await s.run.stop();
  console.log(
    stopped.stopped
      ? `${s.label} stopped cleanly on SIGINT (exit code ${stopped.code}).`
      : `${s.label} did NOT stop cleanly on SIGINT (exit code ${stopped.code}); its output after the banner:\n${stopped.output}`,
  );
  await s.run.db?.close();
}
await stopChild(mai.child);
if (bare) await stopChild(bare.child);
sim.child.kill("SIGTERM");
await api.close();
await t.close();
rmSync(spoolDir, { recursive: true, force: true });
process.exit(0);
