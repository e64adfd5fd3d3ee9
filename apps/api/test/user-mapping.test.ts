// userMapping.*: validation finds every kind of broken attribution, statistics add up to the
// recorded usage, testMapping answers as the proxy would decide — and a client administrator
// sees only their own organisation.
import { schema, updateGlobalSettings, type AuthUser } from "@mai/db";
import { eq, testDrivers } from "@mai/db/testing";
import { billedCost, externalUserId, serverMessage } from "@mai/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mappingProblems } from "../src/services/user-mapping/validate";
import { createHarness, type Harness, trpcCode, usageBatch } from "./harness";

const NOW = new Date("2026-03-02T10:00:00.000Z");

describe("mappingProblems", () => {
  const orgId = "0f1e2d3c-4b5a-4697-8876-a5b4c3d2e1f0";
  const userId = "1a2b3c4d-5e6f-4a0b-9c1d-2e3f4a5b6c7d";
  const row = {
    userId,
    email: "x@test.example",
    name: "X",
    role: "member" as const,
    disabled: false,
    organizationId: orgId,
    organizationName: "Org",
    organizationActive: true,
    externalUserId: externalUserId(orgId, userId),
    externalIdHolders: 1,
    mappedAt: new Date(),
  };
  it.each([
    ["a correct mapping", row, 1, []],
    ["a shared id", row, 2, ["duplicate"]],
    [
      "an id of another user",
      { ...row, externalUserId: "mai_client_0f1e2d3c_user_ffffffff" },
      1,
      ["mismatch"],
    ],
    ["an id of another format", { ...row, externalUserId: "alice@example.com" }, 1, ["invalid_format"]],
    ["an inactive organisation", { ...row, organizationActive: false }, 1, ["inactive_organization"]],
  ])("%s", (_name, r, holders, codes) => {
    const problems = mappingProblems(r, holders);
    expect(problems.map((p) => p.code)).toEqual(codes);
    // Each problem's English is its catalog key's, with its parameters (for a translating dashboard).
    for (const p of problems) expect(serverMessage(p.messageKey, p.messageParams)).toBe(p.message);
  });

  it("words a shared id with its count and an inactive organisation with its name, keyed", () => {
    expect(mappingProblems(row, 3)[0]).toMatchObject({
      message: "3 mappings share this external id, so their usage cannot be told apart.",
      messageKey: "mapping.duplicate",
      messageParams: { count: 3 },
    });
    expect(mappingProblems({ ...row, organizationActive: false }, 1)[0]).toMatchObject({
      message: 'Mapped to the inactive organisation "Org": requests are refused.',
      messageKey: "mapping.inactiveOrganization",
      messageParams: { organization: "Org" },
    });
  });
});

describe.each(testDrivers())("userMapping on %s", (driver) => {
  let h: Harness;
  let provider: AuthUser;
  let orgA: { id: string; admin: AuthUser; key: string };
  let orgB: { id: string; admin: AuthUser; key: string };
  let orgC: { id: string; admin: AuthUser; key: string };
  let memberA: AuthUser;
  let memberC: AuthUser;
  let loner: AuthUser;
  let mismatched: AuthUser;
  let malformed: AuthUser;
  let disabled: AuthUser;
  const WRONG_ID = "mai_client_00000000_user_00000000";

  const event = (u: AuthUser, id: string, raw: bigint, at: string) => ({
    generationId: id,
    organizationId: u.organizationId!,
    userId: u.id,
    externalUserId: u.externalUserId!,
    model: "openai/gpt-4o-mini",
    promptTokens: 10,
    completionTokens: 5,
    rawCostNano: raw,
    markupBp: 13_000,
    status: "ok" as const,
    streamed: false,
    occurredAt: new Date(at),
  });

  beforeAll(async () => {
    h = await createHarness(driver);
    h.deps.now = () => NOW;
    await updateGlobalSettings(h.t.db, h.t.secrets, { billingTimeZone: "Europe/Warsaw" }, null);
    provider = await h.user("provider_admin");
    orgA = await h.org();
    orgB = await h.org();
    orgC = await h.org();
    await h.t.db
      .update(schema.clientOrganizations)
      .set({ active: false })
      .where(eq(schema.clientOrganizations.id, orgC.id));
    memberA = await h.user("member", { organizationId: orgA.id });
    memberC = await h.user("member", { organizationId: orgC.id });
    loner = await h.user("member");
    mismatched = await h.user("member");
    malformed = await h.user("member");
    await h.t.db.insert(schema.userClientMapping).values([
      { userId: mismatched.id, organizationId: orgA.id, externalUserId: WRONG_ID },
      { userId: malformed.id, organizationId: orgA.id, externalUserId: "legacy-42" },
    ]);
    disabled = await h.user("member", { organizationId: orgA.id });
    await h.t.db.update(schema.users).set({ disabledAt: NOW }).where(eq(schema.users.id, disabled.id));

    await h.internal().internal.recordUsage(usageBatch([
        event(memberA, "m-1", 1_000_001n, "2026-03-01T09:00:00.000Z"),
        // 00:30 on 1 March in Warsaw: this month.
        event(memberA, "m-2", 3_333n, "2026-02-28T23:30:00.000Z"),
        // 23:30 on 28 February in Warsaw: last month.
        event(memberA, "m-3", 9_999_999n, "2026-02-28T22:30:00.000Z"),
        event(orgA.admin, "m-4", 77n, "2026-03-02T08:00:00.000Z"),
        event(orgB.admin, "m-5", 123_456n, "2026-03-02T08:00:00.000Z"),
      ]));
  });
  afterAll(() => h.close());

  it.each([
    [
      "validate",
      (c: ReturnType<Harness["caller"]>, organizationId?: string) =>
        c.userMapping.validate({ organizationId }),
    ],
    [
      "statistics",
      (c: ReturnType<Harness["caller"]>, organizationId?: string) =>
        c.userMapping.statistics({ organizationId }),
    ],
    ["configuration", (c: ReturnType<Harness["caller"]>) => c.userMapping.configuration()],
    ["testMapping", (c: ReturnType<Harness["caller"]>) => c.userMapping.testMapping({ userId: memberA.id })],
  ])("%s: anonymous → UNAUTHORIZED, members → FORBIDDEN", async (_name, call) => {
    expect(await trpcCode(call(h.caller(null), orgA.id))).toBe("UNAUTHORIZED");
    expect(await trpcCode(call(h.caller(memberA), orgA.id))).toBe("FORBIDDEN");
    expect(await trpcCode(call(h.caller(memberA)))).toBe("FORBIDDEN");
  });

  it.each([
    [
      "validate",
      (c: ReturnType<Harness["caller"]>, organizationId?: string) =>
        c.userMapping.validate({ organizationId }),
    ],
    [
      "statistics",
      (c: ReturnType<Harness["caller"]>, organizationId?: string) =>
        c.userMapping.statistics({ organizationId }),
    ],
  ])("%s: another organisation's administrator → FORBIDDEN", async (_name, call) => {
    expect(await trpcCode(call(h.caller(orgB.admin), orgA.id))).toBe("FORBIDDEN");
    expect(await trpcCode(call(h.caller(orgB.admin), orgB.id))).toBe("OK");
    expect(await trpcCode(call(h.caller(provider), "00000000-0000-4000-8000-000000000000"))).toBe("NOT_FOUND");
  });

  it("validate (provider, all organisations): every problem, problem users first", async () => {
    const report = await h.caller(provider).userMapping.validate();
    expect(report.ok).toBe(false);
    const problemsOf = (userId: string) =>
      report.problems
        .filter((p) => p.userId === userId)
        .map((p) => p.code)
        .sort();
    expect(problemsOf(mismatched.id)).toEqual(["mismatch"]);
    expect(problemsOf(malformed.id)).toEqual(["invalid_format"]);
    expect(problemsOf(memberC.id)).toEqual(["inactive_organization"]);
    expect(problemsOf(orgC.admin.id)).toEqual(["inactive_organization"]);
    expect(problemsOf(loner.id)).toEqual(["unmapped"]);
    expect(problemsOf(memberA.id)).toEqual([]);
    expect(problemsOf(provider.id)).toEqual([]);
    expect(report.problems.find((p) => p.userId === mismatched.id)).toMatchObject({
      externalUserId: WRONG_ID,
      expectedExternalUserId: externalUserId(orgA.id, mismatched.id),
    });
    const firstOk = report.users.findIndex((u) => u.ok);
    expect(firstOk).toBe(report.counts.usersWithProblems);
    expect(report.users.slice(firstOk).every((u) => u.ok)).toBe(true);
    expect(report.counts).toMatchObject({
      unmappedUsers: 1,
      usersWithProblems: 5,
      problems: 5,
      byCode: { invalid_format: 1, mismatch: 1, duplicate: 0, inactive_organization: 2, unmapped: 1 },
    });
    expect(report.users.find((u) => u.userId === memberA.id)).toMatchObject({
      ok: true,
      externalUserId: memberA.externalUserId,
      expectedExternalUserId: memberA.externalUserId,
      organizationId: orgA.id,
    });
  });

  it("validate (org admin): only their organisation, no unmapped users from elsewhere", async () => {
    const report = await h.caller(orgA.admin).userMapping.validate();
    expect(report.organizationId).toBe(orgA.id);
    expect(new Set(report.users.map((u) => u.organizationId))).toEqual(new Set([orgA.id]));
    expect(report.users.map((u) => u.userId).sort()).toEqual(
      [orgA.admin.id, memberA.id, mismatched.id, malformed.id, disabled.id].sort(),
    );
    expect(report.problems.map((p) => p.code).sort()).toEqual(["invalid_format", "mismatch"]);
    const clean = await h.caller(orgB.admin).userMapping.validate();
    expect(clean).toMatchObject({ ok: true, problems: [], counts: { users: 1, problems: 0 } });
  });

  it("configuration: the external id format, time zone, defaults, key verification and accepted hosts", async () => {
    const config = await h.caller(orgA.admin).userMapping.configuration();
    expect(config).toMatchObject({
      billingTimeZone: "Europe/Warsaw",
      defaultMonthlyLimitNano: 1_000_000_000_000n,
      verifyKeys: true,
      acceptedOpenRouterHosts: ["openrouter.ai", h.sim.origin],
    });
    // The default markup is the provider's price of OpenRouter's cost: not in a client's answer
    // unless the provider lets clients see its cost (provider-cost.test.ts).
    expect(config).not.toHaveProperty("defaultMarkupBp");
    expect(await h.caller(provider).userMapping.configuration()).toMatchObject({ defaultMarkupBp: 13_000, defaultMarkup: "1.3" });
    expect(new RegExp(config.externalUserId.pattern).test(memberA.externalUserId!)).toBe(true);
    expect(new RegExp(config.externalUserId.pattern).test(config.externalUserId.example)).toBe(true);
    const env = h.deps.env;
    h.deps.env = { ...env, MAI_VERIFY_KEYS: false, MAI_OPENROUTER_EXTRA_HOSTS: [] };
    try {
      expect(await h.caller(provider).userMapping.configuration()).toMatchObject({
        verifyKeys: false,
        acceptedOpenRouterHosts: ["openrouter.ai"],
      });
    } finally {
      h.deps.env = env;
    }
  });

  it("statistics (provider): counts and this month's usage per external id", async () => {
    const stats = await h.caller(provider).userMapping.statistics();
    // Client users: 3 org admins, memberA, memberC, loner, mismatched, malformed (disabled excluded).
    expect(stats).toMatchObject({
      period: "2026-03",
      users: 8,
      mappedUsers: 7,
      unmappedUsers: 1,
      organizations: 3,
      activeOrganizations: 2,
    });
    const row = (u: AuthUser) => stats.perExternalId.find((r) => r.userId === u.id);
    expect(row(memberA)).toMatchObject({
      externalUserId: memberA.externalUserId,
      mapped: true,
      requests: 2,
      billedCostNano: billedCost(1_000_001n, 13_000) + billedCost(3_333n, 13_000),
    });
    expect(row(orgB.admin)).toMatchObject({ requests: 1, billedCostNano: billedCost(123_456n, 13_000) });
    expect(row(memberC)).toMatchObject({ requests: 0, billedCostNano: 0n });
    expect(stats.requestsThisMonth).toBe(4);
    expect(stats.billedCostNanoThisMonth).toBe(
      [1_000_001n, 3_333n, 77n, 123_456n].reduce((s, raw) => s + billedCost(raw, 13_000), 0n),
    );
    expect(stats.perExternalId[0]!.userId).toBe(memberA.id);
  });

  it("statistics (org admin): their organisation only", async () => {
    const stats = await h.caller(orgA.admin).userMapping.statistics();
    expect(stats).toMatchObject({
      organizationId: orgA.id,
      organizations: 1,
      users: 4,
      mappedUsers: 4,
      unmappedUsers: 0,
    });
    expect(stats.perExternalId.every((r) => r.organizationId === orgA.id)).toBe(true);
    expect(stats.perExternalId.some((r) => r.userId === orgB.admin.id)).toBe(false);
    expect(stats.billedCostNanoThisMonth).toBe(
      billedCost(1_000_001n, 13_000) + billedCost(3_333n, 13_000) + billedCost(77n, 13_000),
    );
  });

  it("testMapping: what would be sent as `user`, and why", async () => {
    const ok = await h.caller(provider).userMapping.testMapping({ userId: memberA.id });
    expect(ok).toMatchObject({
      mapped: true,
      wouldSend: true,
      user: memberA.externalUserId,
      organizationId: orgA.id,
      warnings: [],
    });
    // Shown as it is on the dashboard: words, no Markdown backticks.
    expect(ok.reason).toMatch(/carry this external id as the “user” field\.$/);
    const unmapped = await h.caller(provider).userMapping.testMapping({ userId: loner.id });
    expect(unmapped).toMatchObject({ mapped: false, wouldSend: false, user: null });
    expect(unmapped.reason).toMatch(/not mapped/);
    const inactive = await h.caller(provider).userMapping.testMapping({ userId: memberC.id });
    expect(inactive).toMatchObject({ mapped: true, wouldSend: false, user: null, organizationActive: false });
    const gone = await h.caller(provider).userMapping.testMapping({ userId: disabled.id });
    expect(gone).toMatchObject({ disabled: true, wouldSend: false });
    const wrong = await h.caller(orgA.admin).userMapping.testMapping({ userId: mismatched.id });
    expect(wrong).toMatchObject({
      wouldSend: true,
      user: WRONG_ID,
      expectedExternalUserId: externalUserId(orgA.id, mismatched.id),
    });
    expect(wrong.warnings).toHaveLength(1);
  });

  it("testMapping: a client administrator cannot look outside their organisation (NOT_FOUND)", async () => {
    const admin = h.caller(orgA.admin);
    expect(await trpcCode(admin.userMapping.testMapping({ userId: orgB.admin.id }))).toBe("NOT_FOUND");
    expect(await trpcCode(admin.userMapping.testMapping({ userId: loner.id }))).toBe("NOT_FOUND");
    expect(
      await trpcCode(admin.userMapping.testMapping({ userId: "00000000-0000-4000-8000-000000000000" })),
    ).toBe("NOT_FOUND");
    expect(await trpcCode(admin.userMapping.testMapping({ userId: memberA.id }))).toBe("OK");
    expect(
      await trpcCode(
        h.caller(provider).userMapping.testMapping({ userId: "00000000-0000-4000-8000-000000000000" }),
      ),
    ).toBe("NOT_FOUND");
  });
});
