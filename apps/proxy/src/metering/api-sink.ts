// How a failed internal.recordUsage call reads to the usage recorder (recorder.ts has the three
// kinds and what each one leads to). Only a tRPC answer from the API itself is trusted to say which:
//   BAD_REQUEST            the batch is invalid; sending it again can never succeed → rejected;
//   INTERNAL_SERVER_ERROR  (HTTP 500) the API ran and failed, maybe on one event → server error;
//   anything else          network errors, timeouts, 503 SERVICE_UNAVAILABLE (the API's database
//                          is unreachable), 502/504 from a proxy in between, an answer that is not
//                          tRPC's, UNAUTHORIZED (a configuration error): the API is away, or cannot
//                          take anything right now → spooled and retried, never dead-lettered.
import { TRPCClientError } from "@trpc/client";
import { UsageRejectedError, UsageServerError } from "./recorder";

export function usageSinkError(error: unknown): unknown {
  if (!(error instanceof TRPCClientError)) return error;
  const code = (error.data as { code?: unknown } | undefined)?.code;
  if (code === "BAD_REQUEST") return new UsageRejectedError(error.message);
  if (code === "INTERNAL_SERVER_ERROR") return new UsageServerError(error.message);
  return error;
}
