// The organisations an administrator may see: the provider all of them, a client administrator
// their own (a list of one, or none before their first key save). The tenant filter is in the SQL.
import { listOrganizationsWithSpend, type AuthUser } from "@mai/db";
import { DomainError } from "@mai/domain";
import type { Context } from "../../context";
import { currentPeriod, toOrganizationDto, type OrganizationDto } from "./shared";

export async function listOrganizations(ctx: Context, actor: AuthUser): Promise<OrganizationDto[]> {
  if (actor.role === "member")
    throw new DomainError("FORBIDDEN", "Only administrators can list organisations.");
  if (actor.role === "org_admin" && !actor.organizationId) return [];
  const period = await currentPeriod(ctx);
  const rows = await listOrganizationsWithSpend(ctx.deps.db, {
    period,
    ...(actor.role === "provider_admin" ? {} : { organizationId: actor.organizationId! }),
  });
  return rows.map((row) => toOrganizationDto(row, period));
}
