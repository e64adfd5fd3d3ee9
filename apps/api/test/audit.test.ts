// audit.list: tenant isolation, filters, cursor pagination, and no key ever in a response.
import { TRPCError } from "@trpc/server";
import { appendAudit, schema, type AuthUser } from "@mai/db";
import { testDrivers } from "@mai/db/testing";
import { maskKey } from "@mai/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, trpcCode } from "./harness";


describe.each(testDrivers())("audit on %s", (driver) => {
  let h: Harness;
  let provider: AuthUser;
  let member: AuthUser;
  let orgA: { id: string; admin: AuthUser; key: string };
  let orgB: { id: string; admin: AuthUser; key: string };

  beforeAll(async () => {
    h = await createHarness(driver);
    provider = await h.user("provider_admin");
    orgA = await h.org();
    orgB = await h.org();
    member = await h.user("member", { organizationId: orgA.id });
    const entry = (organizationId: string | null, action: string, details: Record<string, unknown> = {}) =>
      appendAudit(h.t.db, {
        actorUserId: provider.id,
        actorKind: "user",
        action,
        organizationId,
        targetType: "organization",
        targetId: organizationId,
        details,
      });
    for (let i = 0; i < 4; i++) await entry(orgA.id, "organization.updated", { i });
    await entry(orgA.id, "org_sync.created", { keyHint: maskKey(orgA.key) });
    await entry(orgB.id, "org_sync.updated", { keyHint: maskKey(orgB.key) });
    await entry(orgB.id, "organization.updated");
    await entry(null, "global_settings.updated");
    // And one through a real procedure.
    await h.caller(orgA.admin).auth.createToken({ name: "laptop" });
  });
  afterAll(() => h.close());

  it("anonymous → UNAUTHORIZED; members → FORBIDDEN; another organisation → FORBIDDEN", async () => {
    expect(await trpcCode(h.caller(null).audit.list())).toBe("UNAUTHORIZED");
    expect(await trpcCode(h.caller(member).audit.list())).toBe("FORBIDDEN");
    expect(await trpcCode(h.caller(orgB.admin).audit.list({ organizationId: orgA.id }))).toBe("FORBIDDEN");
    expect(await trpcCode(h.caller(orgB.admin).audit.list({ organizationId: orgB.id }))).toBe("OK");
  });

  it("a client administrator sees only their organisation's entries", async () => {
    const { items } = await h.caller(orgA.admin).audit.list({ limit: 200 });
    expect(items.length).toBe(6);
    expect(items.every((e) => e.organizationId === orgA.id)).toBe(true);
    expect(items[0]!.action).toBe("token.created");
    const b = await h.caller(orgB.admin).audit.list({ limit: 200 });
    expect(b.items.map((e) => e.action).sort()).toEqual(["org_sync.updated", "organization.updated"]);
  });

  it("the provider sees everything, optionally one organisation, filtered by action or prefix", async () => {
    const all = await h.caller(provider).audit.list({ limit: 200 });
    expect(all.items.map((e) => e.action)).toContain("global_settings.updated");
    expect(new Set(all.items.map((e) => e.organizationId))).toEqual(new Set([orgA.id, orgB.id, null]));
    const onlyB = await h.caller(provider).audit.list({ organizationId: orgB.id });
    expect(onlyB.items).toHaveLength(2);
    const exact = await h.caller(provider).audit.list({ action: "organization.updated" });
    expect(exact.items).toHaveLength(5);
    const prefix = await h.caller(provider).audit.list({ action: "org_sync.*" });
    expect(prefix.items.map((e) => e.action).sort()).toEqual(["org_sync.created", "org_sync.updated"]);
    // "_" in a prefix is literal, not a LIKE wildcard.
    expect((await h.caller(provider).audit.list({ action: "org_s_nc.*" })).items).toHaveLength(0);
    const aSync = await h.caller(orgA.admin).audit.list({ action: "org_sync.*" });
    expect(aSync.items.map((e) => e.action)).toEqual(["org_sync.created"]);
  });

  it("cursor pagination returns every entry exactly once, newest first", async () => {
    const all = await h.caller(provider).audit.list({ limit: 200 });
    const seen: number[] = [];
    let cursor: number | undefined;
    let pages = 0;
    do {
      const page = await h.caller(provider).audit.list({ limit: 3, cursor });
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 50);
    expect(seen).toEqual(all.items.map((e) => e.id));
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
  });

  it("no response contains a key; an entry holding one is refused by the output schema", async () => {
    const all = await h.caller(provider).audit.list({ limit: 200 });
    const text = JSON.stringify(all);
    expect(text).not.toContain(orgA.key);
    expect(text).not.toContain(orgB.key);
    expect(text).toContain(maskKey(orgA.key));
    // Written around appendAudit's guard, straight into the table.
    await h.t.db
      .insert(schema.auditLog)
      .values({
        actorKind: "system",
        action: "bad.write",
        organizationId: orgB.id,
        details: { key: orgB.key },
      });
    const failure = await h
      .caller(provider)
      .audit.list({ organizationId: orgB.id })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(failure).toBeInstanceOf(TRPCError);
    expect((failure as TRPCError).code).toBe("INTERNAL_SERVER_ERROR");
    expect(JSON.stringify(failure)).not.toContain(orgB.key);
    expect((failure as TRPCError).message).not.toContain(orgB.key);
  });
});
