// Inputs of internal.* (the proxy's door).
import { z } from "zod";
import { nanoAmount } from "../input-schemas";
import { monthInput } from "./common";

export const resolveContextInput = z.union([
  z.object({ token: z.string().min(1).max(200) }),
  z.object({
    openWebUiUser: z.object({
      id: z.string().trim().min(1).max(200),
      email: z.string().trim().pipe(z.email()).optional(),
      name: z.string().max(300).optional(),
    }),
    /** Trusted-gateway auto-join: an unknown Open WebUI user becomes a member of this organisation. */
    autoJoinOrganizationId: z.uuid().optional(),
  }),
]);
/** A batch in the usage-event line format (usage-event.ts). */
export const recordUsageInput = z.object({ ndjson: z.string().max(64 * 1024 * 1024) });
export const reserveInput = z.object({ organizationId: z.uuid(), amountNano: nanoAmount, preferNano: nanoAmount.optional() });
export const settleInput = z.object({ organizationId: z.uuid(), period: monthInput, reservedNano: nanoAmount });
/** An organisation by id, for the proxy's work without a user (settling its request journal after a crash). */
export const resolveOrganizationInput = z.object({ organizationId: z.uuid() });

export type ResolveContextInput = z.output<typeof resolveContextInput>;
export type RecordUsageInput = z.output<typeof recordUsageInput>;
export type ReserveInput = z.output<typeof reserveInput>;
export type SettleInput = z.output<typeof settleInput>;
export type ResolveOrganizationInput = z.output<typeof resolveOrganizationInput>;
