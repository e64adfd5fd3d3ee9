import { count, eq, sql } from "drizzle-orm";
import { isValidExternalUserId, validateOpenRouterKey } from "@mai/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createOrganization,
  createUser,
  getOrganization,
  getOrganizationKey,
  listAudit,
  schema,
  syncOrganizationForUser,
  updateGlobalSettings,
} from "../src/index";
import { createTestDb, fakeOpenRouterKey, queryRows, testDrivers, type TestDb } from "../src/testing/index";

let seq = 0;
const email = (tag: string) => `${tag}-${++seq}@client.example`;

describe.each(testDrivers())("org sync on %s", (driver) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(driver, { max: 12 });
  });
  afterAll(() => t.close());

  const admin = () => createUser(t.db, { email: email("admin"), role: "org_admin" });

  it("creates an organisation with the defaults and maps the administrator", async () => {
    const user = await admin();
    const key = fakeOpenRouterKey("0a01");
    const now = new Date("2026-11-21T10:00:00Z");
    const result = await syncOrganizationForUser(t.db, t.secrets, { userId: user.id, key, now });
    expect(result.status).toBe("created");
    const org = await getOrganization(t.db, result.organizationId!);
    expect(org).toMatchObject({
      name: `client_default_organization_${now.getTime() / 1000}`,
      markupBp: 13_000,
      monthlyLimitNano: 1_000_000_000_000n,
      billingEmail: `billing+${user.id.replaceAll("-", "").slice(0, 8)}@client.local`,
      active: true,
      keySource: "client",
      keyHint: "sk-or-v1-0a01…0a01",
    });
    expect(await getOrganizationKey(t.db, t.secrets, org!.id)).toBe(key);
    const [mapping] = await t.db.select().from(schema.userClientMapping).where(eq(schema.userClientMapping.userId, user.id));
    expect(mapping?.organizationId).toBe(org!.id);
    expect(mapping?.externalUserId).toBe(
      `mai_client_${org!.id.replaceAll("-", "").slice(0, 8)}_user_${user.id.replaceAll("-", "").slice(0, 8)}`,
    );
    expect(isValidExternalUserId(mapping?.externalUserId)).toBe(true);
    expect(result.externalUserId).toBe(mapping?.externalUserId);
  });

  it("takes markup and limit from the global settings at creation time", async () => {
    await updateGlobalSettings(t.db, t.secrets, { defaultMarkupBp: 15_000, defaultMonthlyLimitNano: 250_000_000_000n }, null);
    try {
      const result = await syncOrganizationForUser(t.db, t.secrets, { userId: (await admin()).id, key: fakeOpenRouterKey("0a02") });
      expect(await getOrganization(t.db, result.organizationId!)).toMatchObject({ markupBp: 15_000, monthlyLimitNano: 250_000_000_000n });
    } finally {
      await updateGlobalSettings(t.db, t.secrets, { defaultMarkupBp: 13_000, defaultMonthlyLimitNano: 1_000_000_000_000n }, null);
    }
  });

  it("is unchanged for the same key, and updates the key for a new one", async () => {
    const user = await admin();
    const first = await syncOrganizationForUser(t.db, t.secrets, { userId: user.id, key: fakeOpenRouterKey("0a03") });
    // The key as pasted (surrounding whitespace) is the same key once validated.
    const pasted = validateOpenRouterKey(`  ${fakeOpenRouterKey("0a03")}\n`);
    if (!pasted.ok) throw new Error(pasted.message);
    const again = await syncOrganizationForUser(t.db, t.secrets, { userId: user.id, key: pasted.key });
    expect(again).toMatchObject({ status: "unchanged", organizationId: first.organizationId });
    const updated = await syncOrganizationForUser(t.db, t.secrets, { userId: user.id, key: fakeOpenRouterKey("0a04") });
    expect(updated).toMatchObject({ status: "updated", organizationId: first.organizationId });
    expect(await getOrganizationKey(t.db, t.secrets, first.organizationId!)).toBe(fakeOpenRouterKey("0a04"));
    const orgs = await t.db.select({ n: count() }).from(schema.clientOrganizations).where(eq(schema.clientOrganizations.createdBy, user.id));
    expect(orgs[0]?.n).toBe(1);
  });

  it("lets the first administrator claim a provisioned key, then refuses everyone else", async () => {
    const key = fakeOpenRouterKey("0b01");
    const org = await createOrganization(t.db, t.secrets, { name: `Acme ${seq}`, key, keySource: "provisioned", openrouterKeyHash: "ab".repeat(32) });
    const claimer = await admin();
    expect(await syncOrganizationForUser(t.db, t.secrets, { userId: claimer.id, key })).toMatchObject({
      status: "claimed",
      organizationId: org.id,
    });
    const second = await syncOrganizationForUser(t.db, t.secrets, { userId: (await admin()).id, key });
    expect(second.status).toBe("conflict");
    expect(second.organizationId).toBeUndefined();
    expect(second.message).not.toContain(org.id);
    expect(second.message).not.toContain(key.slice(9));
  });

  it("refuses a key attached to another client's organisation", async () => {
    const key = fakeOpenRouterKey("0c01");
    await syncOrganizationForUser(t.db, t.secrets, { userId: (await admin()).id, key });
    const other = await admin();
    expect((await syncOrganizationForUser(t.db, t.secrets, { userId: other.id, key })).status).toBe("conflict");
    const [mapping] = await t.db.select().from(schema.userClientMapping).where(eq(schema.userClientMapping.userId, other.id));
    expect(mapping).toBeUndefined();
  });

  it.each(["member", "provider_admin"] as const)("skips a %s's save", async (role) => {
    const user = await createUser(t.db, { email: email(role), role });
    const result = await syncOrganizationForUser(t.db, t.secrets, { userId: user.id, key: fakeOpenRouterKey("0d01") });
    expect(result.status).toBe("skipped");
    const [owner] = await t.db
      .select()
      .from(schema.clientOrganizations)
      .where(eq(schema.clientOrganizations.keyFingerprint, t.secrets.fingerprint(fakeOpenRouterKey("0d01"))));
    expect(owner).toBeUndefined();
  });

  it("takes only a validated key: an invalid one is refused before it can reach the database", async () => {
    const invalid = validateOpenRouterKey("sk-or-v1-short");
    expect(invalid.ok ? null : invalid.message).toMatch(/v1/);
    const userId = (await admin()).id;
    // The compiler is the check now: a raw string is not an OpenRouterKey.
    const unvalidated = () =>
      // @ts-expect-error a raw string must go through validateOpenRouterKey first
      syncOrganizationForUser(t.db, t.secrets, { userId, key: "sk-or-v1-short" });
    expect(typeof unvalidated).toBe("function");
  });

  it("audits every sync without the key", async () => {
    const user = await admin();
    const key = fakeOpenRouterKey("0e01");
    const created = await syncOrganizationForUser(t.db, t.secrets, { userId: user.id, key });
    await syncOrganizationForUser(t.db, t.secrets, { userId: user.id, key });
    const { items } = await listAudit(t.db, { organizationId: created.organizationId! });
    expect(items.map((i) => i.action)).toEqual(["org_sync.unchanged", "org_sync.created"]);
    expect(items[1]).toMatchObject({ actorUserId: user.id, details: expect.objectContaining({ keyHint: "sk-or-v1-0e01…0e01" }) });
    expect(JSON.stringify(items)).not.toContain(key.slice(9));
  });

  it("never stores a key as plaintext in client_organizations", async () => {
    const key = fakeOpenRouterKey("0f01");
    await syncOrganizationForUser(t.db, t.secrets, { userId: (await admin()).id, key });
    const dump = await queryRows(t.db, sql`select row_to_json(o)::text as j from client_organizations o`);
    const text = JSON.stringify(dump);
    expect(text).toContain("sk-or-v1-0f01…0f01"); // the masked hint is there, so the dump is real
    expect(text).not.toContain(key);
    expect(text).not.toContain(key.slice(9, 41)); // nor half of its secret part
  });

  it("twenty concurrent saves by one administrator create exactly one organisation and one mapping", async () => {
    const user = await admin();
    const key = fakeOpenRouterKey("1a01");
    const results = await Promise.all(
      Array.from({ length: 20 }, () => syncOrganizationForUser(t.db, t.secrets, { userId: user.id, key })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === "created")).toHaveLength(1);
    expect(statuses.filter((s) => s === "unchanged")).toHaveLength(19);
    expect(new Set(results.map((r) => r.organizationId)).size).toBe(1);
    const [orgs] = await t.db.select({ n: count() }).from(schema.clientOrganizations).where(eq(schema.clientOrganizations.createdBy, user.id));
    const [maps] = await t.db.select({ n: count() }).from(schema.userClientMapping).where(eq(schema.userClientMapping.userId, user.id));
    expect(orgs?.n).toBe(1);
    expect(maps?.n).toBe(1);
  });

  it("different administrators racing with one new key: one organisation, the rest refused", async () => {
    const key = fakeOpenRouterKey("1b01");
    const users = await Promise.all(Array.from({ length: 8 }, () => admin()));
    const results = await Promise.all(users.map((u) => syncOrganizationForUser(t.db, t.secrets, { userId: u.id, key })));
    expect(results.filter((r) => r.status === "created")).toHaveLength(1);
    expect(results.filter((r) => r.status === "conflict")).toHaveLength(7);
  });

  it("different administrators racing to claim one provisioned key: exactly one claims it", async () => {
    const key = fakeOpenRouterKey("1c01");
    const org = await createOrganization(t.db, t.secrets, { name: `Claimable ${seq}`, key, keySource: "provisioned" });
    const users = await Promise.all(Array.from({ length: 8 }, () => admin()));
    const results = await Promise.all(users.map((u) => syncOrganizationForUser(t.db, t.secrets, { userId: u.id, key })));
    expect(results.filter((r) => r.status === "claimed")).toHaveLength(1);
    expect(results.filter((r) => r.status === "conflict")).toHaveLength(7);
    const [maps] = await t.db.select({ n: count() }).from(schema.userClientMapping).where(eq(schema.userClientMapping.organizationId, org.id));
    expect(maps?.n).toBe(1);
  });

  it("gives organisations created in the same second distinct names", async () => {
    const now = new Date("2030-01-01T00:00:00Z");
    const users = await Promise.all(Array.from({ length: 4 }, () => admin()));
    const results = await Promise.all(
      users.map((u, i) => syncOrganizationForUser(t.db, t.secrets, { userId: u.id, key: fakeOpenRouterKey(`2a0${i}`), now })),
    );
    const names = await Promise.all(results.map(async (r) => (await getOrganization(t.db, r.organizationId!))!.name));
    const stem = `client_default_organization_${now.getTime() / 1000}`;
    expect(names.sort()).toEqual([stem, `${stem}_2`, `${stem}_3`, `${stem}_4`]);
  });
});
