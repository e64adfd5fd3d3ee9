// Read-only views of user_client_mapping for validation, statistics and "what would be sent":
// who is mapped where, under which external id, and who is not mapped at all. The organisation
// filter is part of the SQL, so a client administrator's report never reads another tenant's rows.
import { and, asc, eq, inArray, isNull, ne, sql, type SQL } from "drizzle-orm";
import type { Role } from "@mai/domain";
import type { Executor } from "../client";
import { clientOrganizations, userClientMapping, users } from "../schema/index";

export interface MappedUserRow {
  userId: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  organizationId: string;
  organizationName: string;
  organizationActive: boolean;
  externalUserId: string;
  /** How many mappings (in any organisation) carry this external id; 1 when it is unique. */
  externalIdHolders: number;
  mappedAt: Date;
}

const m = userClientMapping;

/** Every mapping, of one organisation or (null) all, ordered by organisation then e-mail. */
export async function reportMappedUsers(
  db: Executor,
  filter: { organizationId: string | null },
): Promise<MappedUserRow[]> {
  const rows = await db
    .select({
      userId: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      disabledAt: users.disabledAt,
      organizationId: m.organizationId,
      organizationName: clientOrganizations.name,
      organizationActive: clientOrganizations.active,
      externalUserId: m.externalUserId,
      // The unique index makes this 1 today; counted anyway so a dropped index shows up here.
      externalIdHolders: sql<string>`(select count(*) from ${m} as holders where holders.external_user_id = ${m.externalUserId})::text`,
      mappedAt: m.createdAt,
    })
    .from(m)
    .innerJoin(users, eq(users.id, m.userId))
    .innerJoin(clientOrganizations, eq(clientOrganizations.id, m.organizationId))
    .where(filter.organizationId ? eq(m.organizationId, filter.organizationId) : undefined)
    .orderBy(asc(clientOrganizations.name), asc(users.email));
  return rows.map(({ disabledAt, externalIdHolders, ...r }) => ({
    ...r,
    disabled: disabledAt !== null,
    externalIdHolders: Number(externalIdHolders),
  }));
}

export interface UnmappedUserRow {
  userId: string;
  email: string;
  name: string;
  role: Role;
}

/** Enabled client users (org_admin, member) that belong to no organisation. */
export async function reportUnmappedUsers(db: Executor): Promise<UnmappedUserRow[]> {
  return db
    .select({ userId: users.id, email: users.email, name: users.name, role: users.role })
    .from(users)
    .leftJoin(m, eq(m.userId, users.id))
    .where(and(isNull(m.userId), isNull(users.disabledAt), inArray(users.role, ["org_admin", "member"])))
    .orderBy(asc(users.email));
}

export interface MappingCounts {
  /** Enabled client users (org_admin, member) in scope. */
  users: number;
  mappedUsers: number;
  unmappedUsers: number;
  organizations: number;
  activeOrganizations: number;
}

/**
 * Counts for one organisation (its enabled mapped users; nobody is "unmapped" inside an
 * organisation) or for the whole system (null).
 */
export async function reportMappingCounts(
  db: Executor,
  filter: { organizationId: string | null },
): Promise<MappingCounts> {
  const clientUser: SQL = and(isNull(users.disabledAt), ne(users.role, "provider_admin"))!;
  if (filter.organizationId) {
    const [row] = await db
      .select({ mapped: sql<string>`count(*)::text` })
      .from(m)
      .innerJoin(users, eq(users.id, m.userId))
      .where(and(eq(m.organizationId, filter.organizationId), clientUser));
    const [org] = await db
      .select({ active: clientOrganizations.active })
      .from(clientOrganizations)
      .where(eq(clientOrganizations.id, filter.organizationId));
    const mapped = Number(row?.mapped ?? 0);
    return {
      users: mapped,
      mappedUsers: mapped,
      unmappedUsers: 0,
      organizations: org ? 1 : 0,
      activeOrganizations: org?.active ? 1 : 0,
    };
  }
  const [u] = await db
    .select({
      total: sql<string>`count(*)::text`,
      mapped: sql<string>`count(${m.userId})::text`,
    })
    .from(users)
    .leftJoin(m, eq(m.userId, users.id))
    .where(clientUser);
  const [o] = await db
    .select({
      total: sql<string>`count(*)::text`,
      active: sql<string>`count(*) filter (where ${clientOrganizations.active})::text`,
    })
    .from(clientOrganizations);
  const total = Number(u?.total ?? 0);
  const mapped = Number(u?.mapped ?? 0);
  return {
    users: total,
    mappedUsers: mapped,
    unmappedUsers: total - mapped,
    organizations: Number(o?.total ?? 0),
    activeOrganizations: Number(o?.active ?? 0),
  };
}

export interface UserMappingDetail {
  userId: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  mapping: {
    organizationId: string;
    organizationName: string;
    organizationActive: boolean;
    externalUserId: string;
  } | null;
}

/** One user and their mapping (if any); undefined when the user does not exist. */
export async function reportUserMapping(
  db: Executor,
  userId: string,
): Promise<UserMappingDetail | undefined> {
  const [row] = await db
    .select({
      userId: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      disabledAt: users.disabledAt,
      organizationId: m.organizationId,
      organizationName: clientOrganizations.name,
      organizationActive: clientOrganizations.active,
      externalUserId: m.externalUserId,
    })
    .from(users)
    .leftJoin(m, eq(m.userId, users.id))
    .leftJoin(clientOrganizations, eq(clientOrganizations.id, m.organizationId))
    .where(eq(users.id, userId));
  if (!row) return undefined;
  const { organizationId, organizationName, organizationActive, externalUserId, disabledAt, ...user } = row;
  return {
    ...user,
    disabled: disabledAt !== null,
    mapping:
      organizationId && externalUserId && organizationName !== null && organizationActive !== null
        ? { organizationId, organizationName, organizationActive, externalUserId }
        : null,
  };
}
