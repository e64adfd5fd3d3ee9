// Saving the global settings. A new provisioning key is checked before it is stored: its format,
// then live with GET /key — it must be a management key, since its only use is minting and
// managing the organisations' keys. A key OpenRouter rejects is the provider's to fix
// (BAD_REQUEST); an unreachable OpenRouter saves nothing (BAD_GATEWAY), because an unverified
// provisioning key would only fail later, in the middle of creating an organisation.
import {
  appendAudit,
  getGlobalSettings,
  updateGlobalSettings,
  type AuthUser,
  type GlobalSettings,
  type GlobalSettingsPatch,
} from "@mai/db";
import { domainError, DomainError, isMaskedKey, markupFromMultiplier, maskKey, validateMonthlyLimit, validateOpenRouterKey } from "@mai/domain";
import type { UpdateGlobalSettingsInput } from "@mai/domain/schemas";
import { isOpenRouterError } from "@mai/openrouter";
import type { Context } from "../../context";
import { toGlobalSettingsDto, type GlobalSettingsDto } from "./get";

export async function verifyProvisioningKey(ctx: Context, raw: string): Promise<string> {
  const valid = validateOpenRouterKey(raw);
  if (!valid.ok) throw domainError("INVALID_INPUT", valid.messageKey, valid.messageParams, { details: { code: valid.code } });
  let info;
  try {
    info = await ctx.deps.openrouter.getKeyInfo(valid.key);
  } catch (error) {
    if (!isOpenRouterError(error)) throw error;
    if (error.status === 401 || error.status === 403) {
      throw domainError(
        "INVALID_INPUT",
        "settings.provisioningKeyRejected",
        {},
        { details: { status: error.status } },
      );
    }
    throw new DomainError(
      "UPSTREAM_UNAVAILABLE",
      "OpenRouter could not be reached to verify the key; nothing was saved. Try again.",
      {
        cause: error,
        details: { status: error.status },
      },
    );
  }
  if (info.is_management_key !== true && info.is_provisioning_key !== true) {
    throw domainError("INVALID_INPUT", "settings.inferenceKey");
  }
  return valid.key;
}

/** JSON-safe audit view: bigints as decimal text, the key only as its hint. */
function auditView(s: GlobalSettings): Record<string, unknown> {
  return {
    provisioningKeyHint: s.provisioningKeyHint,
    defaultMarkupBp: s.defaultMarkupBp,
    defaultMonthlyLimitNano: s.defaultMonthlyLimitNano.toString(),
    currency: s.currency,
    billingTimeZone: s.billingTimeZone,
    selfSignupEnabled: s.selfSignupEnabled,
    clientsSeeProviderCost: s.clientsSeeProviderCost,
  };
}

export async function updateGlobalSettingsService(
  ctx: Context,
  actor: AuthUser,
  input: UpdateGlobalSettingsInput,
): Promise<GlobalSettingsDto> {
  const { db, secrets } = ctx.deps;
  const patch: GlobalSettingsPatch = {};
  if (input.defaultMarkup !== undefined) patch.defaultMarkupBp = markupFromMultiplier(input.defaultMarkup);
  if (input.defaultMonthlyLimitUsd !== undefined)
    patch.defaultMonthlyLimitNano = validateMonthlyLimit(input.defaultMonthlyLimitUsd);
  if (input.currency !== undefined) patch.currency = input.currency.trim().toUpperCase();
  if (input.billingTimeZone !== undefined) patch.billingTimeZone = input.billingTimeZone.trim();
  if (input.selfSignupEnabled !== undefined) patch.selfSignupEnabled = input.selfSignupEnabled;
  if (input.clientsSeeProviderCost !== undefined) patch.clientsSeeProviderCost = input.clientsSeeProviderCost;
  let keyReplaced = false;
  if (input.provisioningKey === null || input.provisioningKey === "") {
    patch.provisioningKey = null;
  } else if (input.provisioningKey !== undefined) {
    const raw = input.provisioningKey.trim();
    if (isMaskedKey(raw)) {
      // A form re-sending what it read: keep the stored key; any other mask is not a key.
      const { provisioningKeyHint } = await getGlobalSettings(db);
      if (raw !== provisioningKeyHint)
        throw domainError("INVALID_INPUT", "settings.maskedKey");
    } else {
      patch.provisioningKey = await verifyProvisioningKey(ctx, raw);
      keyReplaced = true;
    }
  }

  const saved = await db.transaction(async (tx) => {
    const before = auditView(await getGlobalSettings(tx));
    const settings = await updateGlobalSettings(tx, secrets, patch, actor.id);
    const after = auditView(settings);
    const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
    // A new key with the same mask still counts as a change.
    if (keyReplaced && !changed.includes("provisioningKeyHint")) changed.push("provisioningKeyHint");
    if (changed.length > 0) {
      await appendAudit(tx, {
        actorUserId: actor.id,
        actorKind: "user",
        action: "global_settings.updated",
        organizationId: null,
        targetType: "global_settings",
        targetId: "1",
        before: Object.fromEntries(changed.map((k) => [k, before[k]])),
        after: Object.fromEntries(changed.map((k) => [k, after[k]])),
        details:
          keyReplaced && patch.provisioningKey
            ? { provisioningKeyVerified: true, keyHint: maskKey(patch.provisioningKey) }
            : null,
        ip: ctx.request.ip,
      });
    }
    return settings;
  });
  return toGlobalSettingsDto(saved);
}
