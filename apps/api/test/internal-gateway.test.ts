// internal.resolveContext in trusted-gateway mode: Open WebUI's forwarded identity resolved by id,
// then by e-mail (recording the id), and auto-join of unknown users into one organisation.
import { randomUUID } from "node:crypto";
import { listAudit, schema } from "@mai/db";
import { eq, testDrivers } from "@mai/db/testing";
import { externalUserId } from "@mai/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, trpcCode } from "./harness";

describe.each(testDrivers())("internal.resolveContext for Open WebUI users on %s", (driver) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(driver);
  });
  afterAll(() => h.close());

  const resolve = (openWebUiUser: { id: string; email?: string; name?: string }, autoJoinOrganizationId?: string) =>
    h.internal().internal.resolveContext({ openWebUiUser, ...(autoJoinOrganizationId ? { autoJoinOrganizationId } : {}) });
  const usersWith = (openWebUiUserId: string) => h.t.db.select().from(schema.users).where(eq(schema.users.openWebUiUserId, openWebUiUserId));
  const owuiId = () => `owui-${randomUUID()}`;

  it("resolves a user by their recorded Open WebUI id", async () => {
    const org = await h.org();
    const member = await h.user("member", { organizationId: org.id });
    const id = owuiId();
    await h.t.db.update(schema.users).set({ openWebUiUserId: id }).where(eq(schema.users.id, member.id));
    const ctx = await resolve({ id, email: "someone-else@elsewhere.example" });
    expect(ctx).toMatchObject({ user: { id: member.id, role: "member" }, externalUserId: member.externalUserId, organization: { id: org.id }, openrouterKey: org.key });
  });

  it("resolves by e-mail (any case) and records the Open WebUI id, so the id alone resolves next time", async () => {
    const org = await h.org();
    const member = await h.user("member", { organizationId: org.id });
    const id = owuiId();
    const ctx = await resolve({ id, email: `  ${member.email.toUpperCase()} ` });
    expect(ctx.user.id).toBe(member.id);
    expect((await usersWith(id)).map((u) => u.id)).toEqual([member.id]);
    expect((await resolve({ id })).user.id).toBe(member.id);
    // A second Open WebUI id with the same e-mail still resolves, but never overwrites the first.
    expect((await resolve({ id: owuiId(), email: member.email })).user.id).toBe(member.id);
    expect((await usersWith(id)).map((u) => u.id)).toEqual([member.id]);
  });

  it("refuses an unknown user with UNAUTHORIZED when auto-join is off, and creates nobody", async () => {
    const id = owuiId();
    expect(await trpcCode(resolve({ id, email: `${id}@nobody.example`, name: "Nobody" }))).toBe("UNAUTHORIZED");
    expect(await usersWith(id)).toHaveLength(0);
    expect(await h.t.db.select().from(schema.users).where(eq(schema.users.email, `${id}@nobody.example`))).toHaveLength(0);
  });

  it("auto-join: 20 concurrent first requests create exactly one member, mapped and audited once", async () => {
    const org = await h.org();
    const id = owuiId();
    const email = `lukasz-${randomUUID().slice(0, 8)}@client.example`;
    const results = await Promise.all(Array.from({ length: 20 }, () => resolve({ id, email: email.toUpperCase(), name: "Łukasz" }, org.id)));
    const created = await usersWith(id);
    expect(created).toHaveLength(1);
    const user = created[0]!;
    expect(user).toMatchObject({ email, name: "Łukasz", role: "member", passwordHash: null });
    for (const ctx of results) {
      expect(ctx).toMatchObject({ user: { id: user.id, role: "member" }, externalUserId: externalUserId(org.id, user.id), organization: { id: org.id } });
    }
    const mappings = await h.t.db.select().from(schema.userClientMapping).where(eq(schema.userClientMapping.userId, user.id));
    expect(mappings).toEqual([expect.objectContaining({ organizationId: org.id, externalUserId: externalUserId(org.id, user.id) })]);
    const audit = await listAudit(h.t.db, { organizationId: org.id, action: "user.auto_joined" });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({
      actorKind: "proxy",
      actorUserId: null,
      targetType: "user",
      targetId: user.id,
      details: { openWebUiUserId: id, externalUserId: externalUserId(org.id, user.id), emailForwarded: true },
    });
    // Later requests find the user: nothing more is created or audited.
    expect((await resolve({ id }, org.id)).user.id).toBe(user.id);
    expect((await listAudit(h.t.db, { organizationId: org.id, action: "user.auto_joined" })).items).toHaveLength(1);
  });

  it("auto-join without a forwarded e-mail uses <id>@openwebui.local", async () => {
    const org = await h.org();
    const id = owuiId();
    const ctx = await resolve({ id }, org.id);
    expect(ctx.user).toMatchObject({ email: `${id}@openwebui.local`, name: "", role: "member" });
    expect(ctx.organization.id).toBe(org.id);
  });

  it("auto-join into a deactivated or missing organisation is refused and creates nobody", async () => {
    const org = await h.org();
    await h.t.db.update(schema.clientOrganizations).set({ active: false }).where(eq(schema.clientOrganizations.id, org.id));
    const id = owuiId();
    expect(await trpcCode(resolve({ id, email: `${id}@client.example` }, org.id))).toBe("PRECONDITION_FAILED");
    expect(await trpcCode(resolve({ id, email: `${id}@client.example` }, randomUUID()))).toBe("PRECONDITION_FAILED");
    expect(await usersWith(id)).toHaveLength(0);
    expect((await listAudit(h.t.db, { organizationId: org.id, action: "user.auto_joined" })).items).toHaveLength(0);
  });

  it("only unknown users auto-join: a known user without an organisation stays unmapped, a disabled one is refused", async () => {
    const org = await h.org();
    const loner = await h.user("member");
    expect(await trpcCode(resolve({ id: owuiId(), email: loner.email }, org.id))).toBe("FORBIDDEN");
    expect(await h.t.db.select().from(schema.userClientMapping).where(eq(schema.userClientMapping.userId, loner.id))).toHaveLength(0);

    const disabled = await h.user("member", { organizationId: org.id });
    const id = owuiId();
    await h.t.db.update(schema.users).set({ openWebUiUserId: id, disabledAt: new Date() }).where(eq(schema.users.id, disabled.id));
    expect(await trpcCode(resolve({ id }, org.id))).toBe("UNAUTHORIZED");
    expect(await trpcCode(resolve({ id: owuiId(), email: disabled.email }, org.id))).toBe("UNAUTHORIZED");
    expect(await usersWith(id)).toHaveLength(1);
  });

  it("validates the input: an empty id or a malformed e-mail or organisation id is BAD_REQUEST", async () => {
    expect(await trpcCode(resolve({ id: "   " }))).toBe("BAD_REQUEST");
    expect(await trpcCode(resolve({ id: owuiId(), email: "not-an-email" }))).toBe("BAD_REQUEST");
    expect(await trpcCode(resolve({ id: owuiId() }, "not-a-uuid"))).toBe("BAD_REQUEST");
  });
});
