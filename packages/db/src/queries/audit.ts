// The audit log is written by every state change that matters (org sync, key changes, limits…).
// It must never hold a key or a token: appendAudit refuses an entry that contains one, so a
// careless caller fails loudly in tests instead of leaking quietly in production.
import { and, desc, eq, like, lt, type SQL } from "drizzle-orm";
import { DomainError } from "@mai/domain";
import type { auditListInput } from "@mai/domain/schemas";
import type { z } from "zod";
import type { Executor } from "../client";
import { auditLog } from "../schema/index";

export type ActorKind = "user" | "system" | "proxy" | "cli";

export interface AuditEntry {
  actorUserId?: string | null;
  actorKind: ActorKind;
  action: string;
  organizationId?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  details?: Record<string, unknown> | null;
  ip?: string | null;
}

// A full OpenRouter key, or a personal API token (mai_ + ≥20 alphanumerics; external user ids
// like mai_client_… contain underscores and do not match).
const SECRET_PATTERN = /sk-or-[A-Za-z0-9_-]{20,}|mai_[A-Za-z0-9]{20,}/;

export function containsSecret(value: unknown): boolean {
  return SECRET_PATTERN.test(JSON.stringify(value ?? null));
}

/**
 * Throws what appendAudit would for this entry. A change that commits before its audit entry is
 * written (one that calls OpenRouter in between) checks the entry first, so the log cannot refuse
 * it after the change is done.
 */
export function assertAuditable(entry: AuditEntry): void {
  if (containsSecret(entry)) {
    throw new DomainError("INVALID_INPUT", `Refusing to write a secret into the audit log (action ${entry.action}).`);
  }
}

export async function appendAudit(db: Executor, entry: AuditEntry): Promise<void> {
  assertAuditable(entry);
  await db.insert(auditLog).values({
    actorUserId: entry.actorUserId ?? null,
    actorKind: entry.actorKind,
    action: entry.action,
    organizationId: entry.organizationId ?? null,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
    details: entry.details ?? null,
    ip: entry.ip ?? null,
  });
}

/** audit.list's filters as parsed (limit optional here: 50). */
type AuditListFilters = Partial<Pick<NonNullable<z.output<typeof auditListInput>>, "action" | "cursor" | "limit">>;

/**
 * Newest first, keyset-paginated on the id. `action` matches exactly, or as a prefix when it ends
 * with "*" ("org_sync.*" → every org-sync outcome). `organizationId` is the already-authorized
 * scope (undefined: every organisation), not the input's own field.
 */
export async function listAudit(
  db: Executor,
  options: AuditListFilters & { organizationId?: string } = {},
): Promise<{ items: (typeof auditLog.$inferSelect)[]; nextCursor: number | null }> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  const filters: SQL[] = [];
  if (options.organizationId) filters.push(eq(auditLog.organizationId, options.organizationId));
  if (options.action) {
    filters.push(
      options.action.endsWith("*")
        ? like(auditLog.action, `${options.action.slice(0, -1).replace(/[\\%_]/g, "\\$&")}%`)
        : eq(auditLog.action, options.action),
    );
  }
  if (options.cursor != null) filters.push(lt(auditLog.id, options.cursor));
  const rows = await db
    .select()
    .from(auditLog)
    .where(filters.length ? and(...filters) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}
