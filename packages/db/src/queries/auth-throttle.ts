// Failed sign-in counts shared by every API replica (the `auth_throttle` table), and the browsers
// an account signed in from (`known_devices`). The rule — free failures, then doubling delays up to
// a cap — is @mai/domain's (decideAttempt); this file only makes it atomic: an attempt locks the
// rows of every key it is checked on (in key order, so two attempts never deadlock), decides, and
// counts itself as a failure in the same transaction, so concurrent attempts on any number of
// replicas are admitted one at a time and never more than the schedule allows.
import { and, eq, gt, inArray, lt, lte, or, sql } from "drizzle-orm";
import { decideAttempt, scopeOfThrottleKey, SIGN_IN_THROTTLE, type ThrottleScope } from "@mai/domain";
import type { Executor } from "../client";
import { authThrottle, knownDevices } from "../schema/index";

export type SignInAdmission = { admitted: true } | { admitted: false; scope: ThrottleScope; waitMs: number };

/**
 * Whether an attempt checked on these keys (see @mai/domain's throttleKey) may go ahead at `now`:
 * all of them must allow it. Admitted, it is already counted as a failure on every key (undo it
 * with clearSignInFailures or returnSignInAttempt once the password proved right); refused,
 * nothing changes and the answer says which key refused and how long the longest wait is.
 */
export async function admitSignInAttempt(
  db: Executor,
  keys: readonly string[],
  now: Date,
): Promise<SignInAdmission> {
  const sorted = [...new Set(keys)].sort();
  if (sorted.length === 0) return { admitted: true };
  return db.transaction(async (tx) => {
    // Every key gets a row first, so there is one to lock (a fresh one admits its first attempt).
    await tx
      .insert(authThrottle)
      .values(sorted.map((key) => ({ key, failures: 0, lastFailureAt: now, nextAttemptAt: now })))
      .onConflictDoNothing();
    const rows = await tx
      .select()
      .from(authThrottle)
      .where(inArray(authThrottle.key, sorted))
      .orderBy(authThrottle.key)
      .for("update");
    const decisions = rows.map((row) => ({
      key: row.key,
      decision: decideAttempt(row, now, SIGN_IN_THROTTLE[scopeOfThrottleKey(row.key)]),
    }));
    let refused: { scope: ThrottleScope; waitMs: number } | undefined;
    for (const { key, decision } of decisions) {
      if (!decision.admitted && (!refused || decision.waitMs > refused.waitMs))
        refused = { scope: scopeOfThrottleKey(key), waitMs: decision.waitMs };
    }
    if (refused) return { admitted: false, ...refused };
    for (const { key, decision } of decisions) {
      if (decision.admitted)
        await tx.update(authThrottle).set(decision.next).where(eq(authThrottle.key, key));
    }
    return { admitted: true };
  });
}

/** The owner proved themselves: these keys' counts start again (an account's, a device's). */
export async function clearSignInFailures(db: Executor, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await db.delete(authThrottle).where(inArray(authThrottle.key, [...keys]));
}

/**
 * A successful attempt gives back what it took on a key shared with others (a client address):
 * one failure fewer, and no wait that this attempt's admission added. The rest of the count stays,
 * so signing in to one's own account never wipes the guesses made from the same address.
 */
export async function returnSignInAttempt(db: Executor, key: string, now: Date): Promise<void> {
  await db
    .update(authThrottle)
    .set({
      failures: sql`greatest(${authThrottle.failures} - 1, 0)`,
      nextAttemptAt: sql`least(${authThrottle.nextAttemptAt}, ${now.toISOString()}::timestamptz)`,
    })
    .where(eq(authThrottle.key, key));
}

/** Rows that no longer slow anyone down: counts forgotten after a quiet day, and empty ones. */
export async function pruneSignInThrottle(db: Executor, now: Date): Promise<void> {
  const forgetAfterMs = Math.max(...Object.values(SIGN_IN_THROTTLE).map((s) => s.forgetAfterMs));
  await db
    .delete(authThrottle)
    .where(
      and(
        lte(authThrottle.nextAttemptAt, now),
        or(
          eq(authThrottle.failures, 0),
          lt(authThrottle.lastFailureAt, new Date(now.getTime() - forgetAfterMs)),
        ),
      ),
    );
}

/** A device cookie is forgotten when unused this long (browsers cap a cookie's life at 400 days). */
export const KNOWN_DEVICE_TTL_MS = 400 * 24 * 60 * 60 * 1000;

/** The account a device cookie (its SHA-256) belongs to, if it is known and was used recently. */
export async function findKnownDevice(
  db: Executor,
  tokenHash: string,
  now: Date,
): Promise<{ userId: string } | undefined> {
  const [row] = await db
    .select({ userId: knownDevices.userId })
    .from(knownDevices)
    .where(
      and(
        eq(knownDevices.tokenHash, tokenHash),
        gt(knownDevices.lastUsedAt, new Date(now.getTime() - KNOWN_DEVICE_TTL_MS)),
      ),
    );
  return row;
}

/** Remembers (or refreshes) a browser the user signed in from; forgets their devices unused for 400 days. */
export async function rememberKnownDevice(
  db: Executor,
  input: { tokenHash: string; userId: string; now: Date },
): Promise<void> {
  await db
    .insert(knownDevices)
    .values({ tokenHash: input.tokenHash, userId: input.userId, createdAt: input.now, lastUsedAt: input.now })
    .onConflictDoUpdate({
      target: knownDevices.tokenHash,
      set: { lastUsedAt: input.now },
      setWhere: eq(knownDevices.userId, input.userId),
    });
  await db
    .delete(knownDevices)
    .where(
      and(
        eq(knownDevices.userId, input.userId),
        lt(knownDevices.lastUsedAt, new Date(input.now.getTime() - KNOWN_DEVICE_TTL_MS)),
      ),
    );
}
