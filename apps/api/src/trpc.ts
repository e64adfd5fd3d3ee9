// tRPC setup: one error pipeline and the stacked procedure builders that carry authorization.
//   publicProcedure → authedProcedure → orgProcedure (membership on input.organizationId,
//   injects ctx.org) / providerProcedure; internalProcedure for the proxy.
import { initTRPC, TRPCError } from "@trpc/server";
import { isDomainError, type DomainErrorCode } from "@mai/domain";
import { getOrganization, SecretBoxError, type Organization } from "@mai/db";
import superjson from "superjson";
import { z } from "zod";
import type { Context } from "./context";
import { scopeOrganization } from "./services/scope";

// superjson carries bigint (money in nano-USD) and Date across the wire unchanged.
const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    // Stacks never leave the server; input problems are listed field by field for forms.
    const { stack: _stack, ...data } = shape.data;
    const zodIssues =
      error.code === "BAD_REQUEST" && error.cause instanceof z.ZodError
        ? error.cause.issues.map((i) => ({ path: i.path.map(String), message: i.message }))
        : undefined;
    return { ...shape, data: zodIssues ? { ...data, zodIssues } : data };
  },
});

// Domain errors map once to tRPC codes. Limit spent is TOO_MANY_REQUESTS here; the proxy maps the
// same code to 402 (the client must not retry).
const CODE_MAP: Record<DomainErrorCode, TRPCError["code"]> = {
  INVALID_INPUT: "BAD_REQUEST",
  UNAUTHENTICATED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  LIMIT_EXCEEDED: "TOO_MANY_REQUESTS",
  UPSTREAM_UNAVAILABLE: "BAD_GATEWAY",
};

export function toTRPCError(error: unknown): TRPCError {
  const cause = error instanceof TRPCError && error.code === "INTERNAL_SERVER_ERROR" && error.cause ? error.cause : error;
  if (cause instanceof TRPCError) return cause;
  if (isDomainError(cause)) return new TRPCError({ code: CODE_MAP[cause.code], message: cause.message, cause });
  return new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Internal server error.", cause });
}

const errorPipeline = t.middleware(async ({ ctx, next, path, type }) => {
  const result = await next();
  if (result.ok) return result;
  const mapped = toTRPCError(result.error);
  if (mapped.code === "INTERNAL_SERVER_ERROR") {
    // The cause is logged by type and code only: driver errors embed query parameters.
    const cause = mapped.cause as { name?: string; code?: unknown; message?: string } | undefined;
    ctx.log.error(
      { path, type, err: { name: cause?.name, code: cause?.code, message: cause instanceof SecretBoxError ? cause.message : undefined } },
      "procedure failed",
    );
  }
  throw mapped;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

export const publicProcedure = t.procedure.use(errorPipeline);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

export const providerProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "provider_admin") {
    throw new TRPCError({ code: "FORBIDDEN", message: "Only the provider's administrators can do this." });
  }
  return next();
});

/**
 * An organisation-scoped procedure for administrators: the provider may name any organisation;
 * a client administrator only their own (and may omit the id). Members are refused. The
 * organisation is loaded once and injected as ctx.org.
 */
export const orgProcedure = authedProcedure
  .input(z.object({ organizationId: z.uuid().optional() }))
  .use(async ({ ctx, input, next }) => {
    const organizationId = scopeOrganization(ctx.user, input.organizationId, { noun: "organisation", providerMustChoose: true })!;
    const org: Organization | undefined = await getOrganization(ctx.deps.db, organizationId);
    if (!org) throw new TRPCError({ code: "NOT_FOUND", message: "Organisation not found." });
    return next({ ctx: { ...ctx, org } });
  });

export const internalProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.internal) throw new TRPCError({ code: "UNAUTHORIZED", message: "Internal procedures need the internal token." });
  return next();
});
