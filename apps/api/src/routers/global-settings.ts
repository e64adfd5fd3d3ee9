// Global settings: the provider's provisioning key (shown only masked), default markup and monthly
// limit for new organisations, currency and billing time zone, whether client administrators may sign
// up with their key, whether client roles see the provider's cost (trpc/provider-cost.ts). Provider only.
import { z } from "zod";
import { maskedKey } from "./_schemas";
import { readGlobalSettings } from "../services/global-settings/get";
import { updateGlobalSettingsService } from "../services/global-settings/update";
import { router } from "../trpc/init";
import { providerProcedure } from "../trpc/procedures";
import { updateGlobalSettingsInput } from "@mai/domain/schemas";

// The hint is the only form of the provisioning key that ever leaves the API.

export const globalSettingsOut = z.object({
  provisioningKeyHint: maskedKey.nullable(),
  defaultMarkupBp: z.number().int(),
  defaultMarkup: z.string(),
  defaultMonthlyLimitNano: z.bigint(),
  currency: z.string(),
  billingTimeZone: z.string(),
  selfSignupEnabled: z.boolean(),
  clientsSeeProviderCost: z.boolean(),
  updatedAt: z.date().nullable(),
});

export const globalSettingsRouter = router({
  get: providerProcedure.output(globalSettingsOut).query(({ ctx }) => readGlobalSettings(ctx)),
  update: providerProcedure
    .input(updateGlobalSettingsInput)
    .output(globalSettingsOut)
    .mutation(({ ctx, input }) => updateGlobalSettingsService(ctx, ctx.user, input)),
});
