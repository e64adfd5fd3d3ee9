// internal.resolveContext: everything the proxy needs to forward one user's request — who they are,
// their external id, their organisation (markup, limit, allowed models), its OpenRouter key in
// plaintext (the one procedure that returns it: the proxy must send it upstream), and where the
// organisation stands in its billing period. The caller is the proxy (internalProcedure); the
// user is named by a personal token, or by the identity Open WebUI forwarded in trusted-gateway
// mode (the proxy checked its gateway token, and the JWT when configured).
import {
  findOrCreateOpenWebUiUser,
  findTokenUser,
  getGlobalSettings,
  getOrganization,
  getOrganizationKey,
  getPeriodCounter,
  type AuthUser,
} from "@mai/db";
import { domainError, DomainError, periodKeyOf } from "@mai/domain";
import type { ResolveContextInput } from "@mai/domain/schemas";
import type { Context } from "../../context";
import { sha256 } from "../auth/tokens";

async function findUser(ctx: Context, input: ResolveContextInput): Promise<AuthUser | undefined> {
  const { db } = ctx.deps;
  if ("token" in input) return findTokenUser(db, sha256(input.token), ctx.deps.now());
  const resolution = await findOrCreateOpenWebUiUser(db, input.openWebUiUser, input.autoJoinOrganizationId);
  if (resolution.status === "organization_unavailable") {
    ctx.log.warn({ organizationId: input.autoJoinOrganizationId }, "auto-join refused: the organisation is missing or deactivated");
    throw new DomainError("PRECONDITION_FAILED", "The auto-join organisation does not exist or is deactivated.");
  }
  if (resolution.status === "auto_joined") {
    ctx.log.info({ userId: resolution.user.id, organizationId: resolution.user.organizationId }, "open webui user auto-joined");
  }
  return "user" in resolution ? resolution.user : undefined;
}

export async function resolveContext(ctx: Context, input: ResolveContextInput) {
  const { db, secrets } = ctx.deps;
  const user = await findUser(ctx, input);
  if (!user) throw new DomainError("UNAUTHENTICATED", "Unknown or revoked credentials.");
  if (!user.organizationId || !user.externalUserId) {
    throw new DomainError("FORBIDDEN", "This user is not mapped to an organisation yet.");
  }
  const organization = await getOrganization(db, user.organizationId);
  if (!organization) throw domainError("NOT_FOUND", "organization.notFound");
  const settings = await getGlobalSettings(db);
  const period = periodKeyOf(ctx.deps.now(), settings.billingTimeZone);
  const counter = await getPeriodCounter(db, organization.id, period);
  return {
    user: { id: user.id, email: user.email, name: user.name, role: user.role },
    externalUserId: user.externalUserId,
    organization: {
      id: organization.id,
      name: organization.name,
      active: organization.active,
      markupBp: organization.markupBp,
      monthlyLimitNano: organization.monthlyLimitNano,
      allowedModels: organization.allowedModels,
    },
    openrouterKey: await getOrganizationKey(db, secrets, organization.id),
    billing: {
      timeZone: settings.billingTimeZone,
      period,
      spentNano: counter.spentNano,
      reservedNano: counter.reservedNano,
      refusedMinNano: counter.refusedMinNano,
    },
  };
}
