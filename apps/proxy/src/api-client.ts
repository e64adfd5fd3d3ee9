// The proxy's only way to data: the API's internal.* procedures over tRPC, typed by the API's
// router type (a type-only import: no API code runs here).
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import type { AppRouter } from "@mai/api";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";
import superjson from "superjson";

export type ApiClient = ReturnType<typeof createApiClient>;

export function createApiClient(options: { apiUrl: string; internalToken: string; timeoutMs?: number }) {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${options.apiUrl.replace(/\/+$/, "")}/trpc`,
        transformer: superjson,
        maxItems: 50,
        headers: () => ({ "x-mai-internal-token": options.internalToken }),
        // `url` is typed with the DOM lib's RequestInfo, which a Node program does not load.
        fetch: (url: string | URL | Request, init) => fetch(url, { ...(init as RequestInit), signal: AbortSignal.timeout(timeoutMs) }),
      }),
    ],
  });
}

/** What internal.resolveContext answers: everything needed to forward one user's requests. */
export type ResolvedContext = Awaited<ReturnType<ApiClient["internal"]["resolveContext"]["mutate"]>>;

/**
 * The tRPC code of a refusal the API itself answered (its domain codes mapped once, in
 * apps/api/src/trpc/init.ts), or undefined for anything else — a network error, a timeout, a page
 * from a proxy in between that is not tRPC's answer. What each code means: errors.ts API_CODES.
 */
export function apiErrorCode(error: unknown): TRPC_ERROR_CODE_KEY | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const code = (error.data as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? (code as TRPC_ERROR_CODE_KEY) : undefined;
}
