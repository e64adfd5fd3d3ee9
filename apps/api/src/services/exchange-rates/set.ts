// exchangeRates.set: the provider's rate for a day NBP could not be reached for (only days NBP has
// no rate for; NBP's later fetch of that day replaces it). Audited `exchange_rate.entered`.
import { appendAudit, enterProviderRate, type AuthUser } from "@mai/db";
import type { ExchangeRate } from "@mai/domain";
import type { setExchangeRateInput } from "@mai/domain/schemas";
import type { z } from "zod";
import type { Context } from "../../context";

export async function setExchangeRate(ctx: Context, actor: AuthUser, input: z.output<typeof setExchangeRateInput>): Promise<ExchangeRate> {
  return ctx.deps.db.transaction(async (tx) => {
    const { rate, previous } = await enterProviderRate(tx, { ...input, enteredBy: actor.id }, ctx.deps.now());
    await appendAudit(tx, {
      actorUserId: actor.id,
      actorKind: "user",
      action: "exchange_rate.entered",
      organizationId: null,
      targetType: "exchange_rate",
      targetId: `${rate.currency}:${rate.effectiveDate}`,
      before: previous === null ? null : { rate: previous },
      after: { rate: rate.rate, source: rate.source },
      details: { currency: rate.currency, effectiveDate: rate.effectiveDate },
      ip: ctx.request.ip,
    });
    return rate;
  });
}
