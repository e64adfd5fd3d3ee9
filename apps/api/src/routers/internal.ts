// The proxy's door: identity resolution, usage recording and limit admission. Everything here
// requires the internal token (constant-time check in internalProcedure).
import { TRPCError } from "@trpc/server";
import {
  findOrCreateOpenWebUiUser,
  findTokenUser,
  getGlobalSettings,
  getOrganization,
  getOrganizationKey,
  getPeriodCounter,
  recordUsageEvents,
  releaseReservation,
  reserveSpend,
  type AuthUser,
} from "@mai/db";
import { billingPeriod, nanoAmount, parseUsageEvents, periodKeyOf } from "@mai/domain";
import { z } from "zod";
import { sha256 } from "../services/auth/tokens";
import { internalProcedure, router } from "../trpc";

const nano = nanoAmount;
const period = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "Use a month written YYYY-MM.");

export const internalRouter = router({
  /** Everything the proxy needs to forward one user's request. */
  resolveContext: internalProcedure
    .input(
      z.union([
        z.object({ token: z.string().min(1).max(200) }),
        z.object({
          openWebUiUser: z.object({ id: z.string().trim().min(1).max(200), email: z.string().trim().pipe(z.email()).optional(), name: z.string().max(300).optional() }),
          /** Trusted-gateway auto-join: an unknown Open WebUI user becomes a member of this organisation. */
          autoJoinOrganizationId: z.uuid().optional(),
        }),
      ]),
    )
    .query(async ({ ctx, input }) => {
      const { db, secrets } = ctx.deps;
      let user: AuthUser | undefined;
      if ("token" in input) {
        user = await findTokenUser(db, sha256(input.token), ctx.deps.now());
      } else {
        // Trusted-gateway mode: the proxy checked its gateway token (and the JWT when configured).
        const resolution = await findOrCreateOpenWebUiUser(db, input.openWebUiUser, input.autoJoinOrganizationId);
        if (resolution.status === "organization_unavailable") {
          ctx.log.warn({ organizationId: input.autoJoinOrganizationId }, "auto-join refused: the organisation is missing or deactivated");
          throw new TRPCError({ code: "PRECONDITION_FAILED", message: "The auto-join organisation does not exist or is deactivated." });
        }
        if (resolution.status === "auto_joined") {
          ctx.log.info({ userId: resolution.user.id, organizationId: resolution.user.organizationId }, "open webui user auto-joined");
        }
        user = "user" in resolution ? resolution.user : undefined;
      }
      if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Unknown or revoked credentials." });
      if (!user.organizationId || !user.externalUserId) {
        throw new TRPCError({ code: "FORBIDDEN", message: "This user is not mapped to an organisation yet." });
      }
      const organization = await getOrganization(db, user.organizationId);
      if (!organization) throw new TRPCError({ code: "NOT_FOUND", message: "Organisation not found." });
      const settings = await getGlobalSettings(db);
      const period = periodKeyOf(ctx.deps.now(), settings.billingTimeZone);
      const counter = await getPeriodCounter(db, organization.id, period);
      return {
        user: { id: user.id, email: user.email, name: user.name, role: user.role },
        externalUserId: user.externalUserId,
        organization: {
          id: organization.id,
          name: organization.name,
          active: organization.active,
          markupBp: organization.markupBp,
          monthlyLimitNano: organization.monthlyLimitNano,
          allowedModels: organization.allowedModels,
        },
        openrouterKey: await getOrganizationKey(db, secrets, organization.id),
        billing: { timeZone: settings.billingTimeZone, period, spentNano: counter.spentNano, reservedNano: counter.reservedNano },
      };
    }),

  /**
   * Idempotent: events are keyed by generation id, so a replayed batch changes nothing. The batch
   * travels in the usage-event line format (@mai/domain usage-event.ts, also the proxy's spool
   * format); one invalid event refuses the whole batch with BAD_REQUEST.
   */
  recordUsage: internalProcedure
    .input(z.object({ ndjson: z.string().max(64 * 1024 * 1024) }))
    .mutation(({ ctx, input }) => recordUsageEvents(ctx.deps.db, parseUsageEvents(input.ndjson))),

  /**
   * Reserve budget against the current period with one row-locked update: at least `amountNano`
   * (the request's worst case, or what the proxy's lease lacks for it) and up to `preferNano` (a
   * lease; @mai/domain lease.ts decides the grant). The period's end tells the proxy when a lease
   * stops being usable.
   */
  reserve: internalProcedure
    .input(z.object({ organizationId: z.uuid(), amountNano: nano, preferNano: nano.optional() }))
    .mutation(async ({ ctx, input }) => {
      const { billingTimeZone } = await getGlobalSettings(ctx.deps.db);
      const period = billingPeriod(ctx.deps.now(), billingTimeZone);
      const outcome = await reserveSpend(ctx.deps.db, { ...input, period: period.key });
      return { ...outcome, period: period.key, periodEndsAt: period.end };
    }),

  /** Give back the unused part of a reservation or lease (idle, expired, shutdown, a request that failed). */
  settle: internalProcedure
    .input(z.object({ organizationId: z.uuid(), period, reservedNano: nano }))
    .mutation(async ({ ctx, input }) => {
      await releaseReservation(ctx.deps.db, { organizationId: input.organizationId, period: input.period, amountNano: input.reservedNano });
      return { ok: true as const };
    }),
});
