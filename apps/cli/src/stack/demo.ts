// `mai demo` (`npm run demo`): the same stack as `mai start`, against the OpenRouter simulator,
// seeded on first run with a provider administrator, three client organisations (one a few cents
// short of its monthly limit), a dozen users and 30 days of usage — recorded through
// internal.recordUsage, the proxy's own path — and then kept alive by a small traffic generator
// sending chat requests through the proxy with the users' own tokens. Its data lives in ./.mai-demo
// unless MAI_DATA_DIR says otherwise, apart from any real data.
//
// A restart must find everything as it was left, but the simulator keeps nothing across restarts:
// so it listens on a fixed port (MAI_DEMO_SIMULATOR_PORT, default 8789: a connection saved with
// its URL still counts as OpenRouter), and at every start it is told every organisation key the
// database holds (keys minted through it in an earlier run keep working), each key's usage this
// UTC day and month (or the key-level reconciliation sees an earlier run's traffic as recorded but
// never charged) and every generation the reconciliation job still wants to check (the seeded
// history it never served, and what an earlier run charged) — otherwise the job asks /generation
// for them, gets 404 and warns about each, run after run.
import { encodeUsageEvents, maskKey, utcPeriodsOf, type UsageEvent } from "@mai/domain";
import { createLocalCaller, hashPassword, type LocalCaller } from "@mai/api";
import {
  createUser,
  findFirstProviderAdmin,
  getAuthUser,
  getOrganizationKey,
  getUserByEmail,
  listKeyReconciliationTargets,
  listReconciliationCandidates,
  mapUserToOrganization,
  recordedRawCost,
} from "@mai/db";
import { FIXTURE_MANAGEMENT_KEY, startSimulator, type Simulator } from "@mai/openrouter/simulator";
import type { Command } from "commander";
import { mintToken } from "../commands/tokens";
import type { Environment } from "../env";
import { cliIo } from "../io";
import { CliError } from "../lock";
import { DEMO_ADMIN, DEMO_ORGS, DEMO_PASSWORD, DEMO_TIME_ZONE, historyFor, liveRequest, pick, random, type MappedUser } from "./demo-data";
import { ensureDashboard } from "./dashboard";
import { startStack, stopOnSignal, type Stack } from "./services";
import { printBanner } from "./start";

const stdoutSay = (line: string) => process.stdout.write(`${line}\n`);

/** Beside the API (8787) and the proxy (8788). */
export const DEFAULT_DEMO_SIMULATOR_PORT = 8789;

/** MAI_DEMO_SIMULATOR_PORT, or the fixed default; 0 asks for any free port (a restart then breaks saved connections). */
export function demoSimulatorPort(env: Environment): number {
  const raw = env.MAI_DEMO_SIMULATOR_PORT;
  if (raw === undefined || raw.trim() === "") return DEFAULT_DEMO_SIMULATOR_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new CliError(`MAI_DEMO_SIMULATOR_PORT must be a port number (0–65535), not "${raw}".`);
  return port;
}

interface TrafficUser {
  email: string;
  organization: string;
  token: string;
  weight: number;
}

/** One person the demo made, with how they get in. */
export interface DemoAccount {
  email: string;
  role: "provider_admin" | "org_admin" | "member";
  organization: string | null;
  password: string;
  /** A chat token (`Bearer mai_…` for the proxy) made at this start; null for the provider. */
  token: string | null;
}

/** Everything the demo made that lets someone in, for the banner. OpenRouter keys are masked. */
export interface DemoCredentials {
  accounts: DemoAccount[];
  /** The organisations' OpenRouter keys and the provisioning key: the simulator's fake ones, masked. */
  keys: { owner: string; masked: string }[];
}

async function providerCaller(stack: Stack): Promise<LocalCaller> {
  const row = await findFirstProviderAdmin(stack.api.deps.db);
  const user = row && (await getAuthUser(stack.api.deps.db, row.id));
  if (!user) throw new Error("the demo's provider administrator is missing");
  return createLocalCaller(stack.api.deps, user, { via: "mai-demo" });
}

/** First run: settings, organisations, users, history. Returns false when the data already exists. */
export async function seedDemo(stack: Stack, now: Date, say: (line: string) => void = stdoutSay): Promise<boolean> {
  const provider = await providerCaller(stack);
  if ((await provider.organizations.list()).length > 0) return false;
  const { deps } = stack.api;
  say("Seeding the demo: three organisations, twelve users, 30 days of usage…");
  await provider.globalSettings.update({ provisioningKey: FIXTURE_MANAGEMENT_KEY, billingTimeZone: DEMO_TIME_ZONE });
  const internal = createLocalCaller(deps, null, { internal: true, via: "mai-demo" });
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  let recorded = 0;
  for (const [index, org] of DEMO_ORGS.entries()) {
    const { organization } = await provider.organizations.create({
      name: org.name,
      billingEmail: org.billingEmail,
      monthlyLimitUsd: org.monthlyLimitUsd,
      markup: org.markup,
      provisionKey: false,
      key: org.key,
    });
    const mapped: MappedUser[] = [];
    for (const u of org.users) {
      // Seeded directly: the dashboard's members.add only invites (the invitee accepts it themselves).
      const user = await createUser(deps.db, { email: u.email, name: u.name, role: u.role, passwordHash });
      const { externalUserId } = await mapUserToOrganization(deps.db, { userId: user.id, organizationId: organization.id });
      mapped.push({ userId: user.id, externalUserId, weight: u.weight });
    }
    const history: UsageEvent[] = historyFor(org, organization.id, mapped, now, DEMO_TIME_ZONE, index + 1);
    for (let i = 0; i < history.length; i += 2_000) {
      await internal.internal.recordUsage({ ndjson: encodeUsageEvents(history.slice(i, i + 2_000)) });
    }
    recorded += history.length;
  }
  say(`Seeded ${recorded.toLocaleString("en-US")} usage events.`);
  return true;
}

/**
 * Tells a freshly started simulator what it would have known had it kept running: every
 * organisation key in the database, each key's usage this UTC day and month, and every generation
 * still waiting for a check against /generation with the cost recorded for it (what the simulator
 * charged, for the demo's traffic; the seeded history's own figures, which it never served).
 */
export async function reattachSimulator(stack: Stack, sim: Simulator): Promise<{ keys: number; generations: number }> {
  const { db, secrets } = stack.api.deps;
  const provider = await providerCaller(stack);
  const keys = new Map<string, string>();
  let added = 0;
  for (const org of await provider.organizations.list()) {
    const key = await getOrganizationKey(db, secrets, org.id).catch(() => null);
    if (!key) continue;
    keys.set(org.id, key);
    if (!sim.getKey(key)) {
      sim.addKey({ key, name: org.name });
      added++;
    }
  }
  // OpenRouter's own per-key counters (what the key-level reconciliation compares with): what was
  // recorded on each key this UTC day and month since it was set — nothing, on a first start (the
  // seeded history predates the keys). Left at zero, an earlier run's traffic would show as
  // "recorded, but not charged by OpenRouter" on every organisation.
  const now = new Date();
  const periods = utcPeriodsOf(now);
  for (const target of await listKeyReconciliationTargets(db)) {
    const key = keys.get(target.id);
    if (!key) continue;
    const setAt = target.keySetAt ?? target.createdAt;
    const since = (start: Date) => (setAt > start ? setAt : start);
    sim.rememberUsage(key, {
      dailyNano: (await recordedRawCost(db, target.id, since(periods.day.start), now)).rawNano,
      monthlyNano: (await recordedRawCost(db, target.id, since(periods.month.start), now)).rawNano,
    });
  }
  // Every queued generation, also those waiting out a backoff after a failed check.
  const far = new Date("9999-01-01T00:00:00Z");
  let generations = 0;
  for (const candidate of await listReconciliationCandidates(db, { olderThan: far, now: far, limit: 5_000 })) {
    const key = keys.get(candidate.organizationId);
    if (!key || sim.generation(candidate.generationId)) continue;
    sim.rememberGeneration({ id: candidate.generationId, key, costNano: candidate.rawCostNano, createdAt: candidate.occurredAt });
    generations++;
  }
  return { keys: added, generations };
}

/** A chat token for every demo user (made fresh at each start: tokens are stored hashed, so an old one cannot be shown). */
async function trafficUsers(stack: Stack, now: Date): Promise<TrafficUser[]> {
  const users: TrafficUser[] = [];
  for (const org of DEMO_ORGS) {
    for (const u of org.users) {
      const row = await getUserByEmail(stack.api.deps.db, u.email);
      const user = row && (await getAuthUser(stack.api.deps.db, row.id));
      if (!user?.organizationId) continue;
      // Made as `mai tokens create` makes them (a token is minted only in a dashboard session or by the operator).
      const { token } = await mintToken(stack.api.deps.db, user, { name: "demo traffic", scope: "chat", expiresAt: new Date(now.getTime() + 86_400_000) });
      users.push({ email: u.email, organization: org.name, token, weight: u.weight });
    }
  }
  return users;
}

/**
 * One live request as `user`, through the proxy: the simulator is told how long to answer (it would
 * answer every request with one short sentence), then the request goes out. The demo's simulator
 * serves only the demo, so its global setting is the demo's to change. Resolves with the status.
 */
export async function sendLiveRequest(proxyBaseUrl: string, sim: Simulator, token: string, rnd: () => number): Promise<{ status: number; body: string }> {
  const request = liveRequest(rnd);
  sim.setFaults({ completionTokens: request.completionTokens });
  const res = await fetch(`${proxyBaseUrl}/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({
      model: request.model,
      stream: rnd() < 0.6,
      max_tokens: request.maxTokens,
      messages: [{ role: "user", content: request.content }],
    }),
  });
  return { status: res.status, body: await res.text() };
}

/**
 * One chat request every `everyMs` (± half), as a random user, through the proxy. The first 402 of
 * an organisation (its monthly limit spent) is said once, so the terminal shows the limit at work.
 */
export function startTraffic(
  proxyBaseUrl: string,
  sim: Simulator,
  users: readonly TrafficUser[],
  everyMs: number,
  say: (line: string) => void = stdoutSay,
): { stop(): Promise<void>; sent(): number } {
  const rnd = random(Date.now() % 2 ** 31);
  let stopped = false;
  let sent = 0;
  const refused = new Set<string>();
  let inFlight: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    if (stopped || users.length === 0) return;
    const user = pick(rnd, users, (u) => u.weight);
    inFlight = sendLiveRequest(proxyBaseUrl, sim, user.token, rnd)
      .then(({ status }) => {
        sent++;
        if (status === 402 && !refused.has(user.organization)) {
          refused.add(user.organization);
          say(`Traffic: ${user.organization} has spent its monthly limit — the proxy now answers its users 402 (monthly_limit_exceeded).`);
        }
      })
      .catch(() => undefined);
    timer = setTimeout(tick, everyMs / 2 + rnd() * everyMs);
  };
  timer = setTimeout(tick, 500);
  return {
    sent: () => sent,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}

/** The accounts (with the chat tokens made at this start) and the masked keys. */
export async function demoCredentials(stack: Stack, users: readonly TrafficUser[], adminPassword: string): Promise<DemoCredentials> {
  const admin = await findFirstProviderAdmin(stack.api.deps.db);
  const accounts: DemoAccount[] = [];
  if (admin) accounts.push({ email: admin.email, role: "provider_admin", organization: null, password: adminPassword, token: null });
  for (const org of DEMO_ORGS) {
    for (const u of org.users) {
      const token = users.find((t) => t.email === u.email)?.token ?? null;
      accounts.push({ email: u.email, role: u.role, organization: org.name, password: DEMO_PASSWORD, token });
    }
  }
  const keys = [{ owner: "provisioning key (provider)", masked: maskKey(FIXTURE_MANAGEMENT_KEY) }];
  for (const org of DEMO_ORGS) keys.push({ owner: org.name, masked: maskKey(org.key) });
  return { accounts, keys };
}

const ROLE_NAMES: Record<DemoAccount["role"], string> = { provider_admin: "provider", org_admin: "client admin", member: "member" };

/** The credentials as an aligned table, for the banner. */
export function formatCredentials(credentials: DemoCredentials): string[] {
  const header = ["e-mail", "role", "organisation", "password", "chat token for the proxy (made at this start)"];
  const rows = credentials.accounts.map((a) => [a.email, ROLE_NAMES[a.role], a.organization ?? "—", a.password, a.token ?? "—"]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  const ownerWidth = Math.max(...credentials.keys.map((k) => k.owner.length));
  return [
    "Credentials (every one the demo made; the passwords are the ones it set):",
    `  ${line(header)}`,
    ...rows.map((r) => `  ${line(r)}`),
    "OpenRouter keys (the simulator's fake keys, masked as everywhere):",
    ...credentials.keys.map((k) => `  ${k.owner.padEnd(ownerWidth)}  ${k.masked}`),
  ];
}

export interface Demo {
  stack: Stack;
  sim: Simulator;
  credentials: DemoCredentials;
  traffic: ReturnType<typeof startTraffic> | null;
  close(): Promise<void>;
}

/** The simulator on its port, the stack against it, the seed (first run), the simulator told what it forgot, the tokens, the traffic. */
export async function startDemo(
  env: Environment,
  options: { everyMs: number; traffic: boolean; now?: () => Date; say?: (line: string) => void },
): Promise<Demo> {
  const say = options.say ?? stdoutSay;
  const now = options.now ?? (() => new Date());
  const port = demoSimulatorPort(env);
  const sim: Simulator = await startSimulator({
    port,
    keys: DEMO_ORGS.map((o) => ({ key: o.key, name: o.name })),
    generationDelayMs: 0,
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE") throw new CliError(`Port ${port} is taken: set MAI_DEMO_SIMULATOR_PORT to a free port (0: any, but a restart then breaks saved connections).`);
    throw error;
  });
  let stack: Stack;
  try {
    stack = await startStack({
      MAI_DATA_DIR: "./.mai-demo",
      MAI_ADMIN_EMAIL: DEMO_ADMIN.email,
      MAI_ADMIN_PASSWORD: DEMO_ADMIN.password,
      ...env,
      MAI_OPENROUTER_BASE_URL: sim.url,
      MAI_OPENROUTER_EXTRA_HOSTS: sim.origin,
    });
  } catch (error) {
    await sim.close();
    throw error;
  }
  try {
    await seedDemo(stack, now(), say);
    await reattachSimulator(stack, sim);
    const users = await trafficUsers(stack, now());
    const credentials = await demoCredentials(stack, users, env.MAI_ADMIN_PASSWORD ?? DEMO_ADMIN.password);
    const traffic = options.traffic ? startTraffic(stack.proxyBaseUrl, sim, users, options.everyMs, say) : null;
    return {
      stack,
      sim,
      credentials,
      traffic,
      async close() {
        await traffic?.stop();
        await stack.close();
        await sim.close();
      },
    };
  } catch (error) {
    await stack.close();
    await sim.close();
    throw error;
  }
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("Run the stack against the OpenRouter simulator, seeded with demo organisations, users and 30 days of usage, with live traffic.")
    .option("--every <ms>", "average time between two demo chat requests", "2000")
    .option("--no-traffic", "seed and serve, but send no requests")
    .addHelpText(
      "after",
      `
Data: MAI_DATA_DIR (default ./.mai-demo). Ports: MAI_API_PORT (8787), MAI_PROXY_PORT (8788),
MAI_DEMO_SIMULATOR_PORT (${DEFAULT_DEMO_SIMULATOR_PORT}; 0 = any). Every demo credential is printed at start.`,
    )
    .action(async (options: { every: string; traffic: boolean }) => {
      const every = Number(options.every);
      if (!Number.isFinite(every) || every < 50) throw new Error("--every must be a number of milliseconds ≥ 50");
      const { env } = cliIo();
      if (env.MAI_ADMIN_DIST === undefined) await ensureDashboard(stdoutSay);
      const demo = await startDemo(env, { everyMs: every, traffic: options.traffic });
      const near = DEMO_ORGS.find((o) => o.leftUsd !== undefined)!;
      const admin = demo.credentials.accounts.find((a) => a.role === "provider_admin");
      printBanner(demo.stack, [
        `Sign in:          ${admin?.email ?? DEMO_ADMIN.email} / ${admin?.password ?? DEMO_ADMIN.password}   (provider)`,
        `Simulator:        ${demo.sim.url}   (OpenRouter stand-in; MAI_DEMO_SIMULATOR_PORT)`,
        `Traffic:          ${demo.traffic ? `a chat request about every ${(every / 1000).toFixed(1)} s through the proxy` : "off (--no-traffic)"}`,
        `Near the limit:   ${near.name} has about $${near.leftUsd} of its $${near.monthlyLimitUsd} left this month:`,
        `                  ${demo.traffic ? "its users' live requests spend it within about a minute, then get 402" : "with --no-traffic it stays there"}`,
        "",
        ...formatCredentials(demo.credentials),
      ]);
      stopOnSignal(() => demo.close(), stdoutSay);
    });
}
