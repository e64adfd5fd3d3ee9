// The whole app: Query client, router, toasts. A session that ends while a page is open (an
// UNAUTHORIZED answer) sends the user to sign in, back to where they were afterwards.
import { QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { I18nextProvider } from "react-i18next";
import { ToastProvider } from "./components/Toast";
import { i18n } from "./i18n";
import { isUnauthorized } from "./lib/errors";
import { createAppRouter } from "./router";
import { queryClient, trpc } from "./trpc";

export function App() {
  const [router] = useState(() => createAppRouter(queryClient));
  useEffect(
    () =>
      queryClient.getQueryCache().subscribe((event) => {
        if (event.type === "updated" && event.action.type === "error" && isUnauthorized(event.action.error)) {
          queryClient.setQueryData(trpc.auth.me.queryKey(), null);
          if (router.state.location.pathname !== "/sign-in") {
            void router.navigate({ to: "/sign-in", search: { redirect: router.state.location.href } });
          }
        }
      }),
    [router],
  );
  return (
    <I18nextProvider i18n={i18n}>
      <QueryClientProvider client={queryClient}>
        <ToastProvider>
          <RouterProvider router={router} />
        </ToastProvider>
      </QueryClientProvider>
    </I18nextProvider>
  );
}
