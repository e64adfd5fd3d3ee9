// Trusted-gateway mode: Open WebUI's server calls the proxy with the gateway token and forwards the
// user (X-OpenWebUI-User-* headers, or the signed X-OpenWebUI-User-Jwt). The whole system runs:
// the real API and database, the OpenRouter simulator, the proxy.
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { schema } from "@mai/db";
import { testDrivers } from "@mai/db/testing";
import { externalUserId } from "@mai/domain";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProxyEnv } from "../src/index";
import { decodeName, verifyOpenWebUiJwt } from "../src/identity";
import { INTERNAL_TOKEN, startSystem, type System, type TestOrg } from "./system";

const MODEL = "openai/gpt-4o-mini";
const GATEWAY_TOKEN = `owui-gateway-${randomBytes(16).toString("hex")}`;
const JWT_SECRET = `owui-jwt-secret-${randomBytes(16).toString("hex")}`;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
/** What Open WebUI sends with FORWARD_USER_INFO_HEADER_JWT_SECRET (PyJWT, HS256). */
function signJwt(claims: Record<string, unknown>, secret = JWT_SECRET, header: Record<string, unknown> = { alg: "HS256", typ: "JWT" }): string {
  const unsigned = `${b64(header)}.${b64(claims)}`;
  return `${unsigned}.${createHmac("sha256", secret).update(unsigned).digest("base64url")}`;
}
const nowS = () => Math.floor(Date.now() / 1000);
const owuiClaims = (sub: string, extra: Record<string, unknown> = {}) => ({
  sub,
  email: `${sub}@client.example`,
  name: "Łukasz",
  role: "user",
  iss: "open-webui",
  iat: nowS(),
  exp: nowS() + 300,
  ...extra,
});

describe.each(testDrivers())("trusted-gateway mode on %s", (driver) => {
  let s: System;
  const sentJwts: string[] = [];
  beforeAll(async () => {
    s = await startSystem(driver, { MAI_PROXY_GATEWAY_TOKEN: GATEWAY_TOKEN });
  });
  afterAll(() => s.close());

  /** One chat request the way Open WebUI's server sends it. */
  async function chat(headers: Record<string, string>, token = GATEWAY_TOKEN) {
    if (headers["x-openwebui-user-jwt"]) sentJwts.push(headers["x-openwebui-user-jwt"]);
    const res = await fetch(`${s.proxyUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
      body: JSON.stringify({ model: MODEL, user: "open-webui-chooses-nothing", messages: [{ role: "user", content: "Cześć" }] }),
    });
    const body = (await res.json()) as { id?: string; error?: { type: string; code: string; message: string } };
    return { status: res.status, body };
  }
  const userHeaders = (id: string, email?: string, name = "%C5%81ukasz") => ({
    "x-openwebui-user-id": id,
    ...(email ? { "x-openwebui-user-email": email } : {}),
    "x-openwebui-user-name": name,
    "x-openwebui-user-role": "user",
  });
  const emailOf = async (userId: string) => (await s.t.db.select().from(schema.users).where(eq(schema.users.id, userId)))[0]!;
  const byOpenWebUiId = async (id: string) => s.t.db.select().from(schema.users).where(eq(schema.users.openWebUiUserId, id));
  async function recorded(org: TestOrg) {
    await Promise.allSettled([...s.proxy.deps.inflight]);
    await s.proxy.deps.recorder.flush();
    await s.proxy.deps.reservations.idle();
    return s.t.db.select().from(schema.usageEvents).where(eq(schema.usageEvents.organizationId, org.id));
  }

  it("plain headers: the gateway token + X-OpenWebUI-User-Id/-Email/-Name reach OpenRouter as that user's external id", async () => {
    const org = await s.org();
    const member = org.users[0]!;
    const { email } = await emailOf(member.id);
    const owuiId = randomUUID();
    const { status, body } = await chat(userHeaders(owuiId, email.toUpperCase()));
    expect(status).toBe(200);
    const [charge] = s.sim.ledger({ keyHash: org.keyHash });
    expect(charge).toMatchObject({ generationId: body.id, user: member.externalUserId });
    // Found by e-mail, so the Open WebUI id was recorded: the id alone resolves from now on.
    expect((await byOpenWebUiId(owuiId)).map((u) => u.id)).toEqual([member.id]);
    expect((await chat({ "x-openwebui-user-id": owuiId })).status).toBe(200);
    expect((await recorded(org)).every((e) => e.userId === member.id && e.externalUserId === member.externalUserId)).toBe(true);
  });

  it("also works through the official SDK with Open WebUI's headers as default headers", async () => {
    const org = await s.org();
    const { email } = await emailOf(org.users[0]!.id);
    const sdk = new OpenAI({ apiKey: GATEWAY_TOKEN, baseURL: `${s.proxyUrl}/api/v1`, maxRetries: 0, defaultHeaders: userHeaders(randomUUID(), email) });
    const completion = await sdk.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Hello" }] });
    expect(s.sim.ledger({ keyHash: org.keyHash }).map((c) => [c.generationId, c.user])).toEqual([[completion.id, org.users[0]!.externalUserId]]);
    const models = await sdk.models.list();
    expect(models.data.length).toBeGreaterThan(0);
  });

  it("refuses the wrong gateway token (401), and a gateway request naming no user (401)", async () => {
    const org = await s.org();
    const { email } = await emailOf(org.users[0]!.id);
    const owuiId = randomUUID();
    expect((await chat(userHeaders(owuiId, email))).status).toBe(200); // now cached for this Open WebUI id
    const before = s.sim.ledger().length;
    const wrong = await chat(userHeaders(owuiId, email), `${GATEWAY_TOKEN.slice(0, -1)}x`);
    expect(wrong).toEqual({ status: 401, body: { error: { type: "invalid_request_error", code: "invalid_api_key", message: expect.any(String) } } });
    const none = await chat({ "x-openwebui-user-email": email });
    expect(none).toEqual({ status: 401, body: { error: { type: "invalid_request_error", code: "missing_user_identity", message: expect.any(String) } } });
    expect(s.sim.ledger().length).toBe(before);
  });

  it("personal tokens keep working next to gateway mode; forwarded headers cannot change who they are", async () => {
    const org = await s.org({ members: 2 });
    const [me, other] = org.users as [TestOrg["users"][number], TestOrg["users"][number]];
    const { email: otherEmail } = await emailOf(other.id);
    expect((await chat(userHeaders(randomUUID(), otherEmail), me.token)).status).toBe(200);
    expect(s.sim.ledger({ keyHash: org.keyHash }).map((c) => c.user)).toEqual([me.externalUserId]);
  });

  it("without auto-join an unknown Open WebUI user gets 403 permission_error, and nobody is created", async () => {
    const owuiId = randomUUID();
    const refused = await chat(userHeaders(owuiId, `${owuiId}@nobody.example`));
    expect(refused).toEqual({ status: 403, body: { error: { type: "permission_error", code: "unknown_user", message: expect.stringMatching(/not registered/) } } });
    expect(await byOpenWebUiId(owuiId)).toHaveLength(0);
  });

  it("auto-join: an unknown user becomes a member of the configured organisation, and their request is billed to it", async () => {
    const org = await s.org();
    await s.restartProxy({ MAI_PROXY_AUTO_JOIN_ORGANIZATION_ID: org.id });
    const owuiId = randomUUID();
    const email = `lukasz-${owuiId.slice(0, 8)}@client.example`;
    const results = await Promise.all(Array.from({ length: 5 }, () => chat(userHeaders(owuiId, email))));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const [user, ...more] = await byOpenWebUiId(owuiId);
    expect(more).toHaveLength(0);
    expect(user).toMatchObject({ email, name: "Łukasz", role: "member" });
    const external = externalUserId(org.id, user!.id);
    const [mapping] = await s.t.db.select().from(schema.userClientMapping).where(eq(schema.userClientMapping.userId, user!.id));
    expect(mapping).toMatchObject({ organizationId: org.id, externalUserId: external });
    expect(s.sim.ledger({ keyHash: org.keyHash }).map((c) => c.user)).toEqual(Array(5).fill(external));
    const events = await recorded(org);
    expect(events).toHaveLength(5);
    expect(events.every((e) => e.userId === user!.id && e.externalUserId === external && e.billedCostNano > 0n)).toBe(true);
    const audit = await s.t.db
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.action, "user.auto_joined"), eq(schema.auditLog.targetId, user!.id)));
    expect(audit).toEqual([expect.objectContaining({ actorKind: "proxy", organizationId: org.id })]);
  });

  it("auto-join into a deactivated organisation answers 403 auto_join_unavailable", async () => {
    const org = await s.org({ active: false });
    await s.restartProxy({ MAI_PROXY_AUTO_JOIN_ORGANIZATION_ID: org.id });
    const owuiId = randomUUID();
    const refused = await chat(userHeaders(owuiId, `${owuiId}@client.example`));
    expect(refused).toEqual({ status: 403, body: { error: { type: "permission_error", code: "auto_join_unavailable", message: expect.any(String) } } });
    expect(await byOpenWebUiId(owuiId)).toHaveLength(0);
  });

  it("a forwarded identity that cannot be stored: a NUL in the name leaves the name out (200); an id too long or an e-mail that is none is refused in words (401)", async () => {
    const org = await s.org();
    await s.restartProxy({ MAI_PROXY_AUTO_JOIN_ORGANIZATION_ID: org.id });
    const owuiId = randomUUID();
    const joined = await chat(userHeaders(owuiId, `nul-${owuiId.slice(0, 8)}@client.example`, "%00%C5%81ukasz"));
    expect(joined.status).toBe(200);
    const [user] = await byOpenWebUiId(owuiId);
    expect(user?.name ?? "").not.toContain("\u0000");
    for (const headers of [userHeaders("i".repeat(201)), userHeaders(randomUUID(), "x\u00ff@client")]) {
      const refused = await chat(headers);
      expect(refused).toEqual({ status: 401, body: { error: { type: "invalid_request_error", code: "invalid_user_identity", message: expect.any(String) } } });
    }
  });

  describe("with MAI_PROXY_GATEWAY_JWT_SECRET", () => {
    beforeAll(() => s.restartProxy({ MAI_PROXY_GATEWAY_JWT_SECRET: JWT_SECRET }));

    it("a valid JWT identifies the user; the plain headers are ignored", async () => {
      const org = await s.org({ members: 2 });
      const [me, other] = org.users as [TestOrg["users"][number], TestOrg["users"][number]];
      const { email } = await emailOf(me.id);
      const { email: otherEmail } = await emailOf(other.id);
      const owuiId = randomUUID();
      const jwt = signJwt(owuiClaims(owuiId, { email }));
      expect((await chat({ "x-openwebui-user-jwt": jwt, ...userHeaders(randomUUID(), otherEmail) })).status).toBe(200);
      // Within the clock skew: expired 30 s ago is still accepted.
      expect((await chat({ "x-openwebui-user-jwt": signJwt(owuiClaims(owuiId, { email, exp: nowS() - 30 })) })).status).toBe(200);
      expect(s.sim.ledger({ keyHash: org.keyHash }).map((c) => c.user)).toEqual([me.externalUserId, me.externalUserId]);
    });

    it.each([
      ["an expired JWT", () => signJwt(owuiClaims(randomUUID(), { exp: nowS() - 120 }))],
      ["a JWT signed with another secret", () => signJwt(owuiClaims(randomUUID()), `${JWT_SECRET}-other`)],
      ["a JWT with alg none", () => `${b64({ alg: "none", typ: "JWT" })}.${b64(owuiClaims(randomUUID()))}.`],
      ["a JWT from another issuer", () => signJwt(owuiClaims(randomUUID(), { iss: "someone-else" }))],
      ["a tampered JWT", () => signJwt(owuiClaims("a")).replace(/^([^.]+)\.[^.]+/, (_m, h: string) => `${h}.${b64(owuiClaims("b"))}`)],
      ["garbage", () => "not.a-jwt"],
    ])("refuses %s with 401 invalid_user_jwt", async (_name, make) => {
      const org = await s.org();
      const { email } = await emailOf(org.users[0]!.id);
      const before = s.sim.ledger().length;
      const refused = await chat({ "x-openwebui-user-jwt": make(), ...userHeaders(randomUUID(), email) });
      expect(refused).toEqual({ status: 401, body: { error: { type: "invalid_request_error", code: "invalid_user_jwt", message: expect.any(String) } } });
      expect(s.sim.ledger().length).toBe(before);
    });

    it.each([
      ["a NUL in the subject", { sub: "a\u0000b" }],
      ["a lone surrogate in the subject", { sub: "\ud800" }],
      ["a NUL in the e-mail", { email: "a\u0000b@client.example" }],
    ])("refuses a valid JWT whose identity the database cannot store (%s) with 401 invalid_user_identity", async (_name, claims) => {
      const refused = await chat({ "x-openwebui-user-jwt": signJwt({ ...owuiClaims(randomUUID()), ...claims }) });
      expect(refused).toEqual({ status: 401, body: { error: { type: "invalid_request_error", code: "invalid_user_identity", message: expect.any(String) } } });
    });

    it("refuses plain headers without a JWT (401): they are spoofable by anyone holding the gateway key", async () => {
      const org = await s.org();
      const { email } = await emailOf(org.users[0]!.id);
      const refused = await chat(userHeaders(randomUUID(), email));
      expect(refused.status).toBe(401);
      expect(refused.body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_user_jwt" });
    });
  });

  it("the gateway token, the JWT secret and the JWTs never appear in a log line or an error body", () => {
    const logs = s.logs.join("\n");
    expect(s.logs.length).toBeGreaterThan(0);
    expect(sentJwts.length).toBeGreaterThan(3);
    expect(logs).not.toContain(GATEWAY_TOKEN);
    expect(logs).not.toContain(GATEWAY_TOKEN.slice(0, -1));
    expect(logs).not.toContain(JWT_SECRET);
    for (const jwt of sentJwts) {
      expect(logs).not.toContain(jwt);
      expect(logs).not.toContain(jwt.split(".")[2] || jwt);
    }
    expect(logs).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
  });
});

describe("gateway configuration and JWT verification", () => {
  const base = { MAI_INTERNAL_TOKEN: INTERNAL_TOKEN };

  it("validates the gateway variables", () => {
    expect(loadProxyEnv({ ...base, MAI_PROXY_GATEWAY_TOKEN: "", MAI_PROXY_AUTO_JOIN_ORGANIZATION_ID: "" }).MAI_PROXY_GATEWAY_TOKEN).toBeUndefined();
    expect(() => loadProxyEnv({ ...base, MAI_PROXY_GATEWAY_TOKEN: "short" })).toThrow(/at least 24/);
    expect(() => loadProxyEnv({ ...base, MAI_PROXY_GATEWAY_TOKEN: INTERNAL_TOKEN })).toThrow(/must differ/);
    expect(() => loadProxyEnv({ ...base, MAI_PROXY_GATEWAY_JWT_SECRET: JWT_SECRET })).toThrow(/MAI_PROXY_GATEWAY_TOKEN too/);
    expect(() => loadProxyEnv({ ...base, MAI_PROXY_AUTO_JOIN_ORGANIZATION_ID: randomUUID() })).toThrow(/MAI_PROXY_GATEWAY_TOKEN too/);
    expect(() => loadProxyEnv({ ...base, MAI_PROXY_GATEWAY_TOKEN: GATEWAY_TOKEN, MAI_PROXY_AUTO_JOIN_ORGANIZATION_ID: "org-1" })).toThrow(/MAI_PROXY_AUTO_JOIN_ORGANIZATION_ID/);
    const id = randomUUID();
    expect(loadProxyEnv({ ...base, MAI_PROXY_GATEWAY_TOKEN: GATEWAY_TOKEN, MAI_PROXY_GATEWAY_JWT_SECRET: JWT_SECRET, MAI_PROXY_AUTO_JOIN_ORGANIZATION_ID: id })).toMatchObject({
      MAI_PROXY_GATEWAY_TOKEN: GATEWAY_TOKEN,
      MAI_PROXY_GATEWAY_JWT_SECRET: JWT_SECRET,
      MAI_PROXY_AUTO_JOIN_ORGANIZATION_ID: id,
    });
  });

  it("decodes Open WebUI's percent-encoded names", () => {
    expect(decodeName("%C5%81ukasz")).toBe("Łukasz");
    expect(decodeName(" Zo%C3%AB Smith ")).toBe("Zoë Smith");
    expect(decodeName("100%")).toBe("100%"); // not percent-encoding: taken as it is
  });

  it("verifies claims, skew and algorithm", async () => {
    const now = Date.now();
    const ok = await verifyOpenWebUiJwt(signJwt(owuiClaims("u-1", { name: "Łukasz" })), JWT_SECRET, now);
    expect(ok).toEqual({ ok: true, user: { id: "u-1", email: "u-1@client.example", name: "Łukasz" } });
    const reason = async (jwt: string) => {
      const r = await verifyOpenWebUiJwt(jwt, JWT_SECRET, now);
      return r.ok ? "ok" : r.reason;
    };
    expect(await reason(signJwt(owuiClaims("u-1", { exp: undefined })))).toBe("expired");
    expect(await reason(signJwt(owuiClaims("u-1", { iat: nowS() + 600 })))).toBe("not_yet_valid");
    expect(await reason(signJwt(owuiClaims("u-1", { iat: nowS() + 30 })))).toBe("ok");
    expect(await reason(signJwt(owuiClaims("")))).toBe("subject");
    expect(await reason(signJwt(owuiClaims("u-1"), JWT_SECRET, { alg: "HS512", typ: "JWT" }))).toBe("algorithm");
    expect(await reason(signJwt(owuiClaims("u-1")).slice(0, -2))).toBe("signature");
  });

  it("refuses, with jose, what the hand-written verification refused: none, an issuer, a past exp, a future nbf, a claims set that is not an object", async () => {
    const now = Date.now();
    const reason = async (jwt: string) => {
      const r = await verifyOpenWebUiJwt(jwt, JWT_SECRET, now);
      return r.ok ? "ok" : r.reason;
    };
    const unsigned = (claims: unknown) => `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`;
    expect(await reason(unsigned(owuiClaims("u-1")))).not.toBe("ok");
    expect(await reason(signJwt(owuiClaims("u-1", { iss: "someone-else" })))).toBe("issuer");
    expect(await reason(signJwt(owuiClaims("u-1", { iss: undefined })))).toBe("issuer");
    expect(await reason(signJwt(owuiClaims("u-1", { exp: nowS() - 120 })))).toBe("expired");
    // Within the skew either way.
    expect(await reason(signJwt(owuiClaims("u-1", { exp: nowS() - 30 })))).toBe("ok");
    expect(await reason(signJwt(owuiClaims("u-1", { nbf: nowS() + 30 })))).toBe("ok");
    expect(await reason(signJwt(owuiClaims("u-1", { nbf: nowS() + 600 })))).toBe("not_yet_valid");
    expect(await reason(signJwt(owuiClaims("u-1", { exp: String(nowS() + 300) })))).toBe("expired");
    expect(await reason(signJwt(owuiClaims("   ")))).toBe("subject");
    expect(await reason(signJwt(owuiClaims("x".repeat(201))))).toBe("subject");
    expect(await reason("not.a-jwt")).toBe("malformed");
    const array = `${b64({ alg: "HS256", typ: "JWT" })}.${b64([1, 2])}`;
    expect(await reason(`${array}.${createHmac("sha256", JWT_SECRET).update(array).digest("base64url")}`)).toBe("malformed");
  });
});
