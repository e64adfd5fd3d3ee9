// internal.resolveOrganization: an organisation's OpenRouter key (plaintext) and the little the
// proxy needs beside it, named by the organisation alone — for work that has no user's credentials
// at hand: settling, after a crash, the generations the proxy's request journal left open
// (apps/proxy/src/metering/journal.ts) with GET /generation. Inactive organisations are answered
// too: what OpenRouter charged before the deactivation is still owed.
import { getOrganization, getOrganizationKey } from "@mai/db";
import { domainError } from "@mai/domain";
import type { ResolveOrganizationInput } from "@mai/domain/schemas";
import type { Context } from "../../context";

export async function resolveOrganization(ctx: Context, input: ResolveOrganizationInput) {
  const { db, secrets } = ctx.deps;
  const organization = await getOrganization(db, input.organizationId);
  if (!organization) throw domainError("NOT_FOUND", "organization.notFound");
  return {
    organization: { id: organization.id, active: organization.active, markupBp: organization.markupBp },
    openrouterKey: await getOrganizationKey(db, secrets, organization.id),
  };
}
