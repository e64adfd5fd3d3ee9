// The tRPC + TanStack Query singletons (conventions.md): one QueryClient, one tRPC client talking to
// the API on the same origin (the session cookie rides along), and the options proxy every page
// uses — `useQuery(trpc.usage.summary.queryOptions(input))`. Types come from the API's router type
// alone; nothing is generated.
import type { AppRouter } from "@mai/api";
import { QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import superjson from "superjson";

/** A client error (bad input, not allowed, not found…) will not change on retry; a network blip may. */
function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof TRPCClientError) {
    const status = (error.data as { httpStatus?: number } | undefined)?.httpStatus;
    if (status !== undefined && status < 500) return false;
  }
  return failureCount < 2;
}

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: { staleTime: 10_000, retry: shouldRetry, refetchOnWindowFocus: true },
    mutations: { retry: false },
  },
});

export const trpcClient = createTRPCClient<AppRouter>({
  links: [
    httpBatchLink({
      // Resolved against the page's origin when called, so the built SPA works under any host.
      url: "/trpc",
      transformer: superjson,
      fetch: (input, init) => fetch(input, { ...init, credentials: "same-origin" }),
    }),
  ],
});

export const trpc = createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient });
