// The whole system for one test file: a fresh database (PGlite, or PostgreSQL with DATABASE_URL),
// the real API over HTTP, the OpenRouter simulator, and the proxy under test in front of it.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createApiServer, createDeps, loadEnv, type ApiServer } from "@mai/api";
import { eq } from "drizzle-orm";
import { createApiToken, createOrganization, createUser, getOrganization, schema, type Driver } from "@mai/db";
import { asOpenRouterKey, createTestDb, type TestDb } from "@mai/db/testing";
import { externalUserId } from "@mai/domain";
import { startSimulator, type Simulator } from "@mai/openrouter/simulator";
import { pino } from "pino";
import { createProxyServer, loadProxyEnv, type ProxyServer } from "../src/index";

export const INTERNAL_TOKEN = "proxy-test-internal-token-0123456789";

export interface System {
  t: TestDb;
  sim: Simulator;
  api: ApiServer;
  apiUrl: string;
  proxy: ProxyServer;
  proxyUrl: string;
  logs: string[];
  /** An organisation whose key the simulator knows, with `members` users and a token each. */
  org(options?: { members?: number; monthlyLimitNano?: bigint; markupBp?: number; active?: boolean }): Promise<TestOrg>;
  /** Take the API down (connections dropped) and bring it back on the same port. */
  stopApi(): Promise<void>;
  startApi(): Promise<void>;
  /** Restart the proxy (same spool directory), e.g. after killing it. */
  restartProxy(overrides?: Record<string, string>): Promise<void>;
  /** Another proxy replica in front of the same API and simulator (own spool); closed with the system. */
  replica(overrides?: Record<string, string>): Promise<{ proxy: ProxyServer; url: string }>;
  close(): Promise<void>;
}

export interface TestOrg {
  id: string;
  key: string;
  keyHash: string;
  markupBp: number;
  users: { id: string; externalUserId: string; token: string }[];
}

function capture(lines: string[]) {
  return new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
}

export async function startSystem(
  driver: Driver,
  proxyOverrides: Record<string, string> = {},
  /** The API's environment beyond the defaults (e.g. a short MAI_LEASE_TTL_MS). */
  apiOverrides: Record<string, string> = {},
): Promise<System> {
  const t = await createTestDb(driver, { max: 16 });
  const sim = await startSimulator({ port: 0, generationDelayMs: 30, keepAliveIntervalMs: 50 });
  const logs: string[] = [];
  const apiEnv = loadEnv({
    NODE_ENV: "test",
    MAI_INTERNAL_TOKEN: INTERNAL_TOKEN,
    MAI_OPENROUTER_BASE_URL: sim.url,
    MAI_OPENROUTER_EXTRA_HOSTS: sim.origin,
    LOG_LEVEL: "info",
    ...apiOverrides,
  });
  const apiDeps = createDeps({ db: t.db, secrets: t.secrets, env: apiEnv, logger: pino({ level: "info" }, capture(logs)) });
  let api = createApiServer(apiDeps);
  const { url: apiUrl, port: apiPort } = await api.listen(0, "127.0.0.1");
  const spoolDir = mkdtempSync(join(tmpdir(), "mai-spool-"));

  const replicas: ProxyServer[] = [];
  const makeProxy = async (overrides: Record<string, string>) => {
    const proxy = await createProxyServer(
      loadProxyEnv({
        MAI_API_URL: apiUrl,
        MAI_INTERNAL_TOKEN: INTERNAL_TOKEN,
        MAI_OPENROUTER_BASE_URL: sim.url,
        MAI_PROXY_SPOOL_DIR: spoolDir,
        MAI_PROXY_CORS_ORIGINS: "https://chat.example.com",
        LOG_LEVEL: "debug",
        ...proxyOverrides,
        ...overrides,
      }),
      { logger: pino({ level: "debug", base: { service: "mai-proxy" } }, capture(logs)) },
    );
    const { url } = await proxy.listen(0, "127.0.0.1");
    return { proxy, url };
  };
  let current = await makeProxy({});

  let seq = 0;
  const system: System = {
    t,
    sim,
    get api() {
      return api;
    },
    apiUrl,
    async stopApi() {
      api.server.closeAllConnections();
      await api.close();
    },
    async startApi() {
      api = createApiServer(apiDeps);
      await api.listen(apiPort, "127.0.0.1");
    },
    get proxy() {
      return current.proxy;
    },
    get proxyUrl() {
      return current.url;
    },
    logs,
    async org(options = {}) {
      const simKey = sim.addKey({ name: `org ${++seq}` });
      const org = await createOrganization(t.db, t.secrets, {
        name: `Proxy Org ${seq} ${randomBytes(3).toString("hex")}`,
        key: asOpenRouterKey(simKey.key),
        ...(options.monthlyLimitNano !== undefined ? { monthlyLimitNano: options.monthlyLimitNano } : {}),
        ...(options.markupBp !== undefined ? { markupBp: options.markupBp } : {}),
      });
      if (options.active === false) {
        await t.db.update(schema.clientOrganizations).set({ active: false }).where(eq(schema.clientOrganizations.id, org.id));
      }
      const users = [];
      for (let i = 0; i < (options.members ?? 1); i++) {
        const user = await createUser(t.db, { email: `u${seq}-${i}-${randomBytes(3).toString("hex")}@proxy.example`, role: "member" });
        const external = externalUserId(org.id, user.id);
        await t.db.insert(schema.userClientMapping).values({ userId: user.id, organizationId: org.id, externalUserId: external });
        const token = `mai_${randomBytes(24).toString("hex")}`;
        await createApiToken(t.db, { userId: user.id, name: "test", prefix: token.slice(0, 12), tokenHash: createHash("sha256").update(token).digest("hex") });
        users.push({ id: user.id, externalUserId: external, token });
      }
      const markupBp = (await getOrganization(t.db, org.id))!.markupBp;
      return { id: org.id, key: simKey.key, keyHash: simKey.hash, markupBp, users };
    },
    async restartProxy(overrides = {}) {
      await current.proxy.close();
      current = await makeProxy(overrides);
    },
    async replica(overrides = {}) {
      const replica = await makeProxy({ MAI_PROXY_SPOOL_DIR: join(spoolDir, `replica-${replicas.length + 1}`), ...overrides });
      replicas.push(replica.proxy);
      return replica;
    },
    async close() {
      for (const replica of replicas) await replica.close();
      await current.proxy.close();
      await api.close();
      await sim.close();
      await t.close();
      rmSync(spoolDir, { recursive: true, force: true });
    },
  };
  return system;
}
