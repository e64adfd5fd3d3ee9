// The permission matrix: every procedure of the contract × every kind of caller, each cell
// asserted. Inputs target organisation A; "B admin" is a client administrator of another
// organisation. Mutations that would disturb later cells get fresh fixtures per cell.
import type { AuthUser } from "@mai/db";
import { testDrivers } from "@mai/db/testing";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../src/routers/_app";
import { createHarness, nextKey, type Harness, trpcCode, usageBatch } from "./harness";

type Outcome = "OK" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND";
type Who = "anonymous" | "member" | "adminA" | "adminB" | "provider";
const WHO: Who[] = ["anonymous", "member", "adminA", "adminB", "provider"];

interface Fixtures {
  h: Harness;
  orgA: { id: string; key: string; admin: AuthUser };
  orgB: { id: string; key: string; admin: AuthUser };
  member: AuthUser;
  provider: AuthUser;
}
type Caller = ReturnType<Harness["caller"]>;
type Cell = (c: Caller, f: Fixtures, who: Who) => Promise<unknown>;

const all = (o: Outcome): Record<Who, Outcome> => ({ anonymous: o, member: o, adminA: o, adminB: o, provider: o });
const signedIn: Record<Who, Outcome> = { ...all("OK"), anonymous: "UNAUTHORIZED" };
const providerOnly: Record<Who, Outcome> = { anonymous: "UNAUTHORIZED", member: "FORBIDDEN", adminA: "FORBIDDEN", adminB: "FORBIDDEN", provider: "OK" };
const orgAdmins: Record<Who, Outcome> = { anonymous: "UNAUTHORIZED", member: "FORBIDDEN", adminA: "OK", adminB: "FORBIDDEN", provider: "OK" };
const anyAdmin: Record<Who, Outcome> = { ...orgAdmins, adminB: "OK" };
const orgScopedRead: Record<Who, Outcome> = { ...orgAdmins, member: "OK" };

const A = (f: Fixtures) => ({ organizationId: f.orgA.id });
const month = new Date().toISOString().slice(0, 7);

const MATRIX: [string, Cell, Record<Who, Outcome>][] = [
  ["auth.me", (c) => c.auth.me(), all("OK")],
  ["auth.logout", (c) => c.auth.logout(), all("OK")],
  ["auth.createToken", (c) => c.auth.createToken({ name: "matrix" }), signedIn],
  ["auth.listTokens", (c) => c.auth.listTokens(), signedIn],
  [
    "auth.revokeToken (A admin's token)",
    async (c, f) => {
      const { id } = await f.h.caller(f.orgA.admin).auth.createToken({ name: "victim" });
      return c.auth.revokeToken({ id });
    },
    { anonymous: "UNAUTHORIZED", member: "NOT_FOUND", adminA: "OK", adminB: "NOT_FOUND", provider: "NOT_FOUND" },
  ],
  // Dashboard sessions only: these callers carry a token (passwords.test.ts covers sessions).
  [
    "auth.changePassword",
    (c) => c.auth.changePassword({ currentPassword: "whatever it is", newPassword: "rivers bend twice before the sea" }),
    { ...all("FORBIDDEN"), anonymous: "UNAUTHORIZED" },
  ],
  ["auth.signOutEverywhere", (c) => c.auth.signOutEverywhere(), { ...all("FORBIDDEN"), anonymous: "UNAUTHORIZED" }],
  ["settings.get", (c) => c.settings.get(), signedIn],
  ["settings.update", (c) => c.settings.update({ ui: { theme: "dark" } }), signedIn],

  ["organizations.list", (c) => c.organizations.list(), anyAdmin],
  ["organizations.get", (c, f) => c.organizations.get(A(f)), orgAdmins],
  ["organizations.create", (c) => c.organizations.create({ name: `Matrix ${randomUUID()}`, provisionKey: false }), providerOnly],
  ["organizations.update (billing e-mail)", (c, f) => c.organizations.update({ ...A(f), billingEmail: "billing@a.example" }), orgAdmins],
  ["organizations.update (markup)", (c, f) => c.organizations.update({ ...A(f), markup: "1.3" }), { ...providerOnly }],
  ["organizations.setKey", (c, f) => c.organizations.setKey({ ...A(f), key: nextKey() }), providerOnly],
  ["organizations.rotateKey", (c, f) => c.organizations.rotateKey(A(f)), providerOnly],
  [
    "organizations.deactivate (a throwaway organisation)",
    async (c, f) => c.organizations.deactivate({ organizationId: (await f.h.org()).id }),
    providerOnly,
  ],

  ["members.list", (c, f) => c.members.list(A(f)), orgAdmins],
  ["members.add", (c, f) => c.members.add({ ...A(f), email: `new-${randomUUID()}@a.example`, role: "member" }), orgAdmins],
  [
    "members.remove",
    async (c, f) => c.members.remove({ ...A(f), userId: (await f.h.user("member", { organizationId: f.orgA.id })).id }),
    orgAdmins,
  ],
  [
    "members.resetPassword",
    async (c, f) => c.members.resetPassword({ ...A(f), userId: (await f.h.user("member", { organizationId: f.orgA.id })).id }),
    orgAdmins,
  ],

  ["usage.summary", (c, f) => c.usage.summary(A(f)), orgScopedRead],
  ["usage.daily", (c, f) => c.usage.daily({ ...A(f), days: 7 }), orgScopedRead],
  ["usage.byUser", (c, f) => c.usage.byUser(A(f)), orgScopedRead],
  ["usage.byModel", (c, f) => c.usage.byModel(A(f)), orgScopedRead],
  ["usage.events", (c, f) => c.usage.events({ ...A(f), limit: 10 }), orgScopedRead],
  ["usage.exportCsv", (c, f) => c.usage.exportCsv({ ...A(f), month }), orgScopedRead],

  ["userMapping.validate", (c, f) => c.userMapping.validate(A(f)), orgAdmins],
  ["userMapping.configuration", (c) => c.userMapping.configuration(), anyAdmin],
  ["userMapping.statistics", (c, f) => c.userMapping.statistics(A(f)), orgAdmins],
  [
    "userMapping.testMapping (a member of A)",
    (c, f) => c.userMapping.testMapping({ userId: f.member.id }),
    { anonymous: "UNAUTHORIZED", member: "FORBIDDEN", adminA: "OK", adminB: "NOT_FOUND", provider: "OK" },
  ],

  ["globalSettings.get", (c) => c.globalSettings.get(), providerOnly],
  ["globalSettings.update", (c) => c.globalSettings.update({ billingTimeZone: "UTC" }), providerOnly],
  ["audit.list", (c, f) => c.audit.list(A(f)), orgAdmins],

  ["internal.resolveContext", (c) => c.internal.resolveContext({ token: `mai_${"0".repeat(48)}` }), all("UNAUTHORIZED")],
  ["internal.recordUsage", (c) => c.internal.recordUsage(usageBatch([])), all("UNAUTHORIZED")],
  ["internal.reserve", (c, f) => c.internal.reserve({ ...A(f), amountNano: 1n }), all("UNAUTHORIZED")],
  ["internal.settle", (c, f) => c.internal.settle({ ...A(f), period: month, reservedNano: 1n }), all("UNAUTHORIZED")],
];


describe.each(testDrivers())("permission matrix on %s", (driver) => {
  let f: Fixtures;
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
    expect(procedures.filter((p) => !covered.has(p) && p !== "auth.login")).toEqual([]);
  });

  it.each(MATRIX)("%s", async (_name, cell, expected) => {
    const callers: Record<Who, AuthUser | null> = {
      anonymous: null,
      member: f.member,
      adminA: f.orgA.admin,
      adminB: f.orgB.admin,
      provider: f.provider,
    };
    const actual: Record<string, string> = {};
    for (const who of WHO) actual[who] = await trpcCode(cell(f.h.caller(callers[who]), f, who));
    expect(actual).toEqual(expected);
  });
});
