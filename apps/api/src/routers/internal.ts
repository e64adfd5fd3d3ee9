// The proxy's door: identity resolution, usage recording and limit admission. Everything here
// requires the internal token (constant-time check in internalProcedure); each procedure validates
// its input and calls one service (services/internal/). Every one is a mutation (POST): their
// inputs carry users' tokens and usage, which must never travel in a URL.
import { recordRefusals } from "../services/internal/record-refusals";
import { recordUsage } from "../services/internal/record-usage";
import { renewLeases, reserve, settle } from "../services/internal/reserve";
import { resolveContext } from "../services/internal/resolve-context";
import { resolveOrganization } from "../services/internal/resolve-organization";
import { router } from "../trpc/init";
import { internalProcedure } from "../trpc/procedures";
import { recordRefusalsInput, recordUsageInput, renewLeasesInput, reserveInput, resolveContextInput, resolveOrganizationInput, settleInput } from "@mai/domain/schemas";

export const internalRouter = router({
  /**
   * Everything the proxy needs to forward one user's request (the organisation's key in plaintext).
   * A mutation although it reads: it carries a user's token, and a tRPC query would put its input
   * in the URL (request lines, access logs). tRPC refuses a GET of a mutation (405).
   */
  resolveContext: internalProcedure
    .input(resolveContextInput)
    .mutation(({ ctx, input }) => resolveContext(ctx, input)),

  /**
   * An organisation's key by its id, for work without a user's credentials: the proxy settles the
   * generations its request journal left open after a crash from GET /generation with it.
   */
  resolveOrganization: internalProcedure
    .input(resolveOrganizationInput)
    .mutation(({ ctx, input }) => resolveOrganization(ctx, input)),

  /** Idempotent by generation id; one invalid event refuses the whole batch with BAD_REQUEST. */
  recordUsage: internalProcedure
    .input(recordUsageInput)
    .mutation(({ ctx, input }) => recordUsage(ctx, input)),

  /** Requests the proxy refused before forwarding (limit, deactivated); idempotent by the proxy's id for each. */
  recordRefusals: internalProcedure
    .input(recordRefusalsInput)
    .mutation(({ ctx, input }) => recordRefusals(ctx, input)),

  /** Reserve at least `amountNano` and up to `preferNano` into the caller's lease (row-locked; expired leases return first). */
  reserve: internalProcedure.input(reserveInput).mutation(({ ctx, input }) => reserve(ctx, input)),

  /** Push back the expiry of the caller's leases; says which are gone. */
  renewLeases: internalProcedure.input(renewLeasesInput).mutation(({ ctx, input }) => renewLeases(ctx, input)),

  /** Give a lease back: close it with the total its requests consumed (idempotent). */
  settle: internalProcedure.input(settleInput).mutation(({ ctx, input }) => settle(ctx, input)),
});
