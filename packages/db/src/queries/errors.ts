// Driver errors arrive wrapped (drizzle's DrizzleQueryError, whose message embeds the query's
// parameters — never log it raw). These helpers look through the cause chain for PostgreSQL's
// SQLSTATE, which both PGlite and postgres.js expose as `code`.
function sqlState(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const isUniqueViolation = (error: unknown) => sqlState(error) === "23505";
export const isSerializationFailure = (error: unknown) => ["40001", "40P01"].includes(sqlState(error) ?? "");

/** Runs `fn` again when a concurrent writer won a race (unique violation, serialization failure, deadlock). */
export async function retryOnRace<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= attempts || !(isUniqueViolation(error) || isSerializationFailure(error))) throw error;
    }
  }
}

export const isForeignKeyViolation = (error: unknown) => sqlState(error) === "23503";

// Network errors of both drivers (postgres.js names its own; Node's errno for the rest).
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

/**
 * The database cannot be reached or is going away (connection refused or lost, server shutting
 * down or starting, too many connections, an embedded database already closed): the same request
 * may succeed later, so the API answers 503, never 400 or a 500 that a client would give up on.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && UNREACHABLE_CODES.has(code)) return true;
    // PGlite signals a closed instance by message only.
    if (current instanceof Error && current.message === "PGlite is closed") return true;
    current = (current as { cause?: unknown }).cause;
  }
  const state = sqlState(error);
  return state !== undefined && (state.startsWith("08") || ["57P01", "57P02", "57P03", "53300"].includes(state));
}

/**
 * Why PostgreSQL refused a value as data — a value out of range, a character it cannot store, a
 * reference to a row that does not exist, a check that failed, input too complex — in words for
 * the client (400); undefined for every other error. Validation is meant to catch all of these
 * first; this is the net under it, so a gap in validation is a 400, never a 500.
 */
export function dataProblem(error: unknown): string | undefined {
  const state = sqlState(error);
  if (!state) return undefined;
  if (state === "22003") return "A number is out of the range that can be stored.";
  if (state === "22021" || state === "22P05") return "Text contains a character that cannot be stored (such as NUL).";
  if (state === "22001") return "A text value is too long.";
  if (state === "22007" || state === "22008") return "A date or time is out of the range that can be stored.";
  if (state.startsWith("22")) return "A value cannot be stored as given.";
  if (state === "23503") return "The request refers to something that does not exist.";
  if (state === "23514" || state === "23502") return "A value breaks a rule of the stored data.";
  if (state === "54001") return "The input is nested too deeply.";
  return undefined;
}
