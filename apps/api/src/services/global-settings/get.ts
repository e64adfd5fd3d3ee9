// The global settings as the provider's dashboard shows them: the provisioning key only as its
// masked hint, the default markup also as an exact multiplier string.
import { getGlobalSettings, type Executor, type GlobalSettings } from "@mai/db";
import { markupToMultiplier } from "@mai/domain";
import type { Context } from "../../context";

export interface GlobalSettingsDto {
  provisioningKeyHint: string | null;
  defaultMarkupBp: number;
  /** 13000 → "1.3". */
  defaultMarkup: string;
  defaultMonthlyLimitNano: bigint;
  currency: string;
  billingTimeZone: string;
  /** Whether client administrators may sign up on their own with their OpenRouter key. */
  selfSignupEnabled: boolean;
  /** Whether client roles see raw cost, margin and markup (off: billed amounts only). */
  clientsSeeProviderCost: boolean;
  updatedAt: Date | null;
}

export function toGlobalSettingsDto(settings: GlobalSettings): GlobalSettingsDto {
  return {
    provisioningKeyHint: settings.provisioningKeyHint,
    defaultMarkupBp: settings.defaultMarkupBp,
    defaultMarkup: markupToMultiplier(settings.defaultMarkupBp),
    defaultMonthlyLimitNano: settings.defaultMonthlyLimitNano,
    currency: settings.currency,
    billingTimeZone: settings.billingTimeZone,
    selfSignupEnabled: settings.selfSignupEnabled,
    clientsSeeProviderCost: settings.clientsSeeProviderCost,
    updatedAt: settings.updatedAt,
  };
}

export async function readGlobalSettings(
  ctx: Context,
  db: Executor = ctx.deps.db,
): Promise<GlobalSettingsDto> {
  return toGlobalSettingsDto(await getGlobalSettings(db));
}
