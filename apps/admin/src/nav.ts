// Which pages each role sees. One table, used by the navigation and by each route's guard, so a
// link is never shown for a page that would refuse the user (and a typed-in URL is refused too).
export type Role = "provider_admin" | "org_admin" | "member";

export interface NavItem {
  to: "/" | "/usage" | "/organizations" | "/members" | "/user-mapping" | "/connections" | "/tokens" | "/settings" | "/audit" | "/alerts";
  /** Its name in the navigation: a key of the common messages' `nav` group. */
  label: NavLabel;
  roles: readonly Role[];
}

const ALL: readonly Role[] = ["provider_admin", "org_admin", "member"];
const ADMINS: readonly Role[] = ["provider_admin", "org_admin"];

export const NAV_ITEMS: readonly NavItem[] = [
  { to: "/", label: "overview", roles: ALL },
  { to: "/usage", label: "usage", roles: ALL },
  { to: "/organizations", label: "organizations", roles: ADMINS },
  { to: "/members", label: "members", roles: ADMINS },
  { to: "/user-mapping", label: "userMapping", roles: ADMINS },
  { to: "/connections", label: "connections", roles: ALL },
  { to: "/tokens", label: "tokens", roles: ALL },
  { to: "/alerts", label: "alerts", roles: ALL },
  { to: "/settings", label: "settings", roles: ["provider_admin"] },
  { to: "/audit", label: "audit", roles: ADMINS },
];

export const navItemsFor = (role: Role) => NAV_ITEMS.filter((item) => item.roles.includes(role));
export const canSee = (role: Role, to: NavItem["to"]) => NAV_ITEMS.some((item) => item.to === to && item.roles.includes(role));

type NavLabel = "overview" | "usage" | "organizations" | "members" | "userMapping" | "connections" | "tokens" | "alerts" | "settings" | "audit";
