// How a failed internal.recordUsage call reads to the usage recorder (recorder.ts has the three
// kinds and what each one leads to), from the `usage` column of errors.ts API_CODES — the one table
// of what the API's codes mean to the proxy. Only a tRPC answer from the API itself is trusted:
//   BAD_REQUEST            the batch is invalid; sending it again can never succeed → rejected;
//   INTERNAL_SERVER_ERROR  (HTTP 500) the API ran and failed, maybe on one event → server error;
//   anything else          network errors, timeouts, 503 SERVICE_UNAVAILABLE (the API's database
//                          is unreachable), 502/504 from a proxy in between, an answer that is not
//                          tRPC's, UNAUTHORIZED (a configuration error): the API is away, or cannot
//                          take anything right now → spooled and retried, never dead-lettered.
import { apiMeaning } from "../errors";
import { UsageRejectedError, UsageServerError } from "./recorder";

export function usageSinkError(error: unknown): unknown {
  switch (apiMeaning(error)?.usage) {
    case "rejected":
      return new UsageRejectedError((error as Error).message);
    case "server_error":
      return new UsageServerError((error as Error).message);
    case undefined:
      return error;
  }
}
