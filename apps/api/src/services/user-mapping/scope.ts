// Who may look at user mappings: the provider (every organisation, or one by organizationId) and a
// client administrator (their own organisation only; another id → FORBIDDEN). Members never.
import { TRPCError } from "@trpc/server";
import { scopeOrganization } from "../scope";
import { getOrganization, type Organization } from "@mai/db";
import type { AuthedContext } from "../usage/scope";

export interface MappingScope {
  /** null: every organisation (the provider without an organizationId). */
  organization: Organization | null;
  /** The provider looks at the whole system and may see users outside any organisation. */
  provider: boolean;
}

export async function resolveMappingScope(
  ctx: AuthedContext,
  input: { organizationId?: string | undefined },
): Promise<MappingScope> {
  const { user } = ctx;
  const organizationId = scopeOrganization(user, input.organizationId, { noun: "user mappings", providerMustChoose: false });
  if (!organizationId) return { organization: null, provider: true };
  const organization = await getOrganization(ctx.deps.db, organizationId);
  if (!organization) throw new TRPCError({ code: "NOT_FOUND", message: "Organisation not found." });
  return { organization, provider: user.role === "provider_admin" };
}

/** Administrators only, no organisation involved (configuration). */
export function requireAdministrator(ctx: AuthedContext): void {
  if (ctx.user.role === "member")
    throw new TRPCError({ code: "FORBIDDEN", message: "Only administrators can see this." });
}
