// The organisations an administrator may see, as adminProcedure scoped them: the provider all of
// them, a client administrator their own (a list of one, or none before their first key save).
// The tenant filter is in the SQL.
import { listOrganizationsWithSpend } from "@mai/db";
import type { Context, TenantScope } from "../../context";
import { booksNow, toOrganizationDto, type OrganizationDto } from "./shared";

export async function listOrganizations(ctx: Context, scope: TenantScope): Promise<OrganizationDto[]> {
  if (!scope.all && !scope.organizationId) return [];
  const books = await booksNow(ctx);
  const rows = await listOrganizationsWithSpend(ctx.deps.db, {
    period: books.period,
    ...(scope.all ? {} : { organizationId: scope.organizationId! }),
  });
  return rows.map((row) => toOrganizationDto(row, books));
}
