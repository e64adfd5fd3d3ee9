// The scale benchmark (not a timed test): `npm run bench:scale -w @mai/api` prints figures to paste
// into the README. Targets (issue "scale"): ingest ≥ 20,000 events/s sustained through
// internal.recordUsage, replays of recorded batches at least as fast, every dashboard query
// p95 < 100 ms at 10 M events.
//
// For each database — PostgreSQL (a new database on DATABASE_URL's server, dropped at the end unless
// --keep) with --events (default 10 M), then PGlite (a temporary data directory, the embedded
// configuration) with --pglite-events (default 1 M):
//   1. the real API starts in this process as production does (startApiService: migrations, the
//      first provider administrator, the HTTP server; background jobs that call OpenRouter off);
//   2. organisations, users and mappings are seeded through @mai/db's query functions: one large
//      organisation (200 users, 10 models) with ~90 % of the events, 20 small ones (5 users,
//      3 models each) so the provider's all-organisations views are realistic, a few unmapped users;
//   3. a forked sender (bench/scale-sender.ts) plays the proxy: batches of --batch events in the
//      usage-event line format to internal.recordUsage over HTTP with the internal token,
//      --concurrency in flight, in time order across the last 90 days (so every day, month and
//      rollup is written); events/s printed every ~5 s and overall; then a sample of batches
//      already sent is sent again (--replay batches) and its rate printed (nothing may be inserted);
//   4. every dashboard query runs 20 times (--runs; one unmeasured call first) over real HTTP
//      with the dashboard's credential (a session cookie) — as the large organisation's
//      administrator, and as the provider for the all-organisations views — and one table prints
//      median, p95 and max per query against the 100 ms budget.
//
// Flags: --events 10000000  --pglite-events 1000000  --batch 5000  --concurrency 2  --runs 20
//        --replay <batches> (default: a tenth of the batches, at most 100)  --deep-page 200
//        --skip-pglite  --only-pglite  --keep (leave the databases behind and say where)
// PostgreSQL needs DATABASE_URL (a server where this role may create databases); without it only
// PGlite runs.
import { fork, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, freemem, loadavg, release, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createTRPCClient, httpLink, type TRPCClient } from "@trpc/client";
import superjson from "superjson";
import {
  createOrganization,
  createSession,
  createUser,
  analyzeUsage,
  findFirstProviderAdmin,
  getGlobalSettings,
  mapUserToOrganization,
  vacuumUpdatedUsageTables,
  type Database,
} from "@mai/db";
import { createDb, fakeOpenRouterKey, queryRows, sql } from "@mai/db/testing";
import { addDays, billingPeriod, localDate, type Role } from "@mai/domain";
import { createLogger, loadEnv, startApiService, type ApiService, type AppRouter } from "../src/index";
import { SESSION_COOKIE } from "../src/context";
import { MODELS, type SenderCommand, type SenderJob, type SenderOrg, type SenderReport } from "./scale-sender";

const { values: flags } = parseArgs({
  options: {
    events: { type: "string", default: "10000000" },
    "pglite-events": { type: "string", default: "1000000" },
    batch: { type: "string", default: "5000" },
    concurrency: { type: "string", default: "2" },
    runs: { type: "string", default: "20" },
    replay: { type: "string" },
    "deep-page": { type: "string", default: "200" },
    "skip-pglite": { type: "boolean", default: false },
    "only-pglite": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});
const positive = (name: string, text: string | undefined): number => {
  const n = Number(text?.replace(/_/g, ""));
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer (got ${text})`);
  return n;
};
const EVENTS = positive("events", flags.events);
const PGLITE_EVENTS = positive("pglite-events", flags["pglite-events"]);
const BATCH = positive("batch", flags.batch);
const CONCURRENCY = positive("concurrency", flags.concurrency);
const RUNS = positive("runs", flags.runs);
const DEEP_PAGE = positive("deep-page", flags["deep-page"]);
const BUDGET_MS = 100;
const DAYS = 90;
const PAGE = 50;
if (BATCH > 5_000) throw new Error("--batch: internal.recordUsage takes at most 5,000 events (MAX_USAGE_BATCH)");

const TSX = ["--import", "tsx"];
const DATABASE_URL = process.env.DATABASE_URL;
const INTERNAL_TOKEN = `bench-internal-${randomBytes(16).toString("hex")}`;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const pad = (text: string, width: number, right = false) => (right ? text.padStart(width) : text.padEnd(width));
/** Nearest-rank percentile of sorted samples. */
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

// --- the database ---------------------------------------------------------------------------------

interface BenchDatabase {
  label: string;
  env: Record<string, string>;
  /** Where it is, for --keep. */
  where: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * A new, empty database on DATABASE_URL's server; the API migrates it at start as in production.
 * Not @mai/db/testing's createTestDb: that one copies a migrated template and always drops on
 * close, and its `mai_test_` databases are swept by any test run once an hour old — a --keep'd
 * 10 M-event database should outlive both.
 */
async function createPostgresDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `mai_bench_${Date.now()}_${randomBytes(3).toString("hex")}`;
  const admin = createDb({ url: adminUrl, max: 1 });
  try {
    await admin.db.execute(sql.raw(`create database "${name}"`));
  } finally {
    await admin.close();
  }
  const url = withDatabase(adminUrl, name);
  return {
    label: "PostgreSQL",
    env: { DATABASE_URL: url, MAI_ENCRYPTION_KEY: randomBytes(32).toString("base64") },
    where: `database ${name} on ${new URL(adminUrl).host}`,
    async drop() {
      const cleanup = createDb({ url: adminUrl, max: 1 });
      try {
        await cleanup.db.execute(sql.raw(`drop database if exists "${name}" with (force)`));
      } finally {
        await cleanup.close();
      }
    },
  };
}

/** A temporary data directory: the embedded configuration (`npm start` without DATABASE_URL). */
function createPgliteDatabase(): BenchDatabase {
  const dir = mkdtempSync(join(tmpdir(), "mai-bench-scale-"));
  return {
    label: "PGlite",
    env: { MAI_DATA_DIR: dir },
    where: `data directory ${dir}`,
    async drop() {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

// --- seeding --------------------------------------------------------------------------------------

interface Seeded {
  large: SenderOrg & { name: string };
  orgs: SenderOrg[];
  providerAdminId: string;
  largeAdminId: string;
  users: number;
}

async function seed(db: Database, service: ApiService): Promise<Seeded> {
  const secrets = service.deps.secrets;
  const tag = randomBytes(3).toString("hex");
  let keySeq = 0x100;
  const nextKey = () => fakeOpenRouterKey((keySeq++).toString(16).padStart(4, "0"));
  let users = 0;
  const member = async (organizationId: string, role: Role, label: string) => {
    const user = await createUser(db, { email: `${label}-${++users}-${tag}@bench.example`, name: `${label} ${users}`, role });
    const { externalUserId } = await mapUserToOrganization(db, { userId: user.id, organizationId });
    return { id: user.id, externalUserId };
  };
  // The large organisation: 200 users (its administrator first), every model, a limit it never reaches.
  const largeOrg = await createOrganization(db, secrets, { name: `Bench Large ${tag}`, key: nextKey(), monthlyLimitNano: 10n ** 15n });
  const largeUsers = [await member(largeOrg.id, "org_admin", "large-admin")];
  for (let i = 1; i < 200; i++) largeUsers.push(await member(largeOrg.id, "member", "large"));
  const large = {
    id: largeOrg.id,
    name: largeOrg.name,
    markupBp: largeOrg.markupBp,
    users: largeUsers,
    models: MODELS.map((_, i) => i),
    share: 0.9,
  };
  const orgs: SenderOrg[] = [large];
  for (let o = 0; o < 20; o++) {
    const markupBp = 12_000 + (o % 4) * 1_000;
    const org = await createOrganization(db, secrets, { name: `Bench Small ${o + 1} ${tag}`, key: nextKey(), markupBp, monthlyLimitNano: 10n ** 15n });
    const orgUsers = [await member(org.id, "org_admin", `small${o + 1}-admin`)];
    for (let i = 1; i < 5; i++) orgUsers.push(await member(org.id, "member", `small${o + 1}`));
    orgs.push({ id: org.id, markupBp: org.markupBp, users: orgUsers, models: [o % 10, (o + 3) % 10, (o + 7) % 10], share: 0.1 / 20 });
  }
  // Users of no organisation (signed up, never saved a key): the mapping statistics count them.
  for (let i = 0; i < 10; i++) await createUser(db, { email: `unmapped-${i}-${tag}@bench.example`, name: `unmapped ${i}` });
  const provider = await findFirstProviderAdmin(db);
  if (!provider) throw new Error("startApiService made no provider administrator");
  return { large, orgs, providerAdminId: provider.id, largeAdminId: largeUsers[0]!.id, users: users + 10 };
}

/** A typed tRPC client over HTTP with a fresh dashboard session of `userId` (as the dashboard holds one). */
async function dashboardClient(db: Database, apiUrl: string, userId: string): Promise<TRPCClient<AppRouter>> {
  const token = randomBytes(32).toString("base64url");
  await createSession(db, { userId, tokenHash: sha256(token), expiresAt: new Date(Date.now() + 86_400_000) });
  const cookie = `${SESSION_COOKIE}=${token}`;
  return createTRPCClient<AppRouter>({ links: [httpLink({ url: `${apiUrl}/trpc`, transformer: superjson, headers: () => ({ cookie }) })] });
}

// --- ingest ---------------------------------------------------------------------------------------

interface IngestFigures {
  events: number;
  ms: number;
  replayEvents: number;
  replayMs: number;
  replayInserted: number;
}

function ask(child: ChildProcess, command: SenderCommand, until: SenderReport["type"], onReport: (r: SenderReport) => void = () => {}): Promise<SenderReport> {
  return new Promise((resolve, reject) => {
    const onMessage = (report: SenderReport) => {
      onReport(report);
      if (report.type === "failed") {
        cleanup();
        reject(new Error(`sender: ${report.message}`));
      } else if (report.type === until) {
        cleanup();
        resolve(report);
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`sender exited with ${code}`));
    };
    const cleanup = () => {
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
    child.send(command);
  });
}

async function ingest(job: SenderJob, replayBatches: number): Promise<IngestFigures> {
  const child = fork(fileURLToPath(new URL("./scale-sender.ts", import.meta.url)), [], { execArgv: TSX, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  try {
    const started = performance.now();
    let last = { t: started, events: 0 };
    let latest = 0;
    const intervals: number[] = [];
    const ticker = setInterval(() => {
      const now = performance.now();
      const rate = ((latest - last.events) * 1000) / (now - last.t);
      if (latest > 0) intervals.push(rate);
      const overall = (latest * 1000) / (now - started);
      const eta = overall > 0 ? `~${((job.events - latest) / overall).toFixed(0)} s left` : "";
      console.log(
        `  ${pad(((now - started) / 1000).toFixed(0) + " s", 7, true)}  ${pad(fmt(latest), 12, true)} events  ` +
          `${pad(fmt(rate), 8, true)} events/s (last interval)  ${pad(fmt(overall), 8, true)} events/s overall  ${eta}`,
      );
      last = { t: now, events: latest };
    }, 5_000);
    let done: Extract<SenderReport, { type: "done" }>;
    try {
      done = (await ask(child, { type: "start", job }, "done", (r) => {
        if (r.type === "progress") latest = r.events;
      })) as typeof done;
    } finally {
      clearInterval(ticker);
    }
    const rate = (done.events * 1000) / done.ms;
    // Sustained: the 5-s intervals after the first (which holds the sender's start), when there are a few.
    const steady = intervals.slice(1).sort((a, b) => a - b);
    const sustained = steady.length >= 3 ? `; median 5-s interval ${fmt(percentile(steady, 50))} events/s, slowest ${fmt(steady[0]!)}` : "";
    console.log(
      `  ingest: ${fmt(done.events)} events in ${fmt(done.batches)} batches in ${(done.ms / 1000).toFixed(1)} s = ${fmt(rate)} events/s${sustained} ` +
        `(inserted ${fmt(done.inserted)}, duplicates ${fmt(done.duplicates)}; ${done.leases} lease(s) released into)`,
    );
    console.log(
      `  internal.recordUsage call, sent to answered: median ${fmt(done.callMs.median)} ms, p95 ${fmt(done.callMs.p95)} ms, max ${fmt(done.callMs.max)} ms`,
    );
    const replayed = (await ask(child, { type: "replay", batches: replayBatches }, "replayed")) as Extract<SenderReport, { type: "replayed" }>;
    console.log(
      `  replay: ${fmt(replayed.events)} events (${replayed.batches} batches already recorded) in ${(replayed.ms / 1000).toFixed(1)} s = ` +
        `${fmt((replayed.events * 1000) / replayed.ms)} events/s (inserted ${fmt(replayed.inserted)}, duplicates ${fmt(replayed.duplicates)}; ` +
        `a call: median ${fmt(replayed.callMs.median)} ms, p95 ${fmt(replayed.callMs.p95)} ms)`,
    );
    child.send({ type: "stop" } satisfies SenderCommand);
    return { events: done.events, ms: done.ms, replayEvents: replayed.events, replayMs: replayed.ms, replayInserted: replayed.inserted };
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

// --- queries --------------------------------------------------------------------------------------

interface QueryFigures {
  name: string;
  median: number;
  p95: number;
  max: number;
  note: string;
}


async function timeQuery(name: string, call: () => Promise<unknown>, describe: (result: unknown) => string = () => ""): Promise<QueryFigures> {
  const first = await call(); // not measured: connections and prepared plans warm
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await call();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { name, median: percentile(samples, 50), p95: percentile(samples, 95), max: samples[samples.length - 1]!, note: describe(first) };
}

const rows = (r: unknown) => {
  const value = r as { items?: unknown[]; rows?: unknown[]; perExternalId?: unknown[] } | unknown[];
  const list = Array.isArray(value) ? value : (value.items ?? value.rows ?? value.perExternalId);
  return list ? `${list.length} rows` : "";
};

async function runQueries(db: Database, apiUrl: string, seeded: Seeded): Promise<QueryFigures[]> {
  const admin = await dashboardClient(db, apiUrl, seeded.largeAdminId);
  const provider = await dashboardClient(db, apiUrl, seeded.providerAdminId);
  const { billingTimeZone } = await getGlobalSettings(db);
  const now = new Date();
  const today = localDate(now, billingTimeZone);
  const period = billingPeriod(now, billingTimeZone);
  const previousMonth = billingPeriod(new Date(period.start.getTime() - 1), billingTimeZone).key;
  const u = admin.usage;
  // A typical user (not the heaviest) and a mid-popularity model of the large organisation.
  const someUser = seeded.large.users[Math.floor(seeded.large.users.length / 3)]!.id;
  const someModel = MODELS[3]!.id;

  // The deep cursor: DEEP_PAGE pages of 50 from the newest, walked as the dashboard pages (pages
  // of 200 would reach the same position in fewer calls, but on a plan of their own: slower on
  // PostgreSQL once usage_events was partitioned), then the next page is timed.
  const walkStart = performance.now();
  let cursor: string | undefined;
  let depth = 0;
  while (depth < DEEP_PAGE * PAGE) {
    const result = await u.events.query({ limit: PAGE, ...(cursor ? { cursor } : {}) });
    depth += result.items.length;
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  console.log(`  (walked ${fmt(depth)} events deep to reach the cursor of page ${DEEP_PAGE + 1} in ${((performance.now() - walkStart) / 1000).toFixed(1)} s)`);

  const results: QueryFigures[] = [];
  const q = async (name: string, call: () => Promise<unknown>, describe: (result: unknown) => string = rows) => {
    const figures = await timeQuery(name, call, describe);
    results.push(figures);
    console.log(`  ${pad(name, 46)} median ${pad(figures.median.toFixed(1), 7, true)} ms  p95 ${pad(figures.p95.toFixed(1), 7, true)} ms  ${figures.note}`);
  };
  const largeName = "org";
  await q(`usage.summary (${largeName})`, () => u.summary.query(), (r) => `${fmt((r as { monthToDate: { requests: number } }).monthToDate.requests)} requests this month`);
  await q(`usage.daily 30 days (${largeName})`, () => u.daily.query({ days: 30 }));
  await q(`usage.daily 90 days (${largeName})`, () => u.daily.query({ days: 90 }));
  await q(`usage.daily 30 days, one user (${largeName})`, () => u.daily.query({ days: 30, userId: someUser }));
  await q(`usage.byUser month to date (${largeName})`, () => u.byUser.query());
  await q(`usage.byUser 90 days (${largeName})`, () => u.byUser.query({ from: addDays(today, -(DAYS - 1)), to: today }));
  await q(`usage.byModel month to date (${largeName})`, () => u.byModel.query());
  await q(`usage.byModel 90 days (${largeName})`, () => u.byModel.query({ from: addDays(today, -(DAYS - 1)), to: today }));
  await q(`usage.events first page (${largeName})`, () => u.events.query({ limit: PAGE }));
  await q(`usage.events page ${DEEP_PAGE + 1} by cursor (${largeName})`, () => u.events.query({ limit: PAGE, ...(cursor ? { cursor } : {}) }));
  await q(`usage.events user filter (${largeName})`, () => u.events.query({ limit: PAGE, userId: someUser }));
  await q(`usage.events model filter (${largeName})`, () => u.events.query({ limit: PAGE, model: someModel }));
  await q(`usage.events status error (${largeName})`, () => u.events.query({ limit: PAGE, status: "error" }));
  await q(`usage.events status incomplete, rare (${largeName})`, () => u.events.query({ limit: PAGE, status: "incomplete" }));
  await q(`usage.events 7 days a month ago (${largeName})`, () => u.events.query({ limit: PAGE, from: addDays(today, -37), to: addDays(today, -31) }));
  await q(`usage.events user+model+7 days (${largeName})`, () =>
    u.events.query({ limit: PAGE, userId: someUser, model: someModel, from: addDays(today, -37), to: addDays(today, -31) }),
  );
  await q(`usage.exportCsv ${previousMonth} (${largeName})`, () => u.exportCsv.query({ month: previousMonth }), (r) => `${fmt((r as { rows: number }).rows)} CSV rows`);
  await q(`userMapping.statistics (${largeName})`, () => admin.userMapping.statistics.query());
  await q(`userMapping.statistics (provider, all orgs)`, () => provider.userMapping.statistics.query());
  await q(`organizations.list (${largeName})`, () => admin.organizations.list.query());
  await q(`organizations.list (provider, all orgs)`, () => provider.organizations.list.query());
  return results;
}

// --- output ---------------------------------------------------------------------------------------

function queryTable(title: string, results: QueryFigures[]): string {
  const width = Math.max(...results.map((r) => r.name.length), 5);
  const header = `${pad("query", width)} | ${pad("median ms", 9, true)} | ${pad("p95 ms", 7, true)} | ${pad("max ms", 7, true)} | p95 < ${BUDGET_MS} ms`;
  const line = "-".repeat(header.length);
  const body = results.map(
    (r) =>
      `${pad(r.name, width)} | ${pad(r.median.toFixed(1), 9, true)} | ${pad(r.p95.toFixed(1), 7, true)} | ${pad(r.max.toFixed(1), 7, true)} | ${r.p95 < BUDGET_MS ? "PASS" : "FAIL"}`,
  );
  return [title, line, header, line, ...body, line].join("\n");
}

async function databaseVersion(db: Database): Promise<string> {
  const [row] = await queryRows<{ version: string }>(db, sql`select version() as version`);
  return (row?.version ?? "unknown").replace(/ on .*$/, "").replace(/,.*$/, "");
}

async function counts(db: Database): Promise<{ events: number; rollupRequests: number; rollupRows: number }> {
  const [e] = await queryRows<{ n: string }>(db, sql`select count(*)::text as n from usage_events`);
  const [d] = await queryRows<{ n: string; r: string }>(db, sql`select coalesce(sum(requests), 0)::text as n, count(*)::text as r from usage_daily`);
  return { events: Number(e?.n), rollupRequests: Number(d?.n), rollupRows: Number(d?.r) };
}

// --- one database ---------------------------------------------------------------------------------

async function run(database: BenchDatabase, events: number): Promise<string> {
  console.log(`\n=== ${database.label}: ${fmt(events)} events (${database.where}) ===`);
  const env = loadEnv({
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    MAI_API_PORT: "0",
    MAI_ADMIN_EMAIL: "bench-provider@bench.example",
    MAI_ADMIN_PASSWORD: `Bench-${randomBytes(12).toString("hex")}`,
    MAI_INTERNAL_TOKEN: INTERNAL_TOKEN,
    // Nothing here talks to OpenRouter: the jobs that would are off, and the upstream is a closed port.
    MAI_OPENROUTER_BASE_URL: "http://127.0.0.1:9/api/v1",
    MAI_RECONCILE_INTERVAL_MS: "0",
    MAI_KEY_RECONCILE_INTERVAL_MS: "0",
    MAI_KEY_RETIREMENT_INTERVAL_MS: "0",
    MAI_ADMIN_DIST: "",
    ...database.env,
  });
  const logger = createLogger({ level: "warn" });
  const t0 = performance.now();
  const service = await startApiService(env, logger, { port: 0, host: "127.0.0.1", print: () => undefined });
  const db = service.deps.db;
  try {
    const version = await databaseVersion(db);
    console.log(`  ${version}; API at ${service.url}, migrated and started in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const s0 = performance.now();
    const seeded = await seed(db, service);
    console.log(`  seeded ${seeded.orgs.length} organisations and ${seeded.users} users in ${((performance.now() - s0) / 1000).toFixed(1)} s`);

    const { billingTimeZone } = await getGlobalSettings(db);
    const now = Date.now();
    const period = billingPeriod(new Date(now), billingTimeZone);
    const batches = Math.ceil(events / BATCH);
    const replayBatches = flags.replay ? positive("replay", flags.replay) : Math.max(1, Math.min(100, Math.ceil(batches / 10)));
    const job: SenderJob = {
      apiUrl: service.url,
      internalToken: INTERNAL_TOKEN,
      orgs: seeded.orgs,
      events,
      batch: BATCH,
      concurrency: CONCURRENCY,
      seed: randomBytes(4).readUInt32LE(0),
      runId: randomBytes(4).toString("hex"),
      fromMs: now - DAYS * 86_400_000,
      toMs: now - 60_000,
      period: { key: period.key, fromMs: period.start.getTime() },
    };
    console.log(`  ingest: ${fmt(batches)} batches of ${fmt(BATCH)}, ${CONCURRENCY} in flight, events over the last ${DAYS} days (billing time zone ${billingTimeZone})`);
    // A server with autovacuum off (this project's CI configuration) would let the dead versions
    // the ingest leaves in the rollups pile up, which no production server does: there the
    // benchmark does autovacuum's part, every minute (its naptime). PGlite has no autovacuum at
    // all; the API vacuums those tables itself every minute (scheduleRollupVacuum), here too.
    const [autovacuum] = database.label === "PostgreSQL" ? await queryRows<{ autovacuum: string }>(db, sql`show autovacuum`) : [];
    const standIn =
      autovacuum?.autovacuum === "off"
        ? setInterval(() => {
            vacuumUpdatedUsageTables(db).catch((error: unknown) => console.error("  vacuum failed:", error));
          }, 60_000)
        : null;
    if (standIn) console.log("  autovacuum is off on this server: the benchmark vacuums the rollups every minute, as autovacuum would");
    const figures = await ingest(job, replayBatches).finally(() => {
      if (standIn) clearInterval(standIn);
    });
    const stored = await counts(db);
    console.log(
      `  stored: ${fmt(stored.events)} events, ${fmt(stored.rollupRows)} daily rollup rows summing to ${fmt(stored.rollupRequests)} requests` +
        (stored.events === events && stored.rollupRequests === events && figures.replayInserted === 0 ? " (as sent, replay added nothing)" : " — MISMATCH"),
    );

    // What autovacuum (each partition and rollup) and the API's daily pass (analyzeUsage: the
    // partitioned ledger as a whole) would have done by the time anyone reads a bulk load.
    const vacuumStarted = performance.now();
    await db.execute(sql`vacuum analyze usage_events, usage_event_ids, usage_daily, usage_daily_users, usage_daily_models, usage_monthly, usage_period_counters, reconciliation_queue`);
    await analyzeUsage(db);
    console.log(`  vacuum analyze (as autovacuum and the API's daily analyzeUsage would): ${((performance.now() - vacuumStarted) / 1000).toFixed(1)} s`);

    console.log(`  queries: ${RUNS} runs each after one unmeasured call, over HTTP with a dashboard session`);
    const results = await runQueries(db, service.url, seeded);
    const ingestRate = (figures.events * 1000) / figures.ms;
    const replayRate = (figures.replayEvents * 1000) / figures.replayMs;
    const title =
      `${database.label} (${version}), ${fmt(events)} events (large organisation: ~90 %, 200 users × 10 models; 20 small ones)\n` +
      `ingest ${fmt(ingestRate)} events/s (batches of ${fmt(BATCH)}, ${CONCURRENCY} in flight); replay of ${fmt(figures.replayEvents)} recorded events ${fmt(replayRate)} events/s`;
    return queryTable(title, results);
  } finally {
    await service.close();
    if (flags.keep) console.log(`  kept: ${database.where}`);
    else await database.drop();
  }
}

// --- main -----------------------------------------------------------------------------------------

const cpu = cpus();
console.log(`scale benchmark, ${new Date().toISOString()}`);
console.log(
  `machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory (${(freemem() / 2 ** 30).toFixed(1)} free), ` +
    `${process.platform} ${release()}, node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} at the start`,
);
const tables: string[] = [];
if (!flags["only-pglite"]) {
  if (DATABASE_URL) tables.push(await run(await createPostgresDatabase(DATABASE_URL), EVENTS));
  else console.log("\nDATABASE_URL is not set: PostgreSQL skipped.");
}
if (!flags["skip-pglite"]) tables.push(await run(createPgliteDatabase(), PGLITE_EVENTS));
console.log(`\n${tables.join("\n\n")}`);
// Keep-alive sockets of the HTTP clients would hold the process open for a few seconds more.
process.exit(0);
