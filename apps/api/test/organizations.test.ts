import { getOrganization, getOrganizationKey, listAudit, schema, type AuthUser } from "@mai/db";
import { eq, testDrivers } from "@mai/db/testing";
import { billedCost, maskKey } from "@mai/domain";
import { OpenRouterClient } from "@mai/openrouter";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../src/routers/_app";
import { createCallerFactory } from "../src/trpc";
import { createHarness, nextKey, type Harness, trpcCode, closedPort, json, usageBatch } from "./harness";

const FULL_KEY = /sk-or-v1-[0-9a-f]{64}/;
const MISSING_ORG = "00000000-0000-4000-8000-00000000dead";
type Caller = ReturnType<Harness["caller"]>;


describe.each(testDrivers())("organizations on %s", (driver) => {
  let h: Harness;
  let provider: AuthUser;
  let seq = 0;
  const uniqueName = (stem: string) => `${stem} ${driver} ${++seq} ${Date.now()}`;
  /** A client key OpenRouter (the simulator) knows, so live verification passes. */
  const liveKey = () => h.sim.addKey({ key: nextKey(), name: "client" }).key;
  /** The provider's keys on OpenRouter with this name (what a provisioned organisation leaves upstream). */
  const upstreamKeysNamed = async (name: string) =>
    (await h.deps.openrouter.listKeys({ includeDisabled: true }, { key: h.sim.managementKey })).filter(
      (k) => k.name === name,
    );
  const provision = (name = uniqueName("Provisioned"), monthlyLimitUsd = "250") =>
    h.caller(provider).organizations.create({ name, monthlyLimitUsd, provisionKey: true });
  /** A caller whose OpenRouter is unreachable. */
  const callerWithOpenRouterDown = async (user: AuthUser): Promise<Caller> => {
    const ctx = h.context(user);
    const port = await closedPort();
    return createCallerFactory(appRouter)({
      ...ctx,
      deps: {
        ...ctx.deps,
        openrouter: new OpenRouterClient({ baseUrl: `http://127.0.0.1:${port}/api/v1`, timeoutMs: 2_000 }),
      },
    });
  };

  beforeAll(async () => {
    h = await createHarness(driver);
    provider = await h.user("provider_admin");
    await h.caller(provider).globalSettings.update({ provisioningKey: h.sim.managementKey });
  });
  afterAll(() => h.close());

  describe("who may call what", () => {
    const calls: [string, (c: Caller, orgId: string) => Promise<unknown>][] = [
      ["list", (c) => c.organizations.list()],
      ["get", (c, id) => c.organizations.get({ organizationId: id })],
      ["create", (c) => c.organizations.create({ name: uniqueName("Denied"), provisionKey: false })],
      [
        "update",
        (c, id) => c.organizations.update({ organizationId: id, billingEmail: "billing@example.com" }),
      ],
      ["setKey", (c, id) => c.organizations.setKey({ organizationId: id, key: nextKey() })],
      ["rotateKey", (c, id) => c.organizations.rotateKey({ organizationId: id })],
      ["deactivate", (c, id) => c.organizations.deactivate({ organizationId: id })],
    ];

    it.each(calls)("%s: anonymous → UNAUTHORIZED", async (_name, call) => {
      const org = await h.org();
      expect(await trpcCode(call(h.caller(null), org.id))).toBe("UNAUTHORIZED");
    });

    it.each(calls)("%s: a member of the organisation → FORBIDDEN", async (_name, call) => {
      const org = await h.org();
      const member = await h.user("member", { organizationId: org.id });
      expect(await trpcCode(call(h.caller(member), org.id))).toBe("FORBIDDEN");
    });

    it.each(calls.filter(([name]) => name !== "list" && name !== "create"))(
      "%s: the administrator of another organisation → FORBIDDEN, and nothing changes",
      async (_name, call) => {
        const org = await h.org();
        const other = await h.org();
        const before = await getOrganization(h.t.db, org.id);
        expect(await trpcCode(call(h.caller(other.admin), org.id))).toBe("FORBIDDEN");
        expect(await getOrganization(h.t.db, org.id)).toEqual(before);
      },
    );

    it.each([
      [
        "create",
        (c: Caller) => c.organizations.create({ name: uniqueName("Admin made"), provisionKey: true }),
      ],
      ["setKey", (c: Caller, id: string) => c.organizations.setKey({ organizationId: id, key: nextKey() })],
      ["rotateKey", (c: Caller, id: string) => c.organizations.rotateKey({ organizationId: id })],
      ["deactivate", (c: Caller, id: string) => c.organizations.deactivate({ organizationId: id })],
    ])(
      "%s is the provider's alone: even on their own organisation an org admin gets FORBIDDEN",
      async (_name, call) => {
        const org = await h.org();
        expect(await trpcCode(call(h.caller(org.admin), org.id))).toBe("FORBIDDEN");
        expect((await getOrganization(h.t.db, org.id))?.active).toBe(true);
      },
    );

    it("list: the provider sees every organisation, an org admin only their own, an unmapped admin none", async () => {
      const a = await h.org();
      const b = await h.org();
      const all = await h.caller(provider).organizations.list();
      expect(all.map((o) => o.id)).toEqual(expect.arrayContaining([a.id, b.id]));
      const own = await h.caller(a.admin).organizations.list();
      expect(own.map((o) => o.id)).toEqual([a.id]);
      expect(await h.caller(await h.user("org_admin")).organizations.list()).toEqual([]);
    });

    it("get: the provider reads any organisation, an org admin their own (with or without the id)", async () => {
      const org = await h.org();
      expect((await h.caller(provider).organizations.get({ organizationId: org.id })).id).toBe(org.id);
      expect((await h.caller(org.admin).organizations.get({ organizationId: org.id })).id).toBe(org.id);
      expect((await h.caller(org.admin).organizations.get({})).id).toBe(org.id);
      expect(await trpcCode(h.caller(provider).organizations.get({ organizationId: MISSING_ORG }))).toBe(
        "NOT_FOUND",
      );
      expect(await trpcCode(h.caller(provider).organizations.deactivate({ organizationId: MISSING_ORG }))).toBe(
        "NOT_FOUND",
      );
    });
  });

  describe("reads", () => {
    it("rows carry masked keys, markup as a multiplier, the limit in nano-USD — never a full key", async () => {
      const org = await h.org();
      const list = await h.caller(provider).organizations.list();
      const row = list.find((o) => o.id === org.id)!;
      expect(row).toMatchObject({
        markupBp: 13_000,
        markup: "1.3",
        monthlyLimitNano: 1_000_000_000_000n,
        active: true,
        keyHint: maskKey(org.key),
        keySource: "client",
        provisioned: false,
        monthToDateNano: 0n,
        refusedMinNano: null,
        memberCount: 1,
      });
      expect(row.keyHint).toContain("…");
      expect(json(list)).not.toMatch(FULL_KEY);
      expect(json(await h.caller(org.admin).organizations.get({}))).not.toMatch(FULL_KEY);
      expect(Object.keys(row)).not.toEqual(expect.arrayContaining(["keyCiphertext"]));
      expect(json(row)).not.toMatch(/keyCiphertext|keyFingerprint|openrouterKeyHash/);
    });

    it("month-to-date spend is this billing month's billed cost (markup included), not earlier months", async () => {
      const org = await h.org();
      const admin = org.admin;
      const event = (generationId: string, occurredAt: Date, rawCostNano: bigint) => ({
        generationId,
        organizationId: org.id,
        userId: admin.id,
        externalUserId: admin.externalUserId!,
        model: "openai/gpt-4o-mini",
        promptTokens: 10,
        completionTokens: 5,
        rawCostNano,
        markupBp: 13_000,
        status: "ok" as const,
        streamed: false,
        occurredAt,
      });
      const now = new Date();
      const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15));
      // The API's clock held at the events' moment: run at the last second of a month, its "this
      // month" would otherwise be the next one by the time it is asked.
      const realNow = h.deps.now;
      h.deps.now = () => now;
      try {
        await h.internal().internal.recordUsage(usageBatch([
            event(`gen-mtd-${org.id}-1`, now, 1_000_000n),
            event(`gen-mtd-${org.id}-2`, now, 333n),
            event(`gen-mtd-${org.id}-3`, lastMonth, 9_000_000n),
          ]));
        const expected = billedCost(1_000_000n, 13_000) + billedCost(333n, 13_000);
        const listed = (await h.caller(provider).organizations.list()).find((o) => o.id === org.id);
        expect(listed?.monthToDateNano).toBe(expected);
        expect((await h.caller(admin).organizations.get({})).monthToDateNano).toBe(expected);
      } finally {
        h.deps.now = realNow;
      }
    });
  });

  describe("create", () => {
    it("provisions a key end to end: upstream limit = monthly limit, monthly reset; the key works; shown once", async () => {
      const name = uniqueName("Acme");
      const created = await h.caller(provider).organizations.create({
        name,
        billingEmail: "finance@acme.example",
        monthlyLimitUsd: "250",
        markup: "1.5",
        provisionKey: true,
      });
      const key = created.provisionedKey!;
      expect(key).toMatch(/^sk-or-v1-[0-9a-f]{64}$/);
      expect(created.organization).toMatchObject({
        name,
        billingEmail: "finance@acme.example",
        markupBp: 15_000,
        markup: "1.5",
        monthlyLimitNano: 250_000_000_000n,
        keyHint: maskKey(key),
        keySource: "provisioned",
        provisioned: true,
        active: true,
      });
      // Everything but provisionedKey is masked.
      expect(json(created.organization)).not.toMatch(FULL_KEY);

      const upstream = h.sim.getKey(key)!;
      expect(upstream).toMatchObject({
        name: `mai:${name}`,
        limitNano: 250_000_000_000n,
        limitReset: "monthly",
        disabled: false,
        management: false,
      });
      const [row] = await h.t.db
        .select()
        .from(schema.clientOrganizations)
        .where(eq(schema.clientOrganizations.id, created.organization.id));
      expect(row?.openrouterKeyHash).toBe(upstream.hash);
      expect(row?.keyCiphertext).not.toContain(key.slice(9));
      expect(await getOrganizationKey(h.t.db, h.t.secrets, created.organization.id)).toBe(key);

      // The minted key is a working inference key.
      await h.deps.openrouter.chat(
        { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] },
        { key },
      );
      expect(h.sim.ledger({ key })).toHaveLength(1);

      // Reads never show it again.
      expect(
        json(await h.caller(provider).organizations.get({ organizationId: created.organization.id })),
      ).not.toMatch(FULL_KEY);
      expect(json(await h.caller(provider).organizations.list())).not.toMatch(FULL_KEY);
      const audit = await listAudit(h.t.db, { organizationId: created.organization.id });
      expect(audit.items[0]).toMatchObject({
        action: "organization.created",
        after: { keyHint: maskKey(key), keySource: "provisioned" },
      });
      expect(json(audit)).not.toMatch(FULL_KEY);
    });

    it("without a limit or markup, the global defaults apply (and feed the upstream limit)", async () => {
      const { organization, provisionedKey } = await h
        .caller(provider)
        .organizations.create({ name: uniqueName("Defaults"), provisionKey: true });
      expect(organization).toMatchObject({ markupBp: 13_000, monthlyLimitNano: 1_000_000_000_000n });
      expect(h.sim.getKey(provisionedKey!)?.limitNano).toBe(1_000_000_000_000n);
    });

    it("without provisioning: an optional client key (keySource client) or no key at all; nothing upstream", async () => {
      const key = liveKey();
      const name = uniqueName("Client key");
      const withKey = await h.caller(provider).organizations.create({ name, provisionKey: false, key });
      expect(withKey.provisionedKey).toBeNull();
      expect(withKey.organization).toMatchObject({
        keyHint: maskKey(key),
        keySource: "client",
        provisioned: false,
      });
      expect(json(withKey)).not.toMatch(FULL_KEY);
      expect(await upstreamKeysNamed(`mai:${name}`)).toHaveLength(0);
      const bare = await h
        .caller(provider)
        .organizations.create({ name: uniqueName("No key"), provisionKey: false });
      expect(bare.organization).toMatchObject({ keyHint: null, keySource: null });
    });

    it("CONFLICT on a taken name or a key attached to another organisation; nothing is minted for a taken name", async () => {
      const name = uniqueName("Taken");
      await h.caller(provider).organizations.create({ name, provisionKey: false });
      const again = h.caller(provider).organizations.create({ name, provisionKey: true });
      await expect(again).rejects.toMatchObject({ code: "CONFLICT" });
      expect(await upstreamKeysNamed(`mai:${name}`)).toHaveLength(0);

      const org = await h.org();
      h.sim.addKey({ key: org.key });
      const stolen = h
        .caller(provider)
        .organizations.create({ name: uniqueName("Thief"), provisionKey: false, key: org.key });
      await expect(stolen).rejects.toMatchObject({
        code: "CONFLICT",
        message: expect.stringMatching(/already attached to another organisation/),
      });
    });

    it("refuses bad input: both a key and provisioning, a malformed key, a markup below 1×, a negative limit", async () => {
      const c = h.caller(provider);
      expect(
        await trpcCode(
          c.organizations.create({ name: uniqueName("Both"), provisionKey: true, key: liveKey() }),
        ),
      ).toBe("BAD_REQUEST");
      expect(
        await trpcCode(
          c.organizations.create({ name: uniqueName("Bad"), provisionKey: false, key: "sk-or-v1-nope" }),
        ),
      ).toBe("BAD_REQUEST");
      expect(
        await trpcCode(
          c.organizations.create({ name: uniqueName("Cheap"), provisionKey: false, markup: "0.99" }),
        ),
      ).toBe("BAD_REQUEST");
      expect(
        await trpcCode(
          c.organizations.create({
            name: uniqueName("Negative"),
            provisionKey: false,
            monthlyLimitUsd: "-1",
          }),
        ),
      ).toBe("BAD_REQUEST");
    });

    it("provisioning needs a provisioning key in the global settings (BAD_REQUEST otherwise)", async () => {
      await h.caller(provider).globalSettings.update({ provisioningKey: null });
      try {
        const attempt = provision();
        await expect(attempt).rejects.toMatchObject({
          code: "BAD_REQUEST",
          message: expect.stringMatching(/provisioning key/),
        });
      } finally {
        await h.caller(provider).globalSettings.update({ provisioningKey: h.sim.managementKey });
      }
    });

    it("an unreachable OpenRouter → BAD_GATEWAY, and no organisation is created", async () => {
      const name = uniqueName("Offline");
      const caller = await callerWithOpenRouterDown(provider);
      await expect(caller.organizations.create({ name, provisionKey: true })).rejects.toMatchObject({
        code: "BAD_GATEWAY",
      });
      expect((await h.caller(provider).organizations.list()).some((o) => o.name === name)).toBe(false);
    });

    it("a failure after minting deletes the upstream key again (no orphan)", async () => {
      // The audit log refuses anything key-shaped, so a key-shaped name fails after the key is minted.
      const name = `Orphan ${nextKey()}`;
      expect(await trpcCode(h.caller(provider).organizations.create({ name, provisionKey: true }))).toBe(
        "BAD_REQUEST",
      );
      expect(await upstreamKeysNamed(`mai:${name}`)).toHaveLength(0);
      expect((await h.caller(provider).organizations.list()).some((o) => o.name === name)).toBe(false);
    });

    it("two simultaneous creates of one name: one organisation, one CONFLICT, one upstream key", async () => {
      const name = uniqueName("Race");
      const results = await Promise.allSettled([provision(name), provision(name)]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const failed = results.find((r) => r.status === "rejected");
      expect((failed as PromiseRejectedResult).reason).toMatchObject({ code: "CONFLICT" });
      expect(await upstreamKeysNamed(`mai:${name}`)).toHaveLength(1);
    });
  });

  describe("update", () => {
    it("the provider changes name, markup, limit and e-mail; a provisioned key follows (limit and name) upstream; audited", async () => {
      const { organization, provisionedKey } = await provision();
      const name = uniqueName("Renamed");
      const updated = await h.caller(provider).organizations.update({
        organizationId: organization.id,
        name,
        markup: "1.45",
        monthlyLimitUsd: "99.5",
        billingEmail: "ap@example.com",
      });
      expect(updated).toMatchObject({
        name,
        markupBp: 14_500,
        markup: "1.45",
        monthlyLimitNano: 99_500_000_000n,
        billingEmail: "ap@example.com",
      });
      expect(h.sim.getKey(provisionedKey!)).toMatchObject({
        limitNano: 99_500_000_000n,
        name: `mai:${name}`,
        limitReset: "monthly",
      });
      const [entry] = (await listAudit(h.t.db, { organizationId: organization.id, limit: 1 })).items;
      expect(entry).toMatchObject({
        action: "organization.updated",
        actorUserId: provider.id,
        before: { monthlyLimitNano: "250000000000", markupBp: 13_000 },
        after: { monthlyLimitNano: "99500000000", markupBp: 14_500, name },
      });
    });

    it("a client key's organisation changes its limit locally only", async () => {
      const org = await h.org();
      const updated = await h
        .caller(provider)
        .organizations.update({ organizationId: org.id, monthlyLimitUsd: "10" });
      expect(updated.monthlyLimitNano).toBe(10_000_000_000n);
    });

    it("an org admin may change their billing e-mail, nothing else (FORBIDDEN, unchanged)", async () => {
      const org = await h.org();
      const c = h.caller(org.admin);
      expect((await c.organizations.update({ billingEmail: "new@client.example" })).billingEmail).toBe(
        "new@client.example",
      );
      for (const patch of [
        { markup: "1.01" },
        { monthlyLimitUsd: "1000000" },
        { active: false },
        { name: uniqueName("Mine") },
      ]) {
        expect(await trpcCode(c.organizations.update({ organizationId: org.id, ...patch }))).toBe("FORBIDDEN");
      }
      expect(await getOrganization(h.t.db, org.id)).toMatchObject({
        markupBp: 13_000,
        monthlyLimitNano: 1_000_000_000_000n,
        active: true,
      });
    });

    it("CONFLICT when renaming onto another organisation's name; nothing changes", async () => {
      const a = await h.org();
      const b = await h.org();
      const bName = (await getOrganization(h.t.db, b.id))!.name;
      const aBefore = await getOrganization(h.t.db, a.id);
      expect(
        await trpcCode(h.caller(provider).organizations.update({ organizationId: a.id, name: bName })),
      ).toBe("CONFLICT");
      expect(await getOrganization(h.t.db, a.id)).toEqual(aBefore);
    });

    it("OpenRouter down while changing a provisioned limit → BAD_GATEWAY and the local limit stays (both sides agree)", async () => {
      const { organization, provisionedKey } = await provision();
      const caller = await callerWithOpenRouterDown(provider);
      const attempt = caller.organizations.update({ organizationId: organization.id, monthlyLimitUsd: "5" });
      await expect(attempt).rejects.toMatchObject({ code: "BAD_GATEWAY" });
      expect((await getOrganization(h.t.db, organization.id))?.monthlyLimitNano).toBe(250_000_000_000n);
      expect(h.sim.getKey(provisionedKey!)?.limitNano).toBe(250_000_000_000n);
    });
  });

  describe("setKey", () => {
    it("the provider attaches a client key: stored sealed, shown masked, audited with hints only", async () => {
      const org = await h.org();
      const key = liveKey();
      const result = await h.caller(provider).organizations.setKey({ organizationId: org.id, key });
      expect(result).toMatchObject({
        status: "updated",
        organization: { keyHint: maskKey(key), keySource: "client" },
      });
      expect(json(result)).not.toMatch(FULL_KEY);
      expect(await getOrganizationKey(h.t.db, h.t.secrets, org.id)).toBe(key);
      const [entry] = (await listAudit(h.t.db, { organizationId: org.id, limit: 1 })).items;
      expect(entry).toMatchObject({
        action: "organization.key_set",
        before: { keyHint: maskKey(org.key) },
        after: { keyHint: maskKey(key) },
      });
      // The same key again changes nothing.
      expect((await h.caller(provider).organizations.setKey({ organizationId: org.id, key })).status).toBe(
        "unchanged",
      );
    });

    it("CONFLICT for a key attached to another organisation; BAD_REQUEST for a malformed key", async () => {
      const org = await h.org();
      const other = await h.org();
      h.sim.addKey({ key: other.key });
      const attempt = h.caller(provider).organizations.setKey({ organizationId: org.id, key: other.key });
      await expect(attempt).rejects.toMatchObject({
        code: "CONFLICT",
        message: expect.stringMatching(/already attached to another organisation/),
      });
      expect(await getOrganizationKey(h.t.db, h.t.secrets, org.id)).toBe(org.key);
      expect(
        await trpcCode(h.caller(provider).organizations.setKey({ organizationId: org.id, key: "sk-or-v1-0" })),
      ).toBe("BAD_REQUEST");
    });

    it("replacing a provisioned key queues it for deletion upstream after the grace period", async () => {
      const { organization, provisionedKey } = await provision();
      const result = await h
        .caller(provider)
        .organizations.setKey({ organizationId: organization.id, key: liveKey() });
      expect(result).toMatchObject({
        previousKeyDeleted: false,
        previousKeyDeleteAfter: expect.any(Date),
        organization: { provisioned: false, keySource: "client" },
      });
      // Still valid until the retirement job deletes it (organizations-upstream.test.ts).
      expect(h.sim.getKey(provisionedKey!)).toBeDefined();
    });
  });

  describe("rotateKey", () => {
    it("mints a new key with the same limit, switches to it, queues the old upstream key for deletion; the new key is shown once", async () => {
      const { organization, provisionedKey: oldKey } = await provision(undefined, "42");
      const rotated = await h.caller(provider).organizations.rotateKey({ organizationId: organization.id });
      const newKey = rotated.provisionedKey;
      expect(newKey).toMatch(/^sk-or-v1-[0-9a-f]{64}$/);
      expect(newKey).not.toBe(oldKey);
      expect(rotated).toMatchObject({
        previousKeyDeleted: false,
        previousKeyDeleteAfter: expect.any(Date),
        organization: { keyHint: maskKey(newKey), keySource: "provisioned" },
      });
      expect(json(rotated.organization)).not.toMatch(FULL_KEY);
      // The old key outlives the proxies' identity caches; the retirement job deletes it later.
      expect(h.sim.getKey(oldKey!)).toBeDefined();
      expect(h.sim.getKey(newKey)).toMatchObject({
        limitNano: 42_000_000_000n,
        limitReset: "monthly",
        disabled: false,
      });
      expect(await getOrganizationKey(h.t.db, h.t.secrets, organization.id)).toBe(newKey);
      const [row] = await h.t.db
        .select()
        .from(schema.clientOrganizations)
        .where(eq(schema.clientOrganizations.id, organization.id));
      expect(row?.openrouterKeyHash).toBe(h.sim.getKey(newKey)?.hash);
      await h.deps.openrouter.chat(
        { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] },
        { key: newKey },
      );
      expect(h.sim.ledger({ key: newKey })).toHaveLength(1);
      const [entry] = (await listAudit(h.t.db, { organizationId: organization.id, limit: 1 })).items;
      expect(entry).toMatchObject({
        action: "organization.key_rotated",
        before: { keyHint: maskKey(oldKey!) },
        after: { keyHint: maskKey(newKey) },
      });
    });

    it("rotating a client key's organisation moves it to a provisioned key (nothing to delete upstream)", async () => {
      const org = await h.org();
      const rotated = await h.caller(provider).organizations.rotateKey({ organizationId: org.id });
      expect(rotated).toMatchObject({
        previousKeyDeleted: null,
        previousKeyDeleteAfter: null,
        organization: { keySource: "provisioned", provisioned: true },
      });
      expect(h.sim.getKey(rotated.provisionedKey)?.limitNano).toBe(1_000_000_000_000n);
    });

    it("a deactivated organisation is not rotated (CONFLICT)", async () => {
      const { organization } = await provision();
      await h.caller(provider).organizations.deactivate({ organizationId: organization.id });
      expect(
        await trpcCode(h.caller(provider).organizations.rotateKey({ organizationId: organization.id })),
      ).toBe("CONFLICT");
    });
  });

  describe("deactivate", () => {
    it("marks the organisation inactive and disables its provisioned key upstream; reactivation re-enables it", async () => {
      const { organization, provisionedKey } = await provision();
      const result = await h.caller(provider).organizations.deactivate({ organizationId: organization.id });
      expect(result).toMatchObject({ upstreamKey: "disabled", organization: { active: false } });
      expect(result.organization.deactivatedAt).toBeInstanceOf(Date);
      expect(h.sim.getKey(provisionedKey!)?.disabled).toBe(true);
      const chat = h.deps.openrouter.chat(
        { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] },
        { key: provisionedKey! },
      );
      await expect(chat).rejects.toMatchObject({ status: 401 });
      const [entry] = (await listAudit(h.t.db, { organizationId: organization.id, limit: 1 })).items;
      expect(entry).toMatchObject({
        action: "organization.deactivated",
        before: { active: true },
        after: { active: false },
      });

      const again = await h
        .caller(provider)
        .organizations.update({ organizationId: organization.id, active: true });
      expect(again).toMatchObject({ active: true, deactivatedAt: null });
      expect(h.sim.getKey(provisionedKey!)?.disabled).toBe(false);
    });

    it("a client key's organisation is deactivated locally (nothing upstream to disable)", async () => {
      const org = await h.org();
      const result = await h.caller(provider).organizations.deactivate({ organizationId: org.id });
      expect(result).toMatchObject({ upstreamKey: "none", organization: { active: false } });
    });

    it("OpenRouter down → BAD_GATEWAY and the organisation stays active (retry later)", async () => {
      const { organization, provisionedKey } = await provision();
      const caller = await callerWithOpenRouterDown(provider);
      await expect(
        caller.organizations.deactivate({ organizationId: organization.id }),
      ).rejects.toMatchObject({ code: "BAD_GATEWAY" });
      expect((await getOrganization(h.t.db, organization.id))?.active).toBe(true);
      expect(h.sim.getKey(provisionedKey!)?.disabled).toBe(false);
    });
  });
});
