// Inputs of audit.* — also the Audit page's URL search params.
import { z } from "zod";
import { searchParam, uuid } from "./common";

export const MAX_AUDIT_ACTION_LENGTH = 100;
/** Exact action ("org_sync.created"), or a prefix ending in "*" ("org_sync.*"). */
const action = z.string().trim().min(1).max(MAX_AUDIT_ACTION_LENGTH);

export const auditListInput = z
  .object({
    organizationId: uuid.optional(),
    action: action.optional(),
    cursor: z.number().int().positive().optional(),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .optional();

/** The Audit page's ?action&orgs=all (every organisation, the provider's view); a malformed one is dropped. */
export const auditSearch = z.object({
  action: searchParam(action),
  orgs: searchParam(z.literal("all")),
});

export type AuditSearch = z.output<typeof auditSearch>;
