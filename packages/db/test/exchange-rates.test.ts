// Exchange rates: NBP's stored per day exactly (numeric, read back as the digits stored), NBP
// winning over a provider-entered rate of the same day, the provider filling only days NBP has no
// rate for, the rate a figure uses being the last effective strictly before its date (a weekend →
// Friday's), and an organisation's display currency falling back to the global setting.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createOrganization,
  displayCurrencies,
  enterProviderRate,
  findRateBefore,
  listExchangeRates,
  organizationCurrency,
  setOrganizationCurrency,
  storeNbpRates,
  updateGlobalSettings,
} from "../src/index";
import { createTestDb, queryRows, sql, testDrivers, type TestDb } from "../src/testing/index";

describe.each(testDrivers())("exchange rates on %s", (driver) => {
  let t: TestDb;
  let org: string;
  const provider = "00000000-0000-4000-8000-000000000001";

  beforeAll(async () => {
    t = await createTestDb(driver);
    org = (await createOrganization(t.db, t.secrets, { name: `Złoty ${driver}` })).id;
  });
  afterAll(() => t?.close());

  it("stores NBP's rates exactly, once per day; a second fetch of the same days rewrites nothing", async () => {
    const rates = [
      { effectiveDate: "2026-11-26", mid: "3.9901", tableNo: "231/A/NBP/2026" },
      { effectiveDate: "2026-11-27", mid: "3.9912", tableNo: "232/A/NBP/2026" },
      // More digits than a double keeps exactly after arithmetic; stored as written.
      { effectiveDate: "2026-11-30", mid: "3.9876000001", tableNo: "233/A/NBP/2026" },
    ];
    expect(await storeNbpRates(t.db, "PLN", rates)).toBe(3);
    expect(await storeNbpRates(t.db, "PLN", rates)).toBe(0);
    const [row] = await queryRows<{ rate: string }>(t.db, sql`select rate::text as rate from exchange_rates where effective_date = '2026-11-30'`);
    expect(row!.rate).toBe("3.9876000001");
    expect((await listExchangeRates(t.db, { currency: "PLN" })).map((r) => r.effectiveDate)).toEqual(["2026-11-30", "2026-11-27", "2026-11-26"]);
  });

  it("a figure uses the last rate effective strictly before its date: a weekend → Friday's", async () => {
    expect(await findRateBefore(t.db, "PLN", "2026-12-01")).toEqual({
      currency: "PLN",
      effectiveDate: "2026-11-30",
      rate: "3.9876000001",
      source: "nbp",
      tableNo: "233/A/NBP/2026",
    });
    // Sunday 29 and Monday 30 November (before 30: Friday the 27th's).
    expect((await findRateBefore(t.db, "PLN", "2026-11-29"))?.effectiveDate).toBe("2026-11-27");
    expect((await findRateBefore(t.db, "PLN", "2026-11-30"))?.effectiveDate).toBe("2026-11-27");
    expect(await findRateBefore(t.db, "PLN", "2026-11-26")).toBeNull();
    expect(await findRateBefore(t.db, "EUR", "2026-12-01")).toBeNull();
  });

  it("the provider fills a day NBP has no rate for; NBP's day is refused; NBP later replaces the provider's", async () => {
    const entered = await enterProviderRate(t.db, { currency: "PLN", effectiveDate: "2026-12-01", rate: "4.0100", enteredBy: provider });
    expect(entered).toEqual({ rate: { currency: "PLN", effectiveDate: "2026-12-01", rate: "4.01", source: "provider", tableNo: null }, previous: null });
    const corrected = await enterProviderRate(t.db, { currency: "PLN", effectiveDate: "2026-12-01", rate: "4.02", enteredBy: provider });
    expect(corrected.previous).toBe("4.01");
    expect((await findRateBefore(t.db, "PLN", "2026-12-02"))?.rate).toBe("4.02");
    await expect(enterProviderRate(t.db, { currency: "PLN", effectiveDate: "2026-11-30", rate: "4", enteredBy: provider })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await expect(enterProviderRate(t.db, { currency: "USD", effectiveDate: "2026-11-30", rate: "1", enteredBy: provider })).rejects.toMatchObject({
      code: "INVALID_INPUT",
    });
    await expect(enterProviderRate(t.db, { currency: "PLN", effectiveDate: "2026-12-01", rate: "-4", enteredBy: provider })).rejects.toMatchObject({
      code: "INVALID_INPUT",
    });
    expect(await storeNbpRates(t.db, "PLN", [{ effectiveDate: "2026-12-01", mid: "4.0011", tableNo: "234/A/NBP/2026" }])).toBe(1);
    expect(await findRateBefore(t.db, "PLN", "2026-12-02")).toMatchObject({ rate: "4.0011", source: "nbp", tableNo: "234/A/NBP/2026" });
  });

  it("an organisation's currency is its own, else the global setting's; the job fetches every one in use", async () => {
    expect(await organizationCurrency(t.db, org)).toBe("USD");
    expect(await displayCurrencies(t.db)).toEqual([]);
    await updateGlobalSettings(t.db, t.secrets, { currency: "PLN" }, null);
    expect(await organizationCurrency(t.db, org)).toBe("PLN");
    expect(await displayCurrencies(t.db)).toEqual(["PLN"]);
    expect(await setOrganizationCurrency(t.db, org, "EUR")).toEqual({ previous: null, currency: "EUR" });
    expect(await organizationCurrency(t.db, org)).toBe("EUR");
    expect(await displayCurrencies(t.db)).toEqual(["EUR", "PLN"]);
    expect(await setOrganizationCurrency(t.db, org, null)).toEqual({ previous: "EUR", currency: null });
    expect(await organizationCurrency(t.db, org)).toBe("PLN");
    await expect(setOrganizationCurrency(t.db, org, "pln")).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });
});
