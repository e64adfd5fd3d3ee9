// Identity lookups for every request: a session cookie or a personal API token (both stored as
// SHA-256) resolves to the user, their role and their organisation in one query.
import { and, desc, eq, gt, isNull, lt, or } from "drizzle-orm";
import { externalUserId, type Role } from "@mai/domain";
import type { Database, Executor } from "../client";
import { apiTokens, clientOrganizations, sessions, userClientMapping, users } from "../schema/index";
import { appendAudit } from "./audit";
import { retryOnRace } from "./errors";
import { normalizeEmail } from "./users";

export interface AuthUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  organizationId: string | null;
  externalUserId: string | null;
}

const authUserColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  organizationId: userClientMapping.organizationId,
  externalUserId: userClientMapping.externalUserId,
};

export async function getAuthUser(db: Executor, userId: string): Promise<AuthUser | undefined> {
  const [row] = await db
    .select(authUserColumns)
    .from(users)
    .leftJoin(userClientMapping, eq(userClientMapping.userId, users.id))
    .where(and(eq(users.id, userId), isNull(users.disabledAt)));
  return row;
}

// "last used" is bookkeeping, not state: refreshed at most once a minute to keep reads cheap.
const TOUCH_AFTER_MS = 60_000;

export async function createSession(
  db: Executor,
  input: { userId: string; tokenHash: string; expiresAt: Date; userAgent?: string | null; ip?: string | null },
): Promise<void> {
  await db.insert(sessions).values({
    userId: input.userId,
    tokenHash: input.tokenHash,
    expiresAt: input.expiresAt,
    userAgent: input.userAgent ?? null,
    ip: input.ip ?? null,
  });
}

export async function findSessionUser(db: Executor, tokenHash: string, now: Date): Promise<AuthUser | undefined> {
  const [row] = await db
    .select({ ...authUserColumns, lastSeenAt: sessions.lastSeenAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(userClientMapping, eq(userClientMapping.userId, users.id))
    .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, now), isNull(users.disabledAt)));
  if (!row) return undefined;
  if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_AFTER_MS) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.tokenHash, tokenHash));
  }
  const { lastSeenAt: _seen, ...user } = row;
  return user;
}

export async function deleteSession(db: Executor, tokenHash: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
}

export async function deleteExpiredSessions(db: Executor, now: Date): Promise<void> {
  await db.delete(sessions).where(lt(sessions.expiresAt, now));
}

export async function createApiToken(
  db: Executor,
  input: { userId: string; name: string; prefix: string; tokenHash: string; expiresAt?: Date | null },
) {
  const [row] = await db
    .insert(apiTokens)
    .values({ ...input, expiresAt: input.expiresAt ?? null })
    .returning({ id: apiTokens.id, name: apiTokens.name, prefix: apiTokens.prefix, createdAt: apiTokens.createdAt, expiresAt: apiTokens.expiresAt });
  return row!;
}

export async function listApiTokens(db: Executor, userId: string) {
  return db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      prefix: apiTokens.prefix,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
      expiresAt: apiTokens.expiresAt,
      revokedAt: apiTokens.revokedAt,
    })
    .from(apiTokens)
    .where(eq(apiTokens.userId, userId))
    .orderBy(desc(apiTokens.createdAt));
}

/** Revokes one of the user's own tokens; returns its hash (for cache eviction) or undefined. */
export async function revokeApiToken(db: Executor, input: { userId: string; tokenId: string; now: Date }) {
  const [row] = await db
    .update(apiTokens)
    .set({ revokedAt: input.now })
    .where(and(eq(apiTokens.id, input.tokenId), eq(apiTokens.userId, input.userId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id, tokenHash: apiTokens.tokenHash });
  return row;
}

export async function findTokenUser(db: Executor, tokenHash: string, now: Date): Promise<(AuthUser & { tokenId: string }) | undefined> {
  const [row] = await db
    .select({ ...authUserColumns, tokenId: apiTokens.id, lastUsedAt: apiTokens.lastUsedAt })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .leftJoin(userClientMapping, eq(userClientMapping.userId, users.id))
    .where(
      and(
        eq(apiTokens.tokenHash, tokenHash),
        isNull(apiTokens.revokedAt),
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
        isNull(users.disabledAt),
      ),
    );
  if (!row) return undefined;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > TOUCH_AFTER_MS) {
    await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.tokenId));
  }
  const { lastUsedAt: _used, ...user } = row;
  return user;
}


export interface OpenWebUiIdentity {
  id: string;
  email?: string | undefined;
  name?: string | undefined;
}

export type OpenWebUiResolution =
  /** Known by Open WebUI id, or by e-mail (`linked`: the Open WebUI id was recorded just now). */
  | { status: "found" | "linked" | "auto_joined"; user: AuthUser }
  /** Nobody has this id or e-mail and auto-join is off; or the user exists but is disabled. */
  | { status: "unknown" | "disabled" }
  /** Auto-join was asked for an organisation that does not exist or is deactivated. */
  | { status: "organization_unavailable" };

/** The e-mail an auto-joined user gets when Open WebUI forwards none (unique per Open WebUI id). */
export const openWebUiPlaceholderEmail = (openWebUiUserId: string) => `${openWebUiUserId.trim().toLowerCase()}@openwebui.local`;

async function findOpenWebUiCandidate(db: Executor, identity: OpenWebUiIdentity) {
  const columns = { id: users.id, openWebUiUserId: users.openWebUiUserId, disabledAt: users.disabledAt };
  const [byId] = await db.select(columns).from(users).where(eq(users.openWebUiUserId, identity.id));
  if (byId) return { ...byId, by: "id" as const };
  if (!identity.email?.trim()) return undefined;
  const [byEmail] = await db.select(columns).from(users).where(eq(users.email, normalizeEmail(identity.email)));
  return byEmail ? { ...byEmail, by: "email" as const } : undefined;
}

/**
 * Trusted-gateway mode: the user behind Open WebUI's forwarded identity — by Open WebUI user id,
 * then by e-mail (recording the Open WebUI id on the user when they have none yet). A user nobody
 * knows is created as a member of `autoJoinOrganizationId` (when given, and that organisation
 * exists and is active), mapped to it and audited (`user.auto_joined`), all in one transaction.
 * Concurrent first requests by one new user race on the unique indexes on e-mail and Open WebUI
 * id: the losers' transactions fail with a unique violation and are re-run, and then find the
 * user the winner created — exactly one user is ever created.
 * Only unknown users auto-join: a known user without an organisation (e.g. removed from it) stays
 * without one. Disabled users are refused, never re-created.
 */
export async function findOrCreateOpenWebUiUser(
  db: Database,
  identity: OpenWebUiIdentity,
  autoJoinOrganizationId?: string | null,
): Promise<OpenWebUiResolution> {
  const openWebUiUserId = identity.id.trim();
  const input = { ...identity, id: openWebUiUserId };
  return retryOnRace(async (): Promise<OpenWebUiResolution> => {
    const candidate = await findOpenWebUiCandidate(db, input);
    if (candidate) {
      if (candidate.disabledAt) return { status: "disabled" };
      let status: "found" | "linked" = "found";
      if (candidate.by === "email" && candidate.openWebUiUserId === null) {
        // Unique violation here (another user took this Open WebUI id meanwhile) re-runs the lookup.
        const linked = await db
          .update(users)
          .set({ openWebUiUserId, updatedAt: new Date() })
          .where(and(eq(users.id, candidate.id), isNull(users.openWebUiUserId)))
          .returning({ id: users.id });
        if (linked.length > 0) status = "linked";
      }
      const user = await getAuthUser(db, candidate.id);
      return user ? { status, user } : { status: "disabled" };
    }
    if (!autoJoinOrganizationId) return { status: "unknown" };

    return db.transaction(async (tx): Promise<OpenWebUiResolution> => {
      // Shares the organisation's row lock: it cannot be deactivated halfway through the join.
      const [organization] = await tx
        .select({ id: clientOrganizations.id, active: clientOrganizations.active })
        .from(clientOrganizations)
        .where(eq(clientOrganizations.id, autoJoinOrganizationId))
        .for("share");
      if (!organization?.active) return { status: "organization_unavailable" };
      const email = identity.email?.trim() ? normalizeEmail(identity.email) : openWebUiPlaceholderEmail(openWebUiUserId);
      const [created] = await tx
        .insert(users)
        .values({ email, name: identity.name?.trim() ?? "", role: "member", openWebUiUserId })
        .returning({ id: users.id });
      const userId = created!.id;
      const external = externalUserId(organization.id, userId);
      await tx.insert(userClientMapping).values({ userId, organizationId: organization.id, externalUserId: external });
      await appendAudit(tx, {
        actorKind: "proxy",
        action: "user.auto_joined",
        organizationId: organization.id,
        targetType: "user",
        targetId: userId,
        details: { openWebUiUserId, externalUserId: external, emailForwarded: Boolean(identity.email?.trim()) },
      });
      const user = await getAuthUser(tx, userId);
      return { status: "auto_joined", user: user! };
    });
  });
}
