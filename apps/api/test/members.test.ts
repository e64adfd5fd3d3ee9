import { getAuthUser, getUserByEmail, listAudit, type AuthUser } from "@mai/db";
import { testDrivers } from "@mai/db/testing";
import { externalUserId } from "@mai/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, trpcCode } from "./harness";

type Caller = ReturnType<Harness["caller"]>;

describe.each(testDrivers())("members on %s", (driver) => {
  let h: Harness;
  let provider: AuthUser;
  let seq = 0;
  const email = (stem = "person") => `${stem}-${++seq}-${driver}@members.example`;
  beforeAll(async () => {
    h = await createHarness(driver);
    provider = await h.user("provider_admin");
  });
  afterAll(() => h.close());

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

  describe("add", () => {
    it("a new e-mail becomes a user with a one-time password (shown once, stored hashed) who can sign in", async () => {
      const org = await h.org();
      const address = email("new");
      const added = await h
        .caller(org.admin)
        .members.add({ email: address.toUpperCase(), name: "Nowa Osoba", role: "member" });
      expect(added.created).toBe(true);
      expect(added.oneTimePassword).toMatch(/^[A-Za-z0-9]{20}$/);
      expect(added.member).toMatchObject({
        email: address,
        name: "Nowa Osoba",
        role: "member",
        externalUserId: externalUserId(org.id, added.member.id),
      });
      const stored = await getUserByEmail(h.t.db, address);
      expect(stored?.passwordHash).toMatch(/^scrypt\$/);
      expect(stored?.passwordHash).not.toContain(added.oneTimePassword!);
      const signedIn = await h.caller(null).auth.login({ email: address, password: added.oneTimePassword! });
      expect(signedIn).toMatchObject({ id: added.member.id, organizationId: org.id, role: "member" });
      expect((await h.caller(provider).members.list({ organizationId: org.id })).map((m) => m.id)).toContain(
        added.member.id,
      );
      const [entry] = (await listAudit(h.t.db, { organizationId: org.id, limit: 1 })).items;
      expect(entry).toMatchObject({
        action: "member.added",
        actorUserId: org.admin.id,
        targetId: added.member.id,
        details: { created: true, role: "member" },
      });
      expect(JSON.stringify(entry)).not.toContain(added.oneTimePassword!);
    });

    it("an existing unmapped user joins with the requested role and no new password", async () => {
      const org = await h.org();
      const loner = await h.user("member", { email: email("loner") });
      const added = await h
        .caller(provider)
        .members.add({ organizationId: org.id, email: loner.email, role: "org_admin" });
      expect(added).toMatchObject({
        created: false,
        oneTimePassword: null,
        member: { id: loner.id, role: "org_admin" },
      });
      expect(await getAuthUser(h.t.db, loner.id)).toMatchObject({
        organizationId: org.id,
        role: "org_admin",
      });
    });

    it("CONFLICT for a user who already belongs to an organisation (this one or another)", async () => {
      const org = await h.org();
      const other = await h.org();
      const taken = await h.user("member", { organizationId: other.id });
      const attempt = h.caller(org.admin).members.add({ email: taken.email, role: "member" });
      await expect(attempt).rejects.toMatchObject({
        code: "CONFLICT",
        message: expect.stringMatching(/at most one organisation/),
      });
      expect((await getAuthUser(h.t.db, taken.id))?.organizationId).toBe(other.id);
      const own = await h.user("member", { organizationId: org.id });
      expect(await trpcCode(h.caller(org.admin).members.add({ email: own.email, role: "org_admin" }))).toBe(
        "CONFLICT",
      );
      expect((await getAuthUser(h.t.db, own.id))?.role).toBe("member");
    });

    it("the provider's administrators cannot be added (BAD_REQUEST), and their role stays", async () => {
      const org = await h.org();
      const another = await h.user("provider_admin");
      expect(await trpcCode(h.caller(org.admin).members.add({ email: another.email, role: "member" }))).toBe(
        "BAD_REQUEST",
      );
      expect(await getAuthUser(h.t.db, another.id)).toMatchObject({
        role: "provider_admin",
        organizationId: null,
      });
    });

    it("refuses an invalid e-mail (BAD_REQUEST)", async () => {
      const org = await h.org();
      expect(await trpcCode(h.caller(org.admin).members.add({ email: "not-an-email", role: "member" }))).toBe(
        "BAD_REQUEST",
      );
    });

    it("simultaneous adds of one new e-mail create one user, one mapping", async () => {
      const org = await h.org();
      const address = email("race");
      const results = await Promise.allSettled(
        [1, 2, 3].map(() => h.caller(org.admin).members.add({ email: address, role: "member" })),
      );
      const ok = results.filter((r) => r.status === "fulfilled");
      expect(ok).toHaveLength(1);
      for (const r of results)
        if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "CONFLICT" });
      expect((await h.caller(org.admin).members.list({})).filter((m) => m.email === address)).toHaveLength(1);
    });
  });

  describe("remove", () => {
    it("unmaps the member (who can then join another organisation); audited", async () => {
      const org = await h.org();
      const next = await h.org();
      const member = await h.user("member", { organizationId: org.id });
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
      const rejoined = await h
        .caller(provider)
        .members.add({ organizationId: next.id, email: member.email, role: "member" });
      expect(rejoined.member.externalUserId).toBe(externalUserId(next.id, member.id));
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
