// What the provider pays — raw cost, and the margin and markup that give it away (billed ÷ markup =
// raw) — is the provider's, unless the provider's global setting `clientsSeeProviderCost` says
// clients may see it (default off: client administrators and members see billed amounts only).
//
// Decided once per call, here, and enforced by output schemas rather than by hiding columns: a
// procedure that may answer a client declares two schemas — the provider's (`full`) and the
// billed-only one, which has no cost field at all — and outputs their union. `providerCost(views)`
// decides who is looking (the provider always sees everything; a client role only with the
// setting on), injects the decision as `ctx.providerCost` (the CSV statement leaves its columns out
// by it), and for a caller who may not see the cost parses the procedure's answer with the
// billed-only schema, which drops every key it does not name: the JSON on the wire has no such
// key, not a null. Used after `.output(views.output)`, so the stripped answer is what the output
// schema validates.
import { getGlobalSettings } from "@mai/db";
import { z } from "zod";
import type { Context } from "../context";
import { middleware } from "./init";

/** Whether the caller sees raw cost, margin and markup: the provider always, clients by the setting. */
export async function seesProviderCost(ctx: Pick<Context, "user" | "deps">): Promise<boolean> {
  if (ctx.user?.role === "provider_admin") return true;
  // The primary, not the replica: a change of the setting applies to the very next request.
  return (await getGlobalSettings(ctx.deps.db)).clientsSeeProviderCost;
}

export interface CostViews<Full extends z.ZodType, Billed extends z.ZodType> {
  full: Full;
  billed: Billed;
  /** The procedure's `.output()`: either view; which one a caller gets is `providerCost`'s decision. */
  output: z.ZodUnion<[Full, Billed]>;
}

/** The provider's view of an answer and the billed-only view of the same answer (no cost fields). */
export function costViews<Full extends z.ZodType, Billed extends z.ZodType>(full: Full, billed: Billed): CostViews<Full, Billed> {
  return { full, billed, output: z.union([full, billed]) };
}

/** Injects `ctx.providerCost` and, when it is false, answers with the billed-only view. */
export function providerCost<Full extends z.ZodType, Billed extends z.ZodType>(views: CostViews<Full, Billed>) {
  return middleware(async ({ ctx, next }) => {
    const shown = await seesProviderCost(ctx);
    const result = await next({ ctx: { providerCost: shown } });
    if (!result.ok || shown) return result;
    return { ...result, data: views.billed.parse(result.data) };
  });
}

/** Only the decision, for an answer whose shape does not change (the CSV statement's text). */
export const providerCostDecision = middleware(async ({ ctx, next }) =>
  next({ ctx: { providerCost: await seesProviderCost(ctx) } }),
);
