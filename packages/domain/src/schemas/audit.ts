// Inputs of audit.* — also the Audit page's URL search params.
import { z } from "zod";

export const auditListInput = z
  .object({
    organizationId: z.uuid().optional(),
    // Exact action ("org_sync.created"), or a prefix ending in "*" ("org_sync.*").
    action: z.string().trim().min(1).max(100).optional(),
    cursor: z.number().int().positive().optional(),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .optional();
