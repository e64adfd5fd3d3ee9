// Issue 14, the onboarding gap: the automatic org sync's `claimed` path (a provider-minted key handed
// to a client administrator) was reachable only through `mai users create` on a stopped stack. Now
// "the key is the invitation": auth.signUpWithKey creates the administrator and runs the same sync
// in one transaction — a provisioned key of an organisation without an administrator is claimed, a
// key the provider did not mint creates an organisation with the global defaults, any other key is
// refused without saying whose, and nothing is left behind when it is refused. The provider can
// turn self sign-up off; attempts are throttled per client address like sign-ins.
import { createOrganization, getAuthUser, getGlobalSettings, getOrganization, listAudit, schema } from "@mai/db";
import { asOpenRouterKey, count, eq, testDrivers } from "@mai/db/testing";
import { INVITATION_MESSAGES } from "@mai/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiServer, type ApiServer } from "../src/server";
import { Browser } from "./browser";
import { createHarness, json, nextKey, trpcCode, type Harness } from "./harness";

const PASSWORD = "rivers bend twice before the sea";

describe.each(testDrivers())("auth.signUpWithKey on %s", (driver) => {
  let h: Harness;
  let api: ApiServer;
  let url: string;
  let seq = 0;
  const email = (stem = "client") => `${stem}-${++seq}-${driver}@sign-up.example`;
  const ip = () => `192.0.2.${++seq % 250}`;
  const anonymous = () => h.caller(null, { ip: ip() });
  /** A key OpenRouter (the simulator) knows. */
  const liveKey = () => asOpenRouterKey(h.sim.addKey({ key: nextKey(), name: "client" }).key);
  const provisioned = async (name: string) => {
    const key = liveKey();
    const org = await createOrganization(h.t.db, h.t.secrets, { name, key, keySource: "provisioned" });
    return { org, key };
  };
  const counts = async () => ({
    users: (await h.t.db.select({ n: count() }).from(schema.users))[0]!.n,
    organizations: (await h.t.db.select({ n: count() }).from(schema.clientOrganizations))[0]!.n,
    mappings: (await h.t.db.select({ n: count() }).from(schema.userClientMapping))[0]!.n,
  });

  beforeAll(async () => {
    h = await createHarness(driver);
    api = createApiServer(h.deps);
    url = (await api.listen(0, "127.0.0.1")).url;
  });
  afterAll(async () => {
    await api.close();
    await h.close();
  });

  it("a provisioned key of an organisation without an administrator: claimed, with the new account as its administrator, signed in", async () => {
    const { org, key } = await provisioned(`Handed Over ${driver}`);
    const browser = new Browser(url);
    const address = email("claimer");
    const answer = await browser.mutate<{ status: string; organization: { id: string; name: string }; me: { id: string; role: string; organizationId: string } }>(
      "auth.signUpWithKey",
      { email: address, name: "Ola Kowalska", password: PASSWORD, openRouterKey: key },
    );
    expect(answer.ok, answer.message).toBe(true);
    expect(answer.data).toMatchObject({ status: "claimed", organization: { id: org.id, name: `Handed Over ${driver}` }, me: { email: address, role: "org_admin", organizationId: org.id } });
    expect(json(answer.data)).not.toContain(key);
    // Signed in: the session works at once.
    expect((await browser.query("auth.me")).data).toMatchObject({ email: address, organizationId: org.id, role: "org_admin" });
    expect((await browser.query<{ id: string }[]>("members.list", {})).data.map((m) => m.id)).toEqual([answer.data.me.id]);
    const entries = (await listAudit(h.t.db, { organizationId: org.id, limit: 5 })).items.map((e) => e.action);
    expect(entries).toEqual(expect.arrayContaining(["org_sync.claimed", "auth.signed_up"]));
    expect(json(await listAudit(h.t.db, { limit: 20 }))).not.toContain(key);
  });

  it("a key the provider did not mint: a new organisation with the global defaults, exactly as the automatic sync creates it", async () => {
    const provider = await h.user("provider_admin");
    await h.caller(provider).globalSettings.update({ defaultMarkup: "1.45", defaultMonthlyLimitUsd: "321" });
    const key = liveKey();
    const answer = await anonymous().auth.signUpWithKey({ email: email("creator"), name: "Jan Nowak", password: PASSWORD, openRouterKey: key });
    expect(answer.status).toBe("created");
    const org = await getOrganization(h.t.db, answer.organization.id);
    const settings = await getGlobalSettings(h.t.db);
    expect(org).toMatchObject({ markupBp: settings.defaultMarkupBp, monthlyLimitNano: settings.defaultMonthlyLimitNano, keySource: "client", active: true });
    expect(settings.defaultMarkupBp).toBe(14_500);
    expect(org?.name).toMatch(/^client_default_organization_\d+/);
    expect(org?.billingEmail).toMatch(/^billing\+[0-9a-f]{8}@client\.local$/);
    expect(await getAuthUser(h.t.db, answer.me.id)).toMatchObject({ role: "org_admin", organizationId: org!.id });
    expect((await listAudit(h.t.db, { organizationId: org!.id, limit: 5 })).items.map((e) => e.action)).toContain("org_sync.created");
  });

  it("a key of an organisation that already has an administrator: refused without saying whose, and nothing is written", async () => {
    const { org, key } = await provisioned(`Already Run ${driver}`);
    await h.user("org_admin", { organizationId: org.id });
    const before = await counts();
    const attempt = anonymous().auth.signUpWithKey({ email: email("late"), name: "Late Comer", password: PASSWORD, openRouterKey: key });
    await expect(attempt).rejects.toMatchObject({ code: "CONFLICT" });
    const error = await attempt.catch((e: Error) => e);
    expect(String((error as Error).message)).not.toContain("Already Run");
    expect(String((error as Error).message)).not.toContain(org.id);
    expect(await counts()).toEqual(before);
  });

  it("a client key already attached to an organisation is refused the same way", async () => {
    const other = await h.org();
    h.sim.addKey({ key: other.key, name: "attached" });
    const before = await counts();
    await expect(anonymous().auth.signUpWithKey({ email: email("copycat"), name: "Copy Cat", password: PASSWORD, openRouterKey: other.key })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect(await counts()).toEqual(before);
  });

  it("an e-mail that already has an account: the same refusal as an invitation's, nothing written, the key still claimable", async () => {
    const existing = await h.user("member");
    const { org, key } = await provisioned(`Still Free ${driver}`);
    const before = await counts();
    await expect(anonymous().auth.signUpWithKey({ email: existing.email.toUpperCase(), name: "Someone", password: PASSWORD, openRouterKey: key })).rejects.toMatchObject({
      code: "CONFLICT",
      message: INVITATION_MESSAGES.existingAccount,
    });
    expect(await counts()).toEqual(before);
    expect(await getAuthUser(h.t.db, existing.id)).toMatchObject({ role: "member", organizationId: null });
    const claimed = await anonymous().auth.signUpWithKey({ email: email("rightful"), name: "Right Full", password: PASSWORD, openRouterKey: key });
    expect(claimed.organization.id).toBe(org.id);
  });

  it("refuses in words, writing nothing: a malformed key, a key OpenRouter rejects, a management key, a weak password", async () => {
    const before = await counts();
    const cases: [Record<string, string>, string][] = [
      [{ openRouterKey: "not-a-key" }, "BAD_REQUEST"],
      [{ openRouterKey: nextKey() }, "BAD_REQUEST"],
      [{ openRouterKey: h.sim.managementKey }, "BAD_REQUEST"],
      [{ openRouterKey: liveKey(), password: "password1234" }, "BAD_REQUEST"],
    ];
    for (const [fields, code] of cases) {
      const attempt = anonymous().auth.signUpWithKey({ email: email("refused"), name: "Re Fused", password: PASSWORD, openRouterKey: "", ...fields });
      await expect(attempt).rejects.toMatchObject({ code });
      expect(((await attempt.catch((e: Error) => e)) as Error).message.length).toBeGreaterThan(10);
    }
    expect(await counts()).toEqual(before);
  });

  it("the provider turns self sign-up off: FORBIDDEN in words, and auth.signUpEnabled says so", async () => {
    const provider = await h.user("provider_admin");
    expect(await h.caller(null).auth.signUpEnabled()).toEqual({ enabled: true });
    expect((await h.caller(provider).globalSettings.update({ selfSignupEnabled: false })).selfSignupEnabled).toBe(false);
    try {
      expect(await h.caller(null).auth.signUpEnabled()).toEqual({ enabled: false });
      const { key } = await provisioned(`Closed ${driver}`);
      const before = await counts();
      await expect(anonymous().auth.signUpWithKey({ email: email("closed"), name: "Clo Sed", password: PASSWORD, openRouterKey: key })).rejects.toMatchObject({
        code: "FORBIDDEN",
        message: expect.stringMatching(/sign-up is turned off/i),
      });
      expect(await counts()).toEqual(before);
      const [entry] = (await listAudit(h.t.db, { action: "global_settings.updated", limit: 1 })).items;
      expect(entry).toMatchObject({ before: { selfSignupEnabled: true }, after: { selfSignupEnabled: false } });
    } finally {
      await h.caller(provider).globalSettings.update({ selfSignupEnabled: true });
    }
    expect((await h.caller(provider).globalSettings.get()).selfSignupEnabled).toBe(true);
  });

  it("is throttled per client address like sign-in: failures from one address slow it down, other addresses go on", async () => {
    // The clock stands still: the waits the throttle imposes do not run out during the test.
    const frozen = new Date("2026-06-01T12:00:00Z");
    const realNow = h.deps.now;
    h.deps.now = () => frozen;
    try {
      const caller = h.caller(null, { ip: "198.18.0.1" });
      const outcomes: string[] = [];
      for (let i = 0; i < 22; i++) {
        outcomes.push(await trpcCode(caller.auth.signUpWithKey({ email: email("guess"), name: "Gue Ss", password: PASSWORD, openRouterKey: "sk-or-v1-guess" })));
      }
      expect(outcomes.slice(0, 21)).toEqual(Array.from({ length: 21 }, () => "BAD_REQUEST"));
      expect(outcomes.at(-1)).toBe("TOO_MANY_REQUESTS");
      const other = h.caller(null, { ip: "198.18.0.2" });
      expect(await trpcCode(other.auth.signUpWithKey({ email: email("other"), name: "Oth Er", password: PASSWORD, openRouterKey: "sk-or-v1-guess" }))).toBe("BAD_REQUEST");
    } finally {
      h.deps.now = realNow;
    }
  });

  it("simultaneous sign-ups with one provisioned key: exactly one claims it, the others leave nothing behind", async () => {
    const { org, key } = await provisioned(`Raced ${driver}`);
    const before = await counts();
    const results = await Promise.allSettled(
      [1, 2, 3].map(() => anonymous().auth.signUpWithKey({ email: email("racer"), name: "Ra Cer", password: PASSWORD, openRouterKey: key })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await counts()).toEqual({ ...before, users: before.users + 1, mappings: before.mappings + 1 });
    const [mapping] = await h.t.db.select().from(schema.userClientMapping).where(eq(schema.userClientMapping.organizationId, org.id));
    expect(mapping).toBeDefined();
  });
});
