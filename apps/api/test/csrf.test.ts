// Issue 14's CSRF defect as regression tests over real HTTP (both drivers): a page on another origin
// — a sibling subdomain where Open WebUI runs, or any other site — must not be able to use a signed-in
// administrator's session cookie to replace the organisation's OpenRouter key through Open WebUI's
// REST settings endpoint, nor to sign them out (or in) through tRPC. What a browser lets such a page
// send is sent here by hand: forms (urlencoded, multipart), text/plain, a foreign Origin, no Origin
// with Sec-Fetch-Site. The real-browser version is apps/admin/e2e/csrf.test.ts.
import { createApiToken, getOrganizationKey, type AuthUser } from "@mai/db";
import { asOpenRouterKey, testDrivers } from "@mai/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiServer, type ApiServer } from "../src/server";
import { hashPassword } from "../src/services/auth/passwords";
import { generateApiToken } from "../src/services/auth/tokens";
import { createHarness, nextKey, type Harness } from "./harness";

const OPENROUTER = "https://openrouter.ai/api/v1";
const PASSWORD = "a long and correct password";
const SIBLING = "http://owui.mai.test";
const CROSS_SITE = "http://evil.example.test";
const REST = "/api/v1/users/user/settings/update";

/** Open WebUI's settings body with one OpenRouter connection holding `key`. */
const settingsWithKey = (key: string) => ({
  ui: { directConnections: { OPENAI_API_BASE_URLS: [OPENROUTER], OPENAI_API_KEYS: [key], OPENAI_API_CONFIGS: {} } },
});

interface Sent {
  status: number;
  /** The message in words: `detail` (REST) or tRPC's `error.message`. */
  message: string;
  setCookie: string | null;
}

describe.each(testDrivers())("CSRF on %s", (driver) => {
  let h: Harness;
  let api: ApiServer;
  let url: string;
  /** The dashboard's own origin: this server's, as the browser that loaded the dashboard from it sees it. */
  let ours: string;
  beforeAll(async () => {
    h = await createHarness(driver);
    api = createApiServer(h.deps);
    ({ url } = await api.listen(0, "127.0.0.1"));
    ours = url;
  });
  afterAll(async () => {
    await api.close();
    await h.close();
  });

  /** A key the simulator knows, so a save that gets through really changes the organisation's key. */
  const liveKey = () => asOpenRouterKey(h.sim.addKey({ key: nextKey(), name: "attacker" }).key);

  async function send(path: string, init: { method?: string; headers?: Record<string, string>; body?: string | FormData | URLSearchParams; base?: string }): Promise<Sent> {
    const res = await fetch(`${init.base ?? url}${path}`, { method: init.method ?? "POST", headers: init.headers, body: init.body });
    const text = await res.text();
    let message = text;
    try {
      const parsed = JSON.parse(text) as { detail?: string; error?: { message?: string; json?: { message?: string } } } | { error?: { json?: { message?: string } } }[];
      const one = Array.isArray(parsed) ? parsed[0] : parsed;
      message = (one as { detail?: string }).detail ?? one?.error?.json?.message ?? (one?.error as { message?: string } | undefined)?.message ?? text;
    } catch {
      /* not JSON: the text is the message */
    }
    return { status: res.status, message, setCookie: res.headers.get("set-cookie") };
  }

  /** An organisation with a key, and its administrator signed in through the dashboard (a session cookie). */
  async function signedInAdmin(base = url, origin = ours) {
    const org = await h.org();
    const email = `csrf-${Math.random().toString(36).slice(2)}@example.com`;
    await h.user("org_admin", { organizationId: org.id, email, passwordHash: await hashPassword(PASSWORD) });
    const login = await fetch(`${base}/trpc/auth.login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin },
      body: JSON.stringify({ json: { email, password: PASSWORD } }),
    });
    expect(login.status, await login.clone().text()).toBe(200);
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    return { org, email, cookie };
  }

  /** A personal API token of `user` (what Open WebUI's direct connection and the CLI hold). */
  async function tokenOf(user: AuthUser): Promise<string> {
    const token = generateApiToken();
    await createApiToken(h.t.db, { userId: user.id, name: "owui", prefix: token.prefix, tokenHash: token.hash });
    return token.token;
  }

  const orgKey = (organizationId: string) => getOrganizationKey(h.t.db, h.t.secrets, organizationId);

  async function sessionWorks(cookie: string, email: string): Promise<boolean> {
    const res = await fetch(`${url}/trpc/auth.me`, { headers: { cookie } });
    const body = (await res.json()) as { result?: { data?: { json?: { email?: string } | null } } };
    return body.result?.data?.json?.email === email;
  }

  it("a form or text/plain POST with the session cookie is refused with 415 and changes nothing, on REST and tRPC", async () => {
    const { org, email, cookie } = await signedInAdmin();
    const keyBefore = await orgKey(org.id);
    const attack = JSON.stringify(settingsWithKey(liveKey()));
    const bodies: [string, () => { body: string | FormData | URLSearchParams; headers: Record<string, string> }][] = [
      ["text/plain", () => ({ body: attack, headers: { "content-type": "text/plain;charset=UTF-8" } })],
      ["multipart/form-data", () => {
        const form = new FormData();
        form.set(attack, "");
        return { body: form, headers: {} };
      }],
      ["urlencoded", () => ({ body: new URLSearchParams({ [attack]: "" }), headers: {} })],
      ["no content type", () => ({ body: attack, headers: { "content-type": "" } })],
    ];
    for (const [kind, make] of bodies) {
      for (const path of [REST, "/trpc/settings.update", "/trpc/auth.logout", "/trpc/auth.logout,settings.update?batch=1"]) {
        const { body, headers } = make();
        const sent = await send(path, { headers: { ...headers, cookie, origin: ours }, body });
        expect(sent.status, `${kind} → ${path}: ${sent.message}`).toBe(415);
        expect(sent.message, `${kind} → ${path}`).toMatch(/application\/json/);
        expect(sent.setCookie, `${kind} → ${path}`).toBeNull();
      }
    }
    expect(await orgKey(org.id)).toBe(keyBefore);
    expect(await sessionWorks(cookie, email)).toBe(true);
  });

  it("a JSON POST with the session cookie from a sibling subdomain or another site is refused with 403 and changes nothing", async () => {
    const { org, email, cookie } = await signedInAdmin();
    const keyBefore = await orgKey(org.id);
    for (const origin of [SIBLING, CROSS_SITE, "null", `${ours}.evil.example.test`, ours.replace("http:", "https:").replace(/:\d+$/, ":1")]) {
      for (const [path, body] of [
        [REST, JSON.stringify(settingsWithKey(liveKey()))],
        ["/trpc/settings.update", JSON.stringify({ json: settingsWithKey(liveKey()) })],
        ["/trpc/auth.logout", "{}"],
      ] as const) {
        const sent = await send(path, { headers: { "content-type": "application/json", cookie, origin }, body });
        expect(sent.status, `${origin} → ${path}: ${sent.message}`).toBe(403);
        expect(sent.message).toContain(origin);
        expect(sent.setCookie).toBeNull();
      }
    }
    expect(await orgKey(org.id)).toBe(keyBefore);
    expect(await sessionWorks(cookie, email)).toBe(true);
  });

  it("without an Origin, only Sec-Fetch-Site: same-origin is admitted", async () => {
    const { org, email, cookie } = await signedInAdmin();
    const keyBefore = await orgKey(org.id);
    for (const site of ["cross-site", "same-site", "none", undefined]) {
      for (const path of [REST, "/trpc/auth.logout"]) {
        const headers: Record<string, string> = { "content-type": "application/json", cookie, ...(site ? { "sec-fetch-site": site } : {}) };
        const sent = await send(path, { headers, body: path === REST ? JSON.stringify(settingsWithKey(liveKey())) : "{}" });
        expect(sent.status, `${site} → ${path}: ${sent.message}`).toBe(403);
        expect(sent.message).toMatch(/Origin/);
      }
    }
    expect(await orgKey(org.id)).toBe(keyBefore);
    expect(await sessionWorks(cookie, email)).toBe(true);
    const key = liveKey();
    const saved = await send(REST, { headers: { "content-type": "application/json", cookie, "sec-fetch-site": "same-origin" }, body: JSON.stringify(settingsWithKey(key)) });
    expect(saved.status, saved.message).toBe(200);
    expect(await orgKey(org.id)).toBe(key);
  });

  it("the dashboard's own JSON requests work: the key is saved, and logout ends the session", async () => {
    const { org, email, cookie } = await signedInAdmin();
    const key = liveKey();
    const rest = await send(REST, { headers: { "content-type": "application/json", cookie, origin: ours }, body: JSON.stringify(settingsWithKey(key)) });
    expect(rest.status, rest.message).toBe(200);
    expect(await orgKey(org.id)).toBe(key);
    const other = liveKey();
    const trpc = await send("/trpc/settings.update", {
      headers: { "content-type": "application/json; charset=utf-8", cookie, origin: ours },
      body: JSON.stringify({ json: settingsWithKey(other) }),
    });
    expect(trpc.status, trpc.message).toBe(200);
    expect(await orgKey(org.id)).toBe(other);
    expect(await sessionWorks(cookie, email)).toBe(true);
    const logout = await send("/trpc/auth.logout", { headers: { "content-type": "application/json", cookie, origin: ours }, body: "{}" });
    expect(logout.status, logout.message).toBe(200);
    expect(await sessionWorks(cookie, email)).toBe(false);
  });

  it("a bearer token without the session cookie works from any origin (Open WebUI's direct connection, the CLI)", async () => {
    const org = await h.org();
    const token = await tokenOf(org.admin);
    for (const origin of [SIBLING, CROSS_SITE, undefined]) {
      const key = liveKey();
      const rest = await send(REST, {
        headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...(origin ? { origin, "sec-fetch-site": "cross-site" } : {}) },
        body: JSON.stringify(settingsWithKey(key)),
      });
      expect(rest.status, `${origin}: ${rest.message}`).toBe(200);
      expect(await orgKey(org.id)).toBe(key);
      const trpc = await send("/trpc/settings.update", {
        headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...(origin ? { origin } : {}) },
        body: JSON.stringify({ json: { ui: { theme: "dark" } } }),
      });
      expect(trpc.status, `${origin}: ${trpc.message}`).toBe(200);
    }
  });

  it("a request carrying the session cookie is checked even when it also carries a bearer token", async () => {
    const { org, cookie } = await signedInAdmin();
    const keyBefore = await orgKey(org.id);
    const token = await tokenOf(org.admin);
    const sent = await send(REST, {
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, cookie, origin: SIBLING },
      body: JSON.stringify(settingsWithKey(liveKey())),
    });
    expect(sent.status).toBe(403);
    expect(await orgKey(org.id)).toBe(keyBefore);
  });

  it("signing in is checked too (login CSRF): a foreign or form sign-in sets no cookie", async () => {
    const email = `login-${Math.random().toString(36).slice(2)}@example.com`;
    await h.user("org_admin", { email, passwordHash: await hashPassword(PASSWORD) });
    const body = JSON.stringify({ json: { email, password: PASSWORD } });
    for (const origin of [SIBLING, CROSS_SITE]) {
      const sent = await send("/trpc/auth.login", { headers: { "content-type": "application/json", origin }, body });
      expect(sent.status, sent.message).toBe(403);
      expect(sent.setCookie).toBeNull();
    }
    const form = await send("/trpc/auth.login", { headers: { "content-type": "text/plain", origin: ours }, body });
    expect(form.status, form.message).toBe(415);
    expect(form.setCookie).toBeNull();
    const ok = await send("/trpc/auth.login", { headers: { "content-type": "application/json", origin: ours }, body });
    expect(ok.status, ok.message).toBe(200);
    expect(ok.setCookie).toMatch(/^mai_session=/);
  });

  it("queries have no side effects and stay open to any origin; a mutation cannot be sent as a GET", async () => {
    const { email, cookie } = await signedInAdmin();
    const me = await fetch(`${url}/trpc/auth.me`, { headers: { cookie, origin: CROSS_SITE, "sec-fetch-site": "cross-site" } });
    expect(me.status).toBe(200);
    const get = await fetch(`${url}/trpc/auth.logout?input=${encodeURIComponent("{}")}`, { headers: { cookie, origin: CROSS_SITE } });
    expect(get.status).toBeGreaterThanOrEqual(400);
    expect(get.status).toBeLessThan(500);
    expect(await sessionWorks(cookie, email)).toBe(true);
  });

  it("with MAI_PUBLIC_URL set, its origin is the dashboard's, whatever Host the request names", async () => {
    const publicOrigin = "https://dashboard.mai.test";
    const behindProxy = createApiServer({ ...h.deps, env: { ...h.deps.env, MAI_PUBLIC_URL: `${publicOrigin}/` } });
    const { url: base } = await behindProxy.listen(0, "127.0.0.1");
    try {
      const { org, email, cookie } = await signedInAdmin(base, publicOrigin);
      const keyBefore = await orgKey(org.id);
      const refused = await send(REST, { base, headers: { "content-type": "application/json", cookie, origin: base }, body: JSON.stringify(settingsWithKey(liveKey())) });
      expect(refused.status, refused.message).toBe(403);
      expect(refused.message).toContain(publicOrigin);
      expect(await orgKey(org.id)).toBe(keyBefore);
      const key = liveKey();
      const saved = await send(REST, { base, headers: { "content-type": "application/json", cookie, origin: publicOrigin }, body: JSON.stringify(settingsWithKey(key)) });
      expect(saved.status, saved.message).toBe(200);
      expect(await orgKey(org.id)).toBe(key);
      expect(await sessionWorks(cookie, email)).toBe(true);
    } finally {
      await behindProxy.close();
    }
  });
});
