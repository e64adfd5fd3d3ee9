// Scoped credentials (issue 14), over real HTTP. What was seen: with only an org admin's `mai_…`
// token — which an Open WebUI direct connection keeps in a browser — members.add (a new org admin
// with a password) and auth.createToken succeeded, and a token minted by a token survived the
// revocation of the one that minted it; internal.resolveContext was a GET, so every user token
// appeared in request lines and access logs. What must hold: a chat token chats (the proxy, the
// user's own settings, auth.me, their own usage) and nothing else; a manage token, which only an
// administrator can create, also administers; no token mints a token; revoking a token or ending a
// session stops it at once; the proxy's identity lookup is a POST.
import { schema } from "@mai/db";
import { eq, testDrivers } from "@mai/db/testing";
import { randomUUID } from "node:crypto";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiServer, type ApiServer } from "../src/server";
import { hashPassword } from "../src/services/auth/passwords";
import { Browser } from "./browser";
import { createHarness, INTERNAL_TOKEN, usageBatch, type Harness } from "./harness";

const PASSWORD = "a long and correct password";
const CHAT_ONLY = /This token is for chat: sign in to the dashboard/;

describe.each(testDrivers())("scoped credentials on %s", (driver) => {
  let h: Harness;
  let api: ApiServer;
  let url: string;
  let passwordHash: string;

  beforeAll(async () => {
    h = await createHarness(driver);
    api = createApiServer(h.deps);
    url = (await api.listen(0, "127.0.0.1")).url;
    passwordHash = await hashPassword(PASSWORD);
  });
  afterAll(async () => {
    await api.close();
    await h.close();
  });

  /** A dashboard session of a new user with a password. */
  async function signedIn(role: "provider_admin" | "org_admin" | "member", organizationId?: string) {
    const user = await h.user(role, { passwordHash, ...(organizationId ? { organizationId } : {}) });
    const browser = new Browser(url);
    const answer = await browser.signIn(user.email, PASSWORD);
    expect(answer.ok, answer.message).toBe(true);
    return { user, browser };
  }

  /** A client holding only a token: no cookie, the token in Authorization. */
  function bearer(token: string): Browser {
    const client = new Browser(url);
    client.headers = { authorization: `Bearer ${token}` };
    return client;
  }

  async function mint(browser: Browser, input: { name: string; scope?: "chat" | "manage" }) {
    const created = await browser.mutate<{ id: string; token: string; scope: string }>("auth.createToken", input);
    expect(created.ok, created.message).toBe(true);
    return created.data;
  }

  describe("what was seen", () => {
    it("an org admin's chat token cannot add an org admin with a password, nor mint a token", async () => {
      const org = await h.org();
      const { browser } = await signedIn("org_admin", org.id);
      const { token } = await mint(browser, { name: "Open WebUI" });
      const chat = bearer(token);

      const added = await chat.mutate("members.add", { email: `intruder-${randomUUID()}@evil.example`, role: "org_admin" });
      expect(added).toMatchObject({ ok: false, status: 403, code: "FORBIDDEN", message: expect.stringMatching(CHAT_ONLY) });
      const minted = await chat.mutate("auth.createToken", { name: "sneaky" });
      expect(minted).toMatchObject({ ok: false, status: 403, code: "FORBIDDEN" });
      expect(minted.message).toMatch(/token/i);
      // Nothing was created.
      expect(await h.t.db.select().from(schema.apiTokens).where(eq(schema.apiTokens.name, "sneaky"))).toEqual([]);
    });

    it("a manage token administers but cannot mint a token either (a token can never mint a token)", async () => {
      const org = await h.org();
      const { browser } = await signedIn("org_admin", org.id);
      const manage = await mint(browser, { name: "automation", scope: "manage" });
      expect(manage.scope).toBe("manage");
      const client = bearer(manage.token);
      const added = await client.mutate("members.add", { email: `new-${randomUUID()}@a.example`, role: "member" });
      expect(added.ok, added.message).toBe(true);
      expect((await client.query("members.list", {})).ok).toBe(true);
      const minted = await client.mutate("auth.createToken", { name: "child" });
      expect(minted).toMatchObject({ ok: false, status: 403, code: "FORBIDDEN", message: expect.stringMatching(/session/i) });
      // Its own list and revocations: sessions and manage tokens.
      expect((await client.query<{ scope: string }[]>("auth.listTokens")).data.map((t) => t.scope)).toEqual(["manage"]);
    });

    it("internal.resolveContext is refused as a GET (a token would sit in the URL) and answers a POST", async () => {
      const org = await h.org();
      const { browser } = await signedIn("member", org.id);
      const { token } = await mint(browser, { name: "chat" });
      const input = encodeURIComponent(JSON.stringify(superjson.serialize({ token })));
      const viaGet = await fetch(`${url}/trpc/internal.resolveContext?input=${input}`, { headers: { "x-mai-internal-token": INTERNAL_TOKEN } });
      expect(viaGet.status).toBe(405);
      const viaPost = await fetch(`${url}/trpc/internal.resolveContext`, {
        method: "POST",
        headers: { "x-mai-internal-token": INTERNAL_TOKEN, "content-type": "application/json" },
        body: JSON.stringify(superjson.serialize({ token })),
      });
      expect(viaPost.status).toBe(200);
      expect(await viaPost.text()).not.toContain(token);
    });
  });

  describe("a chat token", () => {
    it("is refused, in words, everything of the dashboard: organisations, members, mappings, audit, tokens, global settings", async () => {
      const provider = await signedIn("provider_admin");
      const providerChat = bearer((await mint(provider.browser, { name: "chat" })).token);
      const org = await h.org();
      const admin = await signedIn("org_admin", org.id);
      const adminChat = bearer((await mint(admin.browser, { name: "chat" })).token);
      const refusals = [
        await providerChat.query("organizations.list"),
        await providerChat.mutate("organizations.create", { name: `Chat ${randomUUID()}`, provisionKey: false }),
        await providerChat.query("globalSettings.get"),
        await adminChat.query("organizations.get", {}),
        await adminChat.query("members.list", {}),
        await adminChat.query("userMapping.configuration"),
        await adminChat.query("audit.list", {}),
        await adminChat.query("auth.listTokens"),
        await adminChat.mutate("auth.revokeToken", { id: randomUUID() }),
      ];
      for (const refused of refusals) {
        expect(refused).toMatchObject({ ok: false, status: 403, code: "FORBIDDEN", message: expect.stringMatching(CHAT_ONLY) });
      }
    });

    it("reads and saves its owner's settings (tRPC and Open WebUI's REST endpoint) and says who it is", async () => {
      const org = await h.org();
      const { user, browser } = await signedIn("org_admin", org.id);
      const { token } = await mint(browser, { name: "Open WebUI" });
      const chat = bearer(token);
      expect((await chat.query("settings.get")).ok).toBe(true);
      const saved = await chat.mutate("settings.update", { ui: { theme: "dark" } });
      expect(saved.ok, saved.message).toBe(true);
      const rest = await fetch(`${url}/api/v1/users/user/settings`, { headers: { authorization: `Bearer ${token}` } });
      expect(rest.status).toBe(200);
      expect(((await rest.json()) as { ui: { theme?: string } }).ui.theme).toBe("dark");
      expect((await chat.query("auth.me")).data).toMatchObject({ id: user.id, mustChangePassword: false });
    });

    it("sees only its owner's own usage, whatever the owner's role", async () => {
      const org = await h.org();
      const { user: admin, browser } = await signedIn("org_admin", org.id);
      const colleague = await h.user("member", { organizationId: org.id });
      const event = (who: typeof admin, n: number) => ({
        generationId: `gen-scope-${randomUUID()}`,
        organizationId: org.id,
        userId: who.id,
        externalUserId: who.externalUserId!,
        model: "openai/gpt-4o-mini",
        promptTokens: n,
        completionTokens: n,
        rawCostNano: 1_000n * BigInt(n),
        markupBp: 10_000,
        status: "ok" as const,
        streamed: false,
        occurredAt: new Date(),
      });
      await h.internal().internal.recordUsage(usageBatch([event(admin, 1), event(colleague, 2), event(colleague, 3)]));

      const chat = bearer((await mint(browser, { name: "chat" })).token);
      const summary = await chat.query<{ userId: string | null }>("usage.summary", {});
      expect(summary.data.userId).toBe(admin.id);
      const byUser = await chat.query<{ rows: { userId: string }[] }>("usage.byUser", {});
      expect(byUser.data.rows.map((r) => r.userId)).toEqual([admin.id]);
      const events = await chat.query<{ items: { userId: string }[] }>("usage.events", {});
      expect(events.data.items.map((e) => e.userId)).toEqual([admin.id]);
      const other = await chat.query("usage.events", { userId: colleague.id });
      expect(other).toMatchObject({ ok: false, code: "FORBIDDEN", message: "You can only see your own usage." });
      // The same administrator in the dashboard sees the organisation's.
      const dashboard = await browser.query<{ rows: { userId: string }[] }>("usage.byUser", {});
      expect(dashboard.data.rows.map((r) => r.userId).sort()).toEqual([admin.id, colleague.id].sort());
    });
  });

  describe("creating tokens", () => {
    it("only an administrator may create a manage token; the scope is listed and audited", async () => {
      const org = await h.org();
      const member = await signedIn("member", org.id);
      const refused = await member.browser.mutate("auth.createToken", { name: "mine", scope: "manage" });
      expect(refused).toMatchObject({ ok: false, status: 403, code: "FORBIDDEN", message: expect.stringMatching(/administrators/) });
      expect((await mint(member.browser, { name: "chat" })).scope).toBe("chat");

      const admin = await signedIn("org_admin", org.id);
      const manage = await mint(admin.browser, { name: "ops", scope: "manage" });
      const listed = await admin.browser.query<{ id: string; scope: string }[]>("auth.listTokens");
      expect(listed.data).toEqual([expect.objectContaining({ id: manage.id, scope: "manage" })]);
      const [entry] = await h.t.db.select().from(schema.auditLog).where(eq(schema.auditLog.targetId, manage.id));
      expect(entry).toMatchObject({ action: "token.created", actorUserId: admin.user.id, details: expect.objectContaining({ scope: "manage" }) });
      expect(JSON.stringify(entry)).not.toContain(manage.token);
    });
  });

  describe("revocation and sign-out take effect at once in the API", () => {
    it("a revoked token is refused on its very next request", async () => {
      const org = await h.org();
      const { browser } = await signedIn("org_admin", org.id);
      const manage = await mint(browser, { name: "ops", scope: "manage" });
      const client = bearer(manage.token);
      expect((await client.query("members.list", {})).ok).toBe(true);
      // A manage token revokes itself; the very next request is refused.
      expect((await client.mutate("auth.revokeToken", { id: manage.id })).ok).toBe(true);
      expect(await client.query("members.list", {})).toMatchObject({ ok: false, status: 401, code: "UNAUTHORIZED" });
      expect(await client.query("settings.get")).toMatchObject({ ok: false, status: 401 });
      expect((await client.query("auth.me")).data).toBeNull();

      const chat = await mint(browser, { name: "chat" });
      expect((await bearer(chat.token).query("settings.get")).ok).toBe(true);
      expect((await browser.mutate("auth.revokeToken", { id: chat.id })).ok).toBe(true);
      expect(await bearer(chat.token).query("settings.get")).toMatchObject({ ok: false, status: 401 });
      // The proxy's door refuses it too.
      const resolved = await h.internal().internal.resolveContext({ token: chat.token }).then(
        () => "OK",
        (error: { code?: string }) => error.code,
      );
      expect(resolved).toBe("UNAUTHORIZED");
    });

    it("an ended session is refused on its very next request", async () => {
      const org = await h.org();
      const { browser } = await signedIn("org_admin", org.id);
      const cookie = browser.cookie("mai_session")!;
      expect((await browser.mutate("auth.logout")).ok).toBe(true);
      const replay = new Browser(url);
      replay.cookies.set("mai_session", cookie);
      expect(await replay.query("members.list", {})).toMatchObject({ ok: false, status: 401 });
    });
  });
});
