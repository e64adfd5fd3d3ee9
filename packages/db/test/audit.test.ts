import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAudit, containsSecret, listAudit } from "../src/index";
import { createTestDb, fakeOpenRouterKey, testDrivers, type TestDb } from "../src/testing/index";

describe.each(testDrivers())("audit log on %s", (driver) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(driver);
  });
  afterAll(() => t.close());

  it.each([
    ["a full OpenRouter key", { details: { key: fakeOpenRouterKey("ab") } }],
    ["a key nested in before/after", { after: { nested: [{ k: `x ${fakeOpenRouterKey("cd")} y` }] } }],
    ["a personal API token", { details: { token: `mai_${"Ab3".repeat(10)}` } }],
  ])("refuses to store %s", async (_name, extra) => {
    await expect(appendAudit(t.db, { actorKind: "system", action: "test.secret", ...extra })).rejects.toThrow(/secret/);
    expect((await listAudit(t.db)).items.filter((i) => i.action === "test.secret")).toHaveLength(0);
  });

  it("accepts masked keys and external user ids", () => {
    expect(containsSecret({ keyHint: "sk-or-v1-abab…abab", externalUserId: "mai_client_0a1b2c3d_user_4e5f6a7b" })).toBe(false);
  });

  it("pages newest first with a cursor, scoped by organisation", async () => {
    const orgA = "00000000-0000-4000-8000-00000000000a";
    const orgB = "00000000-0000-4000-8000-00000000000b";
    for (let i = 0; i < 7; i++) {
      await appendAudit(t.db, { actorKind: "system", action: `a.${i}`, organizationId: orgA });
      await appendAudit(t.db, { actorKind: "system", action: `b.${i}`, organizationId: orgB });
    }
    const page1 = await listAudit(t.db, { organizationId: orgA, limit: 3 });
    expect(page1.items.map((i) => i.action)).toEqual(["a.6", "a.5", "a.4"]);
    const page2 = await listAudit(t.db, { organizationId: orgA, limit: 3, cursor: page1.nextCursor! });
    expect(page2.items.map((i) => i.action)).toEqual(["a.3", "a.2", "a.1"]);
    const page3 = await listAudit(t.db, { organizationId: orgA, limit: 3, cursor: page2.nextCursor! });
    expect(page3.items.map((i) => i.action)).toEqual(["a.0"]);
    expect(page3.nextCursor).toBeNull();
  });
});
