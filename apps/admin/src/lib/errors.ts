// Server errors in plain words. The API's messages are written for people (domain errors, refused
// inputs as one sentence, a 5xx as a sentence with its request id); this adds the HTTP meaning
// where the message is not the point.
import { TRPCClientError } from "@trpc/client";

export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const data = error.data as { code?: string; httpStatus?: number } | undefined;
    if (data?.code === "UNAUTHORIZED") return "Your session has ended. Please sign in again.";
    if (!data && /fetch|network/i.test(error.message)) return "The server cannot be reached. Check your connection and try again.";
    return error.message;
  }
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}

export const isUnauthorized = (error: unknown) =>
  error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === "UNAUTHORIZED";
