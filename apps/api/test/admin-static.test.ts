// The dashboard on the API's origin: SPA fallback for deep links, long-lived caching only for hashed
// assets, security headers, and nothing shadowing tRPC, health or Open WebUI's endpoints.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiServer } from "../src/server";
import { createHarness, type Harness } from "./harness";
import { httpRequest, rawRequest } from "./raw-http";

const INDEX = "<!doctype html><html><head><title>mAI</title></head><body><div id=root></div></body></html>";
/** index.html as served: the public proxy URL added as a meta tag, the value attribute-escaped. */
const SERVED = INDEX.replace("</head>", '  <meta name="mai-proxy-url" content="https://llm.example.com/v1?a=1&amp;b=&quot;x&quot;" />\n  </head>');
const ASSET = "console.log('dashboard');";

describe("the built dashboard served by the API", () => {
  let h: Harness;
  let url: string;
  let dir: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "mai-admin-dist-"));
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), INDEX);
    writeFileSync(join(dir, "assets", "index-Ab12Cd34.js"), ASSET);
    h = await createHarness("pglite", { MAI_ADMIN_DIST: dir, MAI_PROXY_PUBLIC_URL: "https://llm.example.com/v1?a=1&b=\"x\"" });
    const api = createApiServer(h.deps);
    url = (await api.listen(0, "127.0.0.1")).url;
    close = () => api.close();
  });
  afterAll(async () => {
    await close();
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("hostile paths are a page or a 404, never a crash or a file outside the build", async () => {
    const port = Number(new URL(url).port);
    for (const path of ["/%E0%A4%A", "/assets/%E0%A4%A.js", "/assets/%00.js", "/..%2f..%2f..%2fetc%2fpasswd", "/assets/..%2f..%2fpackage.json", "/%ZZ", "//etc/passwd", "/assets/index-Ab12Cd34.js%00"]) {
      const res = await rawRequest(port, httpRequest("GET", path));
      expect(res.status, path).toBeGreaterThanOrEqual(200);
      expect(res.status, path).toBeLessThan(500);
      expect(res.body, path).not.toMatch(/root:|"name":/);
    }
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it("serves index.html on / and on any deep link, never cached, with security headers", async () => {
    for (const path of ["/", "/usage", "/organizations?org=abc", "/sign-in"]) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/text\/html/);
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(await res.text()).toBe(SERVED);
    }
  });

  it("serves hashed assets with a year of immutable caching", async () => {
    const res = await fetch(`${url}/assets/index-Ab12Cd34.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/javascript/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await res.text()).toBe(ASSET);
  });

  it("leaves tRPC, health and the Open WebUI endpoints alone, and answers unknown API paths with JSON 404", async () => {
    const me = await fetch(`${url}/trpc/auth.me`);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ result: { data: { json: null } } });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const settings = await fetch(`${url}/api/v1/users/user/settings`);
    expect(settings.status).toBe(401);
    const unknown = await fetch(`${url}/api/v1/nothing-here`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { message: expect.stringContaining("No route") } });
    const post = await fetch(`${url}/`, { method: "POST" });
    expect(post.status).toBe(404);
  });

  it("does not serve files outside the build", async () => {
    for (const path of ["/..%2f..%2fpackage.json", "/assets/..%2f..%2f..%2fpackage.json", "/%2e%2e/%2e%2e/package.json"]) {
      const res = await fetch(`${url}${path}`);
      expect(await res.text(), path).not.toContain('"name"');
    }
    const missing = await fetch(`${url}/assets/gone-123.js`);
    expect(missing.status).toBe(404);
  });

  it("serves nothing when MAI_ADMIN_DIST is empty or the build is missing", async () => {
    for (const value of ["", join(dir, "missing")]) {
      const other = await createHarness("pglite", { MAI_ADMIN_DIST: value });
      const api = createApiServer(other.deps);
      const otherUrl = (await api.listen(0, "127.0.0.1")).url;
      const res = await fetch(`${otherUrl}/usage`);
      expect(res.status).toBe(404);
      await api.close();
      await other.close();
    }
  });
});
