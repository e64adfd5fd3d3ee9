// usage.currency: the organisation's display currency and the rate its figures use — the last
// rate effective strictly before today (month to date, billing time zone) or before a month's
// statement date (the day after the month, or today while it runs). USD: nothing to convert. No
// rate known: the figures stay in USD and `message` says so (never a silent 1:1).
import { findRateBefore, organizationCurrency } from "@mai/db";
import {
  BOOKS_CURRENCY,
  localDate,
  noRateMessage,
  statementDate,
  type ExchangeRate,
  type ServerMessageKey,
  type ServerMessageParams,
} from "@mai/domain";
import type { usageCurrencyInput } from "@mai/domain/schemas";
import type { z } from "zod";
import type { Context, UsageScope } from "../../context";
import { billingClock } from "./clock";

export interface DisplayCurrency {
  /** The billing time zone the figures (and the page's dates) are in. */
  timeZone: string;
  currency: string;
  /** The rate used is the last effective strictly before this day. */
  before: string;
  rate: ExchangeRate | null;
  message: string | null;
}

export async function displayCurrencyFor(ctx: Context, organizationId: string, month?: string): Promise<DisplayCurrency> {
  const db = ctx.deps.readDb;
  const { timeZone, now } = await billingClock(ctx, db);
  const today = localDate(now, timeZone);
  const before = month ? statementDate(month, today) : today;
  const currency = await organizationCurrency(db, organizationId);
  if (currency === BOOKS_CURRENCY) return { timeZone, currency, before, rate: null, message: null };
  const rate = await findRateBefore(db, currency, before);
  return { timeZone, currency, before, rate, message: rate ? null : noRateMessage(currency, before) };
}

/** usage.currency: the display currency, and the no-rate message's catalog key for a translating client. */
export async function usageCurrency(
  ctx: Context,
  scope: UsageScope,
  input: z.output<typeof usageCurrencyInput>,
): Promise<DisplayCurrency & { messageKey?: ServerMessageKey; messageParams?: ServerMessageParams }> {
  const display = await displayCurrencyFor(ctx, scope.organization.id, input?.month);
  if (!display.message) return display;
  return { ...display, messageKey: "rates.none", messageParams: { currency: display.currency, before: display.before } };
}
