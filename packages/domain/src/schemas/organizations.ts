// Inputs of organizations.* (the organisation id itself is the scoped procedures' own input).
import { z } from "zod";
import { MAX_ORGANIZATION_NAME_LENGTH } from "../organization";
import { emailInput, markupInput, monthInput, usdInput } from "./common";

export const organizationNameInput = z.string().trim().min(1).max(MAX_ORGANIZATION_NAME_LENGTH);
/** An OpenRouter key as pasted; validateOpenRouterKey decides. */
export const openRouterKeyInput = z.string().min(1).max(300);

export const createOrganizationInput = z.object({
  name: organizationNameInput,
  billingEmail: emailInput.nullable().optional(),
  /** USD, e.g. "1000"; default: the global default. */
  monthlyLimitUsd: usdInput.optional(),
  /** Multiplier, e.g. "1.3"; default: the global default. */
  markup: markupInput.optional(),
  /** Mint the organisation's key through the provisioning key (returned once as provisionedKey). */
  provisionKey: z.boolean(),
  /** Otherwise, optionally, the client's own key. */
  key: openRouterKeyInput.optional(),
});

export const updateOrganizationInput = z.object({
  name: organizationNameInput.optional(),
  billingEmail: emailInput.nullable().optional(),
  markup: markupInput.optional(),
  monthlyLimitUsd: usdInput.optional(),
  active: z.boolean().optional(),
});

export const setOrganizationKeyInput = z.object({ key: openRouterKeyInput });

/**
 * organizations.unmeteredUsage: one UTC month (default: the current one) of key-level
 * reconciliation, for every organisation the caller may see or the one named.
 */
export const unmeteredUsageInput = z
  .object({ organizationId: z.uuid().optional(), month: monthInput.optional() })
  .optional();

/** organizations.billUnmetered: the UTC month whose unmetered usage becomes a statement line. */
export const billUnmeteredInput = z.object({ month: monthInput });

// z.output: what a procedure hands on after parsing — the type the services and db queries take.
export type CreateOrganizationInput = z.output<typeof createOrganizationInput>;
export type UpdateOrganizationInput = z.output<typeof updateOrganizationInput>;
