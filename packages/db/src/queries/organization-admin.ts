// Organisation administration for the dashboard: lists with month-to-date spend, edits and
// deactivation. Rows leave as `Organization` (no ciphertext, no fingerprint); the tenant filter is
// part of the SQL, so an org administrator's list cannot contain another organisation.
import { and, asc, eq, sql } from "drizzle-orm";
import { DomainError } from "@mai/domain";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import type { Executor } from "../client";
import { clientOrganizations, userClientMapping, usagePeriodCounters } from "../schema/index";
import { isUniqueViolation } from "./errors";
import { organizationColumns, type Organization } from "./organizations";

export interface OrganizationWithSpend extends Organization {
  /** Billed spend (markup included) recorded in `period`, nano-USD. */
  periodSpentNano: bigint;
  memberCount: number;
}

/**
 * Organisations with their billed spend in one billing period (e.g. the current month in the
 * billing time zone). `organizationId` narrows to one organisation (an org administrator's view).
 */
export async function listOrganizationsWithSpend(
  db: Executor,
  options: { period: string; organizationId?: string },
): Promise<OrganizationWithSpend[]> {
  const members = db
    .select({ organizationId: userClientMapping.organizationId, n: sql<number>`count(*)::int`.as("n") })
    .from(userClientMapping)
    .groupBy(userClientMapping.organizationId)
    .as("members");
  const rows = await db
    .select({
      ...organizationColumns,
      periodSpentNano: sql<string>`coalesce(${usagePeriodCounters.spentNano}, 0)::text`,
      memberCount: sql<number>`coalesce(${members.n}, 0)::int`,
    })
    .from(clientOrganizations)
    .leftJoin(
      usagePeriodCounters,
      and(
        eq(usagePeriodCounters.organizationId, clientOrganizations.id),
        eq(usagePeriodCounters.period, options.period),
      ),
    )
    .leftJoin(members, eq(members.organizationId, clientOrganizations.id))
    .where(options.organizationId ? eq(clientOrganizations.id, options.organizationId) : undefined)
    .orderBy(asc(clientOrganizations.name));
  // Raw SQL expressions bypass drizzle's bigint mapping; text keeps them exact across both drivers.
  return rows.map((r) => ({
    ...r,
    periodSpentNano: BigInt(r.periodSpentNano),
    memberCount: Number(r.memberCount),
  }));
}

export async function getOrganizationWithSpend(
  db: Executor,
  organizationId: string,
  period: string,
): Promise<OrganizationWithSpend | undefined> {
  const [row] = await listOrganizationsWithSpend(db, { period, organizationId });
  return row;
}

/** Reads an organisation and locks its row until the transaction ends (edits that also call OpenRouter). */
export async function lockOrganization(
  db: Executor,
  organizationId: string,
): Promise<Organization | undefined> {
  const [row] = await db
    .select(organizationColumns)
    .from(clientOrganizations)
    .where(eq(clientOrganizations.id, organizationId))
    .for("update");
  return row;
}

export interface OrganizationPatch {
  name?: string;
  billingEmail?: string | null;
  markupBp?: number;
  monthlyLimitNano?: bigint;
  active?: boolean;
}

/**
 * Applies a patch. Deactivating stamps `deactivatedAt` (kept if already set); reactivating clears
 * it. A name another organisation holds is a CONFLICT.
 */
export async function updateOrganization(
  db: Executor,
  organizationId: string,
  patch: OrganizationPatch,
  now: Date = new Date(),
): Promise<Organization> {
  const values: PgUpdateSetSource<typeof clientOrganizations> = { updatedAt: now };
  let name: string | undefined;
  if (patch.name !== undefined) {
    name = patch.name.trim();
    if (!name || name.length > 200)
      throw new DomainError("INVALID_INPUT", "An organisation name is 1 to 200 characters.");
    values.name = name;
  }
  if (patch.billingEmail !== undefined) values.billingEmail = patch.billingEmail;
  if (patch.markupBp !== undefined) {
    if (!Number.isSafeInteger(patch.markupBp) || patch.markupBp < 10_000) {
      throw new DomainError("INVALID_INPUT", "The markup must be at least 1× (10 000 basis points).");
    }
    values.markupBp = patch.markupBp;
  }
  if (patch.monthlyLimitNano !== undefined) {
    if (patch.monthlyLimitNano < 0n)
      throw new DomainError("INVALID_INPUT", "The monthly limit cannot be negative.");
    values.monthlyLimitNano = patch.monthlyLimitNano;
  }
  if (patch.active !== undefined) {
    values.active = patch.active;
    values.deactivatedAt = patch.active
      ? null
      : sql`coalesce(${clientOrganizations.deactivatedAt}, ${now.toISOString()}::timestamptz)`;
  }
  try {
    const [row] = await db
      .update(clientOrganizations)
      .set(values)
      .where(eq(clientOrganizations.id, organizationId))
      .returning(organizationColumns);
    if (!row) throw new DomainError("NOT_FOUND", "Organisation not found.");
    return row;
  } catch (error) {
    if (isUniqueViolation(error))
      throw new DomainError("CONFLICT", `An organisation named "${name}" already exists.`);
    throw error;
  }
}

/** Marks an organisation inactive: the proxy refuses its requests from now on. */
export async function deactivateOrganization(
  db: Executor,
  organizationId: string,
  now: Date = new Date(),
): Promise<Organization> {
  return updateOrganization(db, organizationId, { active: false }, now);
}

/** Whether another organisation already uses this name (a cheap check before calling OpenRouter). */
export async function organizationNameTaken(db: Executor, name: string, exceptId?: string): Promise<boolean> {
  const [row] = await db
    .select({ id: clientOrganizations.id })
    .from(clientOrganizations)
    .where(eq(clientOrganizations.name, name.trim()));
  return Boolean(row && row.id !== exceptId);
}
