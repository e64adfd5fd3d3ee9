// The proxy's door: identity resolution, usage recording and limit admission. Everything here
// requires the internal token (constant-time check in internalProcedure); each procedure validates
// its input and calls one service (services/internal/).
import { nanoAmount } from "@mai/domain";
import { z } from "zod";
import { recordUsage } from "../services/internal/record-usage";
import { reserve, settle } from "../services/internal/reserve";
import { resolveContext } from "../services/internal/resolve-context";
import { router } from "../trpc/init";
import { internalProcedure } from "../trpc/procedures";

const nano = nanoAmount;
const period = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "Use a month written YYYY-MM.");

export const internalRouter = router({
  /** Everything the proxy needs to forward one user's request (the organisation's key in plaintext). */
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
    .query(({ ctx, input }) => resolveContext(ctx, input)),

  /** Idempotent by generation id; one invalid event refuses the whole batch with BAD_REQUEST. */
  recordUsage: internalProcedure
    .input(z.object({ ndjson: z.string().max(64 * 1024 * 1024) }))
    .mutation(({ ctx, input }) => recordUsage(ctx, input)),

  /** Reserve at least `amountNano` and up to `preferNano` against the current period (row-locked). */
  reserve: internalProcedure
    .input(z.object({ organizationId: z.uuid(), amountNano: nano, preferNano: nano.optional() }))
    .mutation(({ ctx, input }) => reserve(ctx, input)),

  /** Give back the unused part of a reservation or lease. */
  settle: internalProcedure
    .input(z.object({ organizationId: z.uuid(), period, reservedNano: nano }))
    .mutation(({ ctx, input }) => settle(ctx, input)),
});
