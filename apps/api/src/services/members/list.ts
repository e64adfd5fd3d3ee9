// The users mapped to one organisation; orgProcedure has already decided who may ask.
import { listMembers, type Member, type Organization } from "@mai/db";
import type { Context } from "../../context";

export function listOrganizationMembers(ctx: Context, org: Organization): Promise<Member[]> {
  return listMembers(ctx.deps.db, org.id);
}
