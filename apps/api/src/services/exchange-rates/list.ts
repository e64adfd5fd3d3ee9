// exchangeRates.list: the latest stored rates (the provider's view of what figures are converted at).
import { listExchangeRates } from "@mai/db";
import type { ExchangeRate } from "@mai/domain";
import type { listExchangeRatesInput } from "@mai/domain/schemas";
import type { z } from "zod";
import type { Context } from "../../context";

export function listRates(ctx: Context, input: z.output<typeof listExchangeRatesInput>): Promise<ExchangeRate[]> {
  return listExchangeRates(ctx.deps.db, { currency: input.currency, limit: input.limit });
}
