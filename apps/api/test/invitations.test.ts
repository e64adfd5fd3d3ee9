// Issue 14, what was seen: members.add told one organisation's administrator that an e-mail belonged
// to another organisation or to the provider, and pulled a user of no organisation into theirs,
// demoting them. Now members.add answers every e-mail it does not already list with an invitation
// (a code shown once, stored as its SHA-256, good for 7 days) and touches no existing account; the
// invitee consents — a new e-mail accepts the code with a password of their own, an existing
// account of no organisation accepts on its landing page while signed in.
import { createHash } from "node:crypto";
import { getAuthUser, listAudit, schema, type AuthUser } from "@mai/db";
import { eq, testDrivers } from "@mai/db/testing";
import { INVITATION_MESSAGES, normalizeInvitationCode } from "@mai/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiServer, type ApiServer } from "../src/server";
import { hashPassword } from "../src/services/auth/passwords";
import { Browser } from "./browser";
import { createHarness, json, trpcCode, type Harness } from "./harness";

const PASSWORD = "a long and correct password";
const NEW_PASSWORD = "rivers bend twice before the sea";
const DAY = 86_400_000;
const CODE = /^[A-HJKMNP-Z2-9]{4}(-[A-HJKMNP-Z2-9]{4}){5}$/;

/** The keys of a value, nested, sorted: two answers of the same shape have the same outline. */
function outline(value: unknown): unknown {
  if (value instanceof Date) return "date";
  if (Array.isArray(value)) return value.map(outline);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, outline(v)]),
    );
  }
  return typeof value;
}

describe.each(testDrivers())("invitations on %s", (driver) => {
  let h: Harness;
  let api: ApiServer;
  let url: string;
  let provider: AuthUser;
  let passwordHash: string;
  let seq = 0;
  let clock: Date;
  const email = (stem = "person") => `${stem}-${++seq}-${driver}@invitations.example`;
  /** Each public attempt from an address of its own: no test meets another's throttle counts. */
  const anonymous = () => h.caller(null, { ip: `198.51.100.${++seq % 250}` });

  beforeAll(async () => {
    h = await createHarness(driver);
    clock = new Date("2026-05-04T09:00:00Z");
    h.deps.now = () => clock;
    provider = await h.user("provider_admin");
    api = createApiServer(h.deps);
    url = (await api.listen(0, "127.0.0.1")).url;
    passwordHash = await hashPassword(PASSWORD);
  });
  afterAll(async () => {
    await api.close();
    await h.close();
  });

  const audit = async (action: string) => h.t.db.select().from(schema.auditLog).where(eq(schema.auditLog.action, action));
  const storedInvitation = async (id: string) => (await h.t.db.select().from(schema.invitations).where(eq(schema.invitations.id, id)))[0];

  describe("members.add: no enumeration, no move", () => {
    it("answers another organisation's user, a user of no organisation, the provider and a new e-mail alike, and changes none of them", async () => {
      const org = await h.org();
      const other = await h.org();
      const taken = await h.user("member", { organizationId: other.id, email: email("taken") });
      const loner = await h.user("org_admin", { email: email("loner") });
      const providerAdmin = await h.user("provider_admin", { email: email("provider") });
      const fresh = email("fresh");
      const before = await h.caller(provider).members.list({ organizationId: org.id });

      const answers: Record<string, unknown>[] = [];
      for (const address of [taken.email, loner.email, providerAdmin.email, fresh]) {
        const answer = await h.caller(org.admin).members.add({ email: address, name: "Somebody", role: "member" });
        expect(answer.invitation).toMatchObject({ email: address, name: "Somebody", role: "member" });
        expect(answer.code).toMatch(CODE);
        answers.push(answer);
      }
      // The same shape and nothing in it that differs but the e-mail, the id, the code and the instant.
      for (const answer of answers) expect(outline(answer)).toEqual(outline(answers[0]));
      expect(new Set(answers.map((a) => (a as { invitation: { expiresAt: Date } }).invitation.expiresAt.getTime())).size).toBe(1);

      // Nobody moved, nobody was demoted, no account was created.
      expect(await getAuthUser(h.t.db, taken.id)).toMatchObject({ organizationId: other.id, role: "member" });
      expect(await getAuthUser(h.t.db, loner.id)).toMatchObject({ organizationId: null, role: "org_admin" });
      expect(await getAuthUser(h.t.db, providerAdmin.id)).toMatchObject({ organizationId: null, role: "provider_admin" });
      expect(await h.t.db.select().from(schema.users).where(eq(schema.users.email, fresh))).toEqual([]);
      expect(await h.caller(provider).members.list({ organizationId: org.id })).toEqual(before);
      expect((await h.caller(org.admin).members.invitations({})).map((i) => i.email).sort()).toEqual(
        [taken.email, loner.email, providerAdmin.email, fresh].sort(),
      );
    });

    it("the same status over HTTP for all four (no error code tells them apart)", async () => {
      const org = await h.org();
      const other = await h.org();
      const taken = await h.user("org_admin", { organizationId: other.id });
      const loner = await h.user("member");
      const client = await h.http(org.admin, "manage");
      const outcomes = await Promise.all(
        [taken.email, loner.email, provider.email, email("new")].map((address) => trpcCode(client.members.add.mutate({ email: address, role: "org_admin" }))),
      );
      expect(outcomes).toEqual(["OK", "OK", "OK", "OK"]);
    });

    it("an e-mail already a member of this organisation is CONFLICT (the administrator sees their own members)", async () => {
      const org = await h.org();
      const own = await h.user("member", { organizationId: org.id });
      await expect(h.caller(org.admin).members.add({ email: own.email.toUpperCase(), role: "org_admin" })).rejects.toMatchObject({
        code: "CONFLICT",
        message: "This user is already a member of this organisation.",
      });
      expect((await getAuthUser(h.t.db, own.id))?.role).toBe("member");
    });

    it("the code is shown once and stored only as its SHA-256, for 7 days; inviting again replaces it; audited without it", async () => {
      const org = await h.org();
      const address = email("stored");
      const first = await h.caller(org.admin).members.add({ email: address, role: "org_admin" });
      const row = await storedInvitation(first.invitation.id);
      expect(row?.codeHash).toBe(createHash("sha256").update(normalizeInvitationCode(first.code)).digest("hex"));
      expect(row?.expiresAt.getTime()).toBe(clock.getTime() + 7 * DAY);
      expect(row?.createdBy).toBe(org.admin.id);
      expect(json(await h.caller(org.admin).members.invitations({}))).not.toContain(first.code);

      const second = await h.caller(org.admin).members.add({ email: address, role: "member" });
      expect((await h.caller(org.admin).members.invitations({})).map((i) => i.id)).toEqual([second.invitation.id]);
      expect((await storedInvitation(first.invitation.id))?.revokedAt).not.toBeNull();

      const entries = (await listAudit(h.t.db, { organizationId: org.id, limit: 10 })).items.filter((e) => e.action === "member.invited");
      expect(entries.map((e) => e.targetId)).toEqual([second.invitation.id, first.invitation.id]);
      expect(entries[0]).toMatchObject({ actorUserId: org.admin.id, targetType: "invitation", details: { email: address, role: "member" } });
      for (const code of [first.code, second.code]) {
        expect(json(entries)).not.toContain(code);
        expect(json(entries)).not.toContain(normalizeInvitationCode(code));
      }
      expect(h.logs.join("\n")).not.toContain(second.code);
    });

    it("members.invitations and members.revokeInvitation stay in the organisation: another's invitation is NOT_FOUND", async () => {
      const org = await h.org();
      const other = await h.org();
      const theirs = await h.caller(other.admin).members.add({ email: email("theirs"), role: "member" });
      expect(await h.caller(org.admin).members.invitations({})).toEqual([]);
      expect(await trpcCode(h.caller(org.admin).members.revokeInvitation({ invitationId: theirs.invitation.id }))).toBe("NOT_FOUND");
      expect(await trpcCode(h.caller(org.admin).members.invitations({ organizationId: other.id }))).toBe("FORBIDDEN");
      expect((await h.caller(other.admin).members.invitations({})).map((i) => i.id)).toEqual([theirs.invitation.id]);

      expect(await h.caller(other.admin).members.revokeInvitation({ invitationId: theirs.invitation.id })).toEqual({ revoked: true });
      expect(await h.caller(other.admin).members.invitations({})).toEqual([]);
      expect(await trpcCode(h.caller(other.admin).members.revokeInvitation({ invitationId: theirs.invitation.id }))).toBe("NOT_FOUND");
      const [entry] = (await listAudit(h.t.db, { organizationId: other.id, limit: 1 })).items;
      expect(entry).toMatchObject({ action: "invitation.revoked", actorUserId: other.admin.id, targetId: theirs.invitation.id });
    });
  });

  describe("auth.acceptInvitation with the code", () => {
    it("creates the account with the invited role, joins the organisation, signs in, and the invitation is used", async () => {
      const org = await h.org();
      const address = email("joiner");
      const { invitation, code } = await h.caller(org.admin).members.add({ email: address, name: "Ola Nowa", role: "org_admin" });
      const cookies = h.cookies.length;
      const me = await anonymous().auth.acceptInvitation({ email: address.toUpperCase(), code: code.toLowerCase().replaceAll("-", " "), password: NEW_PASSWORD });
      expect(me).toMatchObject({ email: address, name: "Ola Nowa", role: "org_admin", organizationId: org.id, mustChangePassword: false });
      expect(h.cookies.slice(cookies).some((c) => c.startsWith("mai_session=") && !c.startsWith("mai_session=;"))).toBe(true);
      expect((await h.caller(org.admin).members.list({})).map((m) => m.email)).toContain(address);
      expect(await h.caller(org.admin).members.invitations({})).toEqual([]);
      expect((await storedInvitation(invitation.id))?.acceptedAt).not.toBeNull();

      // The chosen password signs in; the code does not work twice.
      expect((await new Browser(url).signIn(address, NEW_PASSWORD)).ok).toBe(true);
      await expect(anonymous().auth.acceptInvitation({ email: address, code, password: NEW_PASSWORD })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: INVITATION_MESSAGES.invalid,
      });

      const [entry] = (await audit("invitation.accepted")).filter((e) => e.targetId === invitation.id);
      expect(entry).toMatchObject({ organizationId: org.id, actorUserId: me.id, details: { role: "org_admin", created: true } });
      expect(json(entry)).not.toContain(normalizeInvitationCode(code));
    });

    it("a name given by the invitee wins over the administrator's", async () => {
      const org = await h.org();
      const address = email("named");
      const { code } = await h.caller(org.admin).members.add({ email: address, name: "Typo Nmae", role: "member" });
      expect(await anonymous().auth.acceptInvitation({ email: address, code, name: "Right Name", password: NEW_PASSWORD })).toMatchObject({ name: "Right Name", role: "member" });
    });

    it("an e-mail that already has an account cannot accept — whichever organisation it is in, or none — and nothing changes", async () => {
      const org = await h.org();
      const other = await h.org();
      const accounts = [
        await h.user("member", { organizationId: other.id, passwordHash }),
        await h.user("org_admin", { passwordHash }),
        await h.user("provider_admin", { passwordHash }),
      ];
      for (const account of accounts) {
        const before = await getAuthUser(h.t.db, account.id);
        const { invitation, code } = await h.caller(org.admin).members.add({ email: account.email, role: "member" });
        await expect(anonymous().auth.acceptInvitation({ email: account.email, code, password: NEW_PASSWORD })).rejects.toMatchObject({
          code: "CONFLICT",
          message: INVITATION_MESSAGES.existingAccount,
        });
        expect(await getAuthUser(h.t.db, account.id)).toEqual(before);
        expect((await new Browser(url).signIn(account.email, PASSWORD)).ok).toBe(true);
        expect((await storedInvitation(invitation.id))?.acceptedAt).toBeNull();
      }
    });

    it("a wrong code, another e-mail's code, a revoked and an expired invitation: one refusal in words", async () => {
      const org = await h.org();
      const address = email("refused");
      const { code } = await h.caller(org.admin).members.add({ email: address, role: "member" });
      const revoked = await h.caller(org.admin).members.add({ email: email("revoked"), role: "member" });
      await h.caller(org.admin).members.revokeInvitation({ invitationId: revoked.invitation.id });
      const attempts = [
        { email: address, code: "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF" },
        { email: email("someone-else"), code },
        { email: revoked.invitation.email, code: revoked.code },
      ];
      for (const attempt of attempts) {
        await expect(anonymous().auth.acceptInvitation({ ...attempt, password: NEW_PASSWORD })).rejects.toMatchObject({
          code: "BAD_REQUEST",
          message: INVITATION_MESSAGES.invalid,
        });
      }
      const saved = clock;
      clock = new Date(clock.getTime() + 7 * DAY);
      try {
        await expect(anonymous().auth.acceptInvitation({ email: address, code, password: NEW_PASSWORD })).rejects.toMatchObject({
          code: "BAD_REQUEST",
          message: INVITATION_MESSAGES.invalid,
        });
      } finally {
        clock = saved;
      }
      expect(await h.t.db.select().from(schema.users).where(eq(schema.users.email, address))).toEqual([]);
    });

    it("the password is checked by the password rule; nothing is written when it is refused", async () => {
      const org = await h.org();
      const address = email("weak");
      const { invitation, code } = await h.caller(org.admin).members.add({ email: address, role: "member" });
      await expect(anonymous().auth.acceptInvitation({ email: address, code, password: "password123" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
      expect(await h.t.db.select().from(schema.users).where(eq(schema.users.email, address))).toEqual([]);
      expect((await h.caller(org.admin).members.invitations({})).map((i) => i.id)).toEqual([invitation.id]);
    });

    it("simultaneous accepts of one invitation create one account", async () => {
      const org = await h.org();
      const address = email("race");
      const { code } = await h.caller(org.admin).members.add({ email: address, role: "member" });
      const results = await Promise.allSettled([1, 2, 3].map(() => anonymous().auth.acceptInvitation({ email: address, code, password: NEW_PASSWORD })));
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      expect((await h.caller(org.admin).members.list({})).filter((m) => m.email === address)).toHaveLength(1);
    });
  });

  describe("an account of no organisation accepts on its landing page", () => {
    it("sees its pending invitations with the organisation's name, and joins with its session (consent, no password)", async () => {
      const org = await h.org("Landing Org " + driver);
      const loner = await h.user("org_admin", { passwordHash, email: email("landing") });
      const { invitation } = await h.caller(org.admin).members.add({ email: loner.email, role: "member" });
      const browser = new Browser(url);
      expect((await browser.signIn(loner.email, PASSWORD)).ok).toBe(true);

      const listed = await browser.query<{ id: string; organizationName: string; role: string }[]>("auth.invitations");
      expect(listed.data).toEqual([expect.objectContaining({ id: invitation.id, organizationName: "Landing Org " + driver, role: "member" })]);
      const accepted = await browser.mutate<{ organizationId: string; role: string }>("auth.acceptInvitation", { invitationId: invitation.id });
      expect(accepted.ok, accepted.message).toBe(true);
      expect(accepted.data).toMatchObject({ organizationId: org.id, role: "member" });
      expect(await getAuthUser(h.t.db, loner.id)).toMatchObject({ organizationId: org.id, role: "member" });
      expect((await browser.query<unknown[]>("auth.invitations")).data).toEqual([]);
      const [entry] = (await audit("invitation.accepted")).filter((e) => e.targetId === invitation.id);
      expect(entry).toMatchObject({ actorUserId: loner.id, details: { created: false, role: "member", previousRole: "org_admin" } });
    });

    it("someone else's invitation, an account already in an organisation, and no session: refused", async () => {
      const org = await h.org();
      const other = await h.org();
      const loner = await h.user("member", { passwordHash, email: email("nosy") });
      const someoneElses = await h.caller(org.admin).members.add({ email: email("someone"), role: "org_admin" });
      const browser = new Browser(url);
      await browser.signIn(loner.email, PASSWORD);
      expect(await browser.mutate("auth.acceptInvitation", { invitationId: someoneElses.invitation.id })).toMatchObject({ ok: false, code: "BAD_REQUEST" });

      const mapped = await h.user("member", { organizationId: other.id, passwordHash, email: email("mapped") });
      const forMapped = await h.caller(org.admin).members.add({ email: mapped.email, role: "org_admin" });
      const mappedBrowser = new Browser(url);
      await mappedBrowser.signIn(mapped.email, PASSWORD);
      expect((await mappedBrowser.query<unknown[]>("auth.invitations")).data).toEqual([]);
      expect(await mappedBrowser.mutate("auth.acceptInvitation", { invitationId: forMapped.invitation.id })).toMatchObject({
        ok: false,
        code: "CONFLICT",
        message: INVITATION_MESSAGES.alreadyInOrganization,
        messageKey: "invitation.alreadyInOrganization",
        messageParams: {},
      });
      expect(await getAuthUser(h.t.db, mapped.id)).toMatchObject({ organizationId: other.id, role: "member" });

      expect(await new Browser(url).mutate("auth.acceptInvitation", { invitationId: forMapped.invitation.id })).toMatchObject({ ok: false, code: "UNAUTHORIZED" });
      expect(await trpcCode(h.caller(null).auth.invitations())).toBe("UNAUTHORIZED");
    });
  });
});
