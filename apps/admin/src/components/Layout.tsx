// The signed-in frame: navigation for the user's role, the provider's organisation switcher, who is
// signed in, and the page.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, Outlet, useNavigate } from "@tanstack/react-router";
import { Suspense } from "react";
import { navItemsFor, ROLE_LABEL } from "../nav";
import { useMe, useOrgScope } from "../session";
import { trpc } from "../trpc";
import { Skeleton } from "./Feedback";

function OrgSwitcher() {
  const scope = useOrgScope();
  if (scope.isLoading) return <span className="org-switcher muted">Loading organisations…</span>;
  if (scope.organizations.length === 0)
    return <span className="org-switcher muted">No organisations yet</span>;
  return (
    <label className="org-switcher">
      <span>Organisation</span>
      <select value={scope.organizationId ?? ""} onChange={(e) => scope.select(e.target.value)}>
        {scope.organizations.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
            {o.active ? "" : " (inactive)"}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Layout() {
  const me = useMe();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const logout = useMutation(
    trpc.auth.logout.mutationOptions({
      onSettled: async () => {
        queryClient.clear();
        await navigate({ to: "/sign-in" });
      },
    }),
  );
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="sidebar-inner">
          <div className="brand">
            <span className="brand-mark" aria-hidden="true">
              m
            </span>
            mAI Gateway
          </div>
          <nav aria-label="Main">
            <ul>
              {navItemsFor(me.role).map((item) => (
                <li key={item.to}>
                  <Link
                    to={item.to}
                    activeOptions={{ exact: item.to === "/", includeSearch: false }}
                    activeProps={{ className: "active", "aria-current": "page" }}
                  >
                    {item.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        </div>
      </aside>
      <div className="main-column">
        <header className="topbar">
          {me.role === "provider_admin" ? <OrgSwitcher /> : <span />}
          <div className="whoami">
            <span>
              <strong>{me.name || me.email}</strong>
              <span className="muted"> · {ROLE_LABEL[me.role]}</span>
            </span>
            <Link to="/account" className="btn btn-ghost btn-sm" activeProps={{ "aria-current": "page" }}>
              Account
            </Link>
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              onClick={() => logout.mutate()}
              disabled={logout.isPending}
            >
              Sign out
            </button>
          </div>
        </header>
        <main id="main" tabIndex={-1}>
          <Suspense fallback={<Skeleton lines={6} />}>
            <Outlet />
          </Suspense>
        </main>
      </div>
    </div>
  );
}
