// Provisioned OpenRouter keys an organisation no longer uses, waiting to be deleted upstream.
// Rotation (and a provisioned key replaced by another) switches the organisation's key in the
// database and queues the old one here in the same transaction, due after a grace period longer
// than every proxy's identity cache: until then a proxy may still send the old key, and deleting it
// at once would answer every such request with OpenRouter's 401. The API's job (apps/api
// services/organizations/retire-keys.ts) claims due rows, deletes the keys upstream, and records
// the outcome; a claim moves `delete_after` forward first, so two API processes never send the same
// DELETE at once and a process that dies mid-way leaves the row due again later.
import { and, asc, desc, eq, inArray, isNull, lt, lte, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { clientOrganizations, keyRetirements } from "../schema/index";

export type KeyRetirement = typeof keyRetirements.$inferSelect;
export type KeyRetirementReason = KeyRetirement["reason"];

/**
 * Queues a provisioned key for deletion after `deleteAfter`. Call it in the transaction that
 * switches the organisation away from the key. A key already queued keeps its row (its first due
 * time: the earlier deadline is the one a caller planned with).
 */
export async function queueKeyRetirement(
  db: Executor,
  input: { organizationId: string; openrouterKeyHash: string; reason: KeyRetirementReason; deleteAfter: Date },
): Promise<void> {
  await db
    .insert(keyRetirements)
    .values({
      organizationId: input.organizationId,
      openrouterKeyHash: input.openrouterKeyHash,
      reason: input.reason,
      deleteAfter: input.deleteAfter,
    })
    .onConflictDoNothing({ target: keyRetirements.openrouterKeyHash });
}

/**
 * Claims up to `limit` due retirements: not deleted, `delete_after` passed, fewer than
 * `maxAttempts` attempts, and the key not back in use as an organisation's provisioned key. Each
 * claimed row has its attempt counted and `delete_after` moved to `claimUntil`, in one statement
 * (SKIP LOCKED: a concurrent claimer takes other rows). The returned rows carry the counted attempt.
 */
export async function claimDueKeyRetirements(
  db: Executor,
  options: { now: Date; claimUntil: Date; maxAttempts: number; limit: number },
): Promise<KeyRetirement[]> {
  const due = db
    .select({ id: keyRetirements.id })
    .from(keyRetirements)
    .where(
      and(
        isNull(keyRetirements.deletedAt),
        lte(keyRetirements.deleteAfter, options.now),
        lt(keyRetirements.attempts, options.maxAttempts),
        sql`not exists (select 1 from ${clientOrganizations} where ${clientOrganizations.openrouterKeyHash} = ${keyRetirements.openrouterKeyHash})`,
      ),
    )
    .orderBy(asc(keyRetirements.deleteAfter))
    .limit(Math.max(1, Math.min(options.limit, 1_000)))
    .for("update", { skipLocked: true });
  return db
    .update(keyRetirements)
    .set({ attempts: sql`${keyRetirements.attempts} + 1`, deleteAfter: options.claimUntil })
    .where(inArray(keyRetirements.id, due))
    .returning();
}

/** The key is gone upstream (deleted now, or OpenRouter no longer knew it). */
export async function markKeyRetired(db: Executor, id: string, deletedAt: Date): Promise<void> {
  await db.update(keyRetirements).set({ deletedAt, lastError: null }).where(eq(keyRetirements.id, id));
}

/** A failed attempt: why (no key or token in it), and when to try again. */
export async function recordKeyRetirementFailure(
  db: Executor,
  id: string,
  input: { error: string; retryAt: Date },
): Promise<void> {
  await db
    .update(keyRetirements)
    .set({ lastError: input.error.slice(0, 500), deleteAfter: input.retryAt })
    .where(eq(keyRetirements.id, id));
}

/** An organisation's retirements, newest first (dashboards, tests). */
export async function listKeyRetirements(db: Executor, organizationId: string): Promise<KeyRetirement[]> {
  return db
    .select()
    .from(keyRetirements)
    .where(eq(keyRetirements.organizationId, organizationId))
    .orderBy(desc(keyRetirements.createdAt));
}
