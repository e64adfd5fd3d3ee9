// Inputs of internal.* (the proxy's door).
import { z } from "zod";
import { nanoAmount } from "../input-schemas";

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
/** Why the proxy refused a request before forwarding it: the monthly limit (402), a deactivated organisation (403). */
export const REFUSAL_REASONS = ["monthly_limit", "organization_inactive"] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];
/** The most refusals one internal.recordRefusals call carries. */
export const MAX_REFUSAL_BATCH = 5_000;
/** Requests the proxy refused, each with the id the proxy gave it (a batch sent twice counts once). */
export const recordRefusalsInput = z.object({
  refusals: z
    .array(
      z.object({
        id: z.uuid(),
        organizationId: z.uuid(),
        userId: z.uuid(),
        reason: z.enum(REFUSAL_REASONS),
        occurredAt: z.date(),
      }),
    )
    .min(1)
    .max(MAX_REFUSAL_BATCH),
});
/** A proxy process's lease owner id (random per process): only it may renew or close its leases. */
const leaseOwner = z.string().trim().min(8).max(100);
/**
 * Reserve at least `amountNano` and up to `preferNano` into the caller's lease `leaseId` (a new
 * lease when absent, expired, closed or of another period), owned by `owner`.
 */
export const reserveInput = z.object({
  organizationId: z.uuid(),
  amountNano: nanoAmount,
  preferNano: nanoAmount.optional(),
  owner: leaseOwner,
  leaseId: z.uuid().optional(),
  /**
   * The worst case of the request that needs the reservation (`amountNano` may be less: what the
   * lease lacks for it). A refusal remembers it: the limit level says "exceeded" once a request of
   * that size could not fit even with nothing in flight.
   */
  requestNano: nanoAmount.optional(),
});
/**
 * Give a lease back: `consumedNano` is the total its requests consumed (an absolute figure, so a
 * retried give-back cannot return anything twice); what their events have not recorded yet stays held.
 */
export const settleInput = z.object({ owner: leaseOwner, leaseId: z.uuid(), consumedNano: nanoAmount });
/** Push back the expiry of the caller's leases. */
export const renewLeasesInput = z.object({ owner: leaseOwner, leaseIds: z.array(z.uuid()).max(10_000) });
/** An organisation by id, for the proxy's work without a user (settling its request journal after a crash). */
export const resolveOrganizationInput = z.object({ organizationId: z.uuid() });

export type ResolveContextInput = z.output<typeof resolveContextInput>;
export type RecordUsageInput = z.output<typeof recordUsageInput>;
export type RecordRefusalsInput = z.output<typeof recordRefusalsInput>;
export type ReserveInput = z.output<typeof reserveInput>;
export type SettleInput = z.output<typeof settleInput>;
export type ResolveOrganizationInput = z.output<typeof resolveOrganizationInput>;
export type RenewLeasesInput = z.output<typeof renewLeasesInput>;
