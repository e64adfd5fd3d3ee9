// Why: "what should happen to organisations when a client administrator saves an OpenRouter key" is
// a business decision, so it lives here as a pure function over facts the caller has already read
// (inside the transaction that then carries the plan out). Keeping the table in one place makes
// "a mapped administrator never jumps organisations" and "another organisation's key is refused
// without saying whose it is" testable without a database.

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

export type OrgSyncPlan =
  | { action: "skipped"; reason: string }
  | { action: "create"; reason: string }
  | { action: "update"; organizationId: string; reason: string }
  | { action: "unchanged"; organizationId: string; reason: string }
  | { action: "claim"; organizationId: string; reason: string }
  | { action: "conflict"; reason: string };

// Reasons are shown to the saving user and written to the audit log: fixed texts, with no key and
// no other organisation's identity in them.
const REASONS = {
  skippedMember:
    "Only client administrators trigger organisation sync; your connection was saved for your own use.",
  skippedProvider:
    "Only client administrators trigger organisation sync; as the provider, manage organisations and their keys from the dashboard.",
  unchanged: "This key is already your organisation's key; nothing changed.",
  claim:
    "The provider issued this key for an organisation that has no administrator yet; you are now its administrator.",
  conflict:
    "This key is already attached to another organisation. Use the key issued for your organisation, or contact the provider.",
  update: "Your organisation's OpenRouter key was replaced with the new key.",
  create: "A new organisation was created for this key, with you as its administrator.",
} as const;

export function planOrgSync(input: OrgSyncInput): OrgSyncPlan {
  const { actorRole, currentMapping, keyOwner } = input;

  if (actorRole !== "org_admin") {
    return {
      action: "skipped",
      reason: actorRole === "provider_admin" ? REASONS.skippedProvider : REASONS.skippedMember,
    };
  }

  if (keyOwner) {
    if (currentMapping && currentMapping.organizationId === keyOwner.organizationId) {
      return { action: "unchanged", organizationId: keyOwner.organizationId, reason: REASONS.unchanged };
    }
    // Claiming is the provider's hand-over of a key: only for an unmapped administrator, only for a
    // key the provider minted, and only while the organisation has nobody in charge. A mapped
    // administrator never switches organisations by pasting a key.
    if (!currentMapping && keyOwner.source === "provisioned" && !keyOwner.hasAdministrator) {
      return { action: "claim", organizationId: keyOwner.organizationId, reason: REASONS.claim };
    }
    return { action: "conflict", reason: REASONS.conflict };
  }

  if (currentMapping) {
    return { action: "update", organizationId: currentMapping.organizationId, reason: REASONS.update };
  }
  return { action: "create", reason: REASONS.create };
}
