// Who is signed in, and which organisation the pages are about.
//
// The signed-in user comes from auth.me (loaded by the app layout's route guard before any page
// renders). The organisation in scope: a client administrator's or member's own; for the provider,
// the one chosen in the switcher (the `org` search parameter, kept across links), else the first.
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@mai/api";
import { useQuery } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { createContext, useContext } from "react";
import { trpc } from "./trpc";

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type Me = NonNullable<RouterOutputs["auth"]["me"]>;
export type Organization = RouterOutputs["organizations"]["list"][number];

export const SessionContext = createContext<Me | null>(null);

export function useMe(): Me {
  const me = useContext(SessionContext);
  if (!me) throw new Error("useMe() outside the signed-in layout");
  return me;
}

export interface OrgScope {
  /** The organisation the page is about; undefined for the provider before any organisation exists. */
  organizationId: string | undefined;
  organization: Organization | undefined;
  organizations: readonly Organization[];
  isLoading: boolean;
  /** Provider only: switch the organisation in scope. */
  select: (organizationId: string) => void;
}

export function useOrgScope(): OrgScope {
  const me = useMe();
  const search: { org?: string } = useSearch({ strict: false });
  const navigate = useNavigate();
  const isAdmin = me.role !== "member";
  const list = useQuery({ ...trpc.organizations.list.queryOptions(), enabled: isAdmin });
  const organizations = list.data ?? [];
  let organizationId: string | undefined;
  if (me.role === "provider_admin") {
    organizationId = organizations.find((o) => o.id === search.org)?.id ?? organizations[0]?.id;
  } else {
    organizationId = me.organizationId ?? undefined;
  }
  return {
    organizationId,
    organization: organizations.find((o) => o.id === organizationId),
    organizations,
    isLoading: isAdmin && list.isPending,
    select: (id) => void navigate({ to: ".", search: (prev: Record<string, unknown>) => ({ ...prev, org: id }) }),
  };
}
