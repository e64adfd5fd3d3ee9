// The org-sync use case, end to end in one transaction: an administrator saved an OpenRouter key
// in the chat client's settings, so create their organisation and mapping, update its key, claim a
// provisioned organisation, or refuse — as planOrgSync (the domain) decides.
//
// Concurrency: the saving user's row is locked first, so twenty simultaneous saves by one
// administrator run one after another and the second to twentieth find the mapping (unchanged).
// Races between *different* users end in a unique violation (one organisation per key
// fingerprint, one mapping per user); the whole transaction is then re-planned from fresh reads.
import { eq } from "drizzle-orm";
import {
  DomainError,
  externalUserId,
  maskKey,
  planOrgSync,
  serverMessage,
  type OpenRouterKey,
  type ServerMessageKey,
  type ServerMessageParams,
} from "@mai/domain";
import type { Database, Executor, Transaction } from "../client";
import type { SecretBox } from "../crypto/secret-box";
import { userClientMapping, users } from "../schema/index";
import { appendAudit, type ActorKind } from "./audit";
import { createOrganization, findKeyOwner, getOrganization, setOrganizationKey } from "./organizations";
import { retryOnRace } from "./errors";
import { queueKeyRetirement } from "./key-retirements";

export type OrgSyncStatus = "created" | "updated" | "unchanged" | "claimed" | "skipped" | "conflict";

export interface OrgSyncResult {
  status: OrgSyncStatus;
  organizationId?: string;
  externalUserId?: string;
  message: string;
  /** The message's key in the catalog (@mai/domain SERVER_MESSAGES) and its parameters. */
  messageKey: ServerMessageKey;
  messageParams: ServerMessageParams;
}

export interface OrgSyncRequest {
  userId: string;
  /** Validated once, by whoever read it from the request (findOpenRouterConnection on a save). */
  key: OpenRouterKey;
  now?: Date;
  actorKind?: ActorKind;
  ip?: string | null;
  /**
   * When a provisioned key this save replaces may be deleted on OpenRouter (queued in
   * key_retirements, as organizations.setKey does: after the proxies' identity caches let go of it).
   * Unset: a replaced provisioned key is left alone upstream.
   */
  retireReplacedKeyAfter?: Date;
}

export function billingEmailFor(userId: string): string {
  return `billing+${userId.replaceAll("-", "").slice(0, 8).toLowerCase()}@client.local`;
}

async function mapUser(db: Executor, userId: string, organizationId: string): Promise<string> {
  const id = externalUserId(organizationId, userId);
  await db.insert(userClientMapping).values({ userId, organizationId, externalUserId: id });
  return id;
}

export async function syncOrganizationForUser(db: Database, secrets: SecretBox, request: OrgSyncRequest): Promise<OrgSyncResult> {
  return retryOnRace(() => db.transaction((tx) => syncOrganizationInTransaction(tx, secrets, request)));
}

/**
 * The same sync inside the caller's transaction, which is then the one to re-run on a race
 * (retryOnRace): auth.signUpWithKey creates the user and syncs in one transaction, so a refused
 * key leaves no account behind.
 */
export async function syncOrganizationInTransaction(tx: Transaction, secrets: SecretBox, request: OrgSyncRequest): Promise<OrgSyncResult> {
  const key = request.key;
  const keyHint = maskKey(key);

  const [user] = await tx
    .select({ id: users.id, role: users.role })
    .from(users)
    .where(eq(users.id, request.userId))
    .for("update");
  if (!user) throw new DomainError("NOT_FOUND", "User not found.");

  const [mapping] = await tx
    .select({ organizationId: userClientMapping.organizationId, externalUserId: userClientMapping.externalUserId })
    .from(userClientMapping)
    .where(eq(userClientMapping.userId, user.id));
  const keyOwner = await findKeyOwner(tx, secrets, key, { lock: true });

  const plan = planOrgSync({
    actorRole: user.role,
    currentMapping: mapping ? { organizationId: mapping.organizationId } : null,
    keyOwner: keyOwner ?? null,
    key,
  });

  const audit = (action: OrgSyncStatus, organizationId: string | null, details: Record<string, unknown> = {}) =>
    appendAudit(tx, {
      actorUserId: user.id,
      actorKind: request.actorKind ?? "user",
      action: `org_sync.${action}`,
      organizationId,
      targetType: "organization",
      targetId: organizationId,
      details: { keyHint, reason: plan.reason, ...details },
      ip: request.ip ?? null,
    });

  switch (plan.action) {
    case "skipped": {
      await audit("skipped", mapping?.organizationId ?? null, { role: user.role });
      return { status: "skipped", message: plan.reason, messageKey: plan.reasonKey, messageParams: {} };
    }
    case "conflict": {
      // Filed under the organisation that holds the key: its administrators (and the provider)
      // learn that someone tried to attach their key; the saver's organisation learns nothing.
      await audit("conflict", keyOwner?.organizationId ?? null);
      return { status: "conflict", message: plan.reason, messageKey: plan.reasonKey, messageParams: {} };
    }
    case "unchanged": {
      await audit("unchanged", plan.organizationId);
      return {
        status: "unchanged",
        organizationId: plan.organizationId,
        externalUserId: mapping?.externalUserId,
        message: plan.reason,
        messageKey: plan.reasonKey,
        messageParams: {},
      };
    }
    case "update": {
      const before = await getOrganization(tx, plan.organizationId);
      await setOrganizationKey(tx, secrets, plan.organizationId, { key, source: "client" });
      const retired = before?.openrouterKeyHash && request.retireReplacedKeyAfter ? before.openrouterKeyHash : null;
      if (retired && request.retireReplacedKeyAfter) {
        await queueKeyRetirement(tx, {
          organizationId: plan.organizationId,
          openrouterKeyHash: retired,
          reason: "replaced",
          deleteAfter: request.retireReplacedKeyAfter,
        });
      }
      await audit("updated", plan.organizationId, {
        previousKeyHint: before?.keyHint ?? null,
        ...(retired ? { previousKeyDeleteAfter: request.retireReplacedKeyAfter?.toISOString() } : {}),
      });
      return {
        status: "updated",
        organizationId: plan.organizationId,
        externalUserId: mapping?.externalUserId,
        message: plan.reason,
        messageKey: plan.reasonKey,
        messageParams: {},
      };
    }
    case "claim": {
      const externalId = await mapUser(tx, user.id, plan.organizationId);
      await audit("claimed", plan.organizationId, { externalUserId: externalId });
      return {
        status: "claimed",
        organizationId: plan.organizationId,
        externalUserId: externalId,
        message: plan.reason,
        messageKey: plan.reasonKey,
        messageParams: {},
      };
    }
    case "create": {
      const organization = await createOrganization(tx, secrets, {
        billingEmail: billingEmailFor(user.id),
        key,
        keySource: "client",
        createdBy: user.id,
        ...(request.now ? { now: request.now } : {}),
      });
      const externalId = await mapUser(tx, user.id, organization.id);
      await audit("created", organization.id, { name: organization.name, externalUserId: externalId });
      return {
        status: "created",
        organizationId: organization.id,
        externalUserId: externalId,
        message: serverMessage("sync.createNamed", { organization: organization.name }),
        messageKey: "sync.createNamed",
        messageParams: { organization: organization.name },
      };
    }
  }
}
