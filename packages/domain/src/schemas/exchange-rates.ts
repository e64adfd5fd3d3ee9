// Inputs of exchangeRates.*, usage.currency and organizations.setCurrency: display currencies and
// the rates their figures are converted at (README invariant 18).
import { z } from "zod";
import { localDateInput, monthInput, uuid } from "./common";

/** A three-letter ISO 4217 code, upper-cased ("pln" → "PLN"). */
export const currencyCodeInput = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{3}$/, "a three-letter ISO 4217 code")
  .transform((c) => c.toUpperCase());

/** exchangeRates.set: the provider's rate for a day NBP could not be reached for. */
export const setExchangeRateInput = z.object({
  currency: currencyCodeInput,
  effectiveDate: localDateInput,
  /** Units of `currency` per 1 USD, a plain decimal ("3.9876"); parsed exactly by @mai/domain's parseRate. */
  rate: z.string().trim().min(1).max(30),
});

/** exchangeRates.list: the latest rates, one currency or all. */
export const listExchangeRatesInput = z
  .object({ currency: currencyCodeInput.optional(), limit: z.number().int().min(1).max(500).default(60) })
  .prefault({});

/**
 * usage.currency: the organisation's display currency and the rate its figures use — month to
 * date (before today), or a month's statement (before its statement date).
 */
export const usageCurrencyInput = z.object({ organizationId: uuid.optional(), month: monthInput.optional() }).optional();

/** organizations.setCurrency: null → the global setting's currency. */
export const setOrganizationCurrencyInput = z.object({ organizationId: uuid, currency: currencyCodeInput.nullable() });
