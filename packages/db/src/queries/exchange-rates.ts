// Exchange rates (`exchange_rates`): one rate per currency per effective day, NBP's or the
// provider's. NBP is the documented source and wins: its fetch overwrites a provider-entered rate
// of the same day; the provider fills only days NBP has no rate for. Rates go in and come out as
// exact decimal text (numeric), never a float.
import { and, desc, eq, lt, sql } from "drizzle-orm";
import { domainError, type ExchangeRate, isCurrencyCode, type NbpRate, normalizeRate } from "@mai/domain";
import type { Executor } from "../client";
import { clientOrganizations, exchangeRates, globalSettings } from "../schema/index";

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function requireCurrency(currency: string): string {
  if (!isCurrencyCode(currency) || currency === "USD") {
    throw domainError("INVALID_INPUT", "rates.displayCurrency");
  }
  return currency;
}

const rateColumns = {
  currency: exchangeRates.currency,
  effectiveDate: exchangeRates.effectiveDate,
  rate: exchangeRates.rate,
  source: exchangeRates.source,
  tableNo: exchangeRates.tableNo,
};
const toRate = (row: { currency: string; effectiveDate: string; rate: string; source: "nbp" | "provider"; tableNo: string | null }): ExchangeRate => ({
  ...row,
  rate: normalizeRate(row.rate),
});

/** Stores NBP's rates for `currency` (each day once; a provider-entered rate of that day is replaced). */
export async function storeNbpRates(db: Executor, currency: string, rates: readonly NbpRate[], now: Date = new Date()): Promise<number> {
  requireCurrency(currency);
  if (rates.length === 0) return 0;
  const rows = await db
    .insert(exchangeRates)
    .values(
      rates.map((r) => ({
        currency,
        effectiveDate: r.effectiveDate,
        rate: normalizeRate(r.mid),
        source: "nbp" as const,
        tableNo: r.tableNo,
        enteredBy: null,
        updatedAt: now,
      })),
    )
    .onConflictDoUpdate({
      target: [exchangeRates.currency, exchangeRates.effectiveDate],
      set: {
        rate: sql`excluded.rate`,
        source: sql`excluded.source`,
        tableNo: sql`excluded.table_no`,
        enteredBy: sql`null`,
        updatedAt: sql`excluded.updated_at`,
      },
      // Unchanged rows are not rewritten (the job runs every few hours over the same days).
      setWhere: sql`(${exchangeRates.rate}, ${exchangeRates.source}, ${exchangeRates.tableNo}) is distinct from (excluded.rate, excluded.source, excluded.table_no)`,
    })
    .returning({ effectiveDate: exchangeRates.effectiveDate });
  return rows.length;
}

/**
 * The provider's rate for a day NBP could not be reached for. A day NBP already has a rate for is a
 * CONFLICT (NBP is the source); the provider's own earlier entry for the day is replaced.
 * Returns the rate stored and the one it replaced, if any (for the audit entry).
 */
export async function enterProviderRate(
  db: Executor,
  input: { currency: string; effectiveDate: string; rate: string; enteredBy: string },
  now: Date = new Date(),
): Promise<{ rate: ExchangeRate; previous: string | null }> {
  const currency = requireCurrency(input.currency);
  if (!DAY.test(input.effectiveDate)) throw domainError("INVALID_INPUT", "rates.day");
  const rate = normalizeRate(input.rate);
  return db.transaction(async (tx) => {
    const [existing] = await tx
      .select(rateColumns)
      .from(exchangeRates)
      .where(and(eq(exchangeRates.currency, currency), eq(exchangeRates.effectiveDate, input.effectiveDate)))
      .for("update");
    if (existing?.source === "nbp") {
      throw domainError("CONFLICT", "rates.known", {
        date: input.effectiveDate,
        rate: normalizeRate(existing.rate),
        table: existing.tableNo ?? "?",
      });
    }
    const [row] = await tx
      .insert(exchangeRates)
      .values({ currency, effectiveDate: input.effectiveDate, rate, source: "provider", tableNo: null, enteredBy: input.enteredBy, updatedAt: now })
      .onConflictDoUpdate({
        target: [exchangeRates.currency, exchangeRates.effectiveDate],
        set: { rate, enteredBy: input.enteredBy, updatedAt: now },
      })
      .returning(rateColumns);
    return { rate: toRate(row!), previous: existing ? normalizeRate(existing.rate) : null };
  });
}

/** The rate a figure dated `before` uses: the latest effective strictly before that day; null if none. */
export async function findRateBefore(db: Executor, currency: string, before: string): Promise<ExchangeRate | null> {
  const [row] = await db
    .select(rateColumns)
    .from(exchangeRates)
    .where(and(eq(exchangeRates.currency, requireCurrency(currency)), lt(exchangeRates.effectiveDate, before)))
    .orderBy(desc(exchangeRates.effectiveDate))
    .limit(1);
  return row ? toRate(row) : null;
}

/** The most recent rates, newest first (one currency, or all). */
export async function listExchangeRates(db: Executor, options: { currency?: string; limit?: number } = {}): Promise<ExchangeRate[]> {
  const rows = await db
    .select(rateColumns)
    .from(exchangeRates)
    .where(options.currency ? eq(exchangeRates.currency, requireCurrency(options.currency)) : undefined)
    .orderBy(desc(exchangeRates.effectiveDate), exchangeRates.currency)
    .limit(Math.min(Math.max(options.limit ?? 60, 1), 500));
  return rows.map(toRate);
}

/**
 * The currencies figures are shown in besides USD: every organisation's own, and the global
 * setting (the fallback of an organisation without one). The daily job fetches these.
 */
export async function displayCurrencies(db: Executor): Promise<string[]> {
  const rows = await db
    .select({ currency: clientOrganizations.currency })
    .from(clientOrganizations)
    .where(sql`${clientOrganizations.currency} is not null`)
    .groupBy(clientOrganizations.currency)
    .union(db.select({ currency: globalSettings.currency }).from(globalSettings));
  return [...new Set(rows.map((r) => r.currency).filter((c): c is string => c !== null && isCurrencyCode(c) && c !== "USD"))].sort();
}

/** An organisation's display currency: its own, or the global setting's. */
export async function organizationCurrency(db: Executor, organizationId: string): Promise<string> {
  const [row] = await db
    .select({ currency: sql<string>`coalesce(${clientOrganizations.currency}, ${globalSettings.currency})` })
    .from(clientOrganizations)
    .innerJoin(globalSettings, eq(globalSettings.id, 1))
    .where(eq(clientOrganizations.id, organizationId));
  if (!row) throw domainError("NOT_FOUND", "organization.notFound");
  return row.currency;
}

/** Sets (or, with null, clears back to the global setting) an organisation's display currency. */
export async function setOrganizationCurrency(
  db: Executor,
  organizationId: string,
  currency: string | null,
  now: Date = new Date(),
): Promise<{ previous: string | null; currency: string | null }> {
  if (currency !== null && !isCurrencyCode(currency)) {
    throw domainError("INVALID_INPUT", "rates.currency");
  }
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select({ currency: clientOrganizations.currency })
      .from(clientOrganizations)
      .where(eq(clientOrganizations.id, organizationId))
      .for("update");
    if (!before) throw domainError("NOT_FOUND", "organization.notFound");
    await tx.update(clientOrganizations).set({ currency, updatedAt: now }).where(eq(clientOrganizations.id, organizationId));
    return { previous: before.currency, currency };
  });
}
