// The permission matrix: every procedure of the contract × every kind of caller × every kind of
// credential, each cell asserted from one expectation table. Callers: anonymous, a member of
// organisation A, A's client administrator, B's client administrator, the provider. Credentials:
// a full dashboard session, a password_change session (opened with a temporary password), a chat
// token, a manage token, and the operator's in-process call (the CLI). Inputs target organisation
// A. Mutations that would disturb later cells get fresh fixtures per cell. A refusal by the
// credential is told apart from one by the role: CHAT_ONLY, SESSION_ONLY and PASSWORD_FIRST are
// FORBIDDENs whose message says which door closed.
import type { AuthUser } from "@mai/db";
import { testDrivers } from "@mai/db/testing";
import { TRPCError } from "@trpc/server";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../src/routers/_app";
import { CHAT_TOKEN_REFUSAL } from "../src/trpc/procedures";
import { createHarness, nextKey, type Credential, type Harness, usageBatch } from "./harness";

type Outcome =
  | "OK"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "BAD_REQUEST"
  | "CONFLICT"
  /** FORBIDDEN: a chat token reached for the dashboard. */
  | "CHAT_ONLY"
  /** FORBIDDEN: only a dashboard session may do this (a token, the operator). */
  | "SESSION_ONLY"
  /** FORBIDDEN: a password_change session may only change the password. */
  | "PASSWORD_FIRST";
type Role = "member" | "adminA" | "adminB" | "provider";
const ROLES: Role[] = ["member", "adminA", "adminB", "provider"];
const KINDS: readonly Credential[] = ["session", "password_change", "chat", "manage", "operator", "openwebui"];
type ByRole = Record<Role, Outcome>;
interface Expected {
  anonymous: Outcome;
  byCredential: Record<Credential, ByRole>;
}

interface Fixtures {
  h: Harness;
  orgA: { id: string; key: string; admin: AuthUser };
  orgB: { id: string; key: string; admin: AuthUser };
  member: AuthUser;
  provider: AuthUser;
}
type Caller = ReturnType<Harness["caller"]>;
type Cell = (c: Caller, f: Fixtures) => Promise<unknown>;

/** The outcome of one call: its tRPC code, the credential refusals by their words. */
async function outcomeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "OK";
  } catch (error) {
    if (!(error instanceof TRPCError)) return `not a TRPCError: ${String(error)}`;
    if (error.code !== "FORBIDDEN") return error.code;
    if (error.message === CHAT_TOKEN_REFUSAL) return "CHAT_ONLY";
    if (error.message.startsWith("Only a dashboard session can do this")) return "SESSION_ONLY";
    if (error.message === "Choose a new password first.") return "PASSWORD_FIRST";
    return "FORBIDDEN";
  }
}

// Roles: what each caller gets through a door that admits its credential.
const roles = (o: Outcome): ByRole => ({ member: o, adminA: o, adminB: o, provider: o });
const signedIn = roles("OK");
const providerOnly: ByRole = { member: "FORBIDDEN", adminA: "FORBIDDEN", adminB: "FORBIDDEN", provider: "OK" };
const orgAdmins: ByRole = { member: "FORBIDDEN", adminA: "OK", adminB: "FORBIDDEN", provider: "OK" };
const anyAdmin: ByRole = { ...orgAdmins, adminB: "OK" };
const orgScopedRead: ByRole = { ...orgAdmins, member: "OK" };
/** Usage with a chat token: its owner's own, as a member — the provider belongs to no organisation. */
const ownUsage: ByRole = { member: "OK", adminA: "OK", adminB: "FORBIDDEN", provider: "NOT_FOUND" };

// Doors: which credentials a procedure admits (the builders of src/trpc/procedures.ts).
const door = (anonymous: Outcome, byCredential: Record<Credential, ByRole>): Expected => ({ anonymous, byCredential });
/** publicProcedure: anyone, whatever they hold. */
const open = (all: ByRole, anonymous: Outcome = "OK") =>
  door(anonymous, { session: all, password_change: all, chat: all, manage: all, operator: all, openwebui: all });
/** authedProcedure and every builder above it: a full session, a manage token, the operator. */
const dashboard = (r: ByRole) =>
  door("UNAUTHORIZED", { session: r, password_change: roles("PASSWORD_FIRST"), chat: roles("CHAT_ONLY"), manage: r, operator: r, openwebui: roles("CHAT_ONLY") });
/** chatProcedure: a chat token too (`chat`: what it gets, when not what the others get). */
const chat = (r: ByRole, chatToken: ByRole = r) =>
  door("UNAUTHORIZED", { session: r, password_change: roles("PASSWORD_FIRST"), chat: chatToken, manage: r, operator: r, openwebui: chatToken });
/** sessionProcedure: a full dashboard session only. */
const sessionOnly = (r: ByRole) =>
  door("UNAUTHORIZED", {
    session: r,
    password_change: roles("PASSWORD_FIRST"),
    chat: roles("CHAT_ONLY"),
    manage: roles("SESSION_ONLY"),
    operator: roles("SESSION_ONLY"),
    openwebui: roles("CHAT_ONLY"),
  });
/** passwordChangeProcedure: a dashboard session of either purpose. */
const anySession = (r: ByRole) =>
  door("UNAUTHORIZED", {
    session: r,
    password_change: r,
    chat: roles("SESSION_ONLY"),
    manage: roles("SESSION_ONLY"),
    operator: roles("SESSION_ONLY"),
    openwebui: roles("SESSION_ONLY"),
  });
/** internalProcedure: the proxy's internal token, which no credential replaces. */
const internalOnly = open(roles("UNAUTHORIZED"), "UNAUTHORIZED");

const A = (f: Fixtures) => ({ organizationId: f.orgA.id });
const month = new Date().toISOString().slice(0, 7);

const MATRIX: [string, Cell, Expected][] = [
  // Signing in is open to anyone (an unknown account here; each caller has its own address, so the
  // sign-in throttle never answers instead).
  ["auth.login", (c) => c.auth.login({ email: `nobody-${randomUUID()}@matrix.example`, password: "not the password" }), open(roles("UNAUTHORIZED"), "UNAUTHORIZED")],
  ["auth.me", (c) => c.auth.me(), open(signedIn)],
  ["auth.logout", (c) => c.auth.logout(), open(signedIn)],
  // A token never mints a token; a manage token only for administrators.
  ["auth.createToken", (c) => c.auth.createToken({ name: "matrix" }), sessionOnly(signedIn)],
  ["auth.createToken (manage)", (c) => c.auth.createToken({ name: "matrix", scope: "manage" }), sessionOnly({ ...signedIn, member: "FORBIDDEN" })],
  ["auth.listTokens", (c) => c.auth.listTokens(), dashboard(signedIn)],
  [
    "auth.revokeToken (A admin's token)",
    async (c, f) => {
      const { id } = await f.h.caller(f.orgA.admin).auth.createToken({ name: "victim" });
      return c.auth.revokeToken({ id });
    },
    dashboard({ member: "NOT_FOUND", adminA: "OK", adminB: "NOT_FOUND", provider: "NOT_FOUND" }),
  ],
  // Admitted for any session; these accounts have no password, so the current one is never right.
  [
    "auth.changePassword",
    (c) => c.auth.changePassword({ currentPassword: "whatever it is", newPassword: "rivers bend twice before the sea" }),
    anySession(roles("BAD_REQUEST")),
  ],
  ["auth.signOutEverywhere", (c) => c.auth.signOutEverywhere(), sessionOnly(signedIn)],
  // Getting an account is public (a malformed key, a wrong code: refused in words, whoever asks).
  [
    "auth.signUpWithKey",
    (c) => c.auth.signUpWithKey({ email: `new-${randomUUID()}@matrix.example`, name: "New Client", password: "rivers bend twice before the sea", openRouterKey: "not-a-key" }),
    open(roles("BAD_REQUEST"), "BAD_REQUEST"),
  ],
  ["auth.signUpEnabled", (c) => c.auth.signUpEnabled(), open(signedIn)],
  [
    "auth.acceptInvitation (with a code)",
    (c) => c.auth.acceptInvitation({ email: `new-${randomUUID()}@matrix.example`, code: "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF", password: "rivers bend twice before the sea" }),
    open(roles("BAD_REQUEST"), "BAD_REQUEST"),
  ],
  // Signed in, by id: a full dashboard session only; every caller here already belongs somewhere (or is the provider).
  [
    "auth.acceptInvitation (signed in, by id)",
    async (c, f) => {
      const { invitation } = await f.h.caller(f.orgA.admin).members.add({ email: `invitee-${randomUUID()}@matrix.example`, role: "member" });
      return c.auth.acceptInvitation({ invitationId: invitation.id });
    },
    door("UNAUTHORIZED", {
      session: roles("CONFLICT"),
      password_change: roles("PASSWORD_FIRST"),
      chat: roles("SESSION_ONLY"),
      manage: roles("SESSION_ONLY"),
      operator: roles("SESSION_ONLY"),
      openwebui: roles("SESSION_ONLY"),
    }),
  ],
  ["auth.invitations", (c) => c.auth.invitations(), dashboard(signedIn)],
  ["settings.get", (c) => c.settings.get(), chat(signedIn)],
  ["settings.update", (c) => c.settings.update({ ui: { theme: "dark" } }), chat(signedIn)],
  // The caller's own last save and its sync outcome; no input names anyone else.
  ["settings.lastSync", (c) => c.settings.lastSync(), chat(signedIn)],

  ["organizations.list", (c) => c.organizations.list(), dashboard(anyAdmin)],
  ["organizations.get", (c, f) => c.organizations.get(A(f)), dashboard(orgAdmins)],
  ["organizations.create", (c) => c.organizations.create({ name: `Matrix ${randomUUID()}`, provisionKey: false }), dashboard(providerOnly)],
  ["organizations.update (billing e-mail)", (c, f) => c.organizations.update({ ...A(f), billingEmail: "billing@a.example" }), dashboard(orgAdmins)],
  ["organizations.update (markup)", (c, f) => c.organizations.update({ ...A(f), markup: "1.3" }), dashboard(providerOnly)],
  ["organizations.setKey", (c, f) => c.organizations.setKey({ ...A(f), key: nextKey() }), dashboard(providerOnly)],
  ["organizations.rotateKey", (c, f) => c.organizations.rotateKey(A(f)), dashboard(providerOnly)],
  [
    "organizations.deactivate (a throwaway organisation)",
    async (c, f) => c.organizations.deactivate({ organizationId: (await f.h.org()).id }),
    dashboard(providerOnly),
  ],
  // Key-level reconciliation: the provider and the organisation's own administrator read it.
  ["organizations.unmeteredUsage", (c, f) => c.organizations.unmeteredUsage({ ...A(f), month }), dashboard(orgAdmins)],
  ["organizations.unmeteredUsage (every organisation)", (c) => c.organizations.unmeteredUsage(), dashboard(anyAdmin)],
  // Billing it is the provider's act; A's key was never reconciled here, so the provider passes the
  // door and is told there is nothing to bill (key-reconcile.test.ts bills for real).
  [
    "organizations.billUnmetered",
    (c, f) => c.organizations.billUnmetered({ ...A(f), month }),
    dashboard({ ...providerOnly, provider: "CONFLICT" }),
  ],

  // The organisation's display currency is the provider's to set.
  ["organizations.setCurrency", (c, f) => c.organizations.setCurrency({ ...A(f), currency: null }), dashboard(providerOnly)],

  ["members.list", (c, f) => c.members.list(A(f)), dashboard(orgAdmins)],
  ["members.add", (c, f) => c.members.add({ ...A(f), email: `new-${randomUUID()}@a.example`, role: "member" }), dashboard(orgAdmins)],
  [
    "members.remove",
    async (c, f) => c.members.remove({ ...A(f), userId: (await f.h.user("member", { organizationId: f.orgA.id })).id }),
    dashboard(orgAdmins),
  ],
  ["members.invitations", (c, f) => c.members.invitations(A(f)), dashboard(orgAdmins)],
  [
    "members.revokeInvitation (a fresh invitation of A)",
    async (c, f) => {
      const { invitation } = await f.h.caller(f.orgA.admin).members.add({ email: `revoked-${randomUUID()}@matrix.example`, role: "member" });
      return c.members.revokeInvitation({ ...A(f), invitationId: invitation.id });
    },
    dashboard(orgAdmins),
  ],
  [
    "members.resetPassword",
    async (c, f) => c.members.resetPassword({ ...A(f), userId: (await f.h.user("member", { organizationId: f.orgA.id })).id }),
    dashboard(orgAdmins),
  ],

  // Usage: a chat token sees its owner's own, whatever the owner's role.
  ["usage.summary", (c, f) => c.usage.summary(A(f)), chat(orgScopedRead, ownUsage)],
  ["usage.daily", (c, f) => c.usage.daily({ ...A(f), days: 7 }), chat(orgScopedRead, ownUsage)],
  ["usage.byUser", (c, f) => c.usage.byUser(A(f)), chat(orgScopedRead, ownUsage)],
  ["usage.byModel", (c, f) => c.usage.byModel(A(f)), chat(orgScopedRead, ownUsage)],
  ["usage.events", (c, f) => c.usage.events({ ...A(f), limit: 10 }), chat(orgScopedRead, ownUsage)],
  ["usage.exportCsv", (c, f) => c.usage.exportCsv({ ...A(f), month }), chat(orgScopedRead, ownUsage)],
  // The display currency and its rate: whoever may read the figures it converts.
  ["usage.currency", (c, f) => c.usage.currency({ ...A(f), month }), chat(orgScopedRead, ownUsage)],

  ["userMapping.validate", (c, f) => c.userMapping.validate(A(f)), dashboard(orgAdmins)],
  ["userMapping.configuration", (c) => c.userMapping.configuration(), dashboard(anyAdmin)],
  ["userMapping.statistics", (c, f) => c.userMapping.statistics(A(f)), dashboard(orgAdmins)],
  [
    "userMapping.testMapping (a member of A)",
    (c, f) => c.userMapping.testMapping({ userId: f.member.id }),
    dashboard({ member: "FORBIDDEN", adminA: "OK", adminB: "NOT_FOUND", provider: "OK" }),
  ],

  ["globalSettings.get", (c) => c.globalSettings.get(), dashboard(providerOnly)],
  ["globalSettings.update", (c) => c.globalSettings.update({ billingTimeZone: "UTC" }), dashboard(providerOnly)],
  // Exchange rates: the provider's (a rate entered for a day NBP has none for; the fetch, now).
  ["exchangeRates.list", (c) => c.exchangeRates.list(), dashboard(providerOnly)],
  ["exchangeRates.set", (c) => c.exchangeRates.set({ currency: "PLN", effectiveDate: "2020-01-03", rate: "3.8" }), dashboard(providerOnly)],
  ["exchangeRates.refresh", (c) => c.exchangeRates.refresh(), dashboard(providerOnly)],
  ["audit.list", (c, f) => c.audit.list(A(f)), dashboard(orgAdmins)],

  // Limit alerts: settings for the organisation's administrators and the provider; the fired
  // alerts for its members too; the delivery log (other people's addresses) for the provider only.
  ["alerts.getSettings", (c, f) => c.alerts.getSettings(A(f)), dashboard(orgAdmins)],
  ["alerts.updateSettings", (c, f) => c.alerts.updateSettings({ ...A(f), thresholds: [80, 100] }), dashboard(orgAdmins)],
  ["alerts.list", (c, f) => c.alerts.list(A(f)), dashboard(orgScopedRead)],
  ["alerts.deliveries", (c, f) => c.alerts.deliveries(A(f)), dashboard(providerOnly)],

  ["internal.resolveContext", (c) => c.internal.resolveContext({ token: `mai_${"0".repeat(48)}` }), internalOnly],
  ["internal.recordUsage", (c) => c.internal.recordUsage(usageBatch([])), internalOnly],
  [
    "internal.recordRefusals",
    (c, f) => c.internal.recordRefusals({ refusals: [{ id: randomUUID(), organizationId: f.orgA.id, userId: f.orgA.admin.id, reason: "monthly_limit", occurredAt: new Date() }] }),
    internalOnly,
  ],
  ["internal.resolveOrganization", (c, f) => c.internal.resolveOrganization(A(f)), internalOnly],
  ["internal.reserve", (c, f) => c.internal.reserve({ ...A(f), amountNano: 1n, owner: "permissions-test-owner" }), internalOnly],
  ["internal.renewLeases", (c) => c.internal.renewLeases({ owner: "permissions-test-owner", leaseIds: [] }), internalOnly],
  ["internal.settle", (c) => c.internal.settle({ owner: "permissions-test-owner", leaseId: "00000000-0000-4000-8000-000000000000", consumedNano: 1n }), internalOnly],
];

describe.each(testDrivers())("permission matrix on %s", (driver) => {
  let f: Fixtures;
  let address = 0;
  beforeAll(async () => {
    const h = await createHarness(driver);
    const provider = await h.user("provider_admin");
    await h.caller(provider).globalSettings.update({ provisioningKey: h.sim.managementKey });
    const orgA = await h.org("Alpha");
    const orgB = await h.org("Beta");
    f = { h, orgA, orgB, provider, member: await h.user("member", { organizationId: orgA.id }) };
  });
  afterAll(() => f.h.close());

  it("covers every procedure of the router", () => {
    const covered = new Set(MATRIX.map(([name]) => name.split(" ")[0]));
    const procedures = Object.keys(appRouter._def.procedures);
    expect(procedures.filter((p) => !covered.has(p))).toEqual([]);
  });

  it.each(MATRIX)("%s", async (_name, cell, expected) => {
    const users: Record<Role, AuthUser> = { member: f.member, adminA: f.orgA.admin, adminB: f.orgB.admin, provider: f.provider };
    // Each caller its own client address (10.x.y.z), so no cell meets another's sign-in throttle.
    const ip = () => `10.${(++address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`;
    const actual: Expected = { anonymous: (await outcomeOf(cell(f.h.caller(null, { ip: ip() }), f))) as Outcome, byCredential: {} as Expected["byCredential"] };
    for (const credential of KINDS) {
      const row = {} as ByRole;
      for (const role of ROLES) row[role] = (await outcomeOf(cell(f.h.caller(users[role], { credential, ip: ip() }), f))) as Outcome;
      actual.byCredential[credential] = row;
    }
    expect(actual).toEqual(expected);
  });
});
