import { describe, expect, it } from "vitest";

import { maskKey, planOrgSync, ROLES, serverMessage, type OrgSyncInput, type OrgSyncPlan } from "../src/index";

const KEY = `sk-or-v1-${"9a8b7c6d5e4f3a2b".repeat(4)}`;
const MINE = "11111111-1111-4111-8111-111111111111";
const THEIRS = "22222222-2222-4222-8222-222222222222";

type Owner = OrgSyncInput["keyOwner"];
const provisionedOrphan = (organizationId: string): Owner => ({
  organizationId,
  source: "provisioned",
  hasAdministrator: false,
});
const provisionedManaged = (organizationId: string): Owner => ({
  organizationId,
  source: "provisioned",
  hasAdministrator: true,
});
const clientOwned = (organizationId: string): Owner => ({
  organizationId,
  source: "client",
  hasAdministrator: true,
});
const clientOrphan = (organizationId: string): Owner => ({
  organizationId,
  source: "client",
  hasAdministrator: false,
});

const mapped = { organizationId: MINE };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

describe("planOrgSync", () => {
  it.each<[string, Omit<OrgSyncInput, "key">, DistributiveOmit<OrgSyncPlan, "reason" | "reasonKey">]>([
    // Row 1: only client administrators trigger sync.
    [
      "a member is skipped",
      { actorRole: "member", currentMapping: null, keyOwner: null },
      { action: "skipped" },
    ],
    [
      "a mapped member is skipped",
      { actorRole: "member", currentMapping: mapped, keyOwner: clientOwned(MINE) },
      { action: "skipped" },
    ],
    [
      "a provider admin is skipped",
      { actorRole: "provider_admin", currentMapping: null, keyOwner: null },
      { action: "skipped" },
    ],
    [
      "a provider admin is skipped even for an orphaned provisioned key",
      { actorRole: "provider_admin", currentMapping: null, keyOwner: provisionedOrphan(THEIRS) },
      { action: "skipped" },
    ],
    // Row 2: the key is already the admin's organisation's key.
    [
      "the same key again is unchanged",
      { actorRole: "org_admin", currentMapping: mapped, keyOwner: clientOwned(MINE) },
      { action: "unchanged", organizationId: MINE },
    ],
    [
      "the provisioned key of one's own organisation is unchanged",
      { actorRole: "org_admin", currentMapping: mapped, keyOwner: provisionedManaged(MINE) },
      { action: "unchanged", organizationId: MINE },
    ],
    // Row 3: the provider's hand-over.
    [
      "an unmapped admin claims a provisioned key of an organisation without administrator",
      { actorRole: "org_admin", currentMapping: null, keyOwner: provisionedOrphan(THEIRS) },
      { action: "claim", organizationId: THEIRS },
    ],
    // Row 4: everything else with an owner is a conflict.
    [
      "a mapped admin does not jump to a provisioned organisation without administrator",
      { actorRole: "org_admin", currentMapping: mapped, keyOwner: provisionedOrphan(THEIRS) },
      { action: "conflict" },
    ],
    [
      "an unmapped admin cannot claim a provisioned organisation that has an administrator",
      { actorRole: "org_admin", currentMapping: null, keyOwner: provisionedManaged(THEIRS) },
      { action: "conflict" },
    ],
    [
      "an unmapped admin cannot claim a client-saved key",
      { actorRole: "org_admin", currentMapping: null, keyOwner: clientOwned(THEIRS) },
      { action: "conflict" },
    ],
    [
      "an unmapped admin cannot claim a client-saved key even without administrator",
      { actorRole: "org_admin", currentMapping: null, keyOwner: clientOrphan(THEIRS) },
      { action: "conflict" },
    ],
    [
      "a mapped admin saving another organisation's key",
      { actorRole: "org_admin", currentMapping: mapped, keyOwner: clientOwned(THEIRS) },
      { action: "conflict" },
    ],
    // Row 5: a new key for a mapped admin.
    [
      "a mapped admin with a new key updates their organisation",
      { actorRole: "org_admin", currentMapping: mapped, keyOwner: null },
      { action: "update", organizationId: MINE },
    ],
    // Row 6: a new key for an unmapped admin.
    [
      "an unmapped admin with a new key creates an organisation",
      { actorRole: "org_admin", currentMapping: null, keyOwner: null },
      { action: "create" },
    ],
  ])("%s", (_label, facts, expected) => {
    const plan = planOrgSync({ ...facts, key: KEY });
    const { reason, reasonKey, ...rest } = plan;
    expect(rest).toEqual(expected);
    expect(reason.length).toBeGreaterThan(10);
    // The reason is its catalog key's English, so a client can say it in its reader's language.
    expect(serverMessage(reasonKey)).toBe(reason);
    // Reasons reach the user and the audit log: never the key, its mask, or the other organisation.
    expect(reason).not.toContain(KEY.slice(9, 15));
    expect(reason).not.toContain(maskKey(KEY));
    expect(reason).not.toContain(THEIRS);
    expect(reason).not.toContain(THEIRS.slice(0, 8));
  });

  it("words the skip differently for a member and for the provider, and only admins trigger sync", () => {
    const member = planOrgSync({ actorRole: "member", currentMapping: null, keyOwner: null, key: KEY });
    const provider = planOrgSync({
      actorRole: "provider_admin",
      currentMapping: null,
      keyOwner: null,
      key: KEY,
    });
    expect(member.reason).not.toBe(provider.reason);
    for (const plan of [member, provider]) expect(plan.reason).toMatch(/only client administrators/i);
  });

  it("says the key belongs to another organisation on conflict", () => {
    const plan = planOrgSync({
      actorRole: "org_admin",
      currentMapping: null,
      keyOwner: clientOwned(THEIRS),
      key: KEY,
    });
    expect(plan.reason).toMatch(/another organisation/);
  });

  it.each(ROLES.map((role) => [role]))("decides the same whatever the key is (%s)", (role) => {
    const other = `sk-or-v1-${"0".repeat(64)}`;
    const facts = { actorRole: role, currentMapping: mapped, keyOwner: null };
    expect(planOrgSync({ ...facts, key: KEY })).toEqual(planOrgSync({ ...facts, key: other }));
  });
});
