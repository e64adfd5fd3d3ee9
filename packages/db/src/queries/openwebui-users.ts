// Open WebUI users (the `users` table's openwebui_user_id): trusted-gateway mode finds, links or
// auto-joins the user behind Open WebUI's forwarded identity; the settings endpoints find, link or
// create the user behind an Open WebUI session that Open WebUI itself vouched for.
import { and, eq, isNull } from "drizzle-orm";
import { externalUserId } from "@mai/domain";
import type { ResolveContextInput } from "@mai/domain/schemas";
import type { Database, Executor } from "../client";
import { clientOrganizations, userClientMapping, users } from "../schema/index";
import { appendAudit } from "./audit";
import { retryOnRace } from "./errors";
import { getAuthUser, normalizeEmail, type AuthUser } from "./users";

/** The identity Open WebUI forwarded, as internal.resolveContext parsed it. */
export type OpenWebUiIdentity = Extract<ResolveContextInput, { openWebUiUser: unknown }>["openWebUiUser"];

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

/** Who Open WebUI says a session belongs to (its `GET /api/v1/auths/`), as the API parsed it. */
export interface OpenWebUiSessionIdentity {
  id: string;
  email?: string | undefined;
  name?: string | undefined;
  /** Open WebUI's role of the user, kept in the audit entry (admin, user). */
  openWebUiRole: string;
  /** The Open WebUI group (MAI_OPENWEBUI_ADMIN_GROUP) that made a new user a client administrator, for the audit. */
  adminGroup?: string | undefined;
}

export interface OpenWebUiSessionOptions {
  /** The Open WebUI instance the session came from ("default" for MAI_OPENWEBUI_URL), for the audit. */
  instance: string;
  /** The instance's organisation: new users join it, and only its users may be acted for. */
  organizationId: string | null;
  /** The role a user created on first sight gets (the caller maps Open WebUI's role to it). */
  roleForNewUser: "org_admin" | "member";
  /** Find only — no link, no user created (a read of settings has no side effects): `unknown` when nobody matches. */
  readOnly?: boolean;
  ip?: string | null;
}

export type OpenWebUiSessionResolution =
  /** Known by Open WebUI id, or by e-mail (`linked`: the id was recorded now), or `created` now. */
  | { status: "found" | "linked" | "created"; user: AuthUser }
  /** The mAI user is disabled: refused, never re-created. */
  | { status: "disabled" }
  /** The matching mAI user is the provider's: an Open WebUI session never acts as the provider. */
  | { status: "provider" }
  /** The instance names an organisation, and the matching user is not in it (or in none). */
  | { status: "other_organization" }
  /** The instance's organisation does not exist or is deactivated: nobody new can join it. */
  | { status: "organization_unavailable" }
  /** readOnly, and nobody has this Open WebUI id or e-mail yet. */
  | { status: "unknown" };

/**
 * An Open WebUI session on the settings endpoints: the mAI user to act for — by Open WebUI user
 * id, then by e-mail (recording the id on a user that has none yet), or created on first sight
 * with `roleForNewUser`, mapped to the instance's organisation when it names one. Linking and
 * creating are audited (`user.openwebui_linked`, `user.created_from_openwebui`) in the same
 * transaction as the change. A known user keeps their mAI role: Open WebUI's role decides only a
 * new account's, so neither an Open WebUI admin nor its demotion re-roles an mAI account.
 * Refused before anything is written (so a refusal never links an id): a disabled user, the
 * provider's accounts, and — for an instance bound to an organisation — any user outside it: the
 * admin of one client's Open WebUI can create a user with any e-mail, and must not reach another
 * client's account by it. Concurrent first sightings race on the unique indexes (e-mail, Open
 * WebUI id); the losers re-run and find the winner's user. `readOnly` (a settings read) only finds.
 */
export async function findOrCreateOpenWebUiSessionUser(
  db: Database,
  identity: OpenWebUiSessionIdentity,
  options: OpenWebUiSessionOptions,
): Promise<OpenWebUiSessionResolution> {
  const openWebUiUserId = identity.id.trim();
  const email = identity.email?.trim() ? normalizeEmail(identity.email) : undefined;
  const columns = {
    id: users.id,
    openWebUiUserId: users.openWebUiUserId,
    disabledAt: users.disabledAt,
    role: users.role,
    organizationId: userClientMapping.organizationId,
  };
  const candidates = () => db.select(columns).from(users).leftJoin(userClientMapping, eq(userClientMapping.userId, users.id));
  const auditBase = { actorKind: "user" as const, targetType: "user", ip: options.ip ?? null };

  return retryOnRace(async (): Promise<OpenWebUiSessionResolution> => {
    const [byId] = await candidates().where(eq(users.openWebUiUserId, openWebUiUserId));
    const [byEmail] = byId || !email ? [] : await candidates().where(eq(users.email, email));
    const candidate = byId ?? byEmail;
    if (candidate) {
      if (candidate.disabledAt) return { status: "disabled" };
      if (candidate.role === "provider_admin") return { status: "provider" };
      if (options.organizationId && candidate.organizationId !== options.organizationId) return { status: "other_organization" };
      if (byId || candidate.openWebUiUserId !== null || options.readOnly) {
        const user = await getAuthUser(db, candidate.id);
        return user ? { status: "found", user } : { status: "disabled" };
      }
      return db.transaction(async (tx): Promise<OpenWebUiSessionResolution> => {
        // Unique violation here (another user took this Open WebUI id meanwhile) re-runs the lookup.
        const linked = await tx
          .update(users)
          .set({ openWebUiUserId, updatedAt: new Date() })
          .where(and(eq(users.id, candidate.id), isNull(users.openWebUiUserId), isNull(users.disabledAt)))
          .returning({ id: users.id });
        if (linked.length > 0) {
          await appendAudit(tx, {
            ...auditBase,
            actorUserId: candidate.id,
            action: "user.openwebui_linked",
            organizationId: candidate.organizationId,
            targetId: candidate.id,
            details: { openWebUiUserId, instance: options.instance, openWebUiRole: identity.openWebUiRole, matchedBy: "email" },
          });
        }
        const user = await getAuthUser(tx, candidate.id);
        return user ? { status: linked.length > 0 ? "linked" : "found", user } : { status: "disabled" };
      });
    }

    if (options.readOnly) return { status: "unknown" };
    return db.transaction(async (tx): Promise<OpenWebUiSessionResolution> => {
      const organizationId = options.organizationId;
      if (organizationId) {
        // Shares the organisation's row lock: it cannot be deactivated halfway through the join.
        const [organization] = await tx
          .select({ active: clientOrganizations.active })
          .from(clientOrganizations)
          .where(eq(clientOrganizations.id, organizationId))
          .for("share");
        if (!organization?.active) return { status: "organization_unavailable" };
      }
      const [created] = await tx
        .insert(users)
        .values({
          email: email ?? openWebUiPlaceholderEmail(openWebUiUserId),
          name: identity.name?.trim().slice(0, 200) ?? "",
          role: options.roleForNewUser,
          openWebUiUserId,
        })
        .returning({ id: users.id });
      const userId = created!.id;
      const external = organizationId ? externalUserId(organizationId, userId) : null;
      if (organizationId && external) {
        await tx.insert(userClientMapping).values({ userId, organizationId, externalUserId: external });
      }
      await appendAudit(tx, {
        ...auditBase,
        actorUserId: userId,
        action: "user.created_from_openwebui",
        organizationId,
        targetId: userId,
        details: {
          openWebUiUserId,
          instance: options.instance,
          openWebUiRole: identity.openWebUiRole,
          role: options.roleForNewUser,
          ...(identity.adminGroup ? { openWebUiGroup: identity.adminGroup } : {}),
          emailGiven: email !== undefined,
          ...(external ? { externalUserId: external } : {}),
        },
      });
      const user = await getAuthUser(tx, userId);
      return { status: "created", user: user! };
    });
  });
}
