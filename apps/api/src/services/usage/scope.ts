// Who may see which usage — decided once, here, for every usage.* procedure:
//   provider_admin  any organisation, named by organizationId (required), optionally one user;
//   org_admin       their own organisation only (another id → FORBIDDEN), optionally one user;
//   member          only their own usage: their organisation, filtered to their own user id
//                   (another organisation or another user → FORBIDDEN).
// The resulting scope is what every query filters on in SQL; nothing downstream re-decides it.
import { TRPCError } from "@trpc/server";
import { scopeOrganization } from "../scope";
import { getGlobalSettings, getOrganization, type AuthUser, type Organization } from "@mai/db";
import type { Context } from "../../context";

export type AuthedContext = Context & { user: AuthUser };

export interface UsageScope {
  organization: Organization;
  /** Set when the view is one user's usage: always for members, on request for administrators. */
  userId: string | null;
  /** True when the caller is a member (their view is their own usage, never the organisation's). */
  ownUsageOnly: boolean;
  timeZone: string;
  now: Date;
}

export async function resolveUsageScope(
  ctx: AuthedContext,
  input: { organizationId?: string | undefined; userId?: string | undefined },
): Promise<UsageScope> {
  const { user } = ctx;
  const organizationId = scopeOrganization(user, input.organizationId, { noun: "usage", providerMustChoose: true, allowMembers: true })!;
  let userId: string | null = input.userId ?? null;
  if (user.role === "member") {
    if (userId && userId !== user.id) throw new TRPCError({ code: "FORBIDDEN", message: "You can only see your own usage." });
    userId = user.id;
  }
  const organization = await getOrganization(ctx.deps.db, organizationId);
  if (!organization) throw new TRPCError({ code: "NOT_FOUND", message: "Organisation not found." });
  const { billingTimeZone } = await getGlobalSettings(ctx.deps.db);
  return {
    organization,
    userId,
    ownUsageOnly: user.role === "member",
    timeZone: billingTimeZone,
    now: ctx.deps.now(),
  };
}
