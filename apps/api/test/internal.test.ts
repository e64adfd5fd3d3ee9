import { schema } from "@mai/db";
import { billedCost, evaluateMonthlyLimit } from "@mai/domain";
import { eq, testDrivers } from "@mai/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, trpcCode, usageBatch } from "./harness";

/** The lease owner these tests reserve as (a proxy process's id). */
const OWNER = "internal-test-owner";

describe.each(testDrivers())("internal procedures on %s", (driver) => {
  let h: Harness;
  // The events' time and the API's clock, one instant: read apart, a run across midnight at a
  // month's end would record the events in one billing month and ask about the next.
  const at = new Date();
  beforeAll(async () => {
    h = await createHarness(driver);
    h.deps.now = () => at;
  });
  afterAll(() => h.close());

  it.each([
    ["resolveContext", (c: ReturnType<Harness["caller"]>) => c.internal.resolveContext({ token: "mai_x" })],
    ["recordUsage", (c: ReturnType<Harness["caller"]>) => c.internal.recordUsage(usageBatch([]))],
    ["reserve", (c: ReturnType<Harness["caller"]>) => c.internal.reserve({ organizationId: "00000000-0000-4000-8000-000000000000", amountNano: 1n, owner: OWNER })],
    ["renewLeases", (c: ReturnType<Harness["caller"]>) => c.internal.renewLeases({ owner: OWNER, leaseIds: [] })],
    ["settle", (c: ReturnType<Harness["caller"]>) => c.internal.settle({ owner: OWNER, leaseId: "00000000-0000-4000-8000-000000000000", consumedNano: 1n })],
  ])("%s refuses anyone without the internal token, even the provider", async (_name, call) => {
    expect(await trpcCode(call(h.caller(null)))).toBe("UNAUTHORIZED");
    expect(await trpcCode(call(h.caller(await h.user("provider_admin"))))).toBe("UNAUTHORIZED");
  });

  it("resolves a personal token to the organisation, its decrypted key, markup, limit and external id", async () => {
    const org = await h.org();
    const member = await h.user("member", { organizationId: org.id });
    const { token } = await h.caller(member).auth.createToken({ name: "chat" });
    const ctx = await h.internal().internal.resolveContext({ token });
    expect(ctx).toMatchObject({
      user: { id: member.id, role: "member" },
      externalUserId: member.externalUserId,
      organization: { id: org.id, active: true, markupBp: 13_000, monthlyLimitNano: 1_000_000_000_000n },
      openrouterKey: org.key,
      billing: { timeZone: "UTC", spentNano: 0n, reservedNano: 0n },
    });
    expect(await trpcCode(h.internal().internal.resolveContext({ token: `mai_${"0".repeat(48)}` }))).toBe("UNAUTHORIZED");
  });

  it("resolves Open WebUI's forwarded identity by id, then by e-mail; unmapped users are refused", async () => {
    const org = await h.org();
    const member = await h.user("member", { organizationId: org.id });
    const byEmail = await h.internal().internal.resolveContext({ openWebUiUser: { id: "owui-1", email: member.email.toUpperCase() } });
    expect(byEmail.user.id).toBe(member.id);
    const loner = await h.user("member");
    expect(await trpcCode(h.internal().internal.resolveContext({ openWebUiUser: { id: "owui-2", email: loner.email } }))).toBe("FORBIDDEN");
    expect(await trpcCode(h.internal().internal.resolveContext({ openWebUiUser: { id: "owui-3" } }))).toBe("UNAUTHORIZED");
  });

  it("records usage idempotently and admits against the monthly limit atomically", async () => {
    const org = await h.org();
    const member = await h.user("member", { organizationId: org.id });
    const event = {
      generationId: `gen-1763700000-${"a".repeat(20)}`,
      organizationId: org.id,
      userId: member.id,
      externalUserId: member.externalUserId!,
      model: "openai/gpt-4o-mini",
      provider: "OpenAI",
      promptTokens: 12,
      completionTokens: 3,
      rawCostNano: 4_200n,
      markupBp: 13_000,
      status: "ok" as const,
      streamed: false,
      occurredAt: at,
    };
    expect(await h.internal().internal.recordUsage(usageBatch([event]))).toEqual({ inserted: 1, duplicates: 0 });
    expect(await h.internal().internal.recordUsage(usageBatch([event]))).toEqual({ inserted: 0, duplicates: 1 });
    const { token } = await h.caller(member).auth.createToken({ name: "t" });
    const ctx = await h.internal().internal.resolveContext({ token });
    expect(ctx.billing.spentNano).toBe(billedCost(4_200n, 13_000));

    const reserved = await h.internal().internal.reserve({ organizationId: org.id, amountNano: 1_000_000n, owner: OWNER });
    expect(reserved).toMatchObject({ admitted: true, reservedNano: 1_000_000n, period: ctx.billing.period, leaseTtlMs: 60_000 });
    const tooMuch = await h.internal().internal.reserve({ organizationId: org.id, amountNano: 1_000_000_000_000n, owner: OWNER });
    expect(tooMuch.admitted).toBe(false);
    expect(await h.internal().internal.settle({ owner: OWNER, leaseId: reserved.leaseId!, consumedNano: 0n })).toEqual({ ok: true, closed: true });
    expect((await h.internal().internal.resolveContext({ token })).billing.reservedNano).toBe(0n);

    // A lease: more than the need when asked, the period's end to stop using it at, and its lifetime.
    const lease = await h.internal().internal.reserve({ organizationId: org.id, amountNano: 1_000n, preferNano: 50_000n, owner: OWNER });
    expect(lease).toMatchObject({ admitted: true, grantedNano: 50_000n, period: ctx.billing.period });
    expect(lease.periodEndsAt.getTime()).toBeGreaterThan(at.getTime());
    const renewed = await h.internal().internal.renewLeases({ owner: OWNER, leaseIds: [lease.leaseId!, reserved.leaseId!] });
    expect(renewed).toMatchObject({ renewed: [{ id: lease.leaseId }], gone: [reserved.leaseId], leaseTtlMs: 60_000 });
    // An event that used 30 000 of it gives that back as it becomes spend.
    const used = {
      ...event,
      generationId: `${event.generationId}-2`,
      rawCostNano: 30_000n,
      markupBp: 10_000,
      release: { period: lease.period, nano: 30_000n, lease: lease.leaseId! },
    };
    await h.internal().internal.recordUsage(usageBatch([used]));
    const after = await h.internal().internal.resolveContext({ token });
    expect(after.billing.reservedNano).toBe(20_000n);
    expect(after.billing.spentNano).toBe(billedCost(4_200n, 13_000) + 30_000n);
  });

  it("the limit says exceeded at 95 % once a request that cannot fit was refused (not warning)", async () => {
    const org = await h.org(); // $1000
    const member = await h.user("member", { organizationId: org.id });
    const spend = {
      generationId: `gen-exceeded-${org.id}`,
      organizationId: org.id,
      userId: member.id,
      externalUserId: member.externalUserId!,
      model: "openai/gpt-4o-mini",
      promptTokens: 1,
      completionTokens: 1,
      rawCostNano: 950_000_000_000n, // $950 at 1×: 95 %
      markupBp: 10_000,
      status: "ok" as const,
      streamed: false,
      occurredAt: at,
    };
    await h.internal().internal.recordUsage(usageBatch([spend]));
    const summary = () => h.caller(org.admin).usage.summary();
    expect((await summary()).limit).toMatchObject({ usedBp: 9_500, level: "warning" });
    // $40 fits (and leaves $10); $60 is refused, and so would be any request of that size.
    const small = await h.internal().internal.reserve({ organizationId: org.id, amountNano: 40_000_000_000n, owner: OWNER });
    expect(small.admitted).toBe(true);
    expect((await summary()).limit.level).toBe("warning");
    expect((await h.internal().internal.reserve({ organizationId: org.id, amountNano: 60_000_000_000n, owner: OWNER })).admitted).toBe(false);
    expect((await summary()).limit).toMatchObject({ usedBp: 9_500, percentUsed: 95, level: "exceeded" });
    // The organisations list carries what the dashboard's table needs to say the same.
    const listed = await h.caller(org.admin).organizations.get({});
    expect(listed.refusedMinNano).toBe(60_000_000_000n);
    expect(
      evaluateMonthlyLimit({ spentNano: listed.monthToDateNano, reservedNano: 0n, requestNano: 0n, limitNano: listed.monthlyLimitNano, refusedMinNano: listed.refusedMinNano }).level,
    ).toBe("exceeded");
    // A refusal only because of what is in flight (the $40 lease) does not say exceeded by itself.
    const other = await h.org();
    await h.internal().internal.recordUsage(usageBatch([{ ...spend, generationId: `gen-exceeded-${other.id}`, organizationId: other.id, userId: other.admin.id, externalUserId: member.externalUserId! }]));
    await h.internal().internal.reserve({ organizationId: other.id, amountNano: 40_000_000_000n, owner: OWNER });
    expect((await h.internal().internal.reserve({ organizationId: other.id, amountNano: 20_000_000_000n, owner: OWNER })).admitted).toBe(false);
    expect((await h.caller(other.admin).usage.summary()).limit).toMatchObject({ reservedNano: 40_000_000_000n, level: "warning" });
  });

  it("rejects a malformed batch as a whole, naming the line", async () => {
    const org = await h.org("Malformed");
    const good = {
      generationId: `gen-good-${org.id}`,
      organizationId: org.id,
      userId: org.id,
      externalUserId: "x",
      model: "m",
      promptTokens: 1,
      completionTokens: 1,
      rawCostNano: 1n,
      markupBp: 10_000,
      status: "ok" as const,
      streamed: false,
      occurredAt: at,
    };
    for (const bad of [{ generationId: "" }, { markupBp: 9_999 }, { rawCostNano: -1n }, { status: "lost" }, { occurredAt: new Date(Number.NaN) }]) {
      const batch = usageBatch([good, { ...good, generationId: `gen-bad-${org.id}`, ...bad } as never]);
      const error = await h.internal().internal.recordUsage(batch).catch((e: unknown) => e);
      expect(await trpcCode(Promise.reject(error))).toBe("BAD_REQUEST");
      expect((error as Error).message).toMatch(/line 2/);
    }
    expect(await trpcCode(h.internal().internal.recordUsage({ ndjson: "not json\n" }))).toBe("BAD_REQUEST");
    // Nothing of a refused batch was written.
    expect(await h.t.db.select().from(schema.usageEvents).where(eq(schema.usageEvents.organizationId, org.id))).toHaveLength(0);
  });
});
