// `mai demo` (`npm run demo`): the same stack as `mai start`, against the OpenRouter simulator,
// seeded on first run with a provider administrator, three client organisations (one close to its
// monthly limit), a dozen users and 30 days of usage — recorded through internal.recordUsage, the
// proxy's own path — and then kept alive by a small traffic generator sending chat requests
// through the proxy with the users' own tokens. Its data lives in ./.mai-demo unless MAI_DATA_DIR
// says otherwise, apart from any real data.
import { billingPeriod, encodeUsageEvents, type UsageEvent } from "@mai/domain";
import { createLocalCaller, hashPassword, type LocalCaller } from "@mai/api";
import { createUser, findFirstProviderAdmin, getAuthUser, getUserByEmail, mapUserToOrganization } from "@mai/db";
import { FIXTURE_MANAGEMENT_KEY, startSimulator, type Simulator } from "@mai/openrouter/simulator";
import type { Command } from "commander";
import { mintToken } from "../commands/tokens";
import { cliIo } from "../io";
import { DEMO_ADMIN, DEMO_ORGS, DEMO_PASSWORD, DEMO_PROMPTS, historyFor, pick, pickModel, random, type MappedUser } from "./demo-data";
import { ensureDashboard } from "./dashboard";
import { startStack, stopOnSignal, type Stack } from "./services";
import { printBanner } from "./start";

const say = (line: string) => process.stdout.write(`${line}\n`);

interface TrafficUser {
  email: string;
  token: string;
  weight: number;
}

async function providerCaller(stack: Stack): Promise<LocalCaller> {
  const row = await findFirstProviderAdmin(stack.api.deps.db);
  const user = row && (await getAuthUser(stack.api.deps.db, row.id));
  if (!user) throw new Error("the demo's provider administrator is missing");
  return createLocalCaller(stack.api.deps, user, { via: "mai-demo" });
}

/** First run: settings, organisations, users, history. Returns false when the data already exists. */
async function seed(stack: Stack): Promise<boolean> {
  const provider = await providerCaller(stack);
  if ((await provider.organizations.list()).length > 0) return false;
  const { deps } = stack.api;
  say("Seeding the demo: three organisations, twelve users, 30 days of usage…");
  await provider.globalSettings.update({ provisioningKey: FIXTURE_MANAGEMENT_KEY, billingTimeZone: "Europe/Warsaw" });
  const internal = createLocalCaller(deps, null, { internal: true, via: "mai-demo" });
  const now = new Date();
  const { start: monthStart } = billingPeriod(now, "Europe/Warsaw");
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
    const history: UsageEvent[] = historyFor(org, organization.id, mapped, now, monthStart, index + 1);
    for (let i = 0; i < history.length; i += 1_000) {
      await internal.internal.recordUsage({ ndjson: encodeUsageEvents(history.slice(i, i + 1_000)) });
    }
    recorded += history.length;
  }
  say(`Seeded ${recorded.toLocaleString("en-US")} usage events.`);
  return true;
}

/** A personal token for every demo user (made fresh at each start: tokens are stored hashed). */
async function trafficUsers(stack: Stack): Promise<TrafficUser[]> {
  const users: TrafficUser[] = [];
  for (const org of DEMO_ORGS) {
    for (const u of org.users) {
      const row = await getUserByEmail(stack.api.deps.db, u.email);
      const user = row && (await getAuthUser(stack.api.deps.db, row.id));
      if (!user?.organizationId) continue;
      // Made as `mai tokens create` makes them (a token is minted only in a dashboard session or by the operator).
      const { token } = await mintToken(stack.api.deps.db, user, { name: "demo traffic", scope: "chat", expiresAt: new Date(Date.now() + 86_400_000) });
      users.push({ email: u.email, token, weight: u.weight });
    }
  }
  return users;
}

/** One chat request every `everyMs` (± half), as a random user, through the proxy. */
export function startTraffic(proxyBaseUrl: string, users: readonly TrafficUser[], everyMs: number): { stop(): Promise<void>; sent(): number } {
  const rnd = random(Date.now() % 2 ** 31);
  let stopped = false;
  let sent = 0;
  let inFlight: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    if (stopped || users.length === 0) return;
    const user = pick(rnd, users, (u) => u.weight);
    const model = pickModel(rnd);
    const stream = rnd() < 0.6;
    inFlight = fetch(`${proxyBaseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${user.token}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: model.id,
        stream,
        max_tokens: 200 + Math.floor(rnd() * 600),
        messages: [{ role: "user", content: DEMO_PROMPTS[Math.floor(rnd() * DEMO_PROMPTS.length)] }],
      }),
    })
      .then(async (res) => {
        await res.text();
        sent++;
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
MAI_DEMO_SIMULATOR_PORT (0 = any). Every demo password is printed at start.`,
    )
    .action(async (options: { every: string; traffic: boolean }) => {
      const every = Number(options.every);
      if (!Number.isFinite(every) || every < 50) throw new Error("--every must be a number of milliseconds ≥ 50");
      const { env } = cliIo();
      if (env.MAI_ADMIN_DIST === undefined) await ensureDashboard(say);
      const sim: Simulator = await startSimulator({
        port: Number(env.MAI_DEMO_SIMULATOR_PORT ?? 0),
        keys: DEMO_ORGS.map((o) => ({ key: o.key, name: o.name })),
        generationDelayMs: 0,
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
      await seed(stack);
      const traffic = options.traffic ? startTraffic(stack.proxyBaseUrl, await trafficUsers(stack), every) : null;
      const admins = DEMO_ORGS.map((o) => `                  ${o.users[0]!.email.padEnd(22)} client administrator of ${o.name}`);
      printBanner(stack, [
        `Sign in:          ${env.MAI_ADMIN_EMAIL ?? DEMO_ADMIN.email} / ${env.MAI_ADMIN_PASSWORD ?? DEMO_ADMIN.password}   (provider)`,
        `                  every other demo user: password "${DEMO_PASSWORD}"`,
        ...admins,
        `                  e.g. ${DEMO_ORGS[1]!.users[1]!.email} (member; ${DEMO_ORGS[1]!.name} is close to its monthly limit)`,
        `Traffic:          ${traffic ? `a chat request about every ${(every / 1000).toFixed(1)} s through the proxy` : "off (--no-traffic)"}`,
      ]);
      stopOnSignal(async () => {
        await traffic?.stop();
        await stack.close();
        await sim.close();
      }, say);
    });
}
