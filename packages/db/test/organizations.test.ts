import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrganization, getOrganization, restoreOrganization, updateOrganization } from "../src/index";
import { createTestDb, testDrivers, type TestDb } from "../src/testing/index";

let seq = 0;
const name = (stem: string) => `${stem} ${++seq} ${Date.now()}`;

describe.each(testDrivers())("restoreOrganization (the compensating step of an edit) on %s", (driver) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(driver);
  });
  afterAll(() => t.close());

  it("puts back every column an edit changed, updatedAt and deactivatedAt included", async () => {
    const org = await createOrganization(t.db, t.secrets, { name: name("Restore"), monthlyLimitNano: 250_000_000_000n });
    const before = (await getOrganization(t.db, org.id))!;
    const after = await updateOrganization(
      t.db,
      org.id,
      { name: name("Renamed"), billingEmail: "ap@example.com", markupBp: 14_500, monthlyLimitNano: 5_000_000_000n, active: false },
      new Date(before.updatedAt.getTime() + 1_000),
    );
    expect(after.deactivatedAt).toBeInstanceOf(Date);
    expect(await restoreOrganization(t.db, before, after)).toBe(true);
    expect(await getOrganization(t.db, org.id)).toEqual(before);
  });

  it("keeps what an edit committed since changed, and says the restore was partial", async () => {
    const org = await createOrganization(t.db, t.secrets, { name: name("Raced"), monthlyLimitNano: 250_000_000_000n });
    const before = (await getOrganization(t.db, org.id))!;
    const ours = await updateOrganization(t.db, org.id, { name: name("Ours"), monthlyLimitNano: 5_000_000_000n });
    // Another administrator changes the limit again before our compensation runs.
    const theirs = await updateOrganization(
      t.db,
      org.id,
      { monthlyLimitNano: 7_000_000_000n },
      new Date(ours.updatedAt.getTime() + 1_000),
    );
    expect(await restoreOrganization(t.db, before, ours)).toBe(false);
    expect(await getOrganization(t.db, org.id)).toMatchObject({
      name: before.name,
      monthlyLimitNano: 7_000_000_000n,
      updatedAt: theirs.updatedAt,
    });
  });

  it("a no-op edit restores trivially; a row that is gone is reported", async () => {
    const org = await createOrganization(t.db, t.secrets, { name: name("Same") });
    const row = (await getOrganization(t.db, org.id))!;
    expect(await restoreOrganization(t.db, row, row)).toBe(true);
    const gone = { ...row, id: "00000000-0000-4000-8000-00000000dead" };
    expect(await restoreOrganization(t.db, gone, { ...gone, monthlyLimitNano: 1n })).toBe(false);
  });
});
