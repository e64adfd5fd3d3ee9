// Invitations: pending means not accepted, not revoked, not expired — at the instant given — and
// every read and state change filters on it; a deactivated organisation's invitations cannot be
// found to accept; the row lock makes one of two racing accepts the only one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createInvitation,
  createOrganization,
  deactivateOrganization,
  findPendingInvitationByCode,
  findPendingInvitationForEmail,
  getGlobalSettings,
  listPendingInvitations,
  listPendingInvitationsForEmail,
  markInvitationAccepted,
  revokeInvitation,
  revokePendingInvitationsFor,
  updateGlobalSettings,
} from "../src/index";
import { createTestDb, fakeOpenRouterKey, testDrivers, type TestDb } from "../src/testing/index";

const DAY = 86_400_000;
let seq = 0;

describe.each(testDrivers())("invitations on %s", (driver) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(driver, { max: 12 });
  });
  afterAll(() => t.close());

  const now = new Date("2026-05-04T10:00:00Z");
  const org = (name = `Invitations ${++seq}`) => createOrganization(t.db, t.secrets, { name, key: fakeOpenRouterKey((0x5000 + ++seq).toString(16)) });
  const invite = (organizationId: string, email: string, codeHash = `hash-${++seq}`, at = now) =>
    createInvitation(t.db, { organizationId, email, name: "", role: "member", codeHash, createdBy: null, now: at, expiresAt: new Date(at.getTime() + 7 * DAY) });

  it("stores the e-mail normalised; found by code hash and e-mail until it expires", async () => {
    const o = await org();
    const created = await invite(o.id, " Ola@Example.COM ", "hash-a");
    expect(created).toMatchObject({ email: "ola@example.com", role: "member", organizationId: o.id });
    expect(JSON.stringify(created)).not.toContain("hash-a");
    await t.db.transaction(async (tx) => {
      expect((await findPendingInvitationByCode(tx, { codeHash: "hash-a", email: "OLA@example.com", now }))?.id).toBe(created.id);
      expect(await findPendingInvitationByCode(tx, { codeHash: "hash-a", email: "someone@example.com", now })).toBeUndefined();
      expect(await findPendingInvitationByCode(tx, { codeHash: "hash-b", email: "ola@example.com", now })).toBeUndefined();
      expect(await findPendingInvitationByCode(tx, { codeHash: "hash-a", email: "ola@example.com", now: new Date(now.getTime() + 7 * DAY) })).toBeUndefined();
    });
  });

  it("lists and revokes only the organisation's pending ones", async () => {
    const o = await org();
    const other = await org();
    const a = await invite(o.id, "a@example.com");
    const b = await invite(o.id, "b@example.com");
    await invite(other.id, "c@example.com");
    const old = await invite(o.id, "old@example.com", undefined, new Date(now.getTime() - 8 * DAY));
    expect((await listPendingInvitations(t.db, o.id, now)).map((i) => i.id)).toEqual([a.id, b.id]);
    // Another organisation's id does not reach it; an expired one is not pending.
    expect(await revokeInvitation(t.db, { organizationId: other.id, invitationId: a.id, now })).toBeUndefined();
    expect(await revokeInvitation(t.db, { organizationId: o.id, invitationId: old.id, now })).toBeUndefined();
    expect((await revokeInvitation(t.db, { organizationId: o.id, invitationId: a.id, now }))?.id).toBe(a.id);
    expect(await revokeInvitation(t.db, { organizationId: o.id, invitationId: a.id, now })).toBeUndefined();
    expect((await listPendingInvitations(t.db, o.id, now)).map((i) => i.id)).toEqual([b.id]);
  });

  it("inviting again revokes the earlier pending invitations for that e-mail in that organisation only", async () => {
    const o = await org();
    const other = await org();
    const first = await invite(o.id, "again@example.com");
    const elsewhere = await invite(other.id, "again@example.com");
    expect(await revokePendingInvitationsFor(t.db, { organizationId: o.id, email: "AGAIN@example.com", now })).toEqual([first.id]);
    expect((await listPendingInvitations(t.db, other.id, now)).map((i) => i.id)).toEqual([elsewhere.id]);
  });

  it("an accepted invitation is no longer pending; the invitee's list names the organisations", async () => {
    const o = await org("Invited Org");
    const inv = await invite(o.id, "invitee@example.com");
    expect(await listPendingInvitationsForEmail(t.db, "invitee@example.com", now)).toEqual([expect.objectContaining({ id: inv.id, organizationName: "Invited Org" })]);
    await t.db.transaction(async (tx) => {
      expect((await findPendingInvitationForEmail(tx, { invitationId: inv.id, email: "invitee@example.com", now }))?.id).toBe(inv.id);
      expect(await findPendingInvitationForEmail(tx, { invitationId: inv.id, email: "other@example.com", now })).toBeUndefined();
      await markInvitationAccepted(tx, inv.id, now);
    });
    expect(await listPendingInvitationsForEmail(t.db, "invitee@example.com", now)).toEqual([]);
    expect(await t.db.transaction((tx) => findPendingInvitationForEmail(tx, { invitationId: inv.id, email: "invitee@example.com", now }))).toBeUndefined();
  });

  it("a deactivated organisation's invitations cannot be found to accept", async () => {
    const o = await org();
    const inv = await invite(o.id, "late@example.com", "hash-late");
    await deactivateOrganization(t.db, o.id);
    expect(await listPendingInvitationsForEmail(t.db, "late@example.com", now)).toEqual([]);
    expect(await t.db.transaction((tx) => findPendingInvitationByCode(tx, { codeHash: "hash-late", email: "late@example.com", now }))).toBeUndefined();
    expect(inv.id).toBeTruthy();
  });

  it("two racing accepts: the row lock lets one find it pending", async () => {
    const o = await org();
    const inv = await invite(o.id, "race@example.com", "hash-race");
    const accept = () =>
      t.db.transaction(async (tx) => {
        const found = await findPendingInvitationByCode(tx, { codeHash: "hash-race", email: "race@example.com", now });
        if (!found) return false;
        await markInvitationAccepted(tx, found.id, now);
        return true;
      });
    const results = await Promise.all([accept(), accept(), accept()]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(inv.id).toBeTruthy();
  });

  it("the self sign-up switch is on by default and kept by updateGlobalSettings", async () => {
    expect((await getGlobalSettings(t.db)).selfSignupEnabled).toBe(true);
    expect((await updateGlobalSettings(t.db, t.secrets, { selfSignupEnabled: false }, null)).selfSignupEnabled).toBe(false);
    expect((await updateGlobalSettings(t.db, t.secrets, { currency: "EUR" }, null)).selfSignupEnabled).toBe(false);
    await updateGlobalSettings(t.db, t.secrets, { selfSignupEnabled: true }, null);
  });
});
