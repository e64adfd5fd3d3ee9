// Exchange rates of display currencies (README "Display currency"): NBP's table A mid rate,
// fetched daily by the API, and the provider's rate for a day NBP could not be reached for.
// Provider only; what a page converts at is usage.currency (scoped like every usage figure).
import { z } from "zod";
import { listRates } from "../services/exchange-rates/list";
import { refreshExchangeRates } from "../services/exchange-rates/nbp";
import { setExchangeRate } from "../services/exchange-rates/set";
import { router } from "../trpc/init";
import { providerProcedure } from "../trpc/procedures";
import { listExchangeRatesInput, setExchangeRateInput } from "@mai/domain/schemas";

export const exchangeRateOut = z.object({
  currency: z.string(),
  rate: z.string(),
  effectiveDate: z.string(),
  source: z.enum(["nbp", "provider"]),
  tableNo: z.string().nullable(),
});

export const exchangeRatesRouter = router({
  list: providerProcedure
    .input(listExchangeRatesInput)
    .output(z.array(exchangeRateOut))
    .query(({ ctx, input }) => listRates(ctx, input)),
  /** A rate for a day NBP has none for (NBP unreachable); audited. */
  set: providerProcedure
    .input(setExchangeRateInput)
    .output(exchangeRateOut)
    .mutation(({ ctx, input }) => setExchangeRate(ctx, ctx.user, input)),
  /** The daily fetch, now: what each display currency got, or why not. */
  refresh: providerProcedure
    .output(z.object({ currencies: z.array(z.object({ currency: z.string(), stored: z.number().int(), error: z.string().nullable() })) }))
    .mutation(({ ctx }) => refreshExchangeRates(ctx.deps)),
});
