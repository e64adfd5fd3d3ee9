// Client organisations. The provider sees and manages all of them; a client administrator reads
// their own and may change its billing e-mail. Keys leave only masked — the output schemas admit
// nothing else — except a freshly provisioned key, returned once by create and rotateKey. What a
// client reads (list, get, update, unmeteredUsage) has no markup or raw amount unless the provider
// lets clients see its cost (trpc/provider-cost.ts); provider-only procedures keep the full view.
import { z } from "zod";
import { maskedKey } from "./_schemas";
import { createOrganizationWithKey } from "../services/organizations/create";
import { deactivateClientOrganization } from "../services/organizations/deactivate";
import { getOrganizationDetails } from "../services/organizations/get";
import { listOrganizations } from "../services/organizations/list";
import { rotateOrganizationKey } from "../services/organizations/rotate-key";
import { setClientKey } from "../services/organizations/set-key";
import { updateOrganizationSettings } from "../services/organizations/update";
import { billUnmeteredUsage } from "../services/organizations/bill-unmetered";
import { listUnmeteredUsageFor } from "../services/organizations/unmetered-usage";
import { setCurrency } from "../services/organizations/set-currency";
import { router } from "../trpc/init";
import {
  adminProcedure,
  orgProcedure,
  providerOnlyFields,
  providerOrgProcedure,
  providerProcedure,
  tenantProcedure,
} from "../trpc/procedures";
import { costViews, providerCost } from "../trpc/provider-cost";
import {
  billUnmeteredInput,
  setOrganizationCurrencyInput,
  createOrganizationInput,
  setOrganizationKeyInput,
  unmeteredUsageInput,
  updateOrganizationInput,
} from "@mai/domain/schemas";

// The one place a plaintext key may appear: right after OpenRouter minted it.
const provisionedKey = z.string().startsWith("sk-or-");

// The markup is the provider's cost in disguise (billed ÷ markup = raw cost): a client role sees an
// organisation without it unless the provider lets clients see its cost (trpc/provider-cost.ts).
const billedOrganizationOut = z.object({
  id: z.string(),
  name: z.string(),
  billingEmail: z.string().nullable(),
  monthlyLimitNano: z.bigint(),
  active: z.boolean(),
  keyHint: maskedKey.nullable(),
  keySource: z.enum(["provisioned", "client"]).nullable(),
  provisioned: z.boolean(),
  period: z.string(),
  monthToDateNano: z.bigint(),
  refusedMinNano: z.bigint().nullable(),
  memberCount: z.number().int(),
  /** Its display currency besides USD (its own, else the global setting's): usage.currency gives the rate. */
  currency: z.string(),
  createdAt: z.date(),
  updatedAt: z.date(),
  deactivatedAt: z.date().nullable(),
});
const organizationOut = billedOrganizationOut.extend({ markupBp: z.number().int(), markup: z.string() });
const organizationViews = costViews(organizationOut, billedOrganizationOut);
const organizationListViews = costViews(z.array(organizationOut), z.array(billedOrganizationOut));

// A client's view of the key-level reconciliation: whether usage bypassed the gateway, and what it
// comes to at the organisation's price (billed), never OpenRouter's raw amounts.
const billedKeyUsageCheckOut = z.object({
  periodStart: z.string(),
  comparedFrom: z.date(),
  checkedAt: z.date(),
  unmetered: z.boolean(),
  unmeteredBilledNano: z.bigint(),
});
const billedUnmeteredUsageOut = z.object({
  organizationId: z.string(),
  organizationName: z.string(),
  keyHint: maskedKey.nullable(),
  month: z.string(),
  check: billedKeyUsageCheckOut.nullable(),
  latestDay: billedKeyUsageCheckOut.nullable(),
  unbilledBilledNano: z.bigint(),
});

const keyUsageCheckOut = z.object({
  periodStart: z.string(),
  comparedFrom: z.date(),
  checkedAt: z.date(),
  openrouterUsageNano: z.bigint(),
  recordedRawNano: z.bigint(),
  unmeteredNano: z.bigint(),
  toleranceNano: z.bigint(),
  unmetered: z.boolean(),
  unmeteredBilledNano: z.bigint(),
});

const unmeteredUsageOut = z.object({
  organizationId: z.string(),
  organizationName: z.string(),
  keyHint: maskedKey.nullable(),
  markupBp: z.number().int(),
  month: z.string(),
  check: keyUsageCheckOut.nullable(),
  latestDay: keyUsageCheckOut.nullable(),
  billedRawNano: z.bigint(),
  unbilledRawNano: z.bigint(),
  unbilledBilledNano: z.bigint(),
});
const unmeteredUsageViews = costViews(z.array(unmeteredUsageOut), z.array(billedUnmeteredUsageOut));

const usageAdjustmentOut = z.object({
  id: z.string(),
  organizationId: z.string(),
  period: z.string(),
  kind: z.literal("unmetered_usage"),
  rawCostNano: z.bigint(),
  markupBp: z.number().int(),
  billedCostNano: z.bigint(),
  description: z.string(),
  createdAt: z.date(),
});

export const organizationsRouter = router({
  list: adminProcedure("list organisations")
    .output(organizationListViews.output)
    .use(providerCost(organizationListViews))
    .query(({ ctx }) => listOrganizations(ctx, ctx.scope)),

  get: orgProcedure
    .output(organizationViews.output)
    .use(providerCost(organizationViews))
    .query(({ ctx }) => getOrganizationDetails(ctx, ctx.org)),

  create: providerProcedure
    .input(createOrganizationInput)
    .output(z.object({ organization: organizationOut, provisionedKey: provisionedKey.nullable() }))
    .mutation(({ ctx, input }) => createOrganizationWithKey(ctx, ctx.user, input)),

  update: orgProcedure
    .input(updateOrganizationInput)
    // Markup, limit, name and the active flag are what the provider sells the client.
    .use(providerOnlyFields(["name", "markup", "monthlyLimitUsd", "active"], "the billing e-mail"))
    .output(organizationViews.output)
    .use(providerCost(organizationViews))
    .mutation(({ ctx, input }) => updateOrganizationSettings(ctx, ctx.user, ctx.org, input)),

  setKey: providerOrgProcedure
    .input(setOrganizationKeyInput)
    .output(
      z.object({
        organization: organizationOut,
        status: z.enum(["updated", "unchanged"]),
        // A replaced provisioned key is deleted after a grace period (key retirement), not here.
        previousKeyDeleted: z.boolean().nullable(),
        previousKeyDeleteAfter: z.date().nullable(),
      }),
    )
    .mutation(({ ctx, input }) => setClientKey(ctx, ctx.user, ctx.org, input.key)),

  rotateKey: providerOrgProcedure
    .output(
      z.object({
        organization: organizationOut,
        provisionedKey,
        previousKeyDeleted: z.boolean().nullable(),
        previousKeyDeleteAfter: z.date().nullable(),
      }),
    )
    .mutation(({ ctx }) => rotateOrganizationKey(ctx, ctx.user, ctx.org)),

  deactivate: providerOrgProcedure
    .output(z.object({ organization: organizationOut, upstreamKey: z.enum(["disabled", "missing", "none"]) }))
    .mutation(({ ctx }) => deactivateClientOrganization(ctx, ctx.user, ctx.org)),

  // Key-level reconciliation: OpenRouter's own usage of each organisation's key against what was
  // recorded (UTC month). The provider sees every organisation (or the one named); a client
  // administrator their own — their key, their leak to stop. Members are refused.
  unmeteredUsage: tenantProcedure("unmetered usage")
    .input(unmeteredUsageInput)
    .output(unmeteredUsageViews.output)
    .use(providerCost(unmeteredUsageViews))
    .query(({ ctx, input }) => listUnmeteredUsageFor(ctx, ctx.scope, input)),

  // The provider's explicit act: the month's unmetered usage not billed yet becomes an adjustment
  // line on the organisation's statement at its markup (audited; never the same amount twice).
  billUnmetered: providerOrgProcedure
    .input(billUnmeteredInput)
    .output(z.object({ adjustment: usageAdjustmentOut }))
    .mutation(async ({ ctx, input }) => ({ adjustment: await billUnmeteredUsage(ctx, ctx.user, ctx.org, input) })),

  /** The currency the organisation's figures and statements are shown in besides USD (null: the global setting's). */
  setCurrency: providerOrgProcedure
    .input(setOrganizationCurrencyInput)
    .output(z.object({ organizationId: z.string(), currency: z.string().nullable(), effectiveCurrency: z.string() }))
    .mutation(({ ctx, input }) => setCurrency(ctx, ctx.user, ctx.org, input)),
});
