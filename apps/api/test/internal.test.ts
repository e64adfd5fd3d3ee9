import { schema } from "@mai/db";
import { billedCost } from "@mai/domain";
import { eq, testDrivers } from "@mai/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, trpcCode, usageBatch } from "./harness";


describe.each(testDrivers())("internal procedures on %s", (driver) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(driver);
  });
  afterAll(() => h.close());

  it.each([
    ["resolveContext", (c: ReturnType<Harness["caller"]>) => c.internal.resolveContext({ token: "mai_x" })],
    ["recordUsage", (c: ReturnType<Harness["caller"]>) => c.internal.recordUsage(usageBatch([]))],
    ["reserve", (c: ReturnType<Harness["caller"]>) => c.internal.reserve({ organizationId: "00000000-0000-4000-8000-000000000000", amountNano: 1n })],
    ["settle", (c: ReturnType<Harness["caller"]>) => c.internal.settle({ organizationId: "00000000-0000-4000-8000-000000000000", period: "2026-11", reservedNano: 1n })],
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
      occurredAt: new Date(),
    };
    expect(await h.internal().internal.recordUsage(usageBatch([event]))).toEqual({ inserted: 1, duplicates: 0 });
    expect(await h.internal().internal.recordUsage(usageBatch([event]))).toEqual({ inserted: 0, duplicates: 1 });
    const { token } = await h.caller(member).auth.createToken({ name: "t" });
    const ctx = await h.internal().internal.resolveContext({ token });
    expect(ctx.billing.spentNano).toBe(billedCost(4_200n, 13_000));

    const reserved = await h.internal().internal.reserve({ organizationId: org.id, amountNano: 1_000_000n });
    expect(reserved).toMatchObject({ admitted: true, reservedNano: 1_000_000n, period: ctx.billing.period });
    const tooMuch = await h.internal().internal.reserve({ organizationId: org.id, amountNano: 1_000_000_000_000n });
    expect(tooMuch.admitted).toBe(false);
    await h.internal().internal.settle({ organizationId: org.id, period: reserved.period, reservedNano: 1_000_000n });
    expect((await h.internal().internal.resolveContext({ token })).billing.reservedNano).toBe(0n);

    // A lease: more than the need when asked, and the period's end to stop using it at.
    const lease = await h.internal().internal.reserve({ organizationId: org.id, amountNano: 1_000n, preferNano: 50_000n });
    expect(lease).toMatchObject({ admitted: true, grantedNano: 50_000n, period: ctx.billing.period });
    expect(lease.periodEndsAt.getTime()).toBeGreaterThan(Date.now());
    // An event that used 30 000 of it gives that back as it becomes spend.
    const used = { ...event, generationId: `${event.generationId}-2`, rawCostNano: 30_000n, markupBp: 10_000, release: { period: lease.period, nano: 30_000n } };
    await h.internal().internal.recordUsage(usageBatch([used]));
    const after = await h.internal().internal.resolveContext({ token });
    expect(after.billing.reservedNano).toBe(20_000n);
    expect(after.billing.spentNano).toBe(billedCost(4_200n, 13_000) + 30_000n);
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
      occurredAt: new Date(),
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
