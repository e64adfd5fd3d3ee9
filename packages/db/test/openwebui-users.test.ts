// The user an Open WebUI session acts for (findOrCreateOpenWebUiSessionUser): by Open WebUI id,
// then e-mail (linked and audited), or created and audited; refusals write nothing — a provider
// account, another organisation's user from a bound instance, a disabled user, an inactive
// organisation; concurrent first sightings make one user.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createOrganization,
  createUser,
  deactivateOrganization,
  findOrCreateOpenWebUiSessionUser,
  listAudit,
  schema,
  type OpenWebUiSessionOptions,
} from "../src/index";
import { count, createTestDb, eq, fakeOpenRouterKey, testDrivers, type TestDb } from "../src/testing/index";

let seq = 0;

describe.each(testDrivers())("Open WebUI session users on %s", (driver) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(driver, { max: 12 });
  });
  afterAll(() => t.close());

  const unbound: OpenWebUiSessionOptions = {
    instance: "default",
    organizationId: null,
    roleForNewUser: "member",
  };
  const identity = (email?: string) => ({ id: randomUUID(), email, name: "Ola", openWebUiRole: "user" });
  const org = () =>
    createOrganization(t.db, t.secrets, {
      name: `OWUI ${++seq} ${Date.now()}`,
      key: fakeOpenRouterKey((0x7000 + ++seq).toString(16)),
    });
  const openWebUiIdOf = async (userId: string) =>
    (
      await t.db
        .select({ id: schema.users.openWebUiUserId })
        .from(schema.users)
        .where(eq(schema.users.id, userId))
    )[0]?.id;
  const actions = async (targetId: string) =>
    (await listAudit(t.db, { limit: 200 })).items.filter((i) => i.targetId === targetId).map((i) => i.action);

  it("creates on first sight with the given role, audited; found by id afterwards", async () => {
    const who = identity(`Ola-${++seq}@Example.com`);
    const created = await findOrCreateOpenWebUiSessionUser(t.db, who, {
      ...unbound,
      roleForNewUser: "org_admin",
    });
    expect(created).toMatchObject({
      status: "created",
      user: { email: `ola-${seq}@example.com`, role: "org_admin", organizationId: null },
    });
    if (!("user" in created)) throw new Error("no user");
    expect(await actions(created.user.id)).toEqual(["user.created_from_openwebui"]);
    const again = await findOrCreateOpenWebUiSessionUser(
      t.db,
      { ...who, email: "changed@example.com" },
      unbound,
    );
    expect(again).toMatchObject({ status: "found", user: { id: created.user.id, role: "org_admin" } });
  });

  it("links a known e-mail (recording the id, audited) and keeps the user's role", async () => {
    const email = `known-${++seq}@example.com`;
    const known = await createUser(t.db, { email, name: "Known", role: "org_admin", passwordHash: null });
    const who = identity(email.toUpperCase());
    const linked = await findOrCreateOpenWebUiSessionUser(t.db, who, unbound);
    expect(linked).toMatchObject({ status: "linked", user: { id: known.id, role: "org_admin" } });
    expect(await openWebUiIdOf(known.id)).toBe(who.id);
    expect(await actions(known.id)).toEqual(["user.openwebui_linked"]);
  });

  it("a bound instance: new users join its organisation; another organisation's user is refused and not linked", async () => {
    const mine = await org();
    const theirs = await org();
    const bound = { ...unbound, instance: "client", organizationId: mine.id };
    const joined = await findOrCreateOpenWebUiSessionUser(t.db, identity(`new-${++seq}@example.com`), bound);
    expect(joined).toMatchObject({
      status: "created",
      user: { organizationId: mine.id, externalUserId: expect.stringMatching(/^mai_client_/) },
    });

    const email = `theirs-${++seq}@example.com`;
    const other = await createUser(t.db, { email, name: "", role: "org_admin", passwordHash: null });
    await t.db
      .insert(schema.userClientMapping)
      .values({ userId: other.id, organizationId: theirs.id, externalUserId: `mai_client_x_user_${seq}` });
    expect(await findOrCreateOpenWebUiSessionUser(t.db, identity(email), bound)).toEqual({
      status: "other_organization",
    });
    const unaffiliated = await createUser(t.db, {
      email: `none-${++seq}@example.com`,
      name: "",
      role: "member",
      passwordHash: null,
    });
    expect(await findOrCreateOpenWebUiSessionUser(t.db, identity(unaffiliated.email), bound)).toEqual({
      status: "other_organization",
    });
    expect(await openWebUiIdOf(other.id)).toBeNull();
    expect(await openWebUiIdOf(unaffiliated.id)).toBeNull();
  });

  it("refuses the provider's accounts, disabled users and an inactive organisation, writing nothing", async () => {
    const provider = await createUser(t.db, {
      email: `staff-${++seq}@example.com`,
      name: "",
      role: "provider_admin",
      passwordHash: null,
    });
    expect(await findOrCreateOpenWebUiSessionUser(t.db, identity(provider.email), unbound)).toEqual({
      status: "provider",
    });
    expect(await openWebUiIdOf(provider.id)).toBeNull();

    const disabled = await createUser(t.db, {
      email: `gone-${++seq}@example.com`,
      name: "",
      role: "member",
      passwordHash: null,
    });
    await t.db.update(schema.users).set({ disabledAt: new Date() }).where(eq(schema.users.id, disabled.id));
    expect(await findOrCreateOpenWebUiSessionUser(t.db, identity(disabled.email), unbound)).toEqual({
      status: "disabled",
    });

    const inactive = await org();
    await deactivateOrganization(t.db, inactive.id);
    const users = (await t.db.select({ n: count() }).from(schema.users))[0]!.n;
    const who = identity(`late-${++seq}@example.com`);
    expect(
      await findOrCreateOpenWebUiSessionUser(t.db, who, { ...unbound, organizationId: inactive.id }),
    ).toEqual({ status: "organization_unavailable" });
    expect((await t.db.select({ n: count() }).from(schema.users))[0]!.n).toBe(users);
  });

  it("readOnly finds without linking or creating", async () => {
    const email = `reader-${++seq}@example.com`;
    const known = await createUser(t.db, { email, name: "", role: "member", passwordHash: null });
    const readOnly = { ...unbound, readOnly: true };
    expect(await findOrCreateOpenWebUiSessionUser(t.db, identity(email), readOnly)).toMatchObject({
      status: "found",
      user: { id: known.id },
    });
    expect(await openWebUiIdOf(known.id)).toBeNull();
    const users = (await t.db.select({ n: count() }).from(schema.users))[0]!.n;
    expect(
      await findOrCreateOpenWebUiSessionUser(t.db, identity(`nobody-${++seq}@example.com`), readOnly),
    ).toEqual({
      status: "unknown",
    });
    expect((await t.db.select({ n: count() }).from(schema.users))[0]!.n).toBe(users);
  });

  it("ten concurrent first sightings of one Open WebUI user create exactly one user", async () => {
    const who = identity(`race-${++seq}@example.com`);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => findOrCreateOpenWebUiSessionUser(t.db, who, unbound)),
    );
    expect(results.filter((r) => r.status === "created")).toHaveLength(1);
    expect(new Set(results.map((r) => ("user" in r ? r.user.id : r.status))).size).toBe(1);
    const rows = await t.db
      .select({ n: count() })
      .from(schema.users)
      .where(eq(schema.users.openWebUiUserId, who.id));
    expect(rows[0]!.n).toBe(1);
  });
});
