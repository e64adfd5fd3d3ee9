// What the system does with user mappings, stated from the live configuration rather than from
// documentation that can drift: the external id format, the billing time zone and defaults, live
// key verification, and which hosts count as OpenRouter in a saved connection.
import { getGlobalSettings } from "@mai/db";
import { externalUserId, markupToMultiplier } from "@mai/domain";
import type { Context } from "../../context";

// Fixed sample ids, so the example is the same for everyone and names no real user.
const SAMPLE_ORG = "0f1e2d3c-4b5a-4697-8876-a5b4c3d2e1f0";
const SAMPLE_USER = "1a2b3c4d-5e6f-4a0b-9c1d-2e3f4a5b6c7d";

export async function mappingConfiguration(ctx: Context) {
  const { env } = ctx.deps;
  const settings = await getGlobalSettings(ctx.deps.db);
  return {
    externalUserId: {
      format: "mai_client_<org8>_user_<user8>",
      pattern: "^mai_client_[0-9a-f]{8}_user_[0-9a-f]{8}$",
      description:
        "The first 8 hex digits of the organisation id and of the user id. Deterministic, unique (enforced by the database) and free of personal data; sent to OpenRouter as the “user” field.",
      example: externalUserId(SAMPLE_ORG, SAMPLE_USER),
    },
    billingTimeZone: settings.billingTimeZone,
    currency: settings.currency,
    defaultMarkupBp: settings.defaultMarkupBp,
    defaultMarkup: markupToMultiplier(settings.defaultMarkupBp),
    defaultMonthlyLimitNano: settings.defaultMonthlyLimitNano,
    verifyKeys: env.MAI_VERIFY_KEYS,
    openRouterBaseUrl: env.MAI_OPENROUTER_BASE_URL,
    acceptedOpenRouterHosts: ["openrouter.ai", ...env.MAI_OPENROUTER_EXTRA_HOSTS],
    hostRule:
      "https only; openrouter.ai or any of its subdomains, plus the extra hosts listed (an entry with :// is an origin, the only way plain http is accepted).",
    syncTrigger:
      "A client administrator saving an OpenRouter connection in Settings → Connections creates or updates their organisation and maps them; members' saves are skipped.",
  };
}
