// organizations.setCurrency: the provider sets the currency an organisation's figures and
// statements are shown in besides USD (null: the global setting's). Audited
// `organization.currency_changed`.
import { organizationCurrency, setOrganizationCurrency, type AuthUser, type Organization } from "@mai/db";
import type { setOrganizationCurrencyInput } from "@mai/domain/schemas";
import type { z } from "zod";
import type { Context } from "../../context";
import { auditOrganization } from "./shared";

export async function setCurrency(
  ctx: Context,
  actor: AuthUser,
  org: Organization,
  input: z.output<typeof setOrganizationCurrencyInput>,
): Promise<{ organizationId: string; currency: string | null; effectiveCurrency: string }> {
  return ctx.deps.db.transaction(async (tx) => {
    const { previous, currency } = await setOrganizationCurrency(tx, org.id, input.currency, ctx.deps.now());
    if (previous !== currency) {
      await auditOrganization(ctx, tx, actor, org.id, "currency_changed", {
        before: { currency: previous },
        after: { currency },
      });
    }
    return { organizationId: org.id, currency, effectiveCurrency: await organizationCurrency(tx, org.id) };
  });
}
