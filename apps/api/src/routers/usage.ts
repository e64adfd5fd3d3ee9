// usage.*: dashboards and the monthly statement. Every procedure builds on usageProcedure
// (provider: any organisation; org admin: own; member: own usage only), so members are admitted
// here — which is why these are not orgProcedure; daily and events also take a userId
// (userUsageProcedure: a member may name only themselves). All figures are in the billing time
// zone; money is bigint nano-USD (superjson carries it).
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

const figures = {
  requests: z.number().int(),
  errorRequests: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  totalTokens: z.number().int(),
  rawCostNano: nano,
  billedCostNano: nano,
};
const periodFigures = z.object({
  ...figures,
  reasoningTokens: z.number().int(),
  cachedTokens: z.number().int(),
});

// prefault: calling with no input at all means "all defaults".
const breakdownOutput = <T extends z.ZodRawShape>(row: T) =>
  z.object({
    from: z.string(),
    to: z.string(),
    timeZone: z.string(),
    rows: z.array(z.object({ ...row, ...figures })),
  });

export const usageRouter = router({
  summary: usageProcedure
    .input(usageSummaryInput)
    .output(
      z.object({
        organizationId: z.string(),
        organizationName: z.string(),
        userId: z.string().nullable(),
        timeZone: z.string(),
        today: periodFigures.extend({ date: z.string() }),
        monthToDate: periodFigures.extend({ period: z.string(), from: z.string(), to: z.string() }),
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
      }),
    )
    .query(({ ctx }) => usageSummary(ctx, ctx.scope)),

  daily: userUsageProcedure
    .input(usageDailyInput)
    .output(z.array(z.object({ date: z.string(), ...figures })))
    .query(({ ctx, input }) => usageDaily(ctx, ctx.scope, input)),

  byUser: usageProcedure
    .input(usageBreakdownInput)
    .output(
      breakdownOutput({
        userId: z.string(),
        email: z.string().nullable(),
        name: z.string().nullable(),
        externalUserId: z.string(),
      }),
    )
    .query(({ ctx, input }) => usageByUser(ctx, ctx.scope, input)),

  byModel: usageProcedure
    .input(usageBreakdownInput)
    .output(breakdownOutput({ model: z.string(), users: z.number().int() }))
    .query(({ ctx, input }) => usageByModel(ctx, ctx.scope, input)),

  events: userUsageProcedure
    .input(usageEventsInput)
    .output(
      z.object({
        items: z.array(
          z.object({
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
            rawCostNano: nano,
            billedCostNano: nano,
            markupBp: z.number().int(),
            status,
            streamed: z.boolean(),
            latencyMs: z.number().int().nullable(),
            ttfbMs: z.number().int().nullable(),
          }),
        ),
        nextCursor: z.string().nullable(),
      }),
    )
    .query(({ ctx, input }) => usageEvents(ctx, ctx.scope, input)),

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
    .query(({ ctx, input }) => exportUsageCsv(ctx, ctx.scope, input)),

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
      }),
    )
    .query(({ ctx, input }) => usageCurrency(ctx, ctx.scope, input)),
});
