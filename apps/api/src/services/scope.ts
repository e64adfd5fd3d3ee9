// Which organisation a caller may look at — one rule for every organisation-scoped read and
// write (orgProcedure, usage, user mapping, audit):
//   provider_admin  any organisation it names; where `providerMustChoose` is false, naming none
//                   means "all organisations" (undefined);
//   org_admin       its own organisation only (naming another → FORBIDDEN; none yet → NOT_FOUND);
//   member          refused (FORBIDDEN), unless `allowMembers` (then: its own organisation).
import { TRPCError } from "@trpc/server";
import type { AuthUser } from "@mai/db";

export interface ScopeOptions {
  /** What is being looked at, for messages ("usage", "audit log"…). */
  noun: string;
  providerMustChoose: boolean;
  allowMembers?: boolean;
}

export function scopeOrganization(user: AuthUser, requested: string | undefined, options: ScopeOptions): string | undefined {
  if (user.role === "provider_admin") {
    if (!requested && options.providerMustChoose) throw new TRPCError({ code: "BAD_REQUEST", message: "Choose an organisation." });
    return requested;
  }
  if (user.role === "member" && !options.allowMembers) {
    throw new TRPCError({ code: "FORBIDDEN", message: `Only administrators can see the ${options.noun}.` });
  }
  if (!user.organizationId) throw new TRPCError({ code: "NOT_FOUND", message: "You do not belong to an organisation yet." });
  if (requested && requested !== user.organizationId) {
    throw new TRPCError({ code: "FORBIDDEN", message: `You can only see your own organisation's ${options.noun}.` });
  }
  return user.organizationId;
}
