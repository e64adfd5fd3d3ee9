// tRPC setup and the ONE error pipeline: every procedure starts from `procedure` below, so every
// failure — a DomainError from a service, an unreachable database, a value PostgreSQL refused, a
// bug — is turned into the error a client sees here, and only here. The authorization builders
// that stack on it live in ./procedures.ts.
import { initTRPC, TRPCError } from "@trpc/server";
import { domainError, findUnstorableText, isDomainError, type DomainErrorCode } from "@mai/domain";
import { dataProblem, isDatabaseUnavailable, isUniqueViolation, SecretBoxError } from "@mai/db";
import superjson from "superjson";
import { z } from "zod";
import type { Context } from "../context";

/**
 * A server-side failure as the client sees it: a generic sentence and the request id that is also
 * in the log line — never the cause's message (driver errors embed SQL and query parameters).
 */
export function serverErrorMessage(code: string, requestId: string | undefined): string {
  const sentence =
    code === "SERVICE_UNAVAILABLE" ? "The service is briefly unavailable; try again shortly." : "Internal server error.";
  return requestId ? `${sentence} Request id: ${requestId}.` : sentence;
}

/** A 5xx raised before a context exists (building it failed): carries its request id itself. */
export class ServerFault extends TRPCError {
  readonly requestId: string;
  constructor(code: "SERVICE_UNAVAILABLE" | "INTERNAL_SERVER_ERROR", requestId: string, cause: unknown) {
    super({ code, message: serverErrorMessage(code, requestId), cause });
    this.requestId = requestId;
  }
}

// superjson carries bigint (money in nano-USD) and Date across the wire unchanged.
const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error, ctx }) {
    // Stacks never leave the server; input problems are listed field by field for forms.
    const { stack: _stack, ...data } = shape.data;
    if (shape.data.httpStatus >= 500) {
      // Whatever produced it (a procedure, tRPC itself, building the context), a 5xx says only this.
      const requestId = ctx?.requestId ?? (error instanceof ServerFault ? error.requestId : undefined);
      return { ...shape, message: serverErrorMessage(error.code, requestId), data };
    }
    const zodIssues =
      error.code === "BAD_REQUEST" && error.cause instanceof z.ZodError
        ? error.cause.issues.map((i) => ({ path: i.path.map(String), message: i.message }))
        : undefined;
    // A throttled sign-in says how long to wait, in words and in seconds (for clients that count down).
    const cause: unknown = error.cause;
    const retryAfter = isDomainError(cause) && cause.code === "THROTTLED" ? cause.details?.retryAfterSeconds : undefined;
    const retryAfterSeconds = typeof retryAfter === "number" ? retryAfter : undefined;
    // A message of the catalog (@mai/domain SERVER_MESSAGES) says which it is, for a client that
    // words it in its reader's language; its parameters are strings and numbers, never a secret.
    const keyed = isDomainError(cause) && cause.messageKey ? { messageKey: cause.messageKey, messageParams: cause.messageParams ?? {} } : {};
    return {
      ...shape,
      data: {
        ...data,
        ...(zodIssues ? { zodIssues } : {}),
        ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
        ...keyed,
      },
    };
  },
});

/**
 * Domain errors map once to tRPC codes: the one table. Limit spent is TOO_MANY_REQUESTS here; the
 * proxy turns what it reads from the API into OpenAI-shaped errors from one table of its own
 * (apps/proxy/src/errors.ts), where a spent limit is 402 (the client must not retry).
 */
const TRPC_CODE_OF: Record<DomainErrorCode, TRPCError["code"]> = {
  INVALID_INPUT: "BAD_REQUEST",
  UNAUTHENTICATED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  LIMIT_EXCEEDED: "TOO_MANY_REQUESTS",
  THROTTLED: "TOO_MANY_REQUESTS",
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
  UPSTREAM_UNAVAILABLE: "BAD_GATEWAY",
};

/**
 * Any error → the one the client gets. Beyond domain errors: an unreachable database is 503 (retry
 * later); a value the database refused as data is the client's mistake (400 in words — validation
 * should have caught it, this is the net under it); anything else is a generic 500.
 */
export function toTRPCError(error: unknown, requestId?: string): TRPCError {
  const cause = error instanceof TRPCError && error.code === "INTERNAL_SERVER_ERROR" && error.cause ? error.cause : error;
  if (cause instanceof TRPCError) return cause;
  if (isDomainError(cause)) return new TRPCError({ code: TRPC_CODE_OF[cause.code], message: cause.message, cause });
  if (isDatabaseUnavailable(cause)) {
    return new TRPCError({ code: "SERVICE_UNAVAILABLE", message: serverErrorMessage("SERVICE_UNAVAILABLE", requestId), cause });
  }
  const problem = dataProblem(cause);
  if (problem) return new TRPCError({ code: "BAD_REQUEST", message: problem, cause });
  if (isUniqueViolation(cause)) {
    // The database's error stays the logged cause's cause; the client reads the catalog's sentence.
    const exists = domainError("CONFLICT", "common.exists", {}, { cause });
    return new TRPCError({ code: "CONFLICT", message: exists.message, cause: exists });
  }
  return new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: serverErrorMessage("INTERNAL_SERVER_ERROR", requestId), cause });
}

/** Zod issues as one sentence: "name: Too small: expected string to have >=1 characters; …". */
function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const parts = issues.slice(0, 3).map((i) => `${i.path.length > 0 ? i.path.map(String).join(".") : "input"}: ${i.message}`);
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : "";
  return `Invalid input — ${parts.join("; ")}${more}.`;
}

/** Logs a failure by type and code only: driver errors embed query parameters (a token hash…). */
export function logFailure(log: Context["log"], error: TRPCError, fields: Record<string, unknown>): void {
  const cause = error.cause as { name?: string; code?: unknown; message?: string } | undefined;
  log.error(
    { ...fields, status: error.code, err: { name: cause?.name, code: cause?.code, message: cause instanceof SecretBoxError ? cause.message : undefined } },
    "request failed",
  );
}

const errorPipeline = t.middleware(async ({ ctx, next, path, type }) => {
  const result = await next();
  if (result.ok) return result;
  const mapped = toTRPCError(result.error, ctx.requestId);
  if (mapped.code === "INTERNAL_SERVER_ERROR" || mapped.code === "SERVICE_UNAVAILABLE") logFailure(ctx.log, mapped, { path, type });
  // tRPC words a refused input as zod's JSON dump of issues; people read a sentence.
  if (mapped.code === "BAD_REQUEST" && mapped.cause instanceof z.ZodError) {
    throw new TRPCError({ code: "BAD_REQUEST", message: describeIssues(mapped.cause.issues), cause: mapped.cause });
  }
  throw mapped;
});

/**
 * Every string of every input, at any depth (keys too), must be storable: PostgreSQL refuses NUL
 * and drivers mangle lone surrogates. Checked once here, before any procedure's own schema, so a
 * new procedure is covered without remembering to.
 */
const storableInput = t.middleware(async ({ getRawInput, next }) => {
  const found = findUnstorableText(await getRawInput());
  if (found) throw new TRPCError({ code: "BAD_REQUEST", message: `${found.path}: text ${found.reason}.` });
  return next();
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/** Where every procedure starts: the error pipeline, then the storable-input check. */
export const procedure = t.procedure.use(errorPipeline).use(storableInput);
