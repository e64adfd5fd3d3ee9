// Which pages each role sees. One table, used by the navigation and by each route's guard, so a
// link is never shown for a page that would refuse the user (and a typed-in URL is refused too).
export type Role = "provider_admin" | "org_admin" | "member";

export interface NavItem {
  to: "/" | "/usage" | "/organizations" | "/members" | "/user-mapping" | "/connections" | "/tokens" | "/settings" | "/audit" | "/alerts";
  label: string;
  roles: readonly Role[];
}

const ALL: readonly Role[] = ["provider_admin", "org_admin", "member"];
const ADMINS: readonly Role[] = ["provider_admin", "org_admin"];

export const NAV_ITEMS: readonly NavItem[] = [
  { to: "/", label: "Overview", roles: ALL },
  { to: "/usage", label: "Usage", roles: ALL },
  { to: "/organizations", label: "Organisations", roles: ADMINS },
  { to: "/members", label: "Members", roles: ADMINS },
  { to: "/user-mapping", label: "User mapping", roles: ADMINS },
  { to: "/connections", label: "Connections", roles: ALL },
  { to: "/tokens", label: "API tokens", roles: ALL },
  { to: "/alerts", label: "Alerts", roles: ALL },
  { to: "/settings", label: "Settings", roles: ["provider_admin"] },
  { to: "/audit", label: "Audit log", roles: ADMINS },
];

export const navItemsFor = (role: Role) => NAV_ITEMS.filter((item) => item.roles.includes(role));
export const canSee = (role: Role, to: NavItem["to"]) => NAV_ITEMS.some((item) => item.to === to && item.roles.includes(role));

export const ROLE_LABEL: Record<Role, string> = {
  provider_admin: "Provider administrator",
  org_admin: "Client administrator",
  member: "Member",
};
