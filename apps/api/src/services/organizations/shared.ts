// What an organisation looks like outside the API (no ciphertext, no fingerprint, the key only as
// its masked hint, money as nano-USD bigints and the markup also as an exact multiplier string),
// and the audit helper every organisation change uses.
import {
  appendAudit,
  getGlobalSettings,
  getOrganizationWithSpend,
  type AuditEntry,
  type AuthUser,
  type Executor,
  type Organization,
  type OrganizationWithSpend,
} from "@mai/db";
import { domainError, type KeySource, markupToMultiplier, periodKeyOf, validateMonthlyLimit } from "@mai/domain";
import type { Context } from "../../context";

export interface OrganizationDto {
  id: string;
  name: string;
  billingEmail: string | null;
  markupBp: number;
  /** The multiplier as exact decimal text: 13000 → "1.3". */
  markup: string;
  monthlyLimitNano: bigint;
  active: boolean;
  keyHint: string | null;
  keySource: KeySource | null;
  /** The key was minted through the provider's provisioning key (OpenRouter manages its limit). */
  provisioned: boolean;
  /** Billing period of `monthToDateNano` (YYYY-MM in the billing time zone). */
  period: string;
  /** Billed spend (markup included) in the current billing month. */
  monthToDateNano: bigint;
  /** The smallest request the monthly limit refused this month (null: none): with it the limit level says "exceeded". */
  refusedMinNano: bigint | null;
  memberCount: number;
  /** The currency its figures are shown in besides USD: its own, else the global setting's. */
  currency: string;
  createdAt: Date;
  updatedAt: Date;
  deactivatedAt: Date | null;
}

export function toOrganizationDto(row: OrganizationWithSpend, books: BooksNow): OrganizationDto {
  const { period } = books;
  return {
    id: row.id,
    name: row.name,
    billingEmail: row.billingEmail,
    markupBp: row.markupBp,
    markup: markupToMultiplier(row.markupBp),
    monthlyLimitNano: row.monthlyLimitNano,
    active: row.active,
    keyHint: row.keyHint,
    keySource: row.keySource,
    provisioned: row.openrouterKeyHash !== null,
    period,
    monthToDateNano: row.periodSpentNano,
    refusedMinNano: row.periodRefusedMinNano,
    memberCount: row.memberCount,
    currency: row.currency ?? books.defaultCurrency,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    deactivatedAt: row.deactivatedAt,
  };
}

/** The current billing period (the month in the billing time zone) and the global display currency. */
export interface BooksNow {
  period: string;
  defaultCurrency: string;
}

export async function booksNow(ctx: Context, db: Executor = ctx.deps.db): Promise<BooksNow> {
  const { billingTimeZone, currency } = await getGlobalSettings(db);
  return { period: periodKeyOf(ctx.deps.now(), billingTimeZone), defaultCurrency: currency };
}

export async function loadOrganizationDto(ctx: Context, organizationId: string): Promise<OrganizationDto> {
  const books = await booksNow(ctx);
  const row = await getOrganizationWithSpend(ctx.deps.db, organizationId, books.period);
  if (!row) throw domainError("NOT_FOUND", "organization.notFound");
  return toOrganizationDto(row, books);
}

/** A monthly limit typed in USD ("250", "99.5") as exact nano-USD (@mai/domain's rule). */
export const parseMonthlyLimit = (usd: string | number): bigint => validateMonthlyLimit(usd);

/** The auditable fields of an organisation (JSON-safe: bigints as decimal text, the key as its hint). */
export function auditView(org: Organization): Record<string, unknown> {
  return {
    name: org.name,
    billingEmail: org.billingEmail,
    markupBp: org.markupBp,
    monthlyLimitNano: org.monthlyLimitNano.toString(),
    active: org.active,
    keyHint: org.keyHint,
    keySource: org.keySource,
  };
}

/** Only the fields that differ, before and after. */
export function changes(
  before: Organization,
  after: Organization,
): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const a = auditView(before);
  const b = auditView(after);
  const keys = Object.keys(b).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
  return {
    before: Object.fromEntries(keys.map((k) => [k, a[k]])),
    after: Object.fromEntries(keys.map((k) => [k, b[k]])),
  };
}

interface OrganizationAuditFields {
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  details?: Record<string, unknown>;
}

/** The audit entry of an organisation change (`organization.<action>`). */
export function organizationAuditEntry(
  ctx: Context,
  actor: AuthUser,
  organizationId: string,
  action: string,
  entry: OrganizationAuditFields = {},
): AuditEntry {
  return {
    actorUserId: actor.id,
    actorKind: "user",
    action: `organization.${action}`,
    organizationId,
    targetType: "organization",
    targetId: organizationId,
    before: entry.before ?? null,
    after: entry.after ?? null,
    details: entry.details ?? null,
    ip: ctx.request.ip,
  };
}

export function auditOrganization(
  ctx: Context,
  db: Executor,
  actor: AuthUser,
  organizationId: string,
  action: string,
  entry: OrganizationAuditFields = {},
): Promise<void> {
  return appendAudit(db, organizationAuditEntry(ctx, actor, organizationId, action, entry));
}
