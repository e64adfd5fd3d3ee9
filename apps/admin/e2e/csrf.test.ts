// Issue 14's CSRF defect in a real browser (Chromium): a client administrator signs in on the
// dashboard, then visits pages of a sibling subdomain (where Open WebUI runs: same site, so the
// SameSite=Lax session cookie rides along) and of another site. Those pages try what a browser lets
// any page do — an auto-submitted text/plain form whose body is JSON to Open WebUI's REST settings
// endpoint (to replace the organisation's OpenRouter key with the attacker's), a multipart form to
// tRPC's auth.logout, and fetch() with credentials and text/plain — and none of it may work: the
// key is unchanged and the session still valid afterwards.
//
// Names: Chromium resolves *.mai.test and *.example.test to 127.0.0.1 (--host-resolver-rules), so
// dashboard.mai.test and owui.mai.test are two origins of one site, evil.example.test another site.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { getOrganizationKey } from "@mai/db";
import { fakeOpenRouterKey, testDrivers } from "@mai/db/testing";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startE2ESystem, type E2ESystem } from "./system";

const REST = "/api/v1/users/user/settings/update";
const OPENROUTER = "https://openrouter.ai/api/v1";

/** HTML-escapes an attribute value. */
const attr = (value: string) => value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

/**
 * The attacker's pages, by path. A text/plain form sends `name=value`: with the name ending in an
 * open string and the value closing it, the body is valid JSON (`…,"pad":"="}}`).
 */
function attackerPages(dashboard: string, attackerKey: string): Record<string, string> {
  const settings = { ui: { directConnections: { OPENAI_API_BASE_URLS: [OPENROUTER], OPENAI_API_KEYS: [attackerKey], OPENAI_API_CONFIGS: {} } } };
  const json = JSON.stringify(settings);
  const name = `${json.slice(0, -2)},"pad":"`;
  const autoSubmit = "<script>document.forms[0].submit()</script>";
  return {
    "/text-plain-form": `<!doctype html><form method="POST" enctype="text/plain" action="${dashboard}${REST}"><input name="${attr(name)}" value="&quot;}}"></form>${autoSubmit}`,
    "/multipart-logout": `<!doctype html><form method="POST" enctype="multipart/form-data" action="${dashboard}/trpc/auth.logout"><input name="json" value="{}"></form>${autoSubmit}`,
    "/fetch": `<!doctype html><script>
      const opts = { method: "POST", credentials: "include", headers: { "content-type": "text/plain" } };
      fetch(${JSON.stringify(`${dashboard}${REST}`)}, { ...opts, body: ${JSON.stringify(json)} }).catch(() => {});
      fetch(${JSON.stringify(`${dashboard}/trpc/auth.logout`)}, { ...opts, body: "{}" }).catch(() => {});
    </script>`,
  };
}

describe.each(testDrivers())("CSRF in a real browser on %s", (driver) => {
  let s: E2ESystem;
  let attacker: Server;
  let attackerPort = 0;
  let dashboard = "";
  let context: BrowserContext;
  let page: Page;
  const attackerKey = fakeOpenRouterKey("c5");
  let pages: Record<string, string> = {};

  beforeAll(async () => {
    s = await startE2ESystem(driver, { chromiumArgs: ["--host-resolver-rules=MAP *.mai.test 127.0.0.1, MAP *.example.test 127.0.0.1"] });
    // A key OpenRouter (the simulator) knows: a save that got through would really replace the key.
    s.sim.addKey({ key: attackerKey, name: "attacker" });
    dashboard = `http://dashboard.mai.test:${new URL(s.apiUrl).port}`;
    pages = attackerPages(dashboard, attackerKey);
    attacker = createServer((req, res) => {
      const body = pages[new URL(req.url ?? "/", "http://x").pathname];
      res.writeHead(body ? 200 : 404, { "content-type": "text/html; charset=utf-8" });
      res.end(body ?? "not found");
    });
    await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
    attackerPort = (attacker.address() as AddressInfo).port;
    s.api.server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      if (req.method !== "POST") return;
      // Copied now: the API may rewrite a refused request's headers before it answers.
      const headers = { ...req.headers };
      res.on("finish", () => onSeen?.({ path: req.url ?? "", status: res.statusCode, headers }));
    });

    // The client administrator signs in through the dashboard, on its own name.
    context = await s.browser.newContext({ viewport: { width: 1366, height: 900 } });
    page = await context.newPage();
    await page.goto(`${dashboard}/sign-in`);
    await page.getByLabel("E-mail").fill(s.otherAdmin.email);
    await page.getByLabel("Password").fill(s.otherAdmin.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("navigation", { name: "Main" }).waitFor();
  });
  afterAll(async () => {
    await context?.close();
    await new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve()));
    await s?.close();
  });

  const orgKey = () => getOrganizationKey(s.t.db, s.t.secrets, s.otherAdmin.organizationId);

  /** Who the dashboard's session cookie belongs to now, asked from the dashboard's own page. */
  const signedInAs = () =>
    page.evaluate(async () => {
      const res = await fetch("/trpc/auth.me");
      const body = (await res.json()) as { result?: { data?: { json?: { email?: string } | null } } };
      return body.result?.data?.json?.email ?? null;
    });

  /** A POST that reached the API, as the API received and answered it. */
  interface Seen {
    path: string;
    status: number;
    headers: IncomingHttpHeaders;
  }
  let onSeen: ((seen: Seen) => void) | undefined;

  /**
   * Opens an attacker page and returns the `expected` POSTs it made the browser send to the API, as
   * the API saw them (a fetch blocked by CORS shows the browser nothing, but it was sent).
   */
  async function attack(origin: string, path: string, expected: number): Promise<Seen[]> {
    const seen: Seen[] = [];
    const done = new Promise<void>((resolve) => {
      onSeen = (one) => {
        seen.push(one);
        if (seen.length === expected) resolve();
      };
    });
    const attackPage = await context.newPage();
    try {
      await attackPage.goto(`${origin}${path}`);
      await done;
      return seen.sort((a, b) => a.path.localeCompare(b.path));
    } finally {
      onSeen = undefined;
      await attackPage.close();
    }
  }

  it("the sign-in worked through the CSRF check, from the dashboard's own origin", async () => {
    expect(await signedInAs()).toBe(s.otherAdmin.email);
  });

  it.each([
    ["a sibling subdomain (same site: the cookie rides along)", "owui.mai.test", "same-site"],
    ["another site", "evil.example.test", "cross-site"],
  ])("from %s, no form or fetch replaces the key or signs the administrator out", async (_name, host, site) => {
    const origin = `http://${host}:${attackerPort}`;
    const keyBefore = await orgKey();
    expect(keyBefore).not.toBe(attackerKey);

    const [settingsForm] = await attack(origin, "/text-plain-form", 1);
    expect(settingsForm!.path).toBe(REST);
    expect(settingsForm!.headers["content-type"]).toMatch(/^text\/plain/);
    expect(settingsForm!.headers.origin).toBe(origin);
    // The sibling's request carries the session cookie (SameSite=Lax admits the same site): only
    // the server's check stands in its way. Another site's POST goes without it. (No Sec-Fetch-Site
    // here: Chromium sends those headers to https origins only.)
    if (site === "same-site") expect(settingsForm!.headers.cookie).toMatch(/mai_session=/);
    else expect(settingsForm!.headers.cookie ?? "").not.toMatch(/mai_session=/);
    expect(settingsForm!.status).toBe(403);

    const [logoutForm] = await attack(origin, "/multipart-logout", 1);
    expect(logoutForm!.path).toBe("/trpc/auth.logout");
    expect(logoutForm!.headers["content-type"]).toMatch(/^multipart\/form-data/);
    expect(logoutForm!.status).toBe(403);

    const fetched = await attack(origin, "/fetch", 2);
    expect(fetched.map((r) => [r.path, r.headers["content-type"], r.status])).toEqual([
      [REST, "text/plain", 403],
      ["/trpc/auth.logout", "text/plain", 403],
    ]);

    expect(await orgKey()).toBe(keyBefore);
    expect(await signedInAs()).toBe(s.otherAdmin.email);
  });

  it("the dashboard's own mutations still work: its Sign out button ends the session", async () => {
    expect(await signedInAs()).toBe(s.otherAdmin.email);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    expect(await signedInAs()).toBeNull();
  });
});
