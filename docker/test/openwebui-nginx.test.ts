// The zero-fork Open WebUI setup of issue 17, run for real: Debian's nginx with the SHIPPED
// configuration (docker/open-webui/nginx/default.conf.template, rendered with test ports the way
// the official nginx image renders it) in front of the Open WebUI stand-in
// (apps/api/test/openwebui-standin.ts) and the real mAI API on PGlite, then a chat through the
// real proxy in trusted-gateway mode, as Open WebUI's admin connection sends it.
//
// What it proves: the browser always gets Open WebUI's own answer; the mirrored copy reaches mAI
// with the method, path, body and the browser's credentials, plus the headers only nginx sets (a
// browser's forged instance or mirror-token header is replaced; a cookie-only save is checked
// against the page's Origin through the host nginx forwards); an administrator's save creates
// or claims the organisation and maps the user; a member's save is skipped; a forged or expired
// token changes nothing in mAI; a down or hanging mAI (or a wrong mirror token) does not delay
// Open WebUI's answer; the user's chat through the gateway is attributed to them and billed with
// the organisation's markup; and the per-client layout (compose.clients.yaml): an nginx naming
// instance acme, bound to acme's organisation, and acme's proxy auto-joining newcomers.
//
// Every wait polls a condition (the template's own `mai-mirror` log line for each copy, rows in
// the database); nothing sleeps a fixed time.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Writable } from "node:stream";
import { createApiServer, createDeps, createLogger, loadEnv, type ApiServer } from "@mai/api";
import { createOrganization, getLastSettingsSync, getOrganization, listAudit, schema } from "@mai/db";
import { asOpenRouterKey, count, createTestDb, eq, fakeOpenRouterKey, type TestDb } from "@mai/db/testing";
import { billedCost, externalUserId } from "@mai/domain";
import { startSimulator, type Simulator } from "@mai/openrouter/simulator";
import { createProxyServer, loadProxyEnv } from "@mai/proxy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// Helper A's stand-in (issue 17, the API side): Open WebUI's sign-in, session-user and settings endpoints.
import {
  startOpenWebUiStandIn,
  type OpenWebUiStandIn,
  type StandInUser,
} from "../../apps/api/test/openwebui-standin";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TEMPLATE = join(ROOT, "docker/open-webui/nginx/default.conf.template");
const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => existsSync(p));

const INTERNAL_TOKEN = "test-internal-token-aaaaaaaaaaaaaaaa";
const MIRROR_TOKEN = "test-mirror-token-bbbbbbbbbbbbbbbbbbbb";
const GATEWAY_TOKEN = "test-gateway-token-cccccccccccccccc";
const GATEWAY_JWT_SECRET = "test-jwt-secret-dddddddddddddddddddd";
const OPENROUTER = "https://openrouter.ai/api/v1";
const UPDATE = "/api/v1/users/user/settings/update";
const MODEL = "openai/gpt-4o-mini";
/** Long enough for a loaded 2-core machine; every wait ends as soon as its condition holds. */
const WAIT_MS = 60_000;

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = WAIT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The template as the official nginx image renders it (its entrypoint runs envsubst with only the
 * variables its environment defines): every ${NAME} the template uses must be given.
 */
function renderTemplate(vars: Record<string, string>): string {
  const text = readFileSync(TEMPLATE, "utf8");
  return text.replace(/\$\{([A-Z][A-Z0-9_]*)\}/g, (_m, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`the template uses \${${name}}, which the test does not set`);
    return value;
  });
}

interface Nginx {
  url: string;
  /** The statuses of the copies so far, from the template's own `mai-mirror` log lines (stdout). */
  mirrors(): number[];
  close(): Promise<void>;
}

/**
 * Debian's nginx in the foreground with the shipped server block, in a prefix folder of its own:
 * pid, logs and temporary files inside it. The http block around the template is the official
 * image's in spirit (its nginx.conf includes conf.d/*.conf inside http {}). The template logs each
 * copy to /dev/stdout, as for `docker logs`: here nginx's stdout is a file (Node's stdio pipes are
 * sockets, which cannot be opened through /dev/stdout).
 */
async function startNginx(vars: {
  openWebUi: string;
  maiApi: string;
  instance?: string;
  mirrorToken?: string;
}): Promise<Nginx> {
  const prefix = mkdtempSync(join(tmpdir(), "mai-nginx-"));
  chmodSync(prefix, 0o755);
  for (const dir of ["logs", "temp"]) mkdirSync(join(prefix, dir));
  const port = await freePort();
  writeFileSync(
    join(prefix, "default.conf"),
    renderTemplate({
      NGINX_LISTEN: `127.0.0.1:${port}`,
      NGINX_RESOLVER: "127.0.0.1",
      OPENWEBUI_UPSTREAM: vars.openWebUi,
      MAI_API_UPSTREAM: vars.maiApi,
      MAI_OPENWEBUI_INSTANCE: vars.instance ?? "",
      MAI_OPENWEBUI_MIRROR_TOKEN: vars.mirrorToken ?? MIRROR_TOKEN,
    }),
  );
  writeFileSync(
    join(prefix, "nginx.conf"),
    [
      "daemon off;",
      // As root (CI's container), workers would run as nobody, who cannot write the temp folder.
      ...(process.getuid?.() === 0 ? ["user root;"] : []),
      "worker_processes 1;",
      `pid ${prefix}/nginx.pid;`,
      `error_log ${prefix}/logs/error.log info;`,
      "events { worker_connections 256; }",
      "http {",
      `  client_body_temp_path ${prefix}/temp/client_body;`,
      `  proxy_temp_path ${prefix}/temp/proxy;`,
      `  fastcgi_temp_path ${prefix}/temp/fastcgi;`,
      `  uwsgi_temp_path ${prefix}/temp/uwsgi;`,
      `  scgi_temp_path ${prefix}/temp/scgi;`,
      `  access_log ${prefix}/logs/access.log;`,
      `  include ${prefix}/default.conf;`,
      "}",
      "",
    ].join("\n"),
  );
  const stdoutFile = join(prefix, "logs/stdout.log");
  const stdoutFd = openSync(stdoutFile, "a");
  const test = spawnSync(
    NGINX as string,
    ["-t", "-p", `${prefix}/`, "-c", `${prefix}/nginx.conf`, "-e", `${prefix}/logs/error.log`],
    {
      encoding: "utf8",
      stdio: ["ignore", stdoutFd, "pipe"],
    },
  );
  expect(test.status, `nginx -t:\n${test.stderr}`).toBe(0);
  const child: ChildProcess = spawn(
    NGINX as string,
    ["-p", `${prefix}/`, "-c", `${prefix}/nginx.conf`, "-e", `${prefix}/logs/error.log`],
    {
      stdio: ["ignore", stdoutFd, "pipe"],
    },
  );
  closeSync(stdoutFd);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await until(`nginx on ${url}`, async () => {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
    try {
      await fetch(`${url}/nginx-is-up`);
      return true;
    } catch {
      return undefined;
    }
  });
  return {
    url,
    mirrors: () =>
      readFileSync(stdoutFile, "utf8")
        .split("\n")
        .filter((line) => line.startsWith("mai-mirror ") && line.includes(` POST ${UPDATE} `))
        .map((line) => Number(/ status=(\d+) /.exec(line)?.[1])),
    async close() {
      if (child.exitCode === null) child.kill("SIGQUIT");
      await exited;
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

/** A TCP server that accepts and never answers: mAI hanging. */
async function hangingServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
/** X-OpenWebUI-User-Jwt as Open WebUI signs it with FORWARD_USER_INFO_HEADER_JWT_SECRET (HS256). */
function userJwt(user: StandInUser): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    sub: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    iss: "open-webui",
    iat: now,
    exp: now + 300,
  };
  const unsigned = `${b64({ alg: "HS256", typ: "JWT" })}.${b64(claims)}`;
  return `${unsigned}.${createHmac("sha256", GATEWAY_JWT_SECRET).update(unsigned).digest("base64url")}`;
}

// Skipped only outside CI on a machine without nginx; .ci/run installs it, so CI always runs it.
describe.skipIf(!NGINX && !process.env.CI)(
  "Open WebUI behind the shipped nginx mirror, with the real API and proxy",
  () => {
    let t: TestDb;
    let sim: Simulator;
    let owui: OpenWebUiStandIn;
    /** acme's own Open WebUI (compose.clients.yaml), bound to acme's organisation. */
    let owuiAcme: OpenWebUiStandIn;
    let acme: { id: string; key: string };
    let nginxAcme: Nginx;
    let api: ApiServer;
    let apiUrl: string;
    let nginx: Nginx;
    const cleanups: (() => Promise<void>)[] = [];
    const logs: string[] = [];
    let keySeq = 0xa0;

    /** A key OpenRouter (the simulator) knows, so mAI's live check of a saved key passes. */
    const liveKey = () =>
      asOpenRouterKey(
        sim.addKey({ key: fakeOpenRouterKey((keySeq++).toString(16).padStart(4, "0")), name: "client" }).key,
      );

    beforeAll(async () => {
      t = await createTestDb("pglite", { max: 12 });
      sim = await startSimulator({ port: 0, generationDelayMs: 0 });
      owui = await startOpenWebUiStandIn();
      owuiAcme = await startOpenWebUiStandIn();
      // The provider created acme's organisation with a minted key before acme's Open WebUI started.
      const acmeKey = liveKey();
      acme = {
        id: (
          await createOrganization(t.db, t.secrets, {
            name: "Acme",
            key: acmeKey,
            keySource: "provisioned",
            markupBp: 12_500,
          })
        ).id,
        key: acmeKey,
      };
      const env = loadEnv({
        NODE_ENV: "test",
        MAI_INTERNAL_TOKEN: INTERNAL_TOKEN,
        MAI_OPENROUTER_BASE_URL: sim.url,
        MAI_OPENROUTER_EXTRA_HOSTS: sim.origin,
        MAI_ADMIN_DIST: "",
        LOG_LEVEL: "info",
        // As docker/open-webui/compose.yaml configures it (instance main, named by its nginx), plus
        // compose.clients.yaml's acme (named by acme's nginx, bound to acme's organisation).
        MAI_OPENWEBUI_INSTANCES: `main=${owui.url},acme=${owuiAcme.url}#${acme.id}`,
        MAI_OPENWEBUI_MIRROR_TOKEN: MIRROR_TOKEN,
      });
      const destination = new Writable({
        write(chunk, _enc, done) {
          logs.push(String(chunk));
          done();
        },
      });
      api = createApiServer(
        createDeps({
          db: t.db,
          secrets: t.secrets,
          env,
          logger: createLogger({ level: "info", destination }),
        }),
      );
      apiUrl = (await api.listen(0, "127.0.0.1")).url;
      nginx = await startNginx({ openWebUi: owui.url, maiApi: apiUrl, instance: "main" });
      nginxAcme = await startNginx({ openWebUi: owuiAcme.url, maiApi: apiUrl, instance: "acme" });
    });

    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
      await nginx?.close();
      await nginxAcme?.close();
      await api?.close();
      await owui?.close();
      await owuiAcme?.close();
      await sim?.close();
      await t?.close();
    });

    /** Signs in through nginx as Open WebUI's page does: its token and the cookie it set. */
    async function signIn(base: string, user: StandInUser): Promise<{ token: string; cookie: string }> {
      const res = await fetch(`${base}/api/v1/auths/signin`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: user.email, password: user.password }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { token: string };
      return { token: body.token, cookie: (res.headers.get("set-cookie") ?? "").split(";")[0] as string };
    }

    /**
     * Settings → Connections → Save, as Open WebUI's page sends it through nginx: read the settings,
     * add the OpenRouter connection to `ui` (replaced whole), post it with the Bearer token and the
     * cookie. Returns nginx's answer and how many copies nginx had logged before it (saves through
     * one nginx run one at a time, so the next line is this save's copy).
     */
    async function saveConnection(
      at: Nginx,
      session: { token: string; cookie: string },
      key: string,
      extraHeaders: Record<string, string> = {},
    ) {
      const base = at.url;
      const copiesBefore = at.mirrors().length;
      // Open WebUI's page sends its token as Bearer (and the browser adds the cookie); token "" = the cookie alone.
      const headers = {
        ...(session.token ? { authorization: `Bearer ${session.token}` } : {}),
        cookie: session.cookie,
        origin: base,
      };
      const current = await fetch(`${base}/api/v1/users/user/settings`, { headers });
      const settings =
        current.status === 200 ? ((await current.json()) as { ui?: Record<string, unknown> } | null) : null;
      const ui = {
        ...(settings?.ui ?? { theme: "dark" }),
        directConnections: {
          OPENAI_API_BASE_URLS: [OPENROUTER],
          OPENAI_API_KEYS: [key],
          OPENAI_API_CONFIGS: {
            "0": { enable: true, prefix_id: "", model_ids: [], tags: [], connection_type: "external" },
          },
        },
      };
      const started = Date.now();
      const res = await fetch(`${base}${UPDATE}`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json", ...extraHeaders },
        body: JSON.stringify({ ui }),
      });
      const text = await res.text();
      return {
        status: res.status,
        body: JSON.parse(text) as Record<string, unknown>,
        ms: Date.now() - started,
        copiesBefore,
      };
    }

    /** The copy of `save` has finished: mAI's status, from nginx's log line. */
    const mirrored = (at: Nginx, save: { copiesBefore: number }) =>
      until(
        `the copy of save ${save.copiesBefore + 1} through ${at.url}`,
        () => at.mirrors()[save.copiesBefore],
      );

    const mAiUserOf = async (owuiUser: StandInUser) =>
      (
        await t.db
          .select({
            id: schema.users.id,
            role: schema.users.role,
            organizationId: schema.userClientMapping.organizationId,
          })
          .from(schema.users)
          .leftJoin(schema.userClientMapping, eq(schema.userClientMapping.userId, schema.users.id))
          .where(eq(schema.users.openWebUiUserId, owuiUser.id))
      )[0];
    const userCount = async () => (await t.db.select({ n: count() }).from(schema.users))[0]!.n;
    const orgCount = async () => (await t.db.select({ n: count() }).from(schema.clientOrganizations))[0]!.n;
    const auditCount = async () => (await listAudit(t.db, { limit: 500 })).items.length;

    /** A proxy in trusted-gateway mode, as Open WebUI's admin connection reaches it (compose: `proxy`, `proxy-acme`). */
    async function gatewayProxy(overrides: Record<string, string> = {}): Promise<string> {
      const spool = mkdtempSync(join(tmpdir(), "mai-spool-"));
      const proxy = await createProxyServer(
        loadProxyEnv({
          MAI_API_URL: apiUrl,
          MAI_INTERNAL_TOKEN: INTERNAL_TOKEN,
          MAI_OPENROUTER_BASE_URL: sim.url,
          MAI_PROXY_SPOOL_DIR: spool,
          MAI_PROXY_GATEWAY_TOKEN: GATEWAY_TOKEN,
          MAI_PROXY_GATEWAY_JWT_SECRET: GATEWAY_JWT_SECRET,
          LOG_LEVEL: "warn",
          ...overrides,
        }),
        {
          logger: createLogger({
            level: "warn",
            destination: new Writable({ write: (_c, _e, done) => done() }),
          }),
        },
      );
      cleanups.push(async () => {
        await proxy.close();
        rmSync(spool, { recursive: true, force: true });
      });
      return (await proxy.listen(0, "127.0.0.1")).url;
    }

    /**
     * A chat as Open WebUI's server sends it on its admin connection with
     * ENABLE_FORWARD_USER_INFO_HEADERS=true and FORWARD_USER_INFO_HEADER_JWT_SECRET: the
     * connection's key (the gateway token) and the signed user.
     */
    const chat = (proxyUrl: string, user: StandInUser, stream = false) =>
      fetch(`${proxyUrl}/v1/chat/completions`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${GATEWAY_TOKEN}`,
          "content-type": "application/json",
          "x-openwebui-user-jwt": userJwt(user),
        },
        body: JSON.stringify({ model: MODEL, stream, messages: [{ role: "user", content: "Dzień dobry" }] }),
      });

    /** The usage event recorded for the one charge OpenRouter (the simulator) has for this external user id. */
    async function usageOf(external: string) {
      const [charge, ...more] = sim.ledger({ user: external });
      expect(charge).toBeDefined();
      expect(more).toEqual([]);
      const [event] = await until("the usage event", async () => {
        const rows = await t.db
          .select()
          .from(schema.usageEvents)
          .where(eq(schema.usageEvents.generationId, charge!.generationId));
        return rows.length > 0 ? rows : undefined;
      });
      return event!;
    }

    let admin: StandInUser;
    let adminOrgId: string;

    it("a client administrator's save through nginx: Open WebUI answers and keeps the settings; mAI creates the organisation and maps the user", async () => {
      admin = owui.addUser({ role: "admin", name: "Łucja Admin" });
      const session = await signIn(nginx.url, admin);
      const key = liveKey();
      // A browser cannot name an instance or claim the mirror token: nginx replaces both headers.
      const saved = await saveConnection(nginx, session, key, {
        "x-mai-openwebui-instance": "someone-else",
        "x-mai-openwebui-mirror-token": "forged-by-the-browser-xxxxxxxxxxxx",
      });
      expect(saved.status).toBe(200);
      // Open WebUI's answer (its stored settings), not mAI's (which has openrouterSync).
      expect(saved.body).toEqual(admin.settings);
      expect(saved.body).not.toHaveProperty("openrouterSync");
      expect(
        (admin.settings as { ui: { theme: string; directConnections: { OPENAI_API_KEYS: string[] } } }).ui,
      ).toMatchObject({
        theme: "dark",
        directConnections: { OPENAI_API_KEYS: [key] },
      });

      expect(await mirrored(nginx, saved)).toBe(200);
      const user = await mAiUserOf(admin);
      expect(user).toMatchObject({ role: "org_admin" });
      expect(user?.organizationId).toBeTruthy();
      adminOrgId = user!.organizationId!;
      const org = await getOrganization(t.db, adminOrgId);
      expect(org?.active).toBe(true);
      // mAI's own copy of the settings holds the connection (its key sealed, shown masked elsewhere).
      const [stored] = await t.db
        .select()
        .from(schema.userSettings)
        .where(eq(schema.userSettings.userId, user!.id));
      expect(JSON.stringify(stored?.settings)).toContain("openrouter.ai");
      // Saving the same again changes nothing in mAI (unchanged) and still answers Open WebUI's way.
      const again = await saveConnection(nginx, session, key);
      expect(again.status).toBe(200);
      expect(await mirrored(nginx, again)).toBe(200);
      expect((await mAiUserOf(admin))?.organizationId).toBe(adminOrgId);
      // Open WebUI's answer says nothing of mAI's: the outcome waits for the dashboard (Connections).
      expect((await getLastSettingsSync(t.db, user!.id)).sync).toMatchObject({
        status: "unchanged",
        channel: "openwebui",
        organizationId: adminOrgId,
      });
    });

    it("an administrator saving the key the provider provisioned for an organisation claims it", async () => {
      const key = liveKey();
      const provisioned = await createOrganization(t.db, t.secrets, {
        name: `Provisioned ${randomBytes(3).toString("hex")}`,
        key,
        keySource: "provisioned",
      });
      const claimer = owui.addUser({ role: "admin" });
      const saved = await saveConnection(nginx, await signIn(nginx.url, claimer), key);
      expect(saved.status).toBe(200);
      expect(await mirrored(nginx, saved)).toBe(200);
      expect(await mAiUserOf(claimer)).toMatchObject({ role: "org_admin", organizationId: provisioned.id });
      const claimerId = (await mAiUserOf(claimer))!.id;
      expect((await getLastSettingsSync(t.db, claimerId)).sync).toMatchObject({
        status: "claimed",
        channel: "openwebui",
        organizationId: provisioned.id,
      });
    });

    it("a member's save: Open WebUI keeps it; mAI records the member and syncs nothing", async () => {
      const member = owui.addUser({ role: "user" });
      const orgs = await orgCount();
      const saved = await saveConnection(nginx, await signIn(nginx.url, member), liveKey());
      expect(saved.status).toBe(200);
      expect(saved.body).toEqual(member.settings);
      expect(await mirrored(nginx, saved)).toBe(200);
      const user = await mAiUserOf(member);
      expect(user).toMatchObject({ role: "member", organizationId: null });
      expect(await orgCount()).toBe(orgs);
      expect((await getLastSettingsSync(t.db, user!.id)).sync).toMatchObject({ status: "skipped", channel: "openwebui" });
    });

    it("a save carrying only Open WebUI's cookie: acted on from Open WebUI's own page (nginx names its host), refused from another site", async () => {
      const member = owui.addUser({ role: "user" });
      const { cookie } = await signIn(nginx.url, member);
      const foreign = await saveConnection(nginx, { token: "", cookie }, liveKey(), {
        origin: "https://evil.example",
      });
      expect(foreign.status).toBe(200); // Open WebUI's own answer (its cookie is SameSite=Lax in a real browser)
      expect(await mirrored(nginx, foreign)).toBe(403);
      expect(await mAiUserOf(member)).toBeUndefined();
      const own = await saveConnection(nginx, { token: "", cookie }, liveKey());
      expect(own.status).toBe(200);
      expect(await mirrored(nginx, own)).toBe(200);
      expect(await mAiUserOf(member)).toMatchObject({ role: "member", organizationId: null });
    });

    it("a forged or expired Open WebUI token: the browser gets Open WebUI's refusal, and nothing happens in mAI", async () => {
      const victim = owui.addUser({ role: "admin" });
      const before = { users: await userCount(), orgs: await orgCount(), audit: await auditCount() };
      for (const token of [
        await owui.tokenFor(victim.id, { secret: "not-open-webuis-secret-eeeeeeeeeeee" }),
        await owui.tokenFor(victim.id, { expiresInSeconds: -60 }),
      ]) {
        const saved = await saveConnection(nginx, { token, cookie: "" }, liveKey());
        expect(saved.status).toBe(401); // Open WebUI's own answer
        expect(saved.body).toHaveProperty("detail");
        const status = await mirrored(nginx, saved);
        expect(status).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
      }
      expect(victim.settings).toBeNull();
      expect(await mAiUserOf(victim)).toBeUndefined();
      // The copy's location is internal: a browser cannot reach the API through it.
      const direct = await fetch(`${nginx.url}/_mai/settings-mirror`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect(direct.status).toBe(404);
      // The refusal's answer went to nginx, which dropped it: the API's log line is where it shows.
      expect(logs.join("")).toContain("open webui session not acted on");
      expect({ users: await userCount(), orgs: await orgCount(), audit: await auditCount() }).toEqual(before);
    });

    it("mAI down, hanging or given the wrong mirror token: Open WebUI's save still succeeds, without waiting for mAI", async () => {
      const down = await startNginx({
        openWebUi: owui.url,
        maiApi: `http://127.0.0.1:${await freePort()}`,
        instance: "main",
      });
      cleanups.push(() => down.close());
      const hanging = await hangingServer();
      cleanups.push(() => hanging.close());
      const slow = await startNginx({ openWebUi: owui.url, maiApi: hanging.url, instance: "main" });
      cleanups.push(() => slow.close());

      const user = owui.addUser({ role: "admin" });
      const key = liveKey();
      const whenDown = await saveConnection(down, await signIn(down.url, user), key);
      expect(whenDown.status).toBe(200);
      expect(whenDown.body).toEqual(user.settings);
      expect(await mirrored(down, whenDown)).toBe(502);

      const whenHanging = await saveConnection(slow, await signIn(slow.url, user), key);
      expect(whenHanging.status).toBe(200);
      expect(whenHanging.body).toEqual(user.settings);
      // The mirror waits up to proxy_read_timeout (10 s) for mAI; Open WebUI's answer did not.
      expect(whenHanging.ms).toBeLessThan(8_000);
      expect(slow.mirrors()).toEqual([]); // the copy is still waiting for mAI
      expect(await mAiUserOf(user)).toBeUndefined();

      // A mirror token that is not the API's: refused (403, in nginx's log line), nothing done.
      const wrong = await startNginx({
        openWebUi: owui.url,
        maiApi: apiUrl,
        instance: "main",
        mirrorToken: "not-the-apis-mirror-token-ffffffffff",
      });
      cleanups.push(() => wrong.close());
      const whenWrong = await saveConnection(wrong, await signIn(wrong.url, user), key);
      expect(whenWrong.status).toBe(200);
      expect(await mirrored(wrong, whenWrong)).toBe(403);
      expect(await mAiUserOf(user)).toBeUndefined();
    });

    it("the administrator's chat through the proxy in trusted-gateway mode is attributed to them and billed with the organisation's markup", async () => {
      expect(adminOrgId).toBeDefined();
      // The provider's markup for this client (not the default), set as the dashboard would.
      await t.db
        .update(schema.clientOrganizations)
        .set({ markupBp: 14_250 })
        .where(eq(schema.clientOrganizations.id, adminOrgId));
      const proxyUrl = await gatewayProxy();
      const res = await chat(proxyUrl, admin, true);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("data: [DONE]");

      const user = (await mAiUserOf(admin))!;
      const external = externalUserId(adminOrgId, user.id);
      const event = await usageOf(external);
      expect(event).toMatchObject({
        organizationId: adminOrgId,
        userId: user.id,
        externalUserId: external,
        markupBp: 14_250,
        streamed: true,
      });
      expect(event.rawCostNano).toBeGreaterThan(0n);
      expect(event.billedCostNano).toBe(billedCost(event.rawCostNano, 14_250));
      // A forged identity (a JWT signed with another secret) is refused and bills nobody.
      const forged = await fetch(`${proxyUrl}/v1/chat/completions`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${GATEWAY_TOKEN}`,
          "content-type": "application/json",
          "x-openwebui-user-jwt": userJwt(admin).replace(
            /\.[^.]+$/,
            `.${randomBytes(32).toString("base64url")}`,
          ),
        },
        body: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "x" }] }),
      });
      expect(forged.status).toBe(401);
      expect(sim.ledger({ user: external })).toHaveLength(1);
    });

    it("one Open WebUI per client: acme's administrator claims acme's key through acme's nginx; a colleague's save joins acme; a newcomer's chat through acme's proxy auto-joins and is billed to acme", async () => {
      const acmeAdmin = owuiAcme.addUser({ role: "admin" });
      const claimed = await saveConnection(nginxAcme, await signIn(nginxAcme.url, acmeAdmin), acme.key);
      expect(claimed.status).toBe(200);
      expect(claimed.body).toEqual(acmeAdmin.settings);
      expect(await mirrored(nginxAcme, claimed)).toBe(200);
      expect(await mAiUserOf(acmeAdmin)).toMatchObject({ role: "org_admin", organizationId: acme.id });

      // A colleague's own save: first seen through acme's instance, so a member of acme; no sync.
      const colleague = owuiAcme.addUser({ role: "user" });
      const saved = await saveConnection(nginxAcme, await signIn(nginxAcme.url, colleague), liveKey());
      expect(saved.status).toBe(200);
      expect(await mirrored(nginxAcme, saved)).toBe(200);
      expect(await mAiUserOf(colleague)).toMatchObject({ role: "member", organizationId: acme.id });

      // Someone who never saved anything chats through acme's proxy (auto-join), as acme's Open WebUI sends it.
      const proxyUrl = await gatewayProxy({ MAI_PROXY_AUTO_JOIN_ORGANIZATION_ID: acme.id });
      const newcomer = owuiAcme.addUser({ role: "user", name: "Zdzisław Nowy" });
      const res = await chat(proxyUrl, newcomer);
      expect(res.status).toBe(200);
      const user = await until("the newcomer in mAI", () => mAiUserOf(newcomer));
      expect(user).toMatchObject({ role: "member", organizationId: acme.id });
      const event = await usageOf(externalUserId(acme.id, user.id));
      expect(event).toMatchObject({ organizationId: acme.id, userId: user.id, markupBp: 12_500 });
      expect(event.billedCostNano).toBe(billedCost(event.rawCostNano, 12_500));
    });

    it("logged nothing secret", () => {
      const text = logs.join("");
      for (const secret of [MIRROR_TOKEN, GATEWAY_TOKEN, GATEWAY_JWT_SECRET, owui.secret])
        expect(text).not.toContain(secret);
    });
  },
);
