// The signed-in frame: navigation for the user's role, the provider's organisation switcher, who is
// signed in, and the page. On a phone (styles.css, up to 760 px) the navigation folds behind a
// Menu button — a disclosure: aria-expanded says whether it is open, Escape closes it and gives the
// button its focus back, following a link closes it — and the top bar wraps instead of widening the page.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, Outlet, useNavigate } from "@tanstack/react-router";
import { Suspense, useRef, useState, type KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";
import { navItemsFor } from "../nav";
import { useMe, useOrgScope } from "../session";
import { trpc } from "../trpc";
import { Skeleton } from "./Feedback";
import { LanguageSelect } from "./LanguageSelect";
import { useNameBesideRole } from "./RoleLabel";

function OrgSwitcher() {
  const { t } = useTranslation();
  const scope = useOrgScope();
  if (scope.isLoading) return <span className="org-switcher muted">{t("layout.loadingOrganizations")}</span>;
  if (scope.organizations.length === 0)
    return <span className="org-switcher muted">{t("layout.noOrganizations")}</span>;
  return (
    <label className="org-switcher">
      <span>{t("layout.organization")}</span>
      <select value={scope.organizationId ?? ""} onChange={(e) => scope.select(e.target.value)}>
        {scope.organizations.map((o) => (
          <option key={o.id} value={o.id}>
            {o.active ? o.name : t("layout.inactive", { name: o.name })}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Layout() {
  const { t } = useTranslation();
  const me = useMe();
  const [menuOpen, setMenuOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  const closeMenuOnEscape = (event: KeyboardEvent) => {
    if (event.key !== "Escape" || !menuOpen) return;
    setMenuOpen(false);
    menuButton.current?.focus();
  };
  const closeMenu = () => setMenuOpen(false);
  // The name (or the e-mail, when the name is only the role), then the role — once.
  const roleLabel = t(`role.${me.role}`);
  const who = useNameBesideRole(me) ?? me.email;
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
        {t("layout.skipToContent")}
      </a>
      {/* The key handler only catches Escape bubbling up from the open menu's button and links. */}
      <aside className="sidebar" onKeyDown={closeMenuOnEscape}>
        <div className="sidebar-inner">
          <div className="sidebar-bar">
            <div className="brand">
              <span className="brand-mark" aria-hidden="true">
                m
              </span>
              mAI Gateway
            </div>
            <button
              ref={menuButton}
              type="button"
              className="btn btn-sm menu-button"
              aria-expanded={menuOpen}
              aria-controls="main-menu"
              onClick={() => setMenuOpen((open) => !open)}
            >
              <span aria-hidden="true" className="menu-icon">
                {menuOpen ? "×" : "☰"}
              </span>
              {t("layout.menu")}
            </button>
          </div>
          <nav id="main-menu" aria-label={t("nav.main")} className={menuOpen ? "menu-open" : undefined}>
            <ul>
              {navItemsFor(me.role).map((item) => (
                <li key={item.to}>
                  <Link
                    to={item.to}
                    activeOptions={{ exact: item.to === "/", includeSearch: false }}
                    activeProps={{ className: "active", "aria-current": "page" }}
                    onClick={closeMenu}
                  >
                    {t(`nav.${item.label}`)}
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
            <LanguageSelect />
            <span className="whoami-name">
              <strong>{who}</strong>
              <span className="muted"> · {roleLabel}</span>
            </span>
            <Link to="/account" className="btn btn-ghost btn-sm" activeProps={{ "aria-current": "page" }} onClick={closeMenu}>
              {t("layout.account")}
            </Link>
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              onClick={() => logout.mutate()}
              disabled={logout.isPending}
            >
              {t("layout.signOut")}
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
