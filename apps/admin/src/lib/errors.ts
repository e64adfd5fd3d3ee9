// Server errors in plain words. The API's messages are written for people (domain errors, zod
// issues); this picks the readable part and falls back on the HTTP meaning.
import { TRPCClientError } from "@trpc/client";

interface ZodIssueLike {
  message?: string;
  path?: (string | number)[];
}

export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const data = error.data as { code?: string; httpStatus?: number } | undefined;
    // Input validation: tRPC sends zod's issues as a JSON array in the message.
    if (data?.code === "BAD_REQUEST" && error.message.startsWith("[")) {
      try {
        const issues = JSON.parse(error.message) as ZodIssueLike[];
        return issues.map((i) => (i.path?.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
      } catch {
        /* not JSON after all */
      }
    }
    if (data?.code === "UNAUTHORIZED") return "Your session has ended. Please sign in again.";
    if (!data && /fetch|network/i.test(error.message)) return "The server cannot be reached. Check your connection and try again.";
    return error.message;
  }
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}

export const isUnauthorized = (error: unknown) =>
  error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === "UNAUTHORIZED";
