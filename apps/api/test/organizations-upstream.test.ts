// OpenRouter is never called inside a database transaction (issue 13): an organisation change
// commits first, then its provisioned key is told, and a refusal puts the previous values back.
// Held inside a transaction, the call would keep the row lock — on PGlite, the whole database, the
// proxy's admissions included — for as long as OpenRouter takes to answer.
import { createServer } from "node:http";
import { getOrganization, listAudit, type AuthUser, type Database } from "@mai/db";
import { testDrivers } from "@mai/db/testing";
import { OpenRouterClient } from "@mai/openrouter";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../src/routers/_app";
import { createCallerFactory } from "../src/trpc";
import type { AppDeps } from "../src/deps";
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
  function watchedCaller(): { caller: Caller; calls: { method: string; openTransactions: number }[] } {
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
    return { caller: callerWith({ db, openrouter }), calls };
  }

  beforeAll(async () => {
    h = await createHarness(driver);
    provider = await h.user("provider_admin");
    await h.caller(provider).globalSettings.update({ provisioningKey: h.sim.managementKey });
  });
  afterAll(() => h.close());

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
      "setKey (the replaced key is deleted upstream)",
      async (c: Caller) => {
        const { organization } = await provision();
        return c.organizations.setKey({ organizationId: organization.id, key: h.sim.addKey({ key: nextKey() }).key });
      },
    ],
    [
      "rotateKey (mints, then deletes the old key)",
      async (c: Caller) => c.organizations.rotateKey({ organizationId: (await provision()).organization.id }),
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
    const { caller, calls } = watchedCaller();
    await operation(caller);
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
            admission = await h.internal().internal.reserve({ organizationId: organization.id, amountNano: 1_000n });
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
