// Stock Open WebUI's own sessions on its settings endpoints (issue 17, the API's part): with an
// Open WebUI configured, its JWT (Bearer) or its `token` cookie is accepted — the API asks that
// Open WebUI who the session is (the stand-in, openwebui-standin.ts), acts for the matching mAI
// user, and runs the very settings procedures of a token's save. Every case checks what mAI did
// (users, mappings, organisations, audit) and what Open WebUI was asked, not only a status.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createOrganization, listAudit, schema } from "@mai/db";
import { asOpenRouterKey, count, eq, testDrivers } from "@mai/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppDeps } from "../src/deps";
import { loadEnv } from "../src/env";
import { createApiServer, type ApiServer } from "../src/server";
import { SESSION_REFUSED_MESSAGE } from "../src/services/openwebui/session-lookup";
import { closedPort, createHarness, INTERNAL_TOKEN, nextKey, type Harness } from "./harness";
import { startOpenWebUiStandIn, type OpenWebUiStandIn, type StandInUser } from "./openwebui-standin";

const OPENROUTER = "https://openrouter.ai/api/v1";
const MIRROR = "mirror-secret-0123456789abcdefghijkl";
const SETTINGS = "/api/v1/users/user/settings";
const UPDATE = "/api/v1/users/user/settings/update";

function connections(urls: string[], keys: string[]) {
  return {
    ui: {
      theme: "dark",
      directConnections: { OPENAI_API_BASE_URLS: urls, OPENAI_API_KEYS: keys, OPENAI_API_CONFIGS: {} },
    },
  };
}

interface Answer {
  status: number;
  body: {
    detail?: string;
    ui?: { theme?: string; directConnections?: { OPENAI_API_KEYS: string[] } };
    openrouterSync?: { status: string; organizationId?: string; message: string };
  };
}

describe.each(testDrivers())("Open WebUI sessions on the settings endpoints on %s", (driver) => {
  let h: Harness;
  /** The Open WebUI of MAI_OPENWEBUI_URL ("default"). */
  let owui: OpenWebUiStandIn;
  /** Instance "client-b" of MAI_OPENWEBUI_INSTANCES, bound to organisation B. */
  let owuiB: OpenWebUiStandIn;
  let orgB: { id: string };
  let main: string;
  const servers: ApiServer[] = [];
  const standIns: OpenWebUiStandIn[] = [];
  /** Every response body and every credential handed out, for the leak check at the end. */
  const seen: string[] = [];
  const secrets: string[] = [MIRROR];
  let clock: Date | null = null;

  /** An API on the harness's database with this Open WebUI configuration (its own session cache). */
  async function api(overrides: Record<string, string>): Promise<string> {
    const env = loadEnv({
      NODE_ENV: "test",
      MAI_INTERNAL_TOKEN: INTERNAL_TOKEN,
      MAI_OPENROUTER_BASE_URL: h.sim.url,
      MAI_OPENROUTER_EXTRA_HOSTS: h.sim.origin,
      LOG_LEVEL: "debug",
      MAI_ADMIN_DIST: "",
      ...overrides,
    });
    const deps: AppDeps = { ...h.deps, env, now: () => clock ?? new Date() };
    const server = createApiServer(deps);
    servers.push(server);
    return (await server.listen(0, "127.0.0.1")).url;
  }

  async function standIn(options: Parameters<typeof startOpenWebUiStandIn>[0] = {}) {
    const started = await startOpenWebUiStandIn(options);
    standIns.push(started);
    secrets.push(started.secret);
    return started;
  }

  async function call(
    base: string,
    method: "GET" | "POST",
    headers: Record<string, string>,
    body?: unknown,
  ): Promise<Answer> {
    const res = await fetch(`${base}${method === "GET" ? SETTINGS : UPDATE}`, {
      method,
      headers: method === "POST" ? { "content-type": "application/json", ...headers } : headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    seen.push(text);
    return { status: res.status, body: JSON.parse(text) as Answer["body"] };
  }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  async function signIn(at: OpenWebUiStandIn, user: StandInUser) {
    const session = await at.signIn(user);
    secrets.push(session.token);
    return session;
  }
  /** A key OpenRouter (the simulator) knows, so live verification passes. */
  const liveKey = () => {
    const key = asOpenRouterKey(h.sim.addKey({ key: nextKey(), name: "client" }).key);
    secrets.push(key);
    return key;
  };
  const mAiUserOf = async (owuiUser: StandInUser) => {
    const [row] = await h.t.db
      .select({
        id: schema.users.id,
        email: schema.users.email,
        role: schema.users.role,
        organizationId: schema.userClientMapping.organizationId,
      })
      .from(schema.users)
      .leftJoin(schema.userClientMapping, eq(schema.userClientMapping.userId, schema.users.id))
      .where(eq(schema.users.openWebUiUserId, owuiUser.id));
    return row;
  };
  const userCount = async () => (await h.t.db.select({ n: count() }).from(schema.users))[0]!.n;
  const auditFor = async (targetId: string) =>
    (await listAudit(h.t.db, { limit: 200 })).items.filter((i) => i.targetId === targetId);

  beforeAll(async () => {
    h = await createHarness(driver);
    owui = await standIn();
    owuiB = await standIn();
    const keyB = nextKey();
    secrets.push(keyB);
    orgB = await createOrganization(h.t.db, h.t.secrets, {
      name: `Client B ${Date.now()}`,
      key: keyB,
      keySource: "provisioned",
    });
    main = await api({
      MAI_OPENWEBUI_URL: owui.url,
      MAI_OPENWEBUI_INSTANCES: `client-b=${owuiB.url}#${orgB.id}`,
      MAI_OPENWEBUI_MIRROR_TOKEN: MIRROR,
    });
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await Promise.all(standIns.map((s) => s.close()));
    await h.close();
  });

  it("an Open WebUI admin's save with its Bearer JWT creates the organisation, maps the user and audits both", async () => {
    const admin = owui.addUser({ role: "admin", name: "Łukasz Admin" });
    const { token, body: signedIn } = await signIn(owui, admin);
    expect(signedIn).toMatchObject({ token_type: "Bearer", id: admin.id, role: "admin" });
    const key = liveKey();

    const saved = await call(main, "POST", bearer(token), connections([OPENROUTER], [key]));
    expect(saved.status).toBe(200);
    expect(saved.body.openrouterSync?.status).toBe("created");
    expect(saved.body.ui?.directConnections?.OPENAI_API_KEYS[0]).toBe(`${key.slice(0, 13)}…${key.slice(-4)}`);

    const user = await mAiUserOf(admin);
    expect(user).toMatchObject({
      email: admin.email,
      role: "org_admin",
      organizationId: saved.body.openrouterSync?.organizationId,
    });
    const actions = (await auditFor(user!.id)).map((e) => e.action);
    expect(actions).toContain("user.created_from_openwebui");
    const created = (await auditFor(user!.id)).find((e) => e.action === "user.created_from_openwebui");
    expect(created?.details).toMatchObject({
      openWebUiUserId: admin.id,
      instance: "default",
      openWebUiRole: "admin",
      role: "org_admin",
    });
    const sync = (await listAudit(h.t.db, { limit: 200 })).items.find(
      (e) => e.action === "org_sync.created" && e.actorUserId === user!.id,
    );
    expect(sync?.organizationId).toBe(saved.body.openrouterSync?.organizationId);
    expect(h.logs.join("")).toMatch(/"msg":"open webui settings saved"/);
    expect(h.logs.some((l) => l.includes('"sync":"created"') && l.includes(user!.id))).toBe(true);

    // Reading back with the same session: the saved settings, the key masked.
    const read = await call(main, "GET", bearer(token));
    expect(read.status).toBe(200);
    expect(read.body.ui?.theme).toBe("dark");
    expect(JSON.stringify(read.body)).not.toContain(key);
  });

  it("the provider's hand-over: an Open WebUI admin saving the provisioned key claims that organisation", async () => {
    const key = liveKey();
    const org = await createOrganization(h.t.db, h.t.secrets, {
      name: `Handover ${Date.now()}`,
      key,
      keySource: "provisioned",
    });
    const admin = owui.addUser({ role: "admin" });
    const { token } = await signIn(owui, admin);
    const saved = await call(main, "POST", bearer(token), connections([OPENROUTER], [key]));
    expect(saved.body.openrouterSync).toMatchObject({ status: "claimed", organizationId: org.id });
    expect(await mAiUserOf(admin)).toMatchObject({ role: "org_admin", organizationId: org.id });
  });

  it("only the token cookie: forwarded to Open WebUI as Bearer (0.6.x's session-user endpoint fails on a cookie); forged sites refused", async () => {
    const owui06 = await standIn({ version: "0.6" });
    const base = await api({ MAI_OPENWEBUI_URL: owui06.url, MAI_OPENWEBUI_MIRROR_TOKEN: MIRROR });
    const admin = owui06.addUser({ role: "admin" });
    const { cookie } = await signIn(owui06, admin);
    expect(cookie).toMatch(/^token=/);
    // 0.6.x's session-user endpoint fails (500) on a cookie-only call: the API must not send one.
    const direct = await fetch(`${owui06.url}/api/v1/auths/`, { headers: { cookie } });
    expect(direct.status).toBe(500);
    const asked = owui06.authCalls;

    // A page on another site (or a form) cannot use the cookie: refused before Open WebUI is asked.
    const foreign = await call(
      base,
      "POST",
      { cookie, origin: "https://evil.example" },
      connections([OPENROUTER], [liveKey()]),
    );
    expect(foreign.status).toBe(403);
    // Open WebUI's origin, claimed without the mirror token: X-Forwarded-Host is not believed.
    const unvouched = await call(
      base,
      "POST",
      { cookie, origin: "https://chat.client.example", "x-forwarded-host": "chat.client.example" },
      connections([OPENROUTER], [liveKey()]),
    );
    expect(unvouched.status).toBe(403);
    expect(owui06.authCalls).toBe(asked);
    expect(await mAiUserOf(admin)).toBeUndefined();

    // Mirrored by the reverse proxy in front of Open WebUI: its origin, vouched for by the mirror token.
    const key = liveKey();
    const mirrored = await call(
      base,
      "POST",
      {
        cookie,
        origin: "https://chat.client.example",
        "x-forwarded-host": "chat.client.example",
        "x-mai-openwebui-mirror-token": MIRROR,
      },
      connections([OPENROUTER], [key]),
    );
    expect(mirrored.status).toBe(200);
    expect(mirrored.body.openrouterSync?.status).toBe("created");
    expect(await mAiUserOf(admin)).toMatchObject({
      role: "org_admin",
      organizationId: mirrored.body.openrouterSync?.organizationId,
    });
    // The API on Open WebUI's own host (same origin as the page): accepted too, as the dashboard's own page is.
    const sameOrigin = await call(base, "POST", { cookie, origin: base }, connections([OPENROUTER], [key]));
    expect(sameOrigin.body.openrouterSync?.status).toBe("unchanged");
    const read = await call(base, "GET", { cookie });
    expect(read.status).toBe(200);
  });

  it("an Open WebUI user's save is saved and the sync skipped: a member, no organisation", async () => {
    const member = owui.addUser({ role: "user" });
    const { token } = await signIn(owui, member);
    const before = (await h.t.db.select({ n: count() }).from(schema.clientOrganizations))[0]!.n;
    const saved = await call(main, "POST", bearer(token), connections([OPENROUTER], [liveKey()]));
    expect(saved.status).toBe(200);
    expect(saved.body.openrouterSync?.status).toBe("skipped");
    expect(await mAiUserOf(member)).toMatchObject({ role: "member", organizationId: null });
    expect((await h.t.db.select({ n: count() }).from(schema.clientOrganizations))[0]!.n).toBe(before);
    expect((await call(main, "GET", bearer(token))).body.ui?.theme).toBe("dark");
  });

  it("a pending Open WebUI user is refused in words and nothing is created", async () => {
    const pending = owui.addUser({ role: "pending" });
    const { token } = await signIn(owui, pending);
    const users = await userCount();
    const refused = await call(main, "POST", bearer(token), connections([OPENROUTER], [liveKey()]));
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/awaiting approval/);
    expect((await call(main, "GET", bearer(token))).status).toBe(403);
    expect(await userCount()).toBe(users);
  });

  it("a forged token (another secret) and an expired one are 401 in words; nothing is created", async () => {
    const admin = owui.addUser({ role: "admin" });
    const forged = await owui.tokenFor(admin.id, { secret: "not-the-secret-of-this-open-webui" });
    const expired = await owui.tokenFor(admin.id, { expiresInSeconds: -60 });
    const unknownUser = await owui.tokenFor("00000000-0000-4000-8000-00000000dead");
    secrets.push(forged, expired, unknownUser);
    const users = await userCount();
    for (const token of [forged, expired, unknownUser]) {
      const refused = await call(main, "POST", bearer(token), connections([OPENROUTER], [liveKey()]));
      expect(refused).toEqual({ status: 401, body: { detail: SESSION_REFUSED_MESSAGE } });
    }
    expect(await userCount()).toBe(users);
    expect(await mAiUserOf(admin)).toBeUndefined();
    // The reverse proxy discards a mirrored answer: the log says why nothing was done.
    expect(
      h.logs.some((l) => l.includes('"msg":"open webui session not acted on"') && l.includes('"status":401')),
    ).toBe(true);
  });

  it("Open WebUI's answer is reused within the TTL (a refusal briefly), then asked again", async () => {
    const member = owui.addUser({ role: "user" });
    const { token } = await signIn(owui, member);
    const start = owui.authCalls;
    clock = new Date();
    try {
      expect((await call(main, "GET", bearer(token))).status).toBe(200);
      expect((await call(main, "GET", bearer(token))).status).toBe(200);
      expect(owui.authCalls).toBe(start + 1);
      clock = new Date(clock.getTime() + 31_000);
      expect((await call(main, "GET", bearer(token))).status).toBe(200);
      expect(owui.authCalls).toBe(start + 2);

      const forged = await owui.tokenFor(member.id, { secret: "another-secret-entirely" });
      secrets.push(forged);
      expect((await call(main, "GET", bearer(forged))).status).toBe(401);
      expect((await call(main, "GET", bearer(forged))).status).toBe(401);
      expect(owui.authCalls).toBe(start + 3);
      clock = new Date(clock.getTime() + 6_000);
      expect((await call(main, "GET", bearer(forged))).status).toBe(401);
      expect(owui.authCalls).toBe(start + 4);
    } finally {
      clock = null;
    }
  });

  it("ten concurrent first saves of a new Open WebUI user: one question, one mAI user", async () => {
    const member = owui.addUser({ role: "user" });
    const { token } = await signIn(owui, member);
    const start = owui.authCalls;
    const body = connections([OPENROUTER], [liveKey()]);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => call(main, "POST", bearer(token), body)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 10 }, () => 200));
    expect(owui.authCalls).toBe(start + 1);
    const rows = await h.t.db
      .select({ n: count() })
      .from(schema.users)
      .where(eq(schema.users.openWebUiUserId, member.id));
    expect(rows[0]!.n).toBe(1);
  });

  it("a read creates nobody and links nobody: an unknown user reads empty settings", async () => {
    const stranger = owui.addUser({ role: "admin" });
    const { token } = await signIn(owui, stranger);
    const users = await userCount();
    expect(await call(main, "GET", bearer(token))).toEqual({ status: 200, body: { ui: {} } });
    expect(await userCount()).toBe(users);
    const known = await h.user("member");
    const sameEmail = owui.addUser({ role: "user", email: known.email });
    const session = await signIn(owui, sameEmail);
    expect((await call(main, "GET", bearer(session.token))).status).toBe(200);
    expect(await mAiUserOf(sameEmail)).toBeUndefined();
    expect(await auditFor(known.id)).toEqual([]);
  });

  it("Open WebUI down or failing → 503 in words, no library text; a failure is not remembered", async () => {
    const down = await api({
      MAI_OPENWEBUI_URL: `http://127.0.0.1:${await closedPort()}`,
      MAI_OPENWEBUI_TIMEOUT_MS: "1000",
    });
    const admin = owui.addUser({ role: "admin" });
    const { token } = await signIn(owui, admin);
    const refused = await call(down, "POST", bearer(token), connections([OPENROUTER], [liveKey()]));
    expect(refused.status).toBe(503);
    expect(refused.body.detail).toMatch(
      /^Open WebUI \(default\) could not be asked who this session belongs to/,
    );
    expect(refused.body.detail).not.toMatch(/ECONNREFUSED|fetch failed|TypeError|undici/i);

    const failing = await standIn();
    const base = await api({ MAI_OPENWEBUI_URL: failing.url });
    const user = failing.addUser({ role: "user" });
    const session = await signIn(failing, user);
    failing.failAuthWith = 500;
    expect((await call(base, "GET", bearer(session.token))).status).toBe(503);
    failing.failAuthWith = null;
    expect((await call(base, "GET", bearer(session.token))).status).toBe(200);
    expect(await mAiUserOf(admin)).toBeUndefined();

    // Something else answering at Open WebUI's address: a page, or a redirect (never followed with the credential).
    let redirectedTo = 0;
    const other = createServer((req, res) => {
      if (req.url === "/elsewhere") redirectedTo++;
      if (req.url?.startsWith("/redirect/") && req.url !== "/elsewhere") {
        res.writeHead(302, { location: "/elsewhere" }).end();
      } else {
        res.writeHead(200, { "content-type": "text/html" }).end("<html>Sign in</html>");
      }
    });
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    try {
      const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
      for (const url of [otherUrl, `${otherUrl}/redirect`]) {
        const answered = await call(await api({ MAI_OPENWEBUI_URL: url }), "GET", bearer(token));
        expect(answered.status).toBe(503);
      }
      expect(redirectedTo).toBe(0);
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });

  it("the instance header counts only with the mirror token; with it, a new user joins the instance's organisation", async () => {
    const member = owuiB.addUser({ role: "user" });
    const { token } = await signIn(owuiB, member);
    const body = connections([OPENROUTER], [liveKey()]);

    const noSecret = await call(
      main,
      "POST",
      { ...bearer(token), "x-mai-openwebui-instance": "client-b" },
      body,
    );
    expect(noSecret.status).toBe(403);
    expect(noSecret.body.detail).toMatch(/honoured only together with x-mai-openwebui-mirror-token/);
    const wrongSecret = await call(
      main,
      "POST",
      {
        ...bearer(token),
        "x-mai-openwebui-instance": "client-b",
        "x-mai-openwebui-mirror-token": `${MIRROR}x`,
      },
      body,
    );
    expect(wrongSecret.status).toBe(403);
    expect(wrongSecret.body.detail).toMatch(/does not match/);
    expect(owuiB.authCalls).toBe(0);
    // Without the header the default Open WebUI is asked, which never issued this token.
    expect((await call(main, "POST", bearer(token), body)).status).toBe(401);
    const unknown = await call(
      main,
      "POST",
      { ...bearer(token), "x-mai-openwebui-instance": "client-z", "x-mai-openwebui-mirror-token": MIRROR },
      body,
    );
    expect(unknown.status).toBe(400);
    expect(await mAiUserOf(member)).toBeUndefined();

    const joined = await call(
      main,
      "POST",
      { ...bearer(token), "x-mai-openwebui-instance": "client-b", "x-mai-openwebui-mirror-token": MIRROR },
      body,
    );
    expect(joined.status).toBe(200);
    expect(joined.body.openrouterSync?.status).toBe("skipped");
    expect(owuiB.authCalls).toBe(1);
    const user = await mAiUserOf(member);
    expect(user).toMatchObject({ role: "member", organizationId: orgB.id });
    const created = (await auditFor(user!.id)).find((e) => e.action === "user.created_from_openwebui");
    expect(created).toMatchObject({
      organizationId: orgB.id,
      details: expect.objectContaining({ instance: "client-b" }),
    });

    // The instance's admin becomes the organisation's administrator: their key save updates it.
    const admin = owuiB.addUser({ role: "admin" });
    const adminSession = await signIn(owuiB, admin);
    const saved = await call(
      main,
      "POST",
      {
        ...bearer(adminSession.token),
        "x-mai-openwebui-instance": "client-b",
        "x-mai-openwebui-mirror-token": MIRROR,
      },
      connections([OPENROUTER], [liveKey()]),
    );
    expect(saved.body.openrouterSync).toMatchObject({ status: "updated", organizationId: orgB.id });
  });

  it("an instance bound to an organisation never reaches another organisation's user by e-mail", async () => {
    const other = await h.org();
    const impostor = owuiB.addUser({ role: "admin", email: other.admin.email });
    const { token } = await signIn(owuiB, impostor);
    const refused = await call(
      main,
      "POST",
      { ...bearer(token), "x-mai-openwebui-instance": "client-b", "x-mai-openwebui-mirror-token": MIRROR },
      connections([OPENROUTER], [liveKey()]),
    );
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/outside this Open WebUI's organisation/);
    // Not linked: the e-mail's owner keeps no Open WebUI id.
    const [row] = await h.t.db
      .select({ openWebUiUserId: schema.users.openWebUiUserId })
      .from(schema.users)
      .where(eq(schema.users.id, other.admin.id));
    expect(row?.openWebUiUserId).toBeNull();
  });

  it("an existing mAI user is linked by e-mail and keeps their role; the provider's accounts are refused", async () => {
    const existing = await h.user("member");
    const asAdmin = owui.addUser({ role: "admin", email: existing.email });
    const { token } = await signIn(owui, asAdmin);
    const saved = await call(main, "POST", bearer(token), connections([OPENROUTER], [liveKey()]));
    expect(saved.body.openrouterSync?.status).toBe("skipped");
    expect(await mAiUserOf(asAdmin)).toMatchObject({ email: existing.email, role: "member" });
    expect((await auditFor(existing.id)).map((e) => e.action)).toContain("user.openwebui_linked");

    const provider = await h.user("provider_admin");
    const staff = owui.addUser({ role: "admin", email: provider.email });
    const staffSession = await signIn(owui, staff);
    const refused = await call(main, "GET", bearer(staffSession.token));
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/provider account/);
    expect(await mAiUserOf(staff)).toBeUndefined();
  });

  it("MAI_OPENWEBUI_ADMIN_ROLE=none: an Open WebUI admin first seen becomes a member, and its save is skipped", async () => {
    const shared = await standIn();
    const base = await api({ MAI_OPENWEBUI_URL: shared.url, MAI_OPENWEBUI_ADMIN_ROLE: "none" });
    const staff = shared.addUser({ role: "admin" });
    const { token } = await signIn(shared, staff);
    const saved = await call(base, "POST", bearer(token), connections([OPENROUTER], [liveKey()]));
    expect(saved.body.openrouterSync?.status).toBe("skipped");
    expect(await mAiUserOf(staff)).toMatchObject({ role: "member", organizationId: null });
  });

  it("MAI_OPENWEBUI_ADMIN_GROUP: in a shared Open WebUI, a user in that group first seen administers the organisation its save claims; nobody else does", async () => {
    const shared = await standIn();
    const base = await api({
      MAI_OPENWEBUI_URL: shared.url,
      MAI_OPENWEBUI_ADMIN_ROLE: "none",
      MAI_OPENWEBUI_ADMIN_GROUP: " client administrators ",
    });
    const clientAdmin = shared.addUser({ role: "user" });
    const colleague = shared.addUser({ role: "user" });
    const staff = shared.addUser({ role: "admin" });
    shared.addGroup("Client Administrators", [clientAdmin]);
    shared.addGroup("Sales", [clientAdmin, colleague]);

    // A read creates nobody, so it asks no groups either.
    const adminSession = await signIn(shared, clientAdmin);
    expect(await call(base, "GET", bearer(adminSession.token))).toEqual({ status: 200, body: { ui: {} } });
    expect(shared.groupCalls).toBe(0);
    expect(await mAiUserOf(clientAdmin)).toBeUndefined();

    const key = liveKey();
    const org = await createOrganization(h.t.db, h.t.secrets, {
      name: `Shared ${Date.now()}`,
      key,
      keySource: "provisioned",
    });
    const saved = await call(base, "POST", bearer(adminSession.token), connections([OPENROUTER], [key]));
    expect(saved.body.openrouterSync).toMatchObject({ status: "claimed", organizationId: org.id });
    const user = await mAiUserOf(clientAdmin);
    expect(user).toMatchObject({ role: "org_admin", organizationId: org.id });
    const created = (await auditFor(user!.id)).find((e) => e.action === "user.created_from_openwebui");
    expect(created?.details).toMatchObject({
      openWebUiRole: "user",
      role: "org_admin",
      openWebUiGroup: "client administrators",
    });
    expect(shared.groupCalls).toBe(1);
    // A known user keeps their mAI role: their next save asks no groups.
    await call(base, "POST", bearer(adminSession.token), connections([OPENROUTER], [key]));
    expect(shared.groupCalls).toBe(1);

    // A colleague in other groups only, and the provider's staff (Open WebUI lists every group to an
    // admin, so an admin's list says nothing of membership): members, their saves skipped.
    for (const other of [colleague, staff]) {
      const { token } = await signIn(shared, other);
      const skipped = await call(base, "POST", bearer(token), connections([OPENROUTER], [liveKey()]));
      expect(skipped.status).toBe(200);
      expect(skipped.body.openrouterSync?.status).toBe("skipped");
      expect(await mAiUserOf(other)).toMatchObject({ role: "member", organizationId: null });
    }
    expect(shared.groupCalls).toBe(2);
  });

  it("MAI_OPENWEBUI_ADMIN_GROUP: Open WebUI failing to list the groups → 503 in words and nobody created; asked again next time", async () => {
    const shared = await standIn();
    const base = await api({
      MAI_OPENWEBUI_URL: shared.url,
      MAI_OPENWEBUI_ADMIN_GROUP: "Client administrators",
    });
    const clientAdmin = shared.addUser({ role: "user" });
    shared.addGroup("client administrators", [clientAdmin]);
    const { token } = await signIn(shared, clientAdmin);
    shared.failGroupsWith = 500;
    const refused = await call(base, "POST", bearer(token), connections([OPENROUTER], [liveKey()]));
    expect(refused.status).toBe(503);
    expect(refused.body.detail).toMatch(/^Open WebUI \(default\) could not be asked/);
    expect(await mAiUserOf(clientAdmin)).toBeUndefined();
    shared.failGroupsWith = null;
    const saved = await call(base, "POST", bearer(token), connections([OPENROUTER], [liveKey()]));
    expect(saved.body.openrouterSync?.status).toBe("created");
    expect(await mAiUserOf(clientAdmin)).toMatchObject({ role: "org_admin" });
  });

  it("without an Open WebUI configured nothing changes: its JWT is not ours; our tokens still work beside one", async () => {
    const plain = await api({});
    const admin = owui.addUser({ role: "admin" });
    const { token, cookie } = await signIn(owui, admin);
    const asked = owui.authCalls;
    expect(await call(plain, "POST", bearer(token), connections([OPENROUTER], [liveKey()]))).toEqual({
      status: 401,
      body: { detail: "Sign in first." },
    });
    expect((await call(plain, "GET", { cookie })).status).toBe(401);
    expect(owui.authCalls).toBe(asked);

    const ours = await h.user("member");
    const { token: maiToken } = await h.caller(ours).auth.createToken({ name: "owui" });
    secrets.push(maiToken);
    const saved = await call(main, "POST", bearer(maiToken), connections([OPENROUTER], [liveKey()]));
    expect(saved.status).toBe(200);
    expect(owui.authCalls).toBe(asked);
  });

  it("nothing secret in any response or log line: no Open WebUI token, OpenRouter key or mirror token", () => {
    const everything = [...seen, ...h.logs].join("\n");
    expect(seen.length).toBeGreaterThan(20);
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });
});

describe("Open WebUI configuration", () => {
  const base = { NODE_ENV: "test" };
  const problem = (env: Record<string, string>) => {
    try {
      loadEnv({ ...base, ...env });
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  };

  it("parses instances with and without an organisation", () => {
    const env = loadEnv({
      ...base,
      MAI_OPENWEBUI_INSTANCES:
        " Client-A=http://owui-a:8080/ , client_b=https://chat.b.example#0b7c3f4e-1d2a-4c5b-8e9f-0123456789ab",
      MAI_OPENWEBUI_MIRROR_TOKEN: MIRROR,
    });
    expect(env.MAI_OPENWEBUI_INSTANCES).toEqual([
      { name: "client-a", url: "http://owui-a:8080", organizationId: null },
      {
        name: "client_b",
        url: "https://chat.b.example",
        organizationId: "0b7c3f4e-1d2a-4c5b-8e9f-0123456789ab",
      },
    ]);
    expect(env.MAI_OPENWEBUI_ADMIN_ROLE).toBe("admin");
    expect(env.MAI_OPENWEBUI_SESSION_TTL_MS).toBe(30_000);
  });

  it.each([
    ["no =", "http://owui:8080", /entry "http:\/\/owui:8080": expected name=url/],
    ["a bad URL", "a=ftp://owui", /entry "a=ftp:\/\/owui": the URL must be/],
    [
      "a bad organisation id",
      "a=http://owui#not-a-uuid",
      /entry "a=http:\/\/owui#not-a-uuid": after # comes an organisation id/,
    ],
    ["a name twice", "a=http://x,a=http://y", /the name a is given twice/],
    ["the reserved name", "default=http://x", /"default" is MAI_OPENWEBUI_URL's name/],
  ])("refuses %s at start, naming the entry", (_what, value, message) => {
    expect(problem({ MAI_OPENWEBUI_INSTANCES: value, MAI_OPENWEBUI_MIRROR_TOKEN: MIRROR })).toMatch(message);
  });

  it("refuses instances without a mirror token, a short token, a non-http URL and an unknown admin role", () => {
    expect(problem({ MAI_OPENWEBUI_INSTANCES: "a=http://owui:8080" })).toMatch(
      /MAI_OPENWEBUI_INSTANCES: needs MAI_OPENWEBUI_MIRROR_TOKEN/,
    );
    expect(problem({ MAI_OPENWEBUI_MIRROR_TOKEN: "short" })).toMatch(
      /MAI_OPENWEBUI_MIRROR_TOKEN must be at least 24 characters/,
    );
    expect(problem({ MAI_OPENWEBUI_URL: "file:///etc/passwd" })).toMatch(/MAI_OPENWEBUI_URL must be an http/);
    expect(problem({ MAI_OPENWEBUI_URL: "http://admin:secret@owui:8080" })).toMatch(
      /must not hold a user name/,
    );
    expect(problem({ MAI_OPENWEBUI_ADMIN_ROLE: "user" })).toMatch(/MAI_OPENWEBUI_ADMIN_ROLE/);
    expect(problem({ MAI_OPENWEBUI_ADMIN_GROUP: "   " })).toMatch(
      /MAI_OPENWEBUI_ADMIN_GROUP must name a group/,
    );
    expect(problem({ MAI_OPENWEBUI_ADMIN_GROUP: "g".repeat(256) })).toMatch(/at most 255 characters/);
    expect(loadEnv({ ...base, MAI_OPENWEBUI_ADMIN_GROUP: "" }).MAI_OPENWEBUI_ADMIN_GROUP).toBeUndefined();
    expect(loadEnv({ ...base, MAI_OPENWEBUI_ADMIN_GROUP: " Client admins " }).MAI_OPENWEBUI_ADMIN_GROUP).toBe(
      "Client admins",
    );
  });
});

describe("the Open WebUI stand-in behaves as Open WebUI's source does (docker/open-webui/README.md, Versions)", () => {
  it("sign-in, the session-user endpoint's refusals and its cookie rule, settings replaced wholesale, pending refused", async () => {
    const owui = await startOpenWebUiStandIn();
    const owui06 = await startOpenWebUiStandIn({ version: "0.6" });
    try {
      const user = owui.addUser({ role: "user" });
      const { token, cookie, body } = await owui.signIn(user);
      expect(body).toMatchObject({
        token,
        token_type: "Bearer",
        id: user.id,
        email: user.email,
        role: "user",
      });
      expect(typeof body.expires_at).toBe("number");
      const auths = (headers: Record<string, string>, at = owui) =>
        fetch(`${at.url}/api/v1/auths/`, { headers });
      expect((await auths({})).status).toBe(401);
      expect(await (await auths({})).json()).toEqual({ detail: "Not authenticated" });
      expect((await auths({}, owui06)).status).toBe(403);
      expect(body.profile_image_url).toBe(`/api/v1/users/${user.id}/profile/image`);
      expect((await auths({ authorization: `Bearer ${token}` })).status).toBe(200);
      expect((await auths({ cookie })).status).toBe(200);
      const forged = await owui.tokenFor(user.id, { secret: "x".repeat(32) });
      expect(await (await auths({ authorization: `Bearer ${forged}` })).json()).toEqual({
        detail: "401 Unauthorized",
      });
      expect(
        (await auths({ authorization: `Bearer ${await owui.tokenFor(user.id, { expiresInSeconds: -1 })}` }))
          .status,
      ).toBe(401);
      const other = owui06.addUser({ role: "user" });
      const session06 = await owui06.signIn(other);
      expect((await auths({ cookie: session06.cookie }, owui06)).status).toBe(500);
      const forged06 = await owui06.tokenFor(other.id, { secret: "x".repeat(32) });
      expect((await auths({ cookie: `token=${forged06}` }, owui06)).status).toBe(401);
      expect((await auths({ authorization: `Bearer ${session06.token}` }, owui06)).status).toBe(200);

      const post = (ui: unknown) =>
        fetch(`${owui.url}/api/v1/users/user/settings/update`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify(ui),
        }).then((r) => r.json());
      await post({ ui: { theme: "dark", models: ["a"] }, extra: 1 });
      expect(await post({ ui: { directConnections: {} } })).toEqual({
        ui: { directConnections: {} },
        extra: 1,
      });
      const read = await fetch(`${owui.url}/api/v1/users/user/settings`, { headers: { cookie } });
      expect(await read.json()).toEqual({ ui: { directConnections: {} }, extra: 1 });

      const pending = owui.addUser({ role: "pending" });
      const pendingSession = await owui.signIn(pending);
      expect((await auths({ authorization: `Bearer ${pendingSession.token}` })).status).toBe(200);
      expect(
        (
          await fetch(`${owui.url}/api/v1/users/user/settings`, {
            headers: { authorization: `Bearer ${pendingSession.token}` },
          })
        ).status,
      ).toBe(401);
    } finally {
      await owui.close();
      await owui06.close();
    }
  });

  it("the groups endpoint: a user's own groups, every group to an admin, pending refused; 0.6 lists members, newer counts them", async () => {
    for (const version of ["0.6", "newer"] as const) {
      const owui = await startOpenWebUiStandIn({ version });
      try {
        const [admin, user, loner, pending] = (["admin", "user", "user", "pending"] as const).map((role) =>
          owui.addUser({ role }),
        );
        owui.addGroup("Client administrators", [user!]);
        owui.addGroup("Sales", [loner!]);
        const groupsOf = async (who: StandInUser) => {
          const { token } = await owui.signIn(who);
          const res = await fetch(`${owui.url}/api/v1/groups/`, {
            headers: { authorization: `Bearer ${token}` },
          });
          return {
            status: res.status,
            body: (await res.json()) as { name: string; user_ids?: string[]; member_count?: number }[],
          };
        };
        expect((await groupsOf(admin!)).body.map((g) => g.name)).toEqual(["Client administrators", "Sales"]);
        const own = await groupsOf(user!);
        expect(own.body.map((g) => g.name)).toEqual(["Client administrators"]);
        if (version === "0.6") expect(own.body[0]?.user_ids).toEqual([user!.id]);
        else expect(own.body[0]?.member_count).toBe(1);
        expect((await groupsOf(pending!)).status).toBe(401);
        expect((await fetch(`${owui.url}/api/v1/groups/`)).status).toBe(version === "0.6" ? 403 : 401);
      } finally {
        await owui.close();
      }
    }
  });
});
