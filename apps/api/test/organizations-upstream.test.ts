// OpenRouter is never called inside a database transaction (issue 13): an organisation change
// commits first, then its provisioned key is told, and a refusal puts the previous values back.
// Held inside a transaction, the call would keep the row lock — on PGlite, the whole database, the
// proxy's admissions included — for as long as OpenRouter takes to answer.
import { createServer } from "node:http";
import { getOrganization, listAudit, listKeyRetirements, type AuthUser, type Database } from "@mai/db";
import { testDrivers } from "@mai/db/testing";
import { OpenRouterClient } from "@mai/openrouter";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../src/routers/_app";
import { createCallerFactory } from "../src/trpc";
import type { AppDeps } from "../src/deps";
import { KEY_RETIREMENT_MAX_ATTEMPTS, retireDueKeys } from "../src/services/organizations/retire-keys";
import { closedPort, createHarness, nextKey, trpcCode, type Harness } from "./harness";

type Caller = ReturnType<Harness["caller"]>;

describe.each(testDrivers())("organisations and OpenRouter on %s", (driver) => {
  let h: Harness;
  let provider: AuthUser;
  let seq = 0;
  const uniqueName = (stem: string) => `${stem} ${driver} ${++seq} ${Date.now()}`;
  const provision = (monthlyLimitUsd = "250") =>
    h.caller(provider).organizations.create({ name: uniqueName("Upstream"), monthlyLimitUsd, provisionKey: true });
  const callerWith = (deps: Partial<AppDeps>): Caller => {
    const ctx = h.context(provider);
    return createCallerFactory(appRouter)({ ...ctx, deps: { ...ctx.deps, ...deps } });
  };

  /**
   * A caller whose database counts its open transactions and whose OpenRouter client records, for
   * every call, how many were open at that moment.
   */
  function watchedCaller(): {
    caller: Caller;
    deps: AppDeps;
    calls: { method: string; openTransactions: number }[];
  } {
    let open = 0;
    const db = Object.create(h.deps.db) as Database;
    db.transaction = (async (...args: Parameters<Database["transaction"]>) => {
      open += 1;
      try {
        return await h.deps.db.transaction(...args);
      } finally {
        open -= 1;
      }
    }) as Database["transaction"];
    const calls: { method: string; openTransactions: number }[] = [];
    const real = h.deps.openrouter;
    const openrouter = new Proxy(real, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          calls.push({ method: String(property), openTransactions: open });
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    return { caller: callerWith({ db, openrouter }), deps: { ...h.deps, db, openrouter }, calls };
  }

  beforeAll(async () => {
    h = await createHarness(driver);
    provider = await h.user("provider_admin");
    await h.caller(provider).globalSettings.update({ provisioningKey: h.sim.managementKey });
  });
  afterAll(() => h.close());

  /** The same deps on a clock `aheadMs` in the future (the retirement job sees due keys). */
  const later = (deps: AppDeps, aheadMs: number): AppDeps => ({ ...deps, now: () => new Date(Date.now() + aheadMs) });
  const pastGrace = () => h.deps.env.MAI_KEY_RETIREMENT_GRACE_MS + 1_000;

  it.each([
    ["create (mints a key)", (c: Caller) => c.organizations.create({ name: uniqueName("Minted"), provisionKey: true })],
    [
      "update (limit and name follow upstream)",
      async (c: Caller) => {
        const { organization } = await provision();
        return c.organizations.update({ organizationId: organization.id, monthlyLimitUsd: "12", name: uniqueName("Moved") });
      },
    ],
    [
      "setKey, then the retirement job (the replaced key is deleted upstream after the grace period)",
      async (c: Caller, deps: AppDeps) => {
        const { organization } = await provision();
        await c.organizations.setKey({ organizationId: organization.id, key: h.sim.addKey({ key: nextKey() }).key });
        return retireDueKeys(later(deps, pastGrace()));
      },
    ],
    [
      "rotateKey, then the retirement job (mints, later deletes the old key)",
      async (c: Caller, deps: AppDeps) => {
        await c.organizations.rotateKey({ organizationId: (await provision()).organization.id });
        return retireDueKeys(later(deps, pastGrace()));
      },
    ],
    [
      "deactivate, then reactivate (disable and enable upstream)",
      async (c: Caller) => {
        const { organization } = await provision();
        await c.organizations.deactivate({ organizationId: organization.id });
        return c.organizations.update({ organizationId: organization.id, active: true });
      },
    ],
  ])("%s: no OpenRouter call runs while a database transaction is open", async (_name, operation) => {
    const { caller, calls, deps } = watchedCaller();
    await operation(caller, deps);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((call) => call.openTransactions > 0)).toEqual([]);
  });

  it("a proxy admission for the organisation goes through while OpenRouter's PATCH of its key is pending", async () => {
    const { organization, provisionedKey } = await provision();
    // OpenRouter behind a gate that holds every PATCH until that admission has been answered. Were
    // the PATCH sent inside the update's transaction, the admission would wait for the transaction
    // and the transaction for the PATCH: the update would then fail on its OpenRouter timeout.
    let admission: { admitted: boolean } | undefined;
    const gate = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const forward = async () => {
          if (req.method === "PATCH") {
            admission = await h.internal().internal.reserve({ organizationId: organization.id, amountNano: 1_000n, owner: "organizations-upstream-test" });
          }
          const upstream = await fetch(`${h.sim.origin}${req.url}`, {
            method: req.method,
            headers: { authorization: req.headers.authorization ?? "", "content-type": "application/json" },
            ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
          });
          res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
          res.end(Buffer.from(await upstream.arrayBuffer()));
        };
        forward().catch(() => res.destroy());
      });
    });
    await new Promise<void>((resolve) => gate.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = gate.address() as { port: number };
      const caller = callerWith({
        openrouter: new OpenRouterClient({ baseUrl: `http://127.0.0.1:${port}/api/v1`, timeoutMs: 10_000 }),
      });
      const updated = await caller.organizations.update({ organizationId: organization.id, monthlyLimitUsd: "99" });
      expect(updated.monthlyLimitNano).toBe(99_000_000_000n);
      expect(admission).toMatchObject({ admitted: true });
      expect(h.sim.getKey(provisionedKey!)?.limitNano).toBe(99_000_000_000n);
    } finally {
      await new Promise<void>((resolve) => gate.close(() => resolve()));
    }
  });

  describe("OpenRouter refusing: the committed change is undone (both sides agree, nothing changed)", () => {
    const openRouterDown = async () =>
      callerWith({
        openrouter: new OpenRouterClient({ baseUrl: `http://127.0.0.1:${await closedPort()}/api/v1`, timeoutMs: 2_000 }),
      });

    it("update: name, limit, markup and e-mail all put back, updatedAt too; no audit entry", async () => {
      const { organization, provisionedKey } = await provision();
      const before = await getOrganization(h.t.db, organization.id);
      const audit = (await listAudit(h.t.db, { organizationId: organization.id })).items.length;
      const attempt = (await openRouterDown()).organizations.update({
        organizationId: organization.id,
        name: uniqueName("Never"),
        monthlyLimitUsd: "5",
        markup: "1.7",
        billingEmail: "never@example.com",
      });
      await expect(attempt).rejects.toMatchObject({ code: "BAD_GATEWAY" });
      expect(await getOrganization(h.t.db, organization.id)).toEqual(before);
      expect((await listAudit(h.t.db, { organizationId: organization.id })).items).toHaveLength(audit);
      expect(h.sim.getKey(provisionedKey!)).toMatchObject({ limitNano: 250_000_000_000n, name: `mai:${before!.name}` });
    });

    it("deactivate: the organisation is active again, deactivatedAt cleared; no audit entry", async () => {
      const { organization } = await provision();
      const before = await getOrganization(h.t.db, organization.id);
      const audit = (await listAudit(h.t.db, { organizationId: organization.id })).items.length;
      const attempt = (await openRouterDown()).organizations.deactivate({ organizationId: organization.id });
      await expect(attempt).rejects.toMatchObject({ code: "BAD_GATEWAY" });
      expect(await getOrganization(h.t.db, organization.id)).toEqual(before);
      expect((await listAudit(h.t.db, { organizationId: organization.id })).items).toHaveLength(audit);
    });

    it("no provisioning key set: BAD_REQUEST, and the change is undone as well", async () => {
      const { organization } = await provision();
      const before = await getOrganization(h.t.db, organization.id);
      await h.caller(provider).globalSettings.update({ provisioningKey: null });
      try {
        const attempt = h.caller(provider).organizations.update({ organizationId: organization.id, monthlyLimitUsd: "5" });
        await expect(attempt).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/provisioning key/) });
        expect(await getOrganization(h.t.db, organization.id)).toEqual(before);
      } finally {
        await h.caller(provider).globalSettings.update({ provisioningKey: h.sim.managementKey });
      }
    });
  });

  describe("key retirement: the old key outlives every proxy's identity cache, then is deleted", () => {
    it.each([
      ["rotateKey", "rotated"],
      ["setKey", "replaced"],
    ] as const)("%s: the old key stays valid until the grace has passed; then the job deletes it and audits it", async (procedure, reason) => {
      const { organization, provisionedKey: oldKey } = await provision();
      const before = Date.now();
      const result =
        procedure === "rotateKey"
          ? await h.caller(provider).organizations.rotateKey({ organizationId: organization.id })
          : await h.caller(provider).organizations.setKey({ organizationId: organization.id, key: h.sim.addKey({ key: nextKey() }).key });
      const grace = h.deps.env.MAI_KEY_RETIREMENT_GRACE_MS;
      expect(grace).toBe(120_000);
      expect(result.previousKeyDeleted).toBe(false);
      expect(result.previousKeyDeleteAfter!.getTime()).toBeGreaterThanOrEqual(before + grace);
      const [queued] = await listKeyRetirements(h.t.db, organization.id);
      expect(queued).toMatchObject({ reason, attempts: 0, deletedAt: null, openrouterKeyHash: h.sim.getKey(oldKey!)!.hash });
      expect(queued!.deleteAfter).toEqual(result.previousKeyDeleteAfter);
      // The audit entry of the switch says when the old key goes.
      const [switched] = (await listAudit(h.t.db, { organizationId: organization.id, limit: 1 })).items;
      expect(switched?.details).toMatchObject({ previousKeyDeleteAfter: result.previousKeyDeleteAfter!.toISOString() });

      // Before the grace has passed the job leaves it alone, and the old key still works upstream.
      await retireDueKeys(later(h.deps, grace - 10_000));
      expect(h.sim.getKey(oldKey!)).toMatchObject({ disabled: false });
      await h.deps.openrouter.chat({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "still" }] }, { key: oldKey! });

      await retireDueKeys(later(h.deps, grace + 1_000));
      expect(h.sim.getKey(oldKey!)).toBeUndefined();
      const [done] = await listKeyRetirements(h.t.db, organization.id);
      expect(done).toMatchObject({ attempts: 1, lastError: null, deletedAt: expect.any(Date) });
      const audit = await listAudit(h.t.db, { organizationId: organization.id, action: "organization.previous_key_deleted" });
      expect(audit.items).toHaveLength(1);
      expect(audit.items[0]).toMatchObject({ actorKind: "system", details: { reason, keyHash: queued!.openrouterKeyHash } });
      // Done is done: a later run does not ask OpenRouter again.
      await retireDueKeys(later(h.deps, grace + 3_600_000));
      expect((await listKeyRetirements(h.t.db, organization.id))[0]).toMatchObject({ attempts: 1 });
    });

    it("the client's administrator saving their own key over a provisioned one: the provisioned key is retired the same way", async () => {
      const { organization, provisionedKey: oldKey } = await provision();
      const admin = await h.user("org_admin", { organizationId: organization.id });
      const own = h.sim.addKey({ key: nextKey(), name: "client's own" }).key;
      const saved = await h.caller(admin).settings.update({
        ui: { directConnections: { OPENAI_API_BASE_URLS: ["https://openrouter.ai/api/v1"], OPENAI_API_KEYS: [own], OPENAI_API_CONFIGS: {} } },
      });
      expect(saved.openrouterSync).toMatchObject({ status: "updated", organizationId: organization.id });
      const [queued] = await listKeyRetirements(h.t.db, organization.id);
      expect(queued).toMatchObject({ reason: "replaced", openrouterKeyHash: h.sim.getKey(oldKey!)!.hash, deletedAt: null });
      expect(h.sim.getKey(oldKey!)).toBeDefined();
      await retireDueKeys(later(h.deps, pastGrace()));
      expect(h.sim.getKey(oldKey!)).toBeUndefined();
      expect(h.sim.getKey(own)).toMatchObject({ disabled: false });
    });

    it("OpenRouter failing: retried with backoff, each failure recorded; then given up visibly", async () => {
      const { organization, provisionedKey: oldKey } = await provision();
      await h.caller(provider).organizations.rotateKey({ organizationId: organization.id });
      const down: AppDeps = {
        ...h.deps,
        openrouter: new OpenRouterClient({ baseUrl: `http://127.0.0.1:${await closedPort()}/api/v1`, timeoutMs: 2_000 }),
      };
      const row = async () => (await listKeyRetirements(h.t.db, organization.id))[0]!;
      let clock = (await row()).deleteAfter.getTime();
      const at = (t: number): AppDeps => ({ ...down, now: () => new Date(t) });

      await retireDueKeys(at(clock));
      expect(await row()).toMatchObject({
        attempts: 1,
        deletedAt: null,
        lastError: expect.stringMatching(/could not be reached/),
        deleteAfter: new Date(clock + 60_000),
      });
      // Not before its retry time…
      await retireDueKeys(at(clock + 59_000));
      expect((await row()).attempts).toBe(1);
      // …then again, and the wait doubles.
      clock += 60_000;
      await retireDueKeys(at(clock));
      expect(await row()).toMatchObject({ attempts: 2, deleteAfter: new Date(clock + 120_000) });

      // Keep failing until the last attempt: the give-up is audited; the key is the provider's to delete.
      while ((await row()).attempts < KEY_RETIREMENT_MAX_ATTEMPTS) {
        clock = (await row()).deleteAfter.getTime();
        await retireDueKeys(at(clock));
      }
      const failed = await listAudit(h.t.db, { organizationId: organization.id, action: "organization.previous_key_delete_failed" });
      expect(failed.items).toHaveLength(1);
      expect(failed.items[0]).toMatchObject({ actorKind: "system", details: { attempts: KEY_RETIREMENT_MAX_ATTEMPTS } });
      expect(JSON.stringify(failed.items[0])).not.toContain(oldKey!);
      // No more attempts, even with OpenRouter back; the key is still there upstream.
      await retireDueKeys({ ...h.deps, now: () => new Date(clock + 86_400_000) });
      expect(await row()).toMatchObject({ attempts: KEY_RETIREMENT_MAX_ATTEMPTS, deletedAt: null });
      expect(h.sim.getKey(oldKey!)).toBeDefined();
    });
  });

  it("a change the audit log would refuse (a key-shaped name) is refused before anything commits or reaches OpenRouter", async () => {
    const { organization, provisionedKey } = await provision();
    const before = await getOrganization(h.t.db, organization.id);
    const { caller, calls } = watchedCaller();
    const attempt = caller.organizations.update({ organizationId: organization.id, name: `Leak ${nextKey()}` });
    expect(await trpcCode(attempt)).toBe("BAD_REQUEST");
    expect(calls).toEqual([]);
    expect(await getOrganization(h.t.db, organization.id)).toEqual(before);
    expect(h.sim.getKey(provisionedKey!)?.name).toBe(`mai:${before!.name}`);
  });
});
