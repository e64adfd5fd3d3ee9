// auth.acceptInvitation and auth.invitations: the invitee's side of members.add (../members/add.ts).
//
// With the code (public, the dashboard's /join page): the invitation must be pending for exactly
// this e-mail; the e-mail must have no account yet — an existing account is never touched, nor
// told apart from anything but "sign in instead" — and the password is the invitee's own, checked
// by @mai/domain's passwordProblem. The account (with the invited role), its mapping and the
// invitation's acceptance are one transaction, locked on the invitation row, so a code makes one
// account however many requests race with it; then the browser is signed in.
//
// Signed in (an account of no organisation, on its landing page): the invitation's id, for the
// session's own e-mail. Joining is the account owner's consent, so their role becomes the invited
// one here, and only here. An account already in an organisation, or the provider's, cannot.
import {
  appendAudit,
  createUser,
  findPendingInvitationByCode,
  findPendingInvitationForEmail,
  findUserForMembership,
  getAuthUser,
  getUserByEmail,
  listPendingInvitationsForEmail,
  mapUserToOrganization,
  markInvitationAccepted,
  retryOnRace,
  setUserRole,
  type AuthUser,
  type InvitationRole,
} from "@mai/db";
import { domainError } from "@mai/domain";
import type { AcceptInvitationInput } from "@mai/domain/schemas";
import type { Context } from "../../context";
import { hashInvitationCode } from "../members/invitations";
import { openSession, SESSION_TTL_MS, type Me } from "./login";
import { assertAcceptablePassword, hashPassword } from "./passwords";
import { admitPublicAttempt } from "./public-attempts";

const invalid = () => domainError("INVALID_INPUT", "invitation.invalid");
/** Shared with auth.signUpWithKey: an e-mail that already has an account. */
export const existingAccount = () => domainError("CONFLICT", "invitation.existingAccount");

export interface PendingInvitationForMe {
  id: string;
  organizationName: string;
  role: InvitationRole;
  name: string;
  createdAt: Date;
  expiresAt: Date;
}

/** The pending invitations a signed-in account may accept: none once it belongs to an organisation (or is the provider's). */
export async function listMyInvitations(ctx: Context, user: AuthUser): Promise<PendingInvitationForMe[]> {
  if (user.role === "provider_admin" || user.organizationId) return [];
  const rows = await listPendingInvitationsForEmail(ctx.deps.db, user.email, ctx.deps.now());
  return rows.map((r) => ({ id: r.id, organizationName: r.organizationName, role: r.role, name: r.name, createdAt: r.createdAt, expiresAt: r.expiresAt }));
}

export function acceptInvitation(ctx: Context, input: AcceptInvitationInput): Promise<Me> {
  return input.invitationId ? acceptSignedIn(ctx, input.invitationId) : acceptWithCode(ctx, input);
}

async function acceptWithCode(ctx: Context, input: AcceptInvitationInput): Promise<Me> {
  const { db } = ctx.deps;
  const now = ctx.deps.now();
  const email = (input.email ?? "").trim().toLowerCase();
  const codeHash = hashInvitationCode(input.code ?? "");
  const password = input.password ?? "";
  const attempt = await admitPublicAttempt(ctx, now);

  // Checked before any password is hashed: a wrong code costs the guesser nothing but the attempt.
  const seen = await db.transaction((tx) => findPendingInvitationByCode(tx, { codeHash, email, now }));
  if (!seen) throw invalid();
  if (await getUserByEmail(db, email)) throw existingAccount();
  const name = input.name?.trim() || seen.name;
  assertAcceptablePassword(password, { email, name });
  const passwordHash = await hashPassword(password);

  const userId = await retryOnRace(() =>
    db.transaction(async (tx) => {
      const invitation = await findPendingInvitationByCode(tx, { codeHash, email, now });
      if (!invitation) throw invalid();
      // A race on the e-mail (another invitation, a sign-up) ends in a unique violation: re-run, then refused here.
      if (await getUserByEmail(tx, email)) throw existingAccount();
      const user = await createUser(tx, { email, name, role: invitation.role, passwordHash });
      const { externalUserId } = await mapUserToOrganization(tx, { userId: user.id, organizationId: invitation.organizationId });
      await markInvitationAccepted(tx, invitation.id, now);
      await appendAudit(tx, {
        actorUserId: user.id,
        actorKind: "user",
        action: "invitation.accepted",
        organizationId: invitation.organizationId,
        targetType: "invitation",
        targetId: invitation.id,
        details: { email, role: invitation.role, created: true, userId: user.id, externalUserId },
        ip: ctx.request.ip,
      });
      return user.id;
    }),
  );
  await attempt.succeeded();
  await openSession(ctx, db, userId, "full", now, new Date(now.getTime() + SESSION_TTL_MS));
  return { ...(await getAuthUser(db, userId))!, mustChangePassword: false };
}

async function acceptSignedIn(ctx: Context, invitationId: string): Promise<Me> {
  const { db } = ctx.deps;
  const user = ctx.user;
  if (!user) throw domainError("UNAUTHENTICATED", "auth.signInFirst");
  const now = ctx.deps.now();
  const alreadyIn = () => domainError("CONFLICT", "invitation.alreadyInOrganization");
  if (user.role === "provider_admin" || user.organizationId) throw alreadyIn();

  await db.transaction(async (tx) => {
    // The account's row first (as members.add and the org sync lock it), then the invitation's.
    const current = await findUserForMembership(tx, user.email, { lock: true });
    if (!current || current.role === "provider_admin" || current.organizationId) throw alreadyIn();
    const invitation = await findPendingInvitationForEmail(tx, { invitationId, email: user.email, now });
    if (!invitation) throw invalid();
    if (current.role !== invitation.role) await setUserRole(tx, user.id, invitation.role, now);
    const { externalUserId } = await mapUserToOrganization(tx, { userId: user.id, organizationId: invitation.organizationId });
    await markInvitationAccepted(tx, invitation.id, now);
    await appendAudit(tx, {
      actorUserId: user.id,
      actorKind: "user",
      action: "invitation.accepted",
      organizationId: invitation.organizationId,
      targetType: "invitation",
      targetId: invitation.id,
      details: {
        email: user.email,
        role: invitation.role,
        created: false,
        userId: user.id,
        externalUserId,
        ...(current.role !== invitation.role ? { previousRole: current.role } : {}),
      },
      ip: ctx.request.ip,
    });
  });
  return { ...(await getAuthUser(db, user.id))!, mustChangePassword: false };
}
