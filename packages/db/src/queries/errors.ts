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
