// Passwords (issue 14): what was seen — nobody could change a password, and the one-time passwords
// handed out never expired — as regression tests, over real HTTP with browsers that keep cookies:
// changing one's own password ends every other session; an administrator's reset gives a temporary
// password that opens only a "choose a new password" session and stops working after 72 hours;
// signing out everywhere; the organisation boundary of resets; audit entries without a password.
import { schema } from "@mai/db";
import { eq, testDrivers } from "@mai/db/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApiServer, type ApiServer } from "../src/server";
import { hashPassword } from "../src/services/auth/passwords";
import { Browser } from "./browser";
import { createHarness, type Harness } from "./harness";

const PASSWORD = "a long and correct password";
const NEW_PASSWORD = "rivers bend twice before the sea";
const HOUR = 3_600_000;

describe.each(testDrivers())("passwords on %s", (driver) => {
  let h: Harness;
  let api: ApiServer;
  let url: string;
  let passwordHash: string;
  let clock: Date;
  const browser = () => new Browser(url);

  beforeAll(async () => {
    h = await createHarness(driver);
    // The deps' clock, moved by the tests instead of waiting.
    clock = new Date("2026-05-04T09:00:00Z");
    h.deps.now = () => clock;
    api = createApiServer(h.deps);
    url = (await api.listen(0, "127.0.0.1")).url;
    passwordHash = await hashPassword(PASSWORD);
  });
  afterAll(async () => {
    await api.close();
    await h.close();
  });
  beforeEach(() => {
    // Every test starts a little later, so no test meets another's throttle counts.
    clock = new Date(clock.getTime() + 48 * HOUR);
  });

  async function signedIn(email: string, password = PASSWORD): Promise<Browser> {
    const b = browser();
    const answer = await b.signIn(email, password);
    expect(answer.ok, answer.message).toBe(true);
    return b;
  }

  async function audit(action: string) {
    return h.t.db.select().from(schema.auditLog).where(eq(schema.auditLog.action, action));
  }

  it("auth.changePassword: needs the current password, ends every other session, keeps this browser signed in", async () => {
    const user = await h.user("org_admin", { passwordHash, email: "change@example.com" });
    const laptop = await signedIn(user.email);
    const phone = await signedIn(user.email);
    const oldLaptopSession = laptop.cookie("mai_session");

    const wrong = await laptop.mutate("auth.changePassword", {
      currentPassword: "not my password at all",
      newPassword: NEW_PASSWORD,
    });
    expect(wrong).toMatchObject({
      ok: false,
      code: "BAD_REQUEST",
      message: "The current password is not right.",
      // The message's key and (no) parameters, for a dashboard that says it in its reader's language.
      messageKey: "password.currentWrong",
      messageParams: {},
    });
    expect(await phone.me()).toMatchObject({ id: user.id });

    const changed = await laptop.mutate("auth.changePassword", {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    expect(changed.ok, changed.message).toBe(true);
    // The other session ended; this one goes on under a new cookie, and the old cookie is dead.
    expect(await phone.me()).toBeNull();
    expect(await laptop.me()).toMatchObject({ id: user.id, mustChangePassword: false });
    expect(laptop.cookie("mai_session")).not.toBe(oldLaptopSession);
    const replay = browser();
    replay.cookies.set("mai_session", oldLaptopSession!);
    expect(await replay.me()).toBeNull();

    expect((await browser().signIn(user.email, PASSWORD)).message).toBe("Wrong e-mail or password.");
    expect((await browser().signIn(user.email, NEW_PASSWORD)).ok).toBe(true);
    const [entry] = await audit("auth.password_changed");
    expect(entry).toMatchObject({ actorUserId: user.id, targetId: user.id });
    expect(JSON.stringify(await h.t.db.select().from(schema.auditLog))).not.toContain(NEW_PASSWORD);
  });

  it("auth.changePassword refuses a weak new password in words: short, common, built from the e-mail, the same as before", async () => {
    await h.user("member", { passwordHash, email: "weak.owner@example.com" });
    const b = await signedIn("weak.owner@example.com");
    const attempt = (newPassword: string) =>
      b.mutate("auth.changePassword", { currentPassword: PASSWORD, newPassword });
    expect(await attempt("short")).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/at least 12 characters/),
    });
    expect(await attempt("Password1234!")).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/common passwords/),
    });
    expect(await attempt("weak.owner-2026")).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/e-mail address or name/),
    });
    expect(await attempt(PASSWORD)).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/different from the current one/),
    });
    expect(await b.me()).not.toBeNull();
  });

  it("auth.changePassword: a chat token cannot change the password (sessions only)", async () => {
    const user = await h.user("member", { passwordHash });
    const client = await h.http(user);
    await expect(
      client.auth.changePassword.mutate({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD }),
    ).rejects.toThrow();
    expect((await browser().signIn(user.email, PASSWORD)).ok).toBe(true);
  });

  it("auth.signOutEverywhere ends every session of the account, this one too", async () => {
    const user = await h.user("member", { passwordHash });
    const a = await signedIn(user.email);
    const b = await signedIn(user.email);
    const other = await h.user("member", { passwordHash });
    const bystander = await signedIn(other.email);
    const done = await a.mutate("auth.signOutEverywhere");
    expect(done.ok, done.message).toBe(true);
    expect(await a.me()).toBeNull();
    expect(await b.me()).toBeNull();
    expect(await bystander.me()).not.toBeNull();
    expect(await audit("auth.signed_out_everywhere")).toEqual([
      expect.objectContaining({ actorUserId: user.id, details: { sessionsEnded: 2 } }),
    ]);
  });

  it("members.resetPassword: a temporary password, shown once, that opens only a password_change session", async () => {
    const org = await h.org();
    const member = await h.user("member", { passwordHash, organizationId: org.id });
    const memberBrowser = await signedIn(member.email);
    const admin = await signedIn((await setPassword(org.admin.id)).email);

    const reset = await admin.mutate<{ temporaryPassword: string; expiresAt: Date }>(
      "members.resetPassword",
      { userId: member.id },
    );
    expect(reset.ok, reset.message).toBe(true);
    const temporary = reset.data.temporaryPassword;
    expect(temporary).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(reset.data.expiresAt).toEqual(new Date(clock.getTime() + 72 * HOUR));
    // The member's sessions ended; their old password is gone.
    expect(await memberBrowser.me()).toBeNull();
    expect((await browser().signIn(member.email, PASSWORD)).message).toBe("Wrong e-mail or password.");

    const fresh = browser();
    const signIn = await fresh.signIn(member.email, temporary);
    expect(signIn).toMatchObject({ ok: true, data: { id: member.id, mustChangePassword: true } });
    expect(await fresh.me()).toMatchObject({ id: member.id, mustChangePassword: true });
    // Good for choosing a new password and nothing else.
    for (const [path, input] of [
      ["usage.summary", undefined],
      ["auth.listTokens", undefined],
      ["settings.get", undefined],
    ] as const) {
      expect(await fresh.query(path, input), path).toMatchObject({
        ok: false,
        code: "FORBIDDEN",
        message: "Choose a new password first.",
      });
    }
    expect(await fresh.mutate("auth.createToken", { name: "sneaky" })).toMatchObject({ code: "FORBIDDEN" });
    expect(await fresh.mutate("auth.signOutEverywhere")).toMatchObject({ code: "FORBIDDEN" });

    const changed = await fresh.mutate("auth.changePassword", {
      currentPassword: temporary,
      newPassword: NEW_PASSWORD,
    });
    expect(changed.ok, changed.message).toBe(true);
    expect(await fresh.me()).toMatchObject({ id: member.id, mustChangePassword: false });
    expect((await fresh.query("usage.summary")).ok).toBe(true);
    const [row] = await h.t.db.select().from(schema.users).where(eq(schema.users.id, member.id));
    expect(row!.passwordTemporaryUntil).toBeNull();
    // The temporary password is spent.
    expect((await browser().signIn(member.email, temporary)).message).toBe("Wrong e-mail or password.");

    const [entry] = await audit("member.password_reset");
    expect(entry).toMatchObject({ actorUserId: org.admin.id, organizationId: org.id, targetId: member.id });
    expect(JSON.stringify(await h.t.db.select().from(schema.auditLog))).not.toContain(temporary);
  });

  it("a temporary password expires after 72 hours: then it does not sign in at all", async () => {
    const org = await h.org();
    const member = await h.user("member", { passwordHash, organizationId: org.id });
    const provider = await signedIn((await setPassword((await h.user("provider_admin")).id)).email);
    const reset = await provider.mutate<{ temporaryPassword: string }>("members.resetPassword", {
      organizationId: org.id,
      userId: member.id,
    });
    expect(reset.ok, reset.message).toBe(true);

    clock = new Date(clock.getTime() + 72 * HOUR - 1000);
    expect((await browser().signIn(member.email, reset.data.temporaryPassword)).data).toMatchObject({
      mustChangePassword: true,
    });

    clock = new Date(clock.getTime() + 1000);
    const late = await browser().signIn(member.email, reset.data.temporaryPassword);
    expect(late).toMatchObject({
      ok: false,
      code: "UNAUTHORIZED",
      message: "This temporary password has expired; ask your administrator for a new one.",
    });
    // Only the right temporary password learns that; anything else is the usual answer.
    expect((await browser().signIn(member.email, "a wrong guess of a password")).message).toBe(
      "Wrong e-mail or password.",
    );
  });

  it("members.resetPassword stays inside the organisation: another organisation's user and nobody answer the same", async () => {
    const mine = await h.org();
    const theirs = await h.org();
    const stranger = await h.user("member", { passwordHash, organizationId: theirs.id });
    const loner = await h.user("org_admin", { passwordHash });
    const admin = await signedIn((await setPassword(mine.admin.id)).email);

    const other = await admin.mutate("members.resetPassword", { userId: stranger.id });
    const nobody = await admin.mutate("members.resetPassword", {
      userId: "00000000-0000-4000-8000-000000000000",
    });
    const unattached = await admin.mutate("members.resetPassword", { userId: loner.id });
    expect(other).toMatchObject({ ok: false, code: "NOT_FOUND" });
    expect(nobody).toEqual(other);
    expect(unattached).toEqual(other);
    // Naming the other organisation is refused too, and the stranger's password still works.
    expect(
      await admin.mutate("members.resetPassword", { organizationId: theirs.id, userId: stranger.id }),
    ).toMatchObject({ code: "FORBIDDEN" });
    expect((await browser().signIn(stranger.email, PASSWORD)).ok).toBe(true);

    // A member cannot reset anyone; an administrator resets their own password under Account instead.
    const member = await h.user("member", { passwordHash, organizationId: mine.id });
    const memberBrowser = await signedIn(member.email);
    expect(await memberBrowser.mutate("members.resetPassword", { userId: mine.admin.id })).toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await admin.mutate("members.resetPassword", { userId: mine.admin.id })).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/change your own password/i),
    });
  });

  /** Gives a harness-made user (no password) the test password; returns their e-mail. */
  async function setPassword(userId: string): Promise<{ email: string }> {
    const [row] = await h.t.db
      .update(schema.users)
      .set({ passwordHash })
      .where(eq(schema.users.id, userId))
      .returning({ email: schema.users.email });
    return row!;
  }
});
