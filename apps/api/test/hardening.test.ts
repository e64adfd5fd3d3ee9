// Issue 12's "what was seen", one named regression test each: requests that ended the API process,
// client mistakes answered with 500, internal details in error bodies, unbounded bodies, and money
// that did not round-trip. Every test runs over real HTTP against a real database (both drivers).
import { Writable } from "node:stream";
import { getOrganization, schema } from "@mai/db";
import { count, createDb, eq, testDrivers } from "@mai/db/testing";
import { encodeUsageEvents, INT4_MAX, INT8_MAX, type UsageEvent } from "@mai/domain";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { createDeps } from "../src/deps";
import { createLogger } from "../src/logger";
import { createApiServer, type ApiServer } from "../src/server";
import { createTRPCClient, httpLink } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "../src/routers/_app";
import { closedPort, createHarness, INTERNAL_TOKEN, type Harness } from "./harness";
import { httpRequest, rawRequest } from "./raw-http";

/** The HTTP status and message a tRPC call ends with ("OK" status 200 when it succeeds). */
async function outcome(call: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await call;
    return { status: 200, message: "OK" };
  } catch (error) {
    if (error instanceof TRPCClientError) {
      const data = error.data as { httpStatus?: number } | undefined;
      return { status: data?.httpStatus ?? 0, message: error.message };
    }
    throw error;
  }
}

const nest = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

/** Nothing a 5xx body may carry: SQL, stack frames, token hashes, library messages. */
function expectNoInternals(body: string): void {
  expect(body).not.toMatch(/\bselect\b|\binsert into\b|\bupdate\b.*\bset\b|\bwhere\b/i);
  expect(body).not.toMatch(/\n\s+at |\bat [\w.<>]+ \(/);
  expect(body).not.toMatch(/[0-9a-f]{64}/);
  expect(body).not.toMatch(/URI malformed|ECONNREFUSED|PGlite|postgres/i);
}

describe.each(testDrivers())("hardening on %s", (driver) => {
  let h: Harness;
  let api: ApiServer;
  let port: number;
  let url: string;
  beforeAll(async () => {
    h = await createHarness(driver);
    api = createApiServer(h.deps);
    ({ url, port } = await api.listen(0, "127.0.0.1"));
  });
  afterAll(async () => {
    await api.close();
    await h.close();
  });

  const healthy = async () => expect((await fetch(`${url}/healthz`)).status).toBe(200);
  const tableCount = async (table: typeof schema.users | typeof schema.apiTokens | typeof schema.clientOrganizations) =>
    (await h.t.db.select({ n: count() }).from(table))[0]!.n;

  it("a request target that is not a URL is a 400 in words, and the server keeps serving", async () => {
    for (const target of ["http://[::1/", "http://%zz/", "http://a:99999/healthz", "//[/", "http://[::1]:x/trpc/auth.me"]) {
      const res = await rawRequest(port, httpRequest("GET", target));
      expect(res.status, target).toBe(400);
      expect(res.body, target).toMatch(/request target|URL/i);
    }
    await healthy();
  });

  it("a body whose length cannot be determined (Transfer-Encoding not ending in chunked) is a 400 at once, not silence", async () => {
    for (const [version, coding] of [["HTTP/1.0", "1e3"], ["HTTP/1.1", "gzip"]] as const) {
      const head = `POST /api/v1/users/user/settings/update ${version}\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: ${coding}\r\n\r\n{}`;
      const res = await rawRequest(port, head, { timeoutMs: 30_000 }); // well under the 60 s a silent server would take
      expect(res.status, `${version} ${coding}`).toBe(400);
      expect(res.body).toMatch(/Transfer-Encoding/);
    }
    await healthy();
  });

  it("a malformed percent-escape in the Cookie header is not a crash, on REST and tRPC alike", async () => {
    for (const [method, path] of [
      ["GET", "/api/v1/users/user/settings"],
      ["POST", "/api/v1/users/user/settings/update"],
      ["GET", "/trpc/auth.me"],
    ] as const) {
      const res = await rawRequest(
        port,
        // The Origin of the Host httpRequest names: the request gets past the CSRF check to the cookie.
        httpRequest(method, path, { cookie: "theme=%E0%A4%A; mai_session=%E0%A4%A", "content-type": "application/json", origin: "http://127.0.0.1" }, method === "POST" ? "{}" : undefined),
      );
      expect(res.status, path).toBeLessThan(500);
      expectNoInternals(res.body);
    }
    const rest = await rawRequest(port, httpRequest("GET", "/api/v1/users/user/settings", { cookie: "mai_session=%E0%A4%A" }));
    expect(rest.status).toBe(401);
    expect(JSON.parse(rest.body)).toEqual({ detail: "Sign in first." });
    await healthy();
  });

  it("NUL bytes in strings are a 400 in words, and nothing is written", async () => {
    const provider = await h.user("provider_admin");
    const org = await h.org();
    // Administration is the dashboard's (a session) or a manage token's; a chat token is refused before its input is read.
    const asProvider = await h.http(provider, "manage");
    const asAdmin = await h.http(org.admin, "session");
    const anonymous = await h.http(null);
    const before = { users: await tableCount(schema.users), tokens: await tableCount(schema.apiTokens), orgs: await tableCount(schema.clientOrganizations) };
    const calls: [string, () => Promise<unknown>][] = [
      ["login email", () => anonymous.auth.login.mutate({ email: "a\u0000@example.com", password: "x" })],
      ["login password", () => anonymous.auth.login.mutate({ email: "a@example.com", password: "pass\u0000word" })],
      ["token name", () => asAdmin.auth.createToken.mutate({ name: "chat\u0000" })],
      ["settings", () => asAdmin.settings.update.mutate({ ui: { theme: "dark\u0000" } })],
      ["settings key", () => asAdmin.settings.update.mutate({ ui: { ["the\u0000me"]: "dark" } })],
      ["member name", () => asAdmin.members.add.mutate({ email: `m-${randomUUID()}@example.com`, name: "Ann\u0000", role: "member" })],
      ["organisation name", () => asProvider.organizations.create.mutate({ name: "Acme\u0000", provisionKey: false })],
      ["organisation update", () => asProvider.organizations.update.mutate({ organizationId: org.id, name: "Acme\u0000" })],
      ["lone surrogate", () => asProvider.organizations.create.mutate({ name: "Acme \ud800", provisionKey: false })],
      ["audit filter", () => asProvider.audit.list.query({ action: "org\u0000*" })],
      ["usage model filter", () => asProvider.usage.daily.query({ organizationId: org.id, model: "a\u0000" })],
    ];
    for (const [what, call] of calls) {
      const result = await outcome(call());
      expect(result.status, what).toBe(400);
      expect(result.message, what).toMatch(/NUL|Unicode/);
    }
    expect({ users: await tableCount(schema.users), tokens: await tableCount(schema.apiTokens), orgs: await tableCount(schema.clientOrganizations) }).toEqual(before);
    await healthy();
  });

  it("a refusal of the message catalog carries its key and parameters beside the same English; a 5xx and a zod refusal carry none", async () => {
    const provider = await h.user("provider_admin");
    const org = await h.org();
    const client = await h.http(provider, "manage");
    const name = `Keyed ${randomUUID()}`;
    await client.organizations.create.mutate({ name, provisionKey: false });
    const refused = await client.organizations.create.mutate({ name, provisionKey: false }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(TRPCClientError);
    const { message, data } = refused as TRPCClientError<never>;
    expect(message).toBe(`An organisation named "${name}" already exists.`);
    expect(data).toMatchObject({ code: "CONFLICT", httpStatus: 409, messageKey: "organization.nameTaken", messageParams: { name } });

    // Members of the organisation are told which rule refused them, by key too.
    const member = await h.user("member", { organizationId: org.id });
    const asMember = await h.http(member, "session");
    const forbidden = await asMember.audit.list.query({}).then(
      () => null,
      (error: unknown) => error as TRPCClientError<never>,
    );
    expect(forbidden?.message).toBe("Only administrators can see the audit log.");
    expect(forbidden?.data).toMatchObject({ code: "FORBIDDEN", messageKey: "access.adminsSeeAuditLog", messageParams: {} });

    // An input refused by its schema is worded from zod's issues: no key.
    const invalid = await client.organizations.create.mutate({ name: "", provisionKey: false }).then(
      () => null,
      (error: unknown) => error as TRPCClientError<never>,
    );
    expect(invalid?.data).toMatchObject({ code: "BAD_REQUEST" });
    expect((invalid?.data as unknown as Record<string, unknown> | undefined)?.messageKey).toBeUndefined();
  });

  it("monthly limits and money beyond what bigint holds are a 400; a sub-nano limit is refused, not saved as 0", async () => {
    const provider = await h.user("provider_admin");
    const org = await h.org();
    const client = await h.http(provider, "manage");
    const orgsBefore = await tableCount(schema.clientOrganizations);
    for (const monthlyLimitUsd of ["99999999999", "1e30", 1e20, "0.0000000001", "12.0000000001", "-1"]) {
      const created = await outcome(client.organizations.create.mutate({ name: `Big ${randomUUID()}`, provisionKey: false, monthlyLimitUsd }));
      expect(created.status, String(monthlyLimitUsd)).toBe(400);
      const updated = await outcome(client.organizations.update.mutate({ organizationId: org.id, monthlyLimitUsd }));
      expect(updated.status, String(monthlyLimitUsd)).toBe(400);
      const defaults = await outcome(client.globalSettings.update.mutate({ defaultMonthlyLimitUsd: monthlyLimitUsd }));
      expect(defaults.status, String(monthlyLimitUsd)).toBe(400);
    }
    const subNano = await outcome(client.organizations.update.mutate({ organizationId: org.id, monthlyLimitUsd: "0.0000000001" }));
    expect(subNano.message).toMatch(/9 decimals|nano/i);
    expect((await getOrganization(h.t.db, org.id))?.monthlyLimitNano).not.toBe(0n);
    expect(await tableCount(schema.clientOrganizations)).toBe(orgsBefore);
    // The largest amount a bigint holds is a valid limit.
    const max = `${INT8_MAX / 1_000_000_000n}.${(INT8_MAX % 1_000_000_000n).toString().padStart(9, "0")}`;
    expect((await outcome(client.organizations.update.mutate({ organizationId: org.id, monthlyLimitUsd: max }))).status).toBe(200);
    expect((await getOrganization(h.t.db, org.id))?.monthlyLimitNano).toBe(INT8_MAX);
  });

  it("deeply nested JSON is a 400 at tRPC and at the REST settings endpoint", async () => {
    const org = await h.org();
    const { token } = await h.caller(org.admin).auth.createToken({ name: "deep" });
    const deep = `{"ui":${nest(5_000)}}`;
    const rest = await fetch(`${url}/api/v1/users/user/settings/update`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: deep,
    });
    expect(rest.status).toBe(400);
    expect(((await rest.json()) as { detail: string }).detail).toMatch(/nest/i);
    const trpc = await fetch(`${url}/trpc/settings.update`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: `{"json":${deep}}`,
    });
    expect(trpc.status).toBe(400);
    expect(await trpc.text()).toMatch(/nest/i);
    const query = await fetch(`${url}/trpc/usage.summary?input=${encodeURIComponent(`{"json":${nest(1_000)}}`)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(query.status).toBe(400);
    await healthy();
  });

  it("a 20 MB settings blob is refused with 413 at tRPC as at REST", async () => {
    const org = await h.org();
    const { token } = await h.caller(org.admin).auth.createToken({ name: "huge" });
    const blob = JSON.stringify({ ui: { notes: "x".repeat(20 * 1024 * 1024) } });
    for (const [path, body] of [
      ["/trpc/settings.update", `{"json":${blob}}`],
      ["/api/v1/users/user/settings/update", blob],
    ] as const) {
      const res = await fetch(`${url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body,
      });
      expect(res.status, path).toBe(413);
    }
    await healthy();
  });

  it("internal procedures: out-of-range values and unknown organisations are a 4xx", async () => {
    const org = await h.org();
    const user = await h.user("member", { organizationId: org.id });
    const internal = createTRPCClient<AppRouter>({
      links: [httpLink({ url: `${url}/trpc`, transformer: superjson, headers: { "x-mai-internal-token": INTERNAL_TOKEN } })],
    });
    const event = (overrides: Partial<UsageEvent>): UsageEvent => ({
      generationId: `gen-${randomUUID()}`,
      organizationId: org.id,
      userId: user.id,
      externalUserId: user.externalUserId!,
      model: "openai/gpt-4o-mini",
      promptTokens: 1,
      completionTokens: 1,
      rawCostNano: 1n,
      markupBp: 13_000,
      status: "ok",
      streamed: false,
      occurredAt: new Date(),
      ...overrides,
    });
    const batches: [string, UsageEvent][] = [
      ["tokens above integer", event({ promptTokens: INT4_MAX + 1 })],
      ["latency above integer", event({ latencyMs: INT4_MAX + 1 })],
      ["cost above bigint", event({ rawCostNano: INT8_MAX + 1n })],
      ["billed cost above bigint", event({ rawCostNano: INT8_MAX })],
      ["markup above integer", event({ markupBp: INT4_MAX + 1 })],
      ["unknown organisation", event({ organizationId: randomUUID() })],
      ["NUL in model", event({ model: "a\u0000b" })],
      ["year 275760", event({ occurredAt: new Date(8.64e15) })],
    ];
    for (const [what, e] of batches) {
      const viaHttp = await fetch(`${url}/trpc/internal.recordUsage`, {
        method: "POST",
        headers: { "x-mai-internal-token": INTERNAL_TOKEN, "content-type": "application/json" },
        body: JSON.stringify({ json: { ndjson: encodeUsageEvents([e]) } }),
      });
      expect(viaHttp.status, what).toBeGreaterThanOrEqual(400);
      expect(viaHttp.status, what).toBeLessThan(500);
    }
    expect((await h.t.db.select({ n: count() }).from(schema.usageEvents).where(eq(schema.usageEvents.organizationId, org.id)))[0]!.n).toBe(0);
    const reserve = (input: { organizationId: string; amountNano: bigint; preferNano?: bigint }) =>
      outcome(internal.internal.reserve.mutate({ ...input, owner: "hardening-test-owner" }));
    expect((await reserve({ organizationId: randomUUID(), amountNano: 1n })).status).toBe(404);
    expect((await reserve({ organizationId: org.id, amountNano: INT8_MAX + 1n })).status).toBe(400);
    expect((await reserve({ organizationId: org.id, amountNano: 1n, preferNano: INT8_MAX + 1n })).status).toBe(400);
    const settle = await outcome(internal.internal.settle.mutate({ owner: "hardening-test-owner", leaseId: "not-a-lease", consumedNano: 1n }));
    expect(settle.status).toBe(400);
    const resolve = await outcome(internal.internal.resolveContext.mutate({ token: "mai_\u0000" }));
    expect(resolve.status).toBe(400);
    await healthy();
  });

  it("a 5xx body carries a generic sentence and the request id that is in the log line — never SQL or a token hash", async () => {
    // The database behind this API is unreachable: building the request context fails.
    const down = await unreachableDatabase(driver);
    const logs: string[] = [];
    const deps = createDeps({
      db: down.db,
      secrets: h.t.secrets,
      env: h.deps.env,
      logger: createLogger({ level: "debug", destination: new Writable({ write: (c, _e, done) => (logs.push(String(c)), done()) }) }),
    });
    const broken = createApiServer(deps);
    const { url: brokenUrl } = await broken.listen(0, "127.0.0.1");
    try {
      const token = "mai_" + "ab".repeat(24);
      for (const [path, init] of [
        ["/trpc/auth.me", { headers: { authorization: `Bearer ${token}` } }],
        ["/trpc/auth.me", { headers: { cookie: "mai_session=abc" } }],
        ["/api/v1/users/user/settings", { headers: { authorization: `Bearer ${token}` } }],
        ["/api/v1/users/user/settings/update", { method: "POST", headers: { cookie: "mai_session=abc", "content-type": "application/json", origin: brokenUrl }, body: "{}" }],
      ] as const) {
        const res = await fetch(`${brokenUrl}${path}`, init);
        const body = await res.text();
        expect(res.status, path).toBe(503);
        const requestId = res.headers.get("x-request-id")!;
        expect(body, path).toContain(requestId);
        expectNoInternals(body);
        expect(logs.some((line) => line.includes(requestId) && /"level":50/.test(line)), `${path} logged`).toBe(true);
      }
      expect((await fetch(`${brokenUrl}/healthz`)).status).toBe(200);
      expect((await fetch(`${brokenUrl}/readyz`)).status).toBe(503);
    } finally {
      await broken.close();
      await down.close();
    }
  });

  it("a failed organisation create mints no key upstream and leaves no row", async () => {
    const provider = await h.user("provider_admin");
    const client = await h.http(provider, "manage");
    await client.globalSettings.update.mutate({ provisioningKey: h.sim.managementKey });
    const upstreamKeys = async () => (await h.deps.openrouter.listKeys({ includeDisabled: true }, { key: h.sim.managementKey })).length;
    const keysBefore = await upstreamKeys();
    const orgsBefore = await tableCount(schema.clientOrganizations);
    const existing = await h.org();
    for (const input of [
      { name: `Acme ${randomUUID()}`, provisionKey: true, monthlyLimitUsd: "1e30" },
      { name: `Acme ${randomUUID()}`, provisionKey: true, markup: "0.5" },
      { name: `Acme ${randomUUID()}\u0000`, provisionKey: true },
      { name: `Acme ${randomUUID()}`, provisionKey: true, billingEmail: "not-an-email" },
      { name: (await getOrganization(h.t.db, existing.id))!.name, provisionKey: true },
    ]) {
      const result = await outcome(client.organizations.create.mutate(input));
      expect(result.status, input.name).toBeGreaterThanOrEqual(400);
      expect(result.status, input.name).toBeLessThan(500);
    }
    expect(await upstreamKeys()).toBe(keysBefore);
    expect(await tableCount(schema.clientOrganizations)).toBe(orgsBefore + 1);
  });
});

/** A database nobody can reach: PostgreSQL on a closed port; a closed PGlite for the embedded driver. */
async function unreachableDatabase(driver: "pglite" | "postgres") {
  if (driver === "postgres") return createDb({ url: `postgres://postgres@127.0.0.1:${await closedPort()}/test`, max: 1 });
  const handle = createDb({ memory: true });
  await handle.close();
  return { ...handle, close: async () => undefined };
}
