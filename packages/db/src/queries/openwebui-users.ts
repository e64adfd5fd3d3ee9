// Open WebUI users (the `users` table's openwebui_user_id): trusted-gateway mode finds, links or
// auto-joins the user behind Open WebUI's forwarded identity.
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
