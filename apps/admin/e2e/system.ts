// The whole product for the browser tests: the dashboard built with Vite (into a temporary folder),
// the real API serving it on PGlite (or PostgreSQL with DATABASE_URL), the OpenRouter simulator as
// upstream, the real proxy in front of it, and Debian's Chromium driven by playwright-core.
//
// Seeded directly in the database only with what has no screen of its own: the provider
// administrator (first-start bootstrap), a client administrator who has no organisation yet (in the
// original system such accounts come from the chat client's sign-up), and a second organisation
// with its administrator (the tenant who must not see the first).
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createApiServer, createDeps, createLogger, ensureProviderAdmin, hashPassword, loadEnv, type ApiServer } from "@mai/api";
import { createOrganization, createUser, schema, type Driver } from "@mai/db";
import { createTestDb, fakeOpenRouterKey, type TestDb } from "@mai/db/testing";
import { externalUserId } from "@mai/domain";
import { startSimulator, type Simulator } from "@mai/openrouter/simulator";
import { createProxyServer, loadProxyEnv, type ProxyServer } from "@mai/proxy";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { build } from "vite";

export const CHROMIUM = process.env.MAI_CHROMIUM_PATH ?? "/usr/bin/chromium";
const ADMIN_ROOT = fileURLToPath(new URL("..", import.meta.url));
export const ARTIFACTS = join(ADMIN_ROOT, "test-results", "e2e");

export interface Account {
  email: string;
  password: string;
}

export interface E2ESystem {
  t: TestDb;
  sim: Simulator;
  apiUrl: string;
  /** The API server itself (csrf.test.ts watches what reaches it). */
  api: ApiServer;
  proxyUrl: string;
  browser: Browser;
  provider: Account;
  clientAdmin: Account;
  otherAdmin: Account & { organizationName: string; organizationId: string };
  /** A fresh browser context (own cookies) with a page on the dashboard. */
  newPage(): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

const INTERNAL_TOKEN = `e2e-internal-${randomBytes(16).toString("hex")}`;

/** A free loopback port: the proxy's, known before the API starts (the API shows it to users). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function buildDashboard(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), "mai-admin-e2e-"));
  await build({ root: ADMIN_ROOT, logLevel: "warn", build: { outDir, emptyOutDir: true } });
  return outDir;
}

export interface E2EOptions {
  /** More Chromium switches (csrf.test.ts: `--host-resolver-rules` for names of its own). */
  chromiumArgs?: string[];
}

export async function startE2ESystem(driver: Driver, options: E2EOptions = {}): Promise<E2ESystem> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set MAI_CHROMIUM_PATH).`);
  mkdirSync(ARTIFACTS, { recursive: true });
  const dist = await buildDashboard();
  const t = await createTestDb(driver, { max: 12 });
  const sim = await startSimulator({ port: 0, generationDelayMs: 0 });
  const proxyPort = await freePort();
  const provider = { email: "provider@mai-e2e.test", password: "provider password e2e" };
  const env = loadEnv({
    NODE_ENV: "test",
    MAI_INTERNAL_TOKEN: INTERNAL_TOKEN,
    MAI_OPENROUTER_BASE_URL: sim.url,
    MAI_OPENROUTER_EXTRA_HOSTS: sim.origin,
    MAI_ADMIN_EMAIL: provider.email,
    MAI_ADMIN_PASSWORD: provider.password,
    MAI_ADMIN_DIST: dist,
    MAI_PROXY_PUBLIC_URL: `http://127.0.0.1:${proxyPort}/v1`,
    LOG_LEVEL: "silent",
  });
  const logger = createLogger({ level: "silent" });
  await ensureProviderAdmin(t.db, env, logger, () => undefined);

  const clientAdmin = { email: "ola@kowalski.test", password: "client admin password e2e" };
  await createUser(t.db, { email: clientAdmin.email, name: "Ola Kowalska", role: "org_admin", passwordHash: await hashPassword(clientAdmin.password) });

  const otherOrgName = "Nowak Logistics";
  const otherOrg = await createOrganization(t.db, t.secrets, { name: otherOrgName, key: fakeOpenRouterKey("e7") });
  const otherAdmin = { email: "piotr@nowak.test", password: "other admin password e2e" };
  const otherUser = await createUser(t.db, { email: otherAdmin.email, name: "Piotr Nowak", role: "org_admin", passwordHash: await hashPassword(otherAdmin.password) });
  await t.db.insert(schema.userClientMapping).values({ userId: otherUser.id, organizationId: otherOrg.id, externalUserId: externalUserId(otherOrg.id, otherUser.id) });

  const api: ApiServer = createApiServer(createDeps({ db: t.db, secrets: t.secrets, env, logger }));
  const { url: apiUrl } = await api.listen(0, "127.0.0.1");
  const spoolDir = mkdtempSync(join(tmpdir(), "mai-e2e-spool-"));
  const proxy: ProxyServer = await createProxyServer(
    loadProxyEnv({
      MAI_API_URL: apiUrl,
      MAI_INTERNAL_TOKEN: INTERNAL_TOKEN,
      MAI_OPENROUTER_BASE_URL: sim.url,
      MAI_PROXY_SPOOL_DIR: spoolDir,
      MAI_PROXY_USAGE_FLUSH_MS: "50",
      LOG_LEVEL: "silent",
    }),
    { logger: createLogger({ level: "silent" }) },
  );
  const { url: proxyUrl } = await proxy.listen(proxyPort, "127.0.0.1");

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", ...(options.chromiumArgs ?? [])],
  });

  return {
    t,
    sim,
    apiUrl,
    api,
    proxyUrl,
    browser,
    provider,
    clientAdmin,
    otherAdmin: { ...otherAdmin, organizationName: otherOrgName, organizationId: otherOrg.id },
    async newPage() {
      const context = await browser.newContext({ baseURL: apiUrl, viewport: { width: 1366, height: 900 }, acceptDownloads: true });
      const page = await context.newPage();
      return { context, page };
    },
    async close() {
      await browser.close();
      await proxy.close();
      await api.close();
      await sim.close();
      await t.close();
      rmSync(dist, { recursive: true, force: true });
      rmSync(spoolDir, { recursive: true, force: true });
    },
  };
}

