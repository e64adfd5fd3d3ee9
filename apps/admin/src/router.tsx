// Typed routes (TanStack Router, code-based): the public pages (sign in, sign up with a key, join
// with an invitation code) and the signed-in layout whose guard loads auth.me; every page is its
// own chunk (lazyRouteComponent) and refuses roles that may not see it (nav.ts, the same table the
// navigation uses). The provider's chosen organisation is the `org` search parameter, kept on every
// link. Search params parse with @mai/domain's schemas, the ones the
// procedures they feed use; a malformed parameter is dropped, not a page error.
import { auditSearch, searchParam, usageSearch, uuid } from "@mai/domain/schemas";
import type { QueryClient } from "@tanstack/react-query";
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Link,
  Outlet,
  redirect,
  retainSearchParams,
  useRouter,
  type AnyValidator,
  type ErrorComponentProps,
} from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { Layout } from "./components/Layout";
import { errorMessage } from "./lib/errors";
import { canSee, type NavItem } from "./nav";
import { loadDisplay } from "./lib/display";
import { SessionContext, type Me } from "./session";
import { trpc } from "./trpc";

interface RouterContext {
  queryClient: QueryClient;
}

const orgParam = searchParam(uuid);

const rootRoute = createRootRouteWithContext<RouterContext>()({
  validateSearch: (search: Record<string, unknown>): { org?: string } => ({ org: orgParam.parse(search.org) }),
  search: { middlewares: [retainSearchParams(["org"])] },
  component: Outlet,
});

/** Where to go after signing in: a path of this app only (never another site). */
const redirectSearch = (search: Record<string, unknown>): { redirect?: string } =>
  typeof search.redirect === "string" && search.redirect.startsWith("/") && !search.redirect.startsWith("//") ? { redirect: search.redirect } : {};

const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/sign-in",
  validateSearch: redirectSearch,
  beforeLoad: async ({ context }) => {
    const me = await context.queryClient.fetchQuery({ ...trpc.auth.me.queryOptions(), staleTime: 0 }).catch(() => null);
    if (me) throw redirect({ to: "/" });
  },
  component: lazyRouteComponent(() => import("./pages/SignIn")),
});

// A session opened with a temporary password can only choose a new one: this page, outside the dashboard.
const choosePasswordRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/choose-password",
  validateSearch: redirectSearch,
  beforeLoad: async ({ context }): Promise<{ me: Me }> => {
    const me = await context.queryClient.fetchQuery({ ...trpc.auth.me.queryOptions(), staleTime: 0 }).catch(() => null);
    if (!me) throw redirect({ to: "/sign-in" });
    if (!me.mustChangePassword) throw redirect({ to: "/" });
    return { me };
  },
  component: lazyRouteComponent(() => import("./pages/ChoosePassword")),
});

/** A public page for people without an account yet (sign-up, join); a signed-in person goes to the overview. */
function publicPage<TPath extends "/sign-up" | "/join">(path: TPath, load: Parameters<typeof lazyRouteComponent>[0]) {
  return createRoute({
    getParentRoute: () => rootRoute,
    path,
    beforeLoad: async ({ context }) => {
      const me = await context.queryClient.fetchQuery({ ...trpc.auth.me.queryOptions(), staleTime: 0 }).catch(() => null);
      if (me) throw redirect({ to: "/" });
    },
    component: lazyRouteComponent(load),
  });
}
// "The key is the invitation": a client's administrator signs up with the OpenRouter key they were given.
const signUpRoute = publicPage("/sign-up", () => import("./pages/SignUp"));
// An invitation code from an administrator (members.add) makes a new account in their organisation.
const joinRoute = publicPage("/join", () => import("./pages/Join"));

const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "app",
  beforeLoad: async ({ context, location }): Promise<{ me: Me }> => {
    const me = await context.queryClient.ensureQueryData(trpc.auth.me.queryOptions());
    if (!me) throw redirect({ to: "/sign-in", search: { redirect: location.href } });
    if (me.mustChangePassword) throw redirect({ to: "/choose-password", search: { redirect: location.href } });
    // Every page's dates in the billing time zone (cached after the first navigation).
    await loadDisplay(context.queryClient, me);
    return { me };
  },
  component: function AppLayout() {
    const { me } = appRoute.useRouteContext();
    return (
      <SessionContext.Provider value={me}>
        <Layout />
      </SessionContext.Provider>
    );
  },
});

function page<TPath extends NavItem["to"], TSearch extends AnyValidator = undefined>(
  path: TPath,
  load: Parameters<typeof lazyRouteComponent>[0],
  validateSearch?: TSearch,
) {
  return createRoute({
    getParentRoute: () => appRoute,
    path,
    validateSearch,
    beforeLoad: ({ context }) => {
      if (!canSee(context.me.role, path)) throw redirect({ to: "/" });
    },
    component: lazyRouteComponent(load),
  });
}

const pages = [
  page("/", () => import("./pages/Overview")),
  page("/usage", () => import("./pages/usage/UsagePage"), usageSearch),
  page("/organizations", () => import("./pages/organizations/OrganizationsPage")),
  page("/members", () => import("./pages/Members")),
  page("/user-mapping", () => import("./pages/UserMapping")),
  page("/connections", () => import("./pages/Connections")),
  page("/tokens", () => import("./pages/Tokens")),
  page("/settings", () => import("./pages/Settings")),
  page("/audit", () => import("./pages/Audit"), auditSearch),
  page("/alerts", () => import("./pages/Alerts")),
] as const;

// Every signed-in person's own account (linked from the top bar, not the navigation).
const accountRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/account",
  component: lazyRouteComponent(() => import("./pages/Account")),
});

const routeTree = rootRoute.addChildren([signInRoute, signUpRoute, joinRoute, choosePasswordRoute, appRoute.addChildren([...pages, accountRoute])]);

/** A page that failed to load or render: what happened in the reader's language, a retry and a way home. */
function RouteError({ error, reset }: ErrorComponentProps) {
  const { t } = useTranslation();
  const router = useRouter();
  return (
    <section className="card" role="alert">
      <h1>{t("router.errorTitle")}</h1>
      <p>
        {t("router.errorBody")} {errorMessage(error)}
      </p>
      <p className="row">
        <button
          type="button"
          className="link-button"
          onClick={() => {
            reset();
            void router.invalidate();
          }}
        >
          {t("router.tryAgain")}
        </button>
        <Link to="/">{t("router.home")}</Link>
      </p>
    </section>
  );
}

/** An address with no page. */
function NotFound() {
  const { t } = useTranslation();
  return (
    <section className="card">
      <h1>{t("router.notFoundTitle")}</h1>
      <p>{t("router.notFoundBody")}</p>
      <p>
        <Link to="/">{t("router.home")}</Link>
      </p>
    </section>
  );
}

export function createAppRouter(queryClient: QueryClient) {
  return createRouter({
    routeTree,
    context: { queryClient },
    defaultErrorComponent: RouteError,
    defaultNotFoundComponent: NotFound,
    defaultPreload: "intent",
    defaultPendingMs: 150,
    scrollRestoration: true,
  });
}

export type AppRouterInstance = ReturnType<typeof createAppRouter>;

declare module "@tanstack/react-router" {
  interface Register {
    router: AppRouterInstance;
  }
}
