// Inputs of globalSettings.*.
import { z } from "zod";
import { markupInput, usdInput } from "./common";

export const updateGlobalSettingsInput = z.object({
  /** A management key; null (or "") removes it; the masked hint as read keeps it. */
  provisioningKey: z.string().max(300).nullable().optional(),
  /** Multiplier, e.g. "1.3". */
  defaultMarkup: markupInput.optional(),
  /** USD, e.g. "1000". */
  defaultMonthlyLimitUsd: usdInput.optional(),
  currency: z.string().trim().regex(/^[A-Za-z]{3}$/, "a three-letter ISO 4217 code").optional(),
  billingTimeZone: z.string().trim().min(1).max(100).optional(),
  /** Whether a client administrator may sign up on their own with the OpenRouter key they were given (auth.signUpWithKey). */
  selfSignupEnabled: z.boolean().optional(),
  /** Whether client roles see raw cost, margin and markup; off: billed amounts only. */
  clientsSeeProviderCost: z.boolean().optional(),
});

export type UpdateGlobalSettingsInput = z.output<typeof updateGlobalSettingsInput>;
