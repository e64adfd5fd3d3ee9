// Client organisations (the `client_organizations` table): creation, keys, dashboard lists with
// month-to-date spend, edits and deactivation. Keys go in sealed and come out masked; the plaintext
// is only reachable through getOrganizationKey (the proxy's resolveContext and key management need
// it). Rows leave as `Organization` (no ciphertext, no fingerprint); the tenant filter is part of
// the SQL, so an org administrator's list cannot contain another organisation.
import { and, asc, eq, param, sql, type AnyColumn } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import { DomainError, domainError, type KeySource, maskKey, type OpenRouterKey, validateMarkupBp, validateMonthlyLimitNano, validateOrganizationName } from "@mai/domain";
import type { CreateOrganizationInput, UpdateOrganizationInput } from "@mai/domain/schemas";
import type { Executor } from "../client";
import { SecretContext, type SecretBox } from "../crypto/secret-box";
import { clientOrganizations, usagePeriodCounters, userClientMapping, users } from "../schema/index";
import { isUniqueViolation } from "./errors";
import { getGlobalSettings } from "./global-settings";

type OrganizationRow = typeof clientOrganizations.$inferSelect;
/** An organisation as every layer above may see it: no ciphertext, no fingerprint. */
export type Organization = Omit<OrganizationRow, "keyCiphertext" | "keyFingerprint">;

const organizationColumns = {
  id: clientOrganizations.id,
  name: clientOrganizations.name,
  billingEmail: clientOrganizations.billingEmail,
  markupBp: clientOrganizations.markupBp,
  monthlyLimitNano: clientOrganizations.monthlyLimitNano,
  active: clientOrganizations.active,
  keyHint: clientOrganizations.keyHint,
  keySource: clientOrganizations.keySource,
  openrouterKeyHash: clientOrganizations.openrouterKeyHash,
  keySetAt: clientOrganizations.keySetAt,
  allowedModels: clientOrganizations.allowedModels,
  currency: clientOrganizations.currency,
  createdBy: clientOrganizations.createdBy,
  createdAt: clientOrganizations.createdAt,
  updatedAt: clientOrganizations.updatedAt,
  deactivatedAt: clientOrganizations.deactivatedAt,
};


/** The columns that store a key: sealed text, keyed fingerprint, masked hint. */
function sealedKeyColumns(secrets: SecretBox, key: string) {
  return {
    keyCiphertext: secrets.seal(key, SecretContext.organizationKey),
    keyFingerprint: secrets.fingerprint(key),
    keyHint: maskKey(key),
    keySetAt: sql`now()`,
  };
}

export async function getOrganization(db: Executor, id: string): Promise<Organization | undefined> {
  const [row] = await db.select(organizationColumns).from(clientOrganizations).where(eq(clientOrganizations.id, id));
  return row;
}

export async function getOrganizationKey(db: Executor, secrets: SecretBox, id: string): Promise<string | null> {
  const [row] = await db
    .select({ sealed: clientOrganizations.keyCiphertext })
    .from(clientOrganizations)
    .where(eq(clientOrganizations.id, id));
  if (!row) throw domainError("NOT_FOUND", "organization.notFound");
  return row.sealed ? secrets.open(row.sealed, SecretContext.organizationKey) : null;
}

/** The organisation holding this key (by fingerprint), with whether it already has an administrator. */
export async function findKeyOwner(
  db: Executor,
  secrets: SecretBox,
  key: string,
  options: { lock?: boolean } = {},
): Promise<{ organizationId: string; source: KeySource; hasAdministrator: boolean } | undefined> {
  const query = db
    .select({ id: clientOrganizations.id, source: clientOrganizations.keySource })
    .from(clientOrganizations)
    .where(eq(clientOrganizations.keyFingerprint, secrets.fingerprint(key)));
  // Locking the owner serialises concurrent claims of one provisioned key: the second claimer
  // re-reads after the first commits and sees an administrator.
  const [owner] = options.lock ? await query.for("update") : await query;
  if (!owner) return undefined;
  const [admin] = await db
    .select({ one: sql<number>`1` })
    .from(userClientMapping)
    .innerJoin(users, eq(users.id, userClientMapping.userId))
    .where(and(eq(userClientMapping.organizationId, owner.id), eq(users.role, "org_admin")))
    .limit(1);
  return { organizationId: owner.id, source: owner.source ?? "client", hasAdministrator: Boolean(admin) };
}

/**
 * What createOrganization stores. The name and billing e-mail are organizations.create's fields as
 * parsed (the name may be omitted: org sync lets a default be chosen); markup and limit arrive
 * converted (basis points, nano-USD), the key validated; the rest only the server knows.
 */
export type NewOrganization = Partial<Pick<CreateOrganizationInput, "name" | "billingEmail">> & {
  markupBp?: number;
  monthlyLimitNano?: bigint;
  /** Validated by the caller (validateOpenRouterKey): the type says so. */
  key?: OpenRouterKey | null;
  keySource?: KeySource;
  openrouterKeyHash?: string | null;
  allowedModels?: string[] | null;
  createdBy?: string | null;
  now?: Date;
};

const DEFAULT_NAME_PREFIX = "client_default_organization_";

/**
 * Inserts an organisation; markup and limit default to the global settings, the name to
 * `client_default_organization_<unix seconds>`. A default name that another transaction took in
 * the same second gets a suffix (`_2`, `_3`, …): ON CONFLICT on the name waits for the competing
 * insert and then moves on, so no retry loop is needed.
 */
export async function createOrganization(db: Executor, secrets: SecretBox, input: NewOrganization): Promise<Organization> {
  const settings = await getGlobalSettings(db);
  const markupBp = input.markupBp ?? settings.defaultMarkupBp;
  const monthlyLimitNano = input.monthlyLimitNano ?? settings.defaultMonthlyLimitNano;
  validateMarkupBp(markupBp);
  validateMonthlyLimitNano(monthlyLimitNano);
  const key = input.key ?? null;
  const base = {
    billingEmail: input.billingEmail ?? null,
    markupBp,
    monthlyLimitNano,
    keySource: key ? (input.keySource ?? "client") : null,
    openrouterKeyHash: input.openrouterKeyHash ?? null,
    allowedModels: input.allowedModels ?? null,
    createdBy: input.createdBy ?? null,
    ...(key ? sealedKeyColumns(secrets, key) : {}),
  };
  if (input.name !== undefined) {
    const name = validateOrganizationName(input.name);
    const [row] = await db
      .insert(clientOrganizations)
      .values({ ...base, name })
      .onConflictDoNothing({ target: clientOrganizations.name })
      .returning(organizationColumns);
    if (!row) throw domainError("CONFLICT", "organization.nameTaken", { name });
    return row;
  }
  const stem = `${DEFAULT_NAME_PREFIX}${Math.floor((input.now ?? new Date()).getTime() / 1000)}`;
  for (let n = 1; n <= 1000; n++) {
    const [row] = await db
      .insert(clientOrganizations)
      .values({ ...base, name: n === 1 ? stem : `${stem}_${n}` })
      .onConflictDoNothing({ target: clientOrganizations.name })
      .returning(organizationColumns);
    if (row) return row;
  }
  throw new DomainError("CONFLICT", "Could not find a free default organisation name.");
}

/** Replaces an organisation's key (sealed, fingerprinted, masked). */
export async function setOrganizationKey(
  db: Executor,
  secrets: SecretBox,
  organizationId: string,
  input: { key: OpenRouterKey; source: KeySource; openrouterKeyHash?: string | null },
): Promise<Organization> {
  const key = input.key;
  const [row] = await db
    .update(clientOrganizations)
    .set({
      ...sealedKeyColumns(secrets, key),
      keySource: input.source,
      openrouterKeyHash: input.openrouterKeyHash ?? null,
      updatedAt: new Date(),
    })
    .where(eq(clientOrganizations.id, organizationId))
    .returning(organizationColumns);
  if (!row) throw domainError("NOT_FOUND", "organization.notFound");
  return row;
}

// Dashboard administration: lists with month-to-date spend, edits, deactivation.
export interface OrganizationWithSpend extends Organization {
  /** Billed spend (markup included) recorded in `period`, nano-USD. */
  periodSpentNano: bigint;
  /** The smallest request refused in `period` (null: none was) — the limit level's "exceeded". */
  periodRefusedMinNano: bigint | null;
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
      periodRefusedMinNano: sql<string | null>`${usagePeriodCounters.refusedMinNano}::text`,
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
    periodRefusedMinNano: r.periodRefusedMinNano === null ? null : BigInt(r.periodRefusedMinNano),
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

/** organizations.update's fields as parsed; markup and limit converted (basis points, nano-USD). */
export type OrganizationPatch = Pick<UpdateOrganizationInput, "name" | "billingEmail" | "active"> & {
  markupBp?: number;
  monthlyLimitNano?: bigint;
};

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
    name = validateOrganizationName(patch.name);
    values.name = name;
  }
  if (patch.billingEmail !== undefined) values.billingEmail = patch.billingEmail;
  if (patch.markupBp !== undefined) values.markupBp = validateMarkupBp(patch.markupBp);
  if (patch.monthlyLimitNano !== undefined) values.monthlyLimitNano = validateMonthlyLimitNano(patch.monthlyLimitNano);
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
    if (!row) throw domainError("NOT_FOUND", "organization.notFound");
    return row;
  } catch (error) {
    if (isUniqueViolation(error))
      throw domainError("CONFLICT", "organization.nameTaken", { name: String(name) });
    throw error;
  }
}

/** The columns an edit may change (updateOrganization), which restoreOrganization can put back. */
const EDITABLE = ["name", "billingEmail", "markupBp", "monthlyLimitNano", "active", "deactivatedAt", "updatedAt"] as const;

const same = (a: unknown, b: unknown) =>
  a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b;

/**
 * The compensating step of an edit committed before OpenRouter was told (OpenRouter is never
 * called inside a transaction): puts back `before`'s value of every column the edit changed —
 * each only where it still holds `after`'s value, so an edit committed since is kept. Returns
 * whether every changed column was put back (false also when the row is gone).
 */
export async function restoreOrganization(db: Executor, before: Organization, after: Organization): Promise<boolean> {
  const changed = EDITABLE.filter((field) => !same(before[field], after[field]));
  if (changed.length === 0) return true;
  const values: PgUpdateSetSource<typeof clientOrganizations> = {};
  // `col = case when col is not distinct from <after> then <before> else col end`, values bound
  // through the column (its driver mapping: bigint, timestamptz).
  const guarded = (field: (typeof EDITABLE)[number]) => {
    const column: AnyColumn = clientOrganizations[field];
    return sql`case when ${column} is not distinct from ${param(after[field], column)} then ${param(before[field], column)} else ${column} end`;
  };
  for (const field of changed) values[field] = guarded(field);
  const [row] = await db
    .update(clientOrganizations)
    .set(values)
    .where(eq(clientOrganizations.id, before.id))
    .returning(organizationColumns);
  return Boolean(row && changed.every((field) => same(row[field], before[field])));
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
