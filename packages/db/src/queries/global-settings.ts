// The global settings are one row (id = 1), seeded by a migration, so reading them never writes.
import { eq } from "drizzle-orm";
import { DEFAULT_MARKUP_BP, DEFAULT_MONTHLY_LIMIT_NANO, domainError, isCurrencyCode, isValidTimeZone, maskKey, validateMarkupBp, validateMonthlyLimitNano } from "@mai/domain";
import type { UpdateGlobalSettingsInput } from "@mai/domain/schemas";
import type { Executor } from "../client";
import { SecretContext, type SecretBox } from "../crypto/secret-box";
import { globalSettings } from "../schema/index";

export interface GlobalSettings {
  defaultMarkupBp: number;
  defaultMonthlyLimitNano: bigint;
  currency: string;
  billingTimeZone: string;
  /** Masked; the plaintext is only available through getProvisioningKey. */
  provisioningKeyHint: string | null;
  /** Whether client administrators may sign up on their own with their OpenRouter key (auth.signUpWithKey). */
  selfSignupEnabled: boolean;
  /** Whether client roles see raw cost, margin and markup (default: billed amounts only). */
  clientsSeeProviderCost: boolean;
  updatedAt: Date | null;
}

export const DEFAULT_GLOBAL_SETTINGS: GlobalSettings = {
  defaultMarkupBp: DEFAULT_MARKUP_BP,
  defaultMonthlyLimitNano: DEFAULT_MONTHLY_LIMIT_NANO,
  currency: "USD",
  billingTimeZone: "UTC",
  provisioningKeyHint: null,
  selfSignupEnabled: true,
  clientsSeeProviderCost: false,
  updatedAt: null,
};

export async function getGlobalSettings(db: Executor): Promise<GlobalSettings> {
  const [row] = await db.select().from(globalSettings).where(eq(globalSettings.id, 1));
  if (!row) return DEFAULT_GLOBAL_SETTINGS;
  return {
    defaultMarkupBp: row.defaultMarkupBp,
    defaultMonthlyLimitNano: row.defaultMonthlyLimitNano,
    currency: row.currency,
    billingTimeZone: row.billingTimeZone,
    provisioningKeyHint: row.provisioningKeyHint,
    selfSignupEnabled: row.selfSignupEnabled,
    clientsSeeProviderCost: row.clientsSeeProviderCost,
    updatedAt: row.updatedAt,
  };
}

export async function getProvisioningKey(db: Executor, secrets: SecretBox): Promise<string | null> {
  const [row] = await db
    .select({ sealed: globalSettings.provisioningKeyCiphertext })
    .from(globalSettings)
    .where(eq(globalSettings.id, 1));
  return row?.sealed ? secrets.open(row.sealed, SecretContext.provisioningKey) : null;
}

/**
 * globalSettings.update's currency, time zone and self sign-up switch as parsed; markup and limit converted (basis
 * points, nano-USD). The provisioning key is not the form's text (which may be "" or the masked
 * hint) but a verified key, or null to remove it.
 */
export type GlobalSettingsPatch = Pick<
  UpdateGlobalSettingsInput,
  "currency" | "billingTimeZone" | "selfSignupEnabled" | "clientsSeeProviderCost"
> & {
  defaultMarkupBp?: number;
  defaultMonthlyLimitNano?: bigint;
  provisioningKey?: string | null;
};

export async function updateGlobalSettings(
  db: Executor,
  secrets: SecretBox,
  patch: GlobalSettingsPatch,
  actorUserId: string | null,
): Promise<GlobalSettings> {
  if (patch.defaultMarkupBp !== undefined) validateMarkupBp(patch.defaultMarkupBp);
  if (patch.defaultMonthlyLimitNano !== undefined) validateMonthlyLimitNano(patch.defaultMonthlyLimitNano);
  if (patch.billingTimeZone !== undefined && !isValidTimeZone(patch.billingTimeZone)) {
    throw domainError("INVALID_INPUT", "settings.unknownTimeZone", { timeZone: patch.billingTimeZone });
  }
  if (patch.currency !== undefined && !isCurrencyCode(patch.currency)) {
    throw domainError("INVALID_INPUT", "settings.currency");
  }
  const values: Partial<typeof globalSettings.$inferInsert> = { updatedAt: new Date(), updatedBy: actorUserId };
  if (patch.defaultMarkupBp !== undefined) values.defaultMarkupBp = patch.defaultMarkupBp;
  if (patch.defaultMonthlyLimitNano !== undefined) values.defaultMonthlyLimitNano = patch.defaultMonthlyLimitNano;
  if (patch.currency !== undefined) values.currency = patch.currency;
  if (patch.billingTimeZone !== undefined) values.billingTimeZone = patch.billingTimeZone;
  if (patch.selfSignupEnabled !== undefined) values.selfSignupEnabled = patch.selfSignupEnabled;
  if (patch.clientsSeeProviderCost !== undefined) values.clientsSeeProviderCost = patch.clientsSeeProviderCost;
  if (patch.provisioningKey !== undefined) {
    values.provisioningKeyCiphertext = patch.provisioningKey ? secrets.seal(patch.provisioningKey, SecretContext.provisioningKey) : null;
    values.provisioningKeyHint = patch.provisioningKey ? maskKey(patch.provisioningKey) : null;
  }
  await db
    .insert(globalSettings)
    .values({ id: 1, ...values })
    .onConflictDoUpdate({ target: globalSettings.id, set: values });
  return getGlobalSettings(db);
}
