import { getAuthUser, getUserByEmail, listAudit, type AuthUser } from "@mai/db";
import { testDrivers } from "@mai/db/testing";
import { externalUserId } from "@mai/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiServer, type ApiServer } from "../src/server";
import { hashPassword } from "../src/services/auth/passwords";
import { Browser } from "./browser";
import { createHarness, nextKey, type Harness, trpcCode } from "./harness";

const PASSWORD = "a long and correct password";

type Caller = ReturnType<Harness["caller"]>;

describe.each(testDrivers())("members on %s", (driver) => {
  let h: Harness;
  let provider: AuthUser;
  let seq = 0;
  const email = (stem = "person") => `${stem}-${++seq}-${driver}@members.example`;
  let api: ApiServer;
  let url: string;
  let passwordHash: string;
  beforeAll(async () => {
    h = await createHarness(driver);
    provider = await h.user("provider_admin");
    api = createApiServer(h.deps);
    url = (await api.listen(0, "127.0.0.1")).url;
    passwordHash = await hashPassword(PASSWORD);
  });
  afterAll(async () => {
    await api.close();
    await h.close();
  });

  describe("who may call what", () => {
    const calls: [string, (c: Caller, orgId: string, userId: string) => Promise<unknown>][] = [
      ["list", (c, id) => c.members.list({ organizationId: id })],
      ["add", (c, id) => c.members.add({ organizationId: id, email: email("denied"), role: "member" })],
      ["remove", (c, id, userId) => c.members.remove({ organizationId: id, userId })],
    ];

    it.each(calls)("%s: anonymous → UNAUTHORIZED", async (_name, call) => {
      const org = await h.org();
      const member = await h.user("member", { organizationId: org.id });
      expect(await trpcCode(call(h.caller(null), org.id, member.id))).toBe("UNAUTHORIZED");
    });

    it.each(calls)("%s: a member → FORBIDDEN (their own organisation included)", async (_name, call) => {
      const org = await h.org();
      const member = await h.user("member", { organizationId: org.id });
      const peer = await h.user("member", { organizationId: org.id });
      expect(await trpcCode(call(h.caller(member), org.id, peer.id))).toBe("FORBIDDEN");
      expect((await getAuthUser(h.t.db, peer.id))?.organizationId).toBe(org.id);
    });

    it.each(calls)(
      "%s: the administrator of another organisation → FORBIDDEN, and nothing changes",
      async (_name, call) => {
        const org = await h.org();
        const other = await h.org();
        const member = await h.user("member", { organizationId: org.id });
        const before = await h.caller(provider).members.list({ organizationId: org.id });
        expect(await trpcCode(call(h.caller(other.admin), org.id, member.id))).toBe("FORBIDDEN");
        expect(await h.caller(provider).members.list({ organizationId: org.id })).toEqual(before);
      },
    );

    it("an org admin removing another organisation's user through their own organisation → NOT_FOUND", async () => {
      const org = await h.org();
      const other = await h.org();
      const stranger = await h.user("member", { organizationId: other.id });
      expect(await trpcCode(h.caller(org.admin).members.remove({ userId: stranger.id }))).toBe("NOT_FOUND");
      expect((await getAuthUser(h.t.db, stranger.id))?.organizationId).toBe(other.id);
    });

    it("the provider must name an organisation (BAD_REQUEST) that exists (NOT_FOUND)", async () => {
      expect(await trpcCode(h.caller(provider).members.list({}))).toBe("BAD_REQUEST");
      expect(
        await trpcCode(
          h.caller(provider).members.list({ organizationId: "00000000-0000-4000-8000-00000000dead" }),
        ),
      ).toBe("NOT_FOUND");
    });
  });

  describe("list", () => {
    it("lists exactly the organisation's users with role and external user id", async () => {
      const org = await h.org();
      const other = await h.org();
      const member = await h.user("member", { organizationId: org.id });
      await h.user("member", { organizationId: other.id });
      const viaProvider = await h.caller(provider).members.list({ organizationId: org.id });
      expect(viaProvider.map((m) => m.id).sort()).toEqual([org.admin.id, member.id].sort());
      expect(viaProvider.find((m) => m.id === member.id)).toMatchObject({
        email: member.email,
        name: member.name,
        role: "member",
        externalUserId: externalUserId(org.id, member.id),
      });
      expect(viaProvider[0]?.createdAt).toBeInstanceOf(Date);
      // The organisation's own administrator sees the same, with or without naming it.
      expect(await h.caller(org.admin).members.list({})).toEqual(viaProvider);
      expect(JSON.stringify(viaProvider)).not.toMatch(/password/i);
    });
  });

  describe("add (an invitation: members.add never creates, maps or re-roles an account)", () => {
    it("a new e-mail gets an invitation; accepting it creates the member, who then shows with their external user id; audited", async () => {
      const org = await h.org();
      const address = email("new");
      const added = await h.caller(org.admin).members.add({ email: address.toUpperCase(), name: "Nowa Osoba", role: "member" });
      expect(added.invitation).toMatchObject({ email: address, name: "Nowa Osoba", role: "member" });
      expect(added.code).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){5}$/);
      expect(await getUserByEmail(h.t.db, address)).toBeUndefined();
      const me = await h.caller(null).auth.acceptInvitation({ email: address, code: added.code, password: "rivers bend twice before the sea" });
      expect(me).toMatchObject({ organizationId: org.id, role: "member", name: "Nowa Osoba" });
      const stored = await getUserByEmail(h.t.db, address);
      expect(stored?.passwordHash).toMatch(/^scrypt\$/);
      expect((await h.caller(provider).members.list({ organizationId: org.id })).find((m) => m.id === me.id)).toMatchObject({
        email: address,
        externalUserId: externalUserId(org.id, me.id),
      });
      const [entry] = (await listAudit(h.t.db, { organizationId: org.id, action: "member.invited", limit: 1 })).items;
      expect(entry).toMatchObject({ actorUserId: org.admin.id, targetId: added.invitation.id, details: { role: "member" } });
      expect(JSON.stringify(entry)).not.toContain(added.code);
    });

    it("an existing user of no organisation is invited, not moved: role and organisation stay until they accept", async () => {
      const org = await h.org();
      const loner = await h.user("org_admin", { email: email("loner") });
      const added = await h.caller(provider).members.add({ organizationId: org.id, email: loner.email, role: "member" });
      expect(added.invitation).toMatchObject({ email: loner.email, role: "member" });
      expect(await getAuthUser(h.t.db, loner.id)).toMatchObject({ organizationId: null, role: "org_admin" });
    });

    it("a user of another organisation is invited like anyone (no CONFLICT that would tell); a member of this one is CONFLICT", async () => {
      const org = await h.org();
      const other = await h.org();
      const taken = await h.user("member", { organizationId: other.id });
      expect(await trpcCode(h.caller(org.admin).members.add({ email: taken.email, role: "member" }))).toBe("OK");
      expect((await getAuthUser(h.t.db, taken.id))?.organizationId).toBe(other.id);
      const own = await h.user("member", { organizationId: org.id });
      expect(await trpcCode(h.caller(org.admin).members.add({ email: own.email, role: "org_admin" }))).toBe("CONFLICT");
      expect((await getAuthUser(h.t.db, own.id))?.role).toBe("member");
    });

    it("the provider's administrators are invited like anyone, and their role stays", async () => {
      const org = await h.org();
      const another = await h.user("provider_admin");
      expect(await trpcCode(h.caller(org.admin).members.add({ email: another.email, role: "member" }))).toBe("OK");
      expect(await getAuthUser(h.t.db, another.id)).toMatchObject({ role: "provider_admin", organizationId: null });
    });

    it("refuses an invalid e-mail (BAD_REQUEST)", async () => {
      const org = await h.org();
      expect(await trpcCode(h.caller(org.admin).members.add({ email: "not-an-email", role: "member" }))).toBe(
        "BAD_REQUEST",
      );
    });

    it("simultaneous invitations of one new e-mail still make one user, one mapping", async () => {
      const org = await h.org();
      const address = email("race");
      const results = await Promise.all([1, 2, 3].map(() => h.caller(org.admin).members.add({ email: address, role: "member" })));
      const accepted = await Promise.allSettled(
        results.map((r, i) => h.caller(null, { ip: `203.0.113.${i + 1}` }).auth.acceptInvitation({ email: address, code: r.code, password: "rivers bend twice before the sea" })),
      );
      expect(accepted.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      expect((await h.caller(org.admin).members.list({})).filter((m) => m.email === address)).toHaveLength(1);
    });

    it("simultaneous invitations of one e-mail leave one code pending: each replaces the one before", async () => {
      const org = await h.org();
      const address = email("twice");
      const results = await Promise.all([1, 2, 3, 4, 5].map(() => h.caller(org.admin).members.add({ email: address, role: "member" })));
      const pending = (await h.caller(org.admin).members.invitations({})).filter((i) => i.email === address);
      expect(pending).toHaveLength(1);
      expect(results.map((r) => r.invitation.id)).toContain(pending[0]!.id);
      // Only that invitation's code is good.
      const tries = await Promise.allSettled(
        results.map((r, i) =>
          h.caller(null, { ip: `198.51.100.${i + 1}` }).auth.acceptInvitation({ email: address, code: r.code, password: "rivers bend twice before the sea" }),
        ),
      );
      expect(tries.map((t) => t.status === "fulfilled")).toEqual(results.map((r) => r.invitation.id === pending[0]!.id));
    });
  });

  describe("remove", () => {
    it("unmaps the member (who can then join another organisation); audited", async () => {
      const org = await h.org();
      const next = await h.org();
      const member = await h.user("member", { organizationId: org.id, passwordHash });
      expect(await h.caller(org.admin).members.remove({ userId: member.id })).toEqual({ removed: true });
      expect((await getAuthUser(h.t.db, member.id))?.organizationId).toBeNull();
      expect((await h.caller(org.admin).members.list({})).map((m) => m.id)).not.toContain(member.id);
      const [entry] = (await listAudit(h.t.db, { organizationId: org.id, limit: 1 })).items;
      expect(entry).toMatchObject({
        action: "member.removed",
        targetId: member.id,
        details: { externalUserId: externalUserId(org.id, member.id) },
      });
      expect(await trpcCode(h.caller(org.admin).members.remove({ userId: member.id }))).toBe("NOT_FOUND");
      // Invited elsewhere, they join when they accept, signed in.
      const { invitation } = await h.caller(provider).members.add({ organizationId: next.id, email: member.email, role: "member" });
      const browser = new Browser(url);
      expect((await browser.signIn(member.email, PASSWORD)).ok).toBe(true);
      expect((await browser.mutate("auth.acceptInvitation", { invitationId: invitation.id })).ok).toBe(true);
      expect((await h.caller(next.admin).members.list({})).find((m) => m.id === member.id)?.externalUserId).toBe(externalUserId(next.id, member.id));
    });

    it("removing an administrator ends their administrator power: they become a member and every session of theirs ends; audited", async () => {
      const org = await h.org();
      const second = await h.user("org_admin", { organizationId: org.id, passwordHash });
      const laptop = new Browser(url);
      const phone = new Browser(url);
      for (const b of [laptop, phone]) expect((await b.signIn(second.email, PASSWORD)).ok).toBe(true);
      expect((await laptop.query("auth.me")).data).toMatchObject({ id: second.id, role: "org_admin" });

      expect(await h.caller(org.admin).members.remove({ userId: second.id })).toEqual({ removed: true });
      expect(await getAuthUser(h.t.db, second.id)).toMatchObject({ organizationId: null, role: "member" });
      for (const b of [laptop, phone]) expect((await b.query("auth.me")).data).toBeNull();
      const [entry] = (await listAudit(h.t.db, { organizationId: org.id, action: "member.removed", limit: 1 })).items;
      expect(entry).toMatchObject({ targetId: second.id, details: { role: "org_admin", roleAfter: "member", sessionsEnded: 2 } });
      // Signing in again works, as a member of no organisation: nothing to administer.
      const again = new Browser(url);
      expect((await again.signIn(second.email, PASSWORD)).ok).toBe(true);
      expect((await again.query("members.list", {})).code).toBe("FORBIDDEN");
    });

    it("a removed administrator saving an OpenRouter key no longer creates an organisation", async () => {
      const org = await h.org();
      const second = await h.user("org_admin", { organizationId: org.id });
      await h.caller(org.admin).members.remove({ userId: second.id });
      const removed = (await getAuthUser(h.t.db, second.id))!;
      const key = h.sim.addKey({ key: nextKey(), name: "removed admin" }).key;
      const organizations = (await h.caller(provider).organizations.list()).length;
      const saved = await h.caller(removed).settings.update({
        ui: { directConnections: { OPENAI_API_BASE_URLS: ["https://openrouter.ai/api/v1"], OPENAI_API_KEYS: [key], OPENAI_API_CONFIGS: {} } },
      });
      expect(saved.openrouterSync.status).toBe("skipped");
      expect((await h.caller(provider).organizations.list()).length).toBe(organizations);
      expect((await getAuthUser(h.t.db, second.id))?.organizationId).toBeNull();
    });

    it("the provider removes from any organisation; a user not in it → NOT_FOUND", async () => {
      const org = await h.org();
      const member = await h.user("member", { organizationId: org.id });
      const loner = await h.user("member");
      expect(
        await trpcCode(h.caller(provider).members.remove({ organizationId: org.id, userId: loner.id })),
      ).toBe("NOT_FOUND");
      expect(await h.caller(provider).members.remove({ organizationId: org.id, userId: member.id })).toEqual({
        removed: true,
      });
    });

    it("an administrator cannot remove themselves (BAD_REQUEST); another administrator can remove them", async () => {
      const org = await h.org();
      expect(await trpcCode(h.caller(org.admin).members.remove({ userId: org.admin.id }))).toBe("BAD_REQUEST");
      expect((await getAuthUser(h.t.db, org.admin.id))?.organizationId).toBe(org.id);
      const second = await h.user("org_admin", { organizationId: org.id });
      expect(await h.caller(second).members.remove({ userId: org.admin.id })).toEqual({ removed: true });
    });
  });
});
