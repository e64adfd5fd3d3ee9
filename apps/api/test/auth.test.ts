import { testDrivers } from "@mai/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveIdentity } from "../src/context";
import { createApiServer } from "../src/server";
import { hashPassword } from "../src/services/auth/passwords";
import { createHarness, type Harness, trpcCode } from "./harness";

const PASSWORD = "a long and correct password";

describe.each(testDrivers())("auth on %s", (driver) => {
  let h: Harness;
  let passwordHash: string;
  beforeAll(async () => {
    h = await createHarness(driver);
    passwordHash = await hashPassword(PASSWORD);
  });
  afterAll(() => h.close());

  it("signs in with e-mail and password and sets an httpOnly, SameSite=Lax session cookie (and a known-device cookie)", async () => {
    const user = await h.user("org_admin", { passwordHash, email: "Ada@Example.COM" });
    h.cookies.length = 0;
    const me = await h.caller(null).auth.login({ email: "  ada@example.com ", password: PASSWORD });
    expect(me).toMatchObject({ id: user.id, role: "org_admin", mustChangePassword: false });
    expect(h.cookies).toHaveLength(2);
    expect(h.cookies[0]).toMatch(/^mai_session=[A-Za-z0-9_-]{43}; /);
    expect(h.cookies[0]!.split("; ").slice(1).sort()).toEqual(["HttpOnly", "Max-Age=604800", "Path=/", "SameSite=Lax"]);
    // The browser is remembered for 400 days: sign-in throttling spares it (sign-in-throttle.test.ts).
    expect(h.cookies[1]).toMatch(/^mai_device=[A-Za-z0-9_-]{43}; /);
    expect(h.cookies[1]!.split("; ").slice(1).sort()).toEqual(["HttpOnly", "Max-Age=34560000", "Path=/", "SameSite=Lax"]);
  });

  it("refuses a wrong password with one message for unknown accounts and wrong passwords", async () => {
    await h.user("member", { passwordHash, email: "bob@example.com" });
    const wrong = h.caller(null, { ip: "10.9.0.1" }).auth.login({ email: "bob@example.com", password: "nope" });
    await expect(wrong).rejects.toThrow("Wrong e-mail or password.");
    const unknown = h.caller(null, { ip: "10.9.0.2" }).auth.login({ email: "nobody@example.com", password: "nope" });
    await expect(unknown).rejects.toThrow("Wrong e-mail or password.");
  });

  // Throttling (delays per account, address and known device, shared in the database) has its own
  // file: sign-in-throttle.test.ts. It replaced a lock that five strangers' guesses could set off.

  it("me is null for anonymous callers and the user otherwise", async () => {
    expect(await h.caller(null).auth.me()).toBeNull();
    const user = await h.user("member");
    expect(await h.caller(user).auth.me()).toMatchObject({ id: user.id, email: user.email });
  });

  it("creates a personal token shown once, lists it by prefix only, and revokes it", async () => {
    const user = await h.user("member");
    const created = await h.caller(user).auth.createToken({ name: "laptop" });
    expect(created.token).toMatch(/^mai_[0-9a-f]{48}$/);
    expect(created.prefix).toBe(created.token.slice(0, 12));
    const listed = await h.caller(user).auth.listTokens();
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(created.token);

    const identity = await resolveIdentity(h.deps, { authorization: `Bearer ${created.token}` });
    expect(identity.user?.id).toBe(user.id);
    expect((await h.caller(user).auth.listTokens())[0]?.lastUsedAt).toBeInstanceOf(Date);

    const stranger = await h.user("member");
    expect(await trpcCode(h.caller(stranger).auth.revokeToken({ id: created.id }))).toBe("NOT_FOUND");
    await h.caller(user).auth.revokeToken({ id: created.id });
    expect((await resolveIdentity(h.deps, { authorization: `Bearer ${created.token}` })).user).toBeNull();
    expect(await trpcCode(h.caller(user).auth.revokeToken({ id: created.id }))).toBe("NOT_FOUND");
  });

  it.each([
    ["createToken", (h: Harness) => h.caller(null).auth.createToken({ name: "x" })],
    ["listTokens", (h: Harness) => h.caller(null).auth.listTokens()],
    ["revokeToken", (h: Harness) => h.caller(null).auth.revokeToken({ id: "00000000-0000-4000-8000-000000000000" })],
  ])("%s needs a signed-in user", async (_name, call) => {
    expect(await trpcCode(call(h))).toBe("UNAUTHORIZED");
  });

  it("works over HTTP: cookie session, logout, and the internal token header", async () => {
    await h.user("org_admin", { passwordHash, email: "http@example.com" });
    const api = createApiServer(h.deps);
    const { url } = await api.listen(0, "127.0.0.1");
    try {
      const login = await fetch(`${url}/trpc/auth.login`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: url },
        body: JSON.stringify({ json: { email: "http@example.com", password: PASSWORD } }),
      });
      expect(login.status).toBe(200);
      const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
      const me = (await (await fetch(`${url}/trpc/auth.me`, { headers: { cookie } })).json()) as { result: { data: { json: { email: string } } } };
      expect(me.result.data.json.email).toBe("http@example.com");
      await fetch(`${url}/trpc/auth.logout`, { method: "POST", headers: { cookie, "content-type": "application/json", origin: url }, body: "{}" });
      const after = (await (await fetch(`${url}/trpc/auth.me`, { headers: { cookie } })).json()) as { result: { data: { json: unknown } } };
      expect(after.result.data.json).toBeNull();

      const refused = await fetch(`${url}/trpc/internal.reserve`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-mai-internal-token": "wrong-token-wrong-token-wrong" },
        body: JSON.stringify({ json: { organizationId: "00000000-0000-4000-8000-000000000000", amountNano: { __type: "bigint" } } }),
      });
      expect(refused.status).toBe(401);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${url}/readyz`)).json()).toMatchObject({ status: "ready" });
      expect((await fetch(`${url}/nope`)).status).toBe(404);
    } finally {
      await api.close();
    }
  });
});
