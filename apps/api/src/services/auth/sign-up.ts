// auth.signUpWithKey — "the key is the invitation" (the original system's promise: "give the
// generated key to your client — done"). A client administrator enters e-mail, name, password and
// the OpenRouter key their provider handed over, and gets what the automatic org sync gives an
// administrator who saves that key (@mai/db's org-sync.ts, decided by @mai/domain's planOrgSync):
// a provider-minted key of an organisation without an administrator is claimed; a key nobody holds
// creates an organisation with the global defaults; any other key is refused without saying whose.
//
// Order: everything that can be refused without writing comes first — the provider's switch
// (global_settings.self_signup_enabled), the per-address throttle, the key's format, the password
// rule, an e-mail that already has an account — then OpenRouter's verdict on the key (a network
// call, so outside any transaction), then one transaction that creates the account and runs the
// sync; if the sync refuses, the transaction is rolled back and no account is left behind. Only
// then is the browser signed in.
import {
  appendAudit,
  createUser,
  getAuthUser,
  getGlobalSettings,
  getOrganization,
  getUserByEmail,
  retryOnRace,
  syncOrganizationInTransaction,
} from "@mai/db";
import { domainError, DomainError, maskKey, validateOpenRouterKey } from "@mai/domain";
import type { SignUpWithKeyInput } from "@mai/domain/schemas";
import type { Context } from "../../context";
import { chatKeyProblem } from "../settings/update";
import { existingAccount } from "./accept-invitation";
import { openSession, SESSION_TTL_MS, type Me } from "./login";
import { assertAcceptablePassword, hashPassword } from "./passwords";
import { admitPublicAttempt } from "./public-attempts";

export interface SignUpResult {
  /** claimed: the provider's organisation for this key; created: a new one with the global defaults. */
  status: "claimed" | "created";
  organization: { id: string; name: string };
  /** What happened, in words (the org sync's reason). */
  message: string;
  me: Me;
}

/** Whether the sign-in page offers sign-up (the provider's switch). */
export async function signUpEnabled(ctx: Context): Promise<{ enabled: boolean }> {
  return { enabled: (await getGlobalSettings(ctx.deps.db)).selfSignupEnabled };
}

export async function signUpWithKey(ctx: Context, input: SignUpWithKeyInput): Promise<SignUpResult> {
  const { db, secrets } = ctx.deps;
  if (!(await getGlobalSettings(db)).selfSignupEnabled) throw domainError("FORBIDDEN", "auth.signUpOff");
  const now = ctx.deps.now();
  const attempt = await admitPublicAttempt(ctx, now);

  const valid = validateOpenRouterKey(input.openRouterKey);
  if (!valid.ok) throw domainError("INVALID_INPUT", valid.messageKey, valid.messageParams, { details: { code: valid.code } });
  const key = valid.key;
  const email = input.email.trim().toLowerCase();
  const name = input.name.trim();
  assertAcceptablePassword(input.password, { email, name });
  if (await getUserByEmail(db, email)) throw existingAccount();
  const problem = await chatKeyProblem(ctx, key);
  if (problem) throw new DomainError("INVALID_INPUT", problem.message, { details: problem.details });
  const passwordHash = await hashPassword(input.password);

  const { userId, sync } = await retryOnRace(() =>
    db.transaction(async (tx) => {
      // A race on the e-mail ends in a unique violation: the transaction re-runs and is refused here.
      if (await getUserByEmail(tx, email)) throw existingAccount();
      const user = await createUser(tx, { email, name, role: "org_admin", passwordHash });
      const result = await syncOrganizationInTransaction(tx, secrets, { userId: user.id, key, now, ip: ctx.request.ip });
      if ((result.status !== "claimed" && result.status !== "created") || !result.organizationId) {
        // Throwing rolls back the account (and the sync's own audit entry): nothing is left half-written.
        throw result.status === "conflict"
          ? domainError("CONFLICT", result.messageKey, result.messageParams)
          : domainError("CONFLICT", "auth.signUpKeyUnusable");
      }
      await appendAudit(tx, {
        actorUserId: user.id,
        actorKind: "user",
        action: "auth.signed_up",
        organizationId: result.organizationId,
        targetType: "user",
        targetId: user.id,
        details: { email, sync: result.status, keyHint: maskKey(key) },
        ip: ctx.request.ip,
      });
      return { userId: user.id, sync: { status: result.status, organizationId: result.organizationId, message: result.message } };
    }),
  );
  await attempt.succeeded();
  await openSession(ctx, db, userId, "full", now, new Date(now.getTime() + SESSION_TTL_MS));
  const organization = (await getOrganization(db, sync.organizationId))!;
  return {
    status: sync.status,
    organization: { id: organization.id, name: organization.name },
    message: sync.message,
    me: { ...(await getAuthUser(db, userId))!, mustChangePassword: false },
  };
}
