import { describe, expect, it } from "vitest";

import { csrfProblem, dashboardOrigins, type CsrfRequest } from "../src/index";

const OURS = "https://dashboard.mai.test";
/** A browser's JSON POST from the dashboard's own page, with the session cookie. */
const ok: CsrfRequest = {
  method: "POST",
  contentType: "application/json",
  origin: OURS,
  secFetchSite: "same-origin",
  allowedOrigins: [OURS],
  hasSessionCookie: true,
  hasHeaderCredential: false,
};
const check = (change: Partial<CsrfRequest>) => csrfProblem({ ...ok, ...change });

describe("csrfProblem", () => {
  it("lets the dashboard's own JSON requests through", () => {
    expect(check({})).toBeNull();
    expect(check({ contentType: "application/json; charset=utf-8" })).toBeNull();
    expect(check({ contentType: "Application/JSON" })).toBeNull();
    // Without Origin, the browser's Sec-Fetch-Site: same-origin vouches for the page.
    expect(check({ origin: undefined, secFetchSite: "same-origin" })).toBeNull();
  });

  it.each(["GET", "HEAD"])("a %s has no side effects and is never refused", (method) => {
    expect(check({ method, contentType: undefined, origin: "https://evil.example.test", secFetchSite: "cross-site" })).toBeNull();
  });

  it.each([
    ["text/plain", "text/plain;charset=UTF-8"],
    ["a form", "application/x-www-form-urlencoded"],
    ["a multipart form", "multipart/form-data; boundary=----x"],
    ["no content type", undefined],
    ["binary", "application/octet-stream"],
    ["JSON-like but not JSON", "application/json-patch+json"],
    ["JSON as a parameter", "text/plain; x=application/json"],
  ])("refuses %s with 415 in words", (_name, contentType) => {
    const problem = check({ contentType });
    expect(problem?.status).toBe(415);
    expect(problem?.message).toMatch(/application\/json/);
  });

  it.each([
    ["a sibling subdomain", "https://owui.mai.test"],
    ["another site", "https://evil.example.test"],
    ["our host over plain http", "http://dashboard.mai.test"],
    ["our host on another port", "https://dashboard.mai.test:8443"],
    ["an opaque origin (sandboxed frame, file:)", "null"],
    ["garbage", "not an origin"],
  ])("refuses %s with 403 in words, naming where the request came from", (_name, origin) => {
    const problem = check({ origin });
    expect(problem?.status).toBe(403);
    expect(problem?.message).toContain(origin);
    expect(problem?.message).toMatch(/dashboard/);
  });

  it("judges the Origin before the content type (a foreign form is refused as foreign)", () => {
    expect(check({ origin: "https://evil.example.test", contentType: "text/plain" })?.status).toBe(403);
  });

  it.each([
    ["cross-site", 403],
    ["same-site", 403],
    ["none", 403],
    [undefined, 403],
  ] as const)("without Origin, Sec-Fetch-Site %s is refused", (secFetchSite, status) => {
    const problem = check({ origin: undefined, secFetchSite });
    expect(problem?.status).toBe(status);
    expect(problem?.message).toMatch(/Origin/);
  });

  it("a bearer-token request without our cookie is not CSRF-able and is allowed from anywhere", () => {
    expect(check({ hasSessionCookie: false, hasHeaderCredential: true, origin: "https://evil.example.test", contentType: "text/plain" })).toBeNull();
    expect(check({ hasSessionCookie: false, hasHeaderCredential: true, origin: undefined, secFetchSite: undefined })).toBeNull();
  });

  it("a request carrying our session cookie is checked even when it also carries a bearer token", () => {
    expect(check({ hasHeaderCredential: true, origin: "https://evil.example.test" })?.status).toBe(403);
  });

  it("a request with no credential at all is checked too (signing in is a side effect: login CSRF)", () => {
    expect(check({ hasSessionCookie: false, origin: "https://evil.example.test" })?.status).toBe(403);
    expect(check({ hasSessionCookie: false, contentType: "text/plain" })?.status).toBe(415);
    expect(check({ hasSessionCookie: false })).toBeNull();
  });

  it("with no allowed origin (no Host, no public URL) every Origin is refused", () => {
    expect(check({ allowedOrigins: [] })?.status).toBe(403);
  });
});

describe("dashboardOrigins", () => {
  it("is the public URL's origin when one is configured, whatever the Host says", () => {
    expect(dashboardOrigins({ publicUrl: "https://Dashboard.MAI.test/some/path?x=1", host: "127.0.0.1:8787" })).toEqual(["https://dashboard.mai.test"]);
    expect(dashboardOrigins({ publicUrl: "https://dashboard.mai.test:443/", host: undefined })).toEqual(["https://dashboard.mai.test"]);
    expect(dashboardOrigins({ publicUrl: "http://localhost:8787", host: "localhost:8787" })).toEqual(["http://localhost:8787"]);
  });

  it("is the request's own Host otherwise, over http or https (TLS may end at a proxy in front)", () => {
    expect(dashboardOrigins({ publicUrl: undefined, host: "127.0.0.1:8787" })).toEqual(["http://127.0.0.1:8787", "https://127.0.0.1:8787"]);
    expect(dashboardOrigins({ publicUrl: undefined, host: "Dashboard.MAI.test" })).toEqual(["http://dashboard.mai.test", "https://dashboard.mai.test"]);
    expect(dashboardOrigins({ publicUrl: undefined, host: "[::1]:8787" })).toEqual(["http://[::1]:8787", "https://[::1]:8787"]);
  });

  it.each([undefined, "", "evil.example/x", "a b", "user@host", "host:99999"])("a missing or malformed Host %j allows no origin", (host) => {
    expect(dashboardOrigins({ publicUrl: undefined, host })).toEqual([]);
  });

  it("works together with csrfProblem: the Host-derived origins admit our page and refuse a sibling", () => {
    const allowedOrigins = dashboardOrigins({ publicUrl: undefined, host: "dashboard.mai.test:8080" });
    expect(check({ allowedOrigins, origin: "http://dashboard.mai.test:8080" })).toBeNull();
    expect(check({ allowedOrigins, origin: "http://owui.mai.test:8080" })?.status).toBe(403);
  });
});
