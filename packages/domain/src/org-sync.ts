// Why: "what should happen to organisations when a client administrator saves an OpenRouter key" is
// a business decision, so it lives here as a pure function over facts the caller has already read
// (inside the transaction that then carries the plan out). Keeping the table in one place makes
// "a mapped administrator never jumps organisations" and "another organisation's key is refused
// without saying whose it is" testable without a database.

import { SERVER_MESSAGES, type ServerMessageKey } from "./messages";

export const ROLES = ["provider_admin", "org_admin", "member"] as const;
export type Role = (typeof ROLES)[number];

/** Who put the key on the organisation: minted by the provider, or saved by the client itself. */
export type KeySource = "provisioned" | "client";

export interface OrgSyncInput {
  actorRole: Role;
  /** The saving user's current organisation, if mapped. */
  currentMapping: { organizationId: string } | null;
  /** The organisation that already holds this key, if any. */
  keyOwner: { organizationId: string; source: KeySource; hasAdministrator: boolean } | null;
  /** The validated key. Deliberately unused by the decision; reasons never mention it. */
  key: string;
}

/** Why: the reason in English, and its key in the message catalog. */
interface Because {
  reason: string;
  reasonKey: ServerMessageKey;
}

export type OrgSyncPlan =
  | ({ action: "skipped" } & Because)
  | ({ action: "create" } & Because)
  | ({ action: "update"; organizationId: string } & Because)
  | ({ action: "unchanged"; organizationId: string } & Because)
  | ({ action: "claim"; organizationId: string } & Because)
  | ({ action: "conflict" } & Because);

// Reasons are shown to the saving user and written to the audit log: fixed texts, with no key and
// no other organisation's identity in them. They live in the message catalog (keys sync.*); a plan
// carries its reason's key too, for a client that says it in the reader's language.
const REASON_KEYS = {
  skippedMember: "sync.skippedMember",
  skippedProvider: "sync.skippedProvider",
  unchanged: "sync.unchanged",
  claim: "sync.claim",
  conflict: "sync.conflict",
  update: "sync.update",
  create: "sync.create",
} as const satisfies Partial<Record<keyof typeof SERVER_MESSAGES.sync, ServerMessageKey>>;
type Reason = keyof typeof REASON_KEYS;
const REASONS = Object.fromEntries(
  (Object.keys(REASON_KEYS) as Reason[]).map((r) => [r, { reason: SERVER_MESSAGES.sync[r], reasonKey: REASON_KEYS[r] }]),
) as Record<Reason, Because>;

export function planOrgSync(input: OrgSyncInput): OrgSyncPlan {
  const { actorRole, currentMapping, keyOwner } = input;

  if (actorRole !== "org_admin") {
    return {
      action: "skipped",
      ...(actorRole === "provider_admin" ? REASONS.skippedProvider : REASONS.skippedMember),
    };
  }

  if (keyOwner) {
    if (currentMapping && currentMapping.organizationId === keyOwner.organizationId) {
      return { action: "unchanged", organizationId: keyOwner.organizationId, ...REASONS.unchanged };
    }
    // Claiming is the provider's hand-over of a key: only for an unmapped administrator, only for a
    // key the provider minted, and only while the organisation has nobody in charge. A mapped
    // administrator never switches organisations by pasting a key.
    if (!currentMapping && keyOwner.source === "provisioned" && !keyOwner.hasAdministrator) {
      return { action: "claim", organizationId: keyOwner.organizationId, ...REASONS.claim };
    }
    return { action: "conflict", ...REASONS.conflict };
  }

  if (currentMapping) {
    return { action: "update", organizationId: currentMapping.organizationId, ...REASONS.update };
  }
  return { action: "create", ...REASONS.create };
}
