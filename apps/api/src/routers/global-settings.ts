// Global settings: the provider's provisioning key (shown only masked), default markup and monthly
// limit for new organisations, currency and billing time zone. Provider only.
import { z } from "zod";
import { maskedKey } from "./_schemas";
import { readGlobalSettings } from "../services/global-settings/get";
import { updateGlobalSettingsService } from "../services/global-settings/update";
import { router } from "../trpc/init";
import { providerProcedure } from "../trpc/procedures";

// The hint is the only form of the provisioning key that ever leaves the API.

export const globalSettingsOut = z.object({
  provisioningKeyHint: maskedKey.nullable(),
  defaultMarkupBp: z.number().int(),
  defaultMarkup: z.string(),
  defaultMonthlyLimitNano: z.bigint(),
  currency: z.string(),
  billingTimeZone: z.string(),
  updatedAt: z.date().nullable(),
});

export const globalSettingsRouter = router({
  get: providerProcedure.output(globalSettingsOut).query(({ ctx }) => readGlobalSettings(ctx)),
  update: providerProcedure
    .input(
      z.object({
        /** A management key; null (or "") removes it; the masked hint as read keeps it. */
        provisioningKey: z.string().max(300).nullable().optional(),
        /** Multiplier, e.g. "1.3". */
        defaultMarkup: z.union([z.string().trim().min(1).max(20), z.number().positive()]).optional(),
        /** USD, e.g. "1000". */
        defaultMonthlyLimitUsd: z
          .union([z.string().trim().min(1).max(40), z.number().nonnegative()])
          .optional(),
        currency: z
          .string()
          .trim()
          .regex(/^[A-Za-z]{3}$/, "a three-letter ISO 4217 code")
          .optional(),
        billingTimeZone: z.string().trim().min(1).max(100).optional(),
      }),
    )
    .output(globalSettingsOut)
    .mutation(({ ctx, input }) => updateGlobalSettingsService(ctx, ctx.user, input)),
});
