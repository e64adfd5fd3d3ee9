// usage.*: dashboards and the monthly statement. Every procedure builds on usageProcedure
// (provider: any organisation; org admin: own; member: own usage only), so members are admitted
// here — which is why these are not orgProcedure; daily and events also take a userId
// (userUsageProcedure: a member may name only themselves). All figures are in the billing time
// zone; money is bigint nano-USD (superjson carries it). Raw cost and markup only for a caller who
// may see the provider's cost (trpc/provider-cost.ts): the output is the provider's view or the
// billed-only one.
import { z } from "zod";
import { usageByModel, usageByUser } from "../services/usage/breakdown";
import { usageDaily } from "../services/usage/daily";
import { usageEvents } from "../services/usage/events";
import { usageCurrency } from "../services/usage/currency";
import { exportUsageCsv } from "../services/usage/export-csv";
import { usageSummary } from "../services/usage/summary";
import { exchangeRateOut } from "./exchange-rates";
import { router } from "../trpc/init";
import { usageProcedure, userUsageProcedure } from "../trpc/procedures";
import { costViews, providerCost, providerCostDecision } from "../trpc/provider-cost";
import {
  usageBreakdownInput,
  usageCurrencyInput,
  usageDailyInput,
  usageEventsInput,
  usageExportCsvInput,
  usageSummaryInput,
} from "@mai/domain/schemas";

const nano = z.bigint();
const status = z.enum(["ok", "error", "aborted", "incomplete"]);

// Raw cost (and the markup, which gives it away) only in the provider's view: a client role gets the
// billed view, without those keys, unless the provider lets clients see it (trpc/provider-cost.ts).
const billedFigures = {
  requests: z.number().int(),
  errorRequests: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  totalTokens: z.number().int(),
  billedCostNano: nano,
};
const providerFigures = { ...billedFigures, rawCostNano: nano };
type Figures = typeof billedFigures | typeof providerFigures;

const summaryOut = (figures: Figures) => {
  const period = z.object({ ...figures, reasoningTokens: z.number().int(), cachedTokens: z.number().int() });
  return z.object({
    organizationId: z.string(),
    organizationName: z.string(),
    userId: z.string().nullable(),
    timeZone: z.string(),
    today: period.extend({ date: z.string() }),
    monthToDate: period.extend({ period: z.string(), from: z.string(), to: z.string() }),
    limit: z.object({
      period: z.string(),
      limitNano: nano,
      spentNano: nano,
      reservedNano: nano,
      remainingNano: nano,
      usedBp: z.number().int(),
      percentUsed: z.number(),
      level: z.enum(["ok", "warning", "exceeded"]),
    }),
  });
};
const summaryViews = costViews(summaryOut(providerFigures), summaryOut(billedFigures));

// Each day also counts the requests the proxy refused before forwarding (402 at the limit, 403 for
// a deactivated organisation): nothing was charged for them, so they are not in the ledger.
const dailyOut = (figures: Figures) =>
  z.array(z.object({ date: z.string(), ...figures, refusedLimit: z.number().int(), refusedInactive: z.number().int() }));
const dailyViews = costViews(dailyOut(providerFigures), dailyOut(billedFigures));

// prefault: calling with no input at all means "all defaults".
const breakdownOutput = <T extends z.ZodRawShape>(row: T, figures: Figures) =>
  z.object({
    from: z.string(),
    to: z.string(),
    timeZone: z.string(),
    rows: z.array(z.object({ ...row, ...figures })),
  });
const byUserRow = {
  userId: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  externalUserId: z.string(),
};
const byUserViews = costViews(breakdownOutput(byUserRow, providerFigures), breakdownOutput(byUserRow, billedFigures));
const byModelRow = { model: z.string(), users: z.number().int() };
const byModelViews = costViews(breakdownOutput(byModelRow, providerFigures), breakdownOutput(byModelRow, billedFigures));

const billedEvent = {
  generationId: z.string(),
  occurredAt: z.date(),
  usageDate: z.string(),
  userId: z.string(),
  email: z.string().nullable(),
  externalUserId: z.string(),
  model: z.string(),
  provider: z.string().nullable(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  reasoningTokens: z.number().int(),
  cachedTokens: z.number().int(),
  billedCostNano: nano,
  status,
  streamed: z.boolean(),
  latencyMs: z.number().int().nullable(),
  ttfbMs: z.number().int().nullable(),
};
const eventsOut = <T extends z.ZodRawShape>(event: T) =>
  z.object({ items: z.array(z.object(event)), nextCursor: z.string().nullable() });
const eventsViews = costViews(
  eventsOut({ ...billedEvent, rawCostNano: nano, markupBp: z.number().int() }),
  eventsOut(billedEvent),
);

export const usageRouter = router({
  summary: usageProcedure
    .input(usageSummaryInput)
    .output(summaryViews.output)
    .use(providerCost(summaryViews))
    .query(({ ctx }) => usageSummary(ctx, ctx.scope)),

  daily: userUsageProcedure
    .input(usageDailyInput)
    .output(dailyViews.output)
    .use(providerCost(dailyViews))
    .query(({ ctx, input }) => usageDaily(ctx, ctx.scope, input)),

  byUser: usageProcedure
    .input(usageBreakdownInput)
    .output(byUserViews.output)
    .use(providerCost(byUserViews))
    .query(({ ctx, input }) => usageByUser(ctx, ctx.scope, input)),

  byModel: usageProcedure
    .input(usageBreakdownInput)
    .output(byModelViews.output)
    .use(providerCost(byModelViews))
    .query(({ ctx, input }) => usageByModel(ctx, ctx.scope, input)),

  events: userUsageProcedure
    .input(usageEventsInput)
    .output(eventsViews.output)
    .use(providerCost(eventsViews))
    .query(({ ctx, input }) => usageEvents(ctx, ctx.scope, input)),

  // The statement's text has no raw-cost column unless the caller may see the provider's cost.
  exportCsv: usageProcedure
    .input(usageExportCsvInput)
    .output(
      z.object({
        filename: z.string(),
        contentType: z.literal("text/csv"),
        content: z.string(),
        rows: z.number().int(),
        totalBilledCostNano: nano,
      }),
    )
    .use(providerCostDecision)
    .query(({ ctx, input }) => exportUsageCsv(ctx, ctx.scope, input, { providerCost: ctx.providerCost })),

  /** The organisation's display currency and the rate its figures use (month to date, or a month's statement). */
  currency: usageProcedure
    .input(usageCurrencyInput)
    .output(
      z.object({
        timeZone: z.string(),
        currency: z.string(),
        before: z.string(),
        rate: exchangeRateOut.nullable(),
        message: z.string().nullable(),
        /** The message's key in the catalog (@mai/domain SERVER_MESSAGES) and its parameters. */
        messageKey: z.string().optional(),
        messageParams: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
      }),
    )
    .query(({ ctx, input }) => usageCurrency(ctx, ctx.scope, input)),
});
