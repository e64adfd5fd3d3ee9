// One organisation; who may read it is decided by orgProcedure before this runs.
import type { Organization } from "@mai/db";
import type { Context } from "../../context";
import { loadOrganizationDto, type OrganizationDto } from "./shared";

export function getOrganizationDetails(ctx: Context, org: Organization): Promise<OrganizationDto> {
  return loadOrganizationDto(ctx, org.id);
}
