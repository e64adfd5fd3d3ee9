import { readdirSync } from "node:fs";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countAppliedMigrations, getGlobalSettings, migrate, MIGRATIONS_FOLDER, updateGlobalSettings } from "../src/index";
import { createTestDb, fakeOpenRouterKey, queryRows, testDrivers, type TestDb } from "../src/testing/index";

describe.each(testDrivers())("migrations and global settings on %s", (driver) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(driver);
  });
  afterAll(() => t.close());

  it("creates every table of the design", async () => {
    const rows = await queryRows<{ table_name: string }>(
      t.db,
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    const names = rows.map((r) => r.table_name);
    expect(names).toEqual(
      expect.arrayContaining([
        "users",
        "sessions",
        "api_tokens",
        "user_settings",
        "global_settings",
        "client_organizations",
        "user_client_mapping",
        "usage_events",
        "usage_daily",
        "usage_period_counters",
        "audit_log",
      ]),
    );
  });

  it("is idempotent", async () => {
    await migrate(t.db);
    await migrate(t.db);
    expect((await getGlobalSettings(t.db)).defaultMarkupBp).toBe(13_000);
  });

  it("counts the applied migrations: one per SQL file of the migrations folder (what /readyz reports)", async () => {
    const files = readdirSync(MIGRATIONS_FOLDER).filter((f) => f.endsWith(".sql"));
    expect(files.length).toBeGreaterThan(0);
    expect(await countAppliedMigrations(t.db)).toBe(files.length);
  });

  it("seeds the global settings with the business defaults", async () => {
    const settings = await getGlobalSettings(t.db);
    expect(settings).toMatchObject({
      defaultMarkupBp: 13_000,
      defaultMonthlyLimitNano: 1_000_000_000_000n,
      currency: "USD",
      billingTimeZone: "UTC",
      provisioningKeyHint: null,
    });
  });

  it("stores the provisioning key sealed and shows it masked", async () => {
    const key = fakeOpenRouterKey("5a");
    const updated = await updateGlobalSettings(t.db, t.secrets, { provisioningKey: key, billingTimeZone: "Europe/Warsaw" }, null);
    expect(updated.provisioningKeyHint).toBe("sk-or-v1-5a5a…5a5a");
    expect(updated.billingTimeZone).toBe("Europe/Warsaw");
    const raw = await queryRows(t.db, sql`select row_to_json(g)::text as j from global_settings g`);
    expect(JSON.stringify(raw)).not.toContain(key.slice(9));
    await updateGlobalSettings(t.db, t.secrets, { provisioningKey: null, billingTimeZone: "UTC" }, null);
  });

  it.each([
    [{ defaultMarkupBp: 9_999 }, /at least 1/],
    [{ defaultMonthlyLimitNano: -1n }, /negative/],
    [{ billingTimeZone: "Mars/Olympus" }, /time zone/],
    [{ currency: "usd" }, /ISO 4217/],
  ])("rejects bad global settings %o", async (patch, message) => {
    await expect(updateGlobalSettings(t.db, t.secrets, patch, null)).rejects.toThrow(message);
  });
});
