// The proxy's only way to data: the API's internal.* procedures over tRPC, typed by the API's
// router type (a type-only import: no API code runs here).
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import type { AppRouter } from "@mai/api";
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
export type ResolvedContext = Awaited<ReturnType<ApiClient["internal"]["resolveContext"]["query"]>>;
