// Key-level reconciliation against the simulator's per-key counters, on a real database (PGlite and
// PostgreSQL): traffic through the gateway (charged at the simulator, recorded through
// internal.recordUsage as the proxy does) leaves no unmetered usage; spend sent straight to the
// simulator with the organisation's key — traffic that bypassed the gateway — shows as unmetered
// usage of exactly that amount after one job run, is audited once, and bills (an explicit provider
// action) as an adjustment line of exactly that × markup on the month's CSV statement, never twice.
// The simulator's clock and the API's are the same injected clock, so UTC days turn exactly.
import { createOrganization, getKeyUsageCheck, listAudit, setOrganizationKey, updateGlobalSettings, type AuthUser } from "@mai/db";
import { asOpenRouterKey, sql, testDrivers } from "@mai/db/testing";
import { billedCost, externalUserId, nanoToUsdString } from "@mai/domain";
import { OpenRouterClient } from "@mai/openrouter";
import { startSimulator, type Simulator } from "@mai/openrouter/simulator";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppDeps } from "../src/deps";
import { reconcileKeyUsage } from "../src/services/usage/key-reconcile";
import { createHarness, type Harness, trpcCode, usageBatch } from "./harness";

const MARKUP_BP = 12_500;
/** When each organisation's key was set: before every month on the tests' clock (June to November 2030). */
const KEY_SET_AT = new Date("2030-01-01T00:00:00.000Z");

/** What a client administrator reads of a check (billed amounts only): the provider's check without its raw amounts. */
function pickBilledCheck(check: { periodStart: string; comparedFrom: Date; checkedAt: Date; unmetered: boolean; unmeteredBilledNano: bigint } | null | undefined) {
  if (!check) return null;
  const { periodStart, comparedFrom, checkedAt, unmetered, unmeteredBilledNano } = check;
  return { periodStart, comparedFrom, checkedAt, unmetered, unmeteredBilledNano };
}

describe.each(testDrivers())("key-level reconciliation on %s", (driver) => {
  let h: Harness;
  let sim: Simulator;
  let clock = Date.UTC(2030, 5, 15, 12, 0, 0);
  let deps: AppDeps;
  let provider: AuthUser;

  beforeAll(async () => {
    h = await createHarness(driver);
    // A simulator of our own on the shared clock; the job's deps read it and OpenRouter from it.
    sim = await startSimulator({ port: 0, generationDelayMs: 0, now: () => clock });
    deps = {
      ...h.deps,
      now: () => new Date(clock),
      openrouter: new OpenRouterClient({ baseUrl: sim.url, timeoutMs: 10_000 }),
    };
    provider = await h.user("provider_admin");
  }, 120_000);
  afterAll(async () => {
    await sim.close();
    await h.close();
  });

  /** An organisation whose key the simulator knows, its administrator and a mapped member. */
  async function organization(input: { provisioned?: boolean } = {}) {
    const simKey = sim.addKey({ name: `org ${randomUUID().slice(0, 8)}` });
    const org = await createOrganization(h.t.db, h.t.secrets, {
      name: `Reconciled ${randomUUID().slice(0, 8)}`,
      key: asOpenRouterKey(simKey.key),
      markupBp: MARKUP_BP,
      ...(input.provisioned ? { keySource: "provisioned" as const, openrouterKeyHash: simKey.hash } : {}),
    });
    // The database stamps key_set_at with its own now(), the real time; the job counts what was
    // recorded since the key was set. Real time past a test's injected 2030 clock (from 15 June
    // 2030, 12:00 UTC) would make every recorded event older than its key: the key was set before
    // any month these tests look at.
    await h.t.db.execute(sql`update client_organizations set key_set_at = ${KEY_SET_AT.toISOString()}::timestamptz where id = ${org.id}`);
    const admin = await h.user("org_admin", { organizationId: org.id });
    const member = await h.user("member", { organizationId: org.id });
    return { org, key: simKey.key, hash: simKey.hash, admin, member };
  }

  type Org = Awaited<ReturnType<typeof organization>>;

  /** A request through the gateway: charged at the simulator, recorded as the proxy records it. */
  async function gatewayRequest(o: Org): Promise<bigint> {
    const external = externalUserId(o.org.id, o.member.id);
    const client = new OpenRouterClient({ baseUrl: sim.url, apiKey: o.key });
    const answer = await client.chat({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "through the gateway" }], user: external });
    const [charge] = sim.ledger({ key: o.key }).filter((c) => c.generationId === answer.id);
    await h.internal().internal.recordUsage(
      usageBatch([
        {
          generationId: answer.id,
          organizationId: o.org.id,
          userId: o.member.id,
          externalUserId: external,
          model: "openai/gpt-4o-mini",
          promptTokens: charge!.promptTokens,
          completionTokens: charge!.completionTokens,
          rawCostNano: charge!.costNano,
          markupBp: MARKUP_BP,
          status: "ok",
          streamed: false,
          occurredAt: new Date(clock),
        },
      ]),
    );
    return charge!.costNano;
  }

  /** Spend on the organisation's key straight at the simulator: the gateway never sees it. */
  async function bypass(o: Org, maxTokens = 40): Promise<bigint> {
    const before = sim.totalNano({ key: o.key });
    const res = await fetch(`${sim.url}/chat/completions`, {
      method: "POST",
      headers: { Authorization: `Bearer ${o.key}`, "Content-Type": "application/json" },
      body: JSON.stringify({ model: "openai/gpt-4o", max_tokens: maxTokens, messages: [{ role: "user", content: "around the gateway" }] }),
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    return sim.totalNano({ key: o.key }) - before;
  }

  const monthCheck = (o: Org, month: string) => getKeyUsageCheck(h.t.db, o.org.id, "month", `${month}-01`);
  const dayCheck = (o: Org, day: string) => getKeyUsageCheck(h.t.db, o.org.id, "day", day);

  it("gateway traffic → 0 unmetered; a bypass → exactly its amount after one run, audited once; billed × markup on the statement, never twice", async () => {
    clock = Date.UTC(2030, 5, 15, 12, 0, 0);
    const o = await organization();
    let recorded = 0n;
    let recordedBilled = 0n;
    const through = async () => {
      const raw = await gatewayRequest(o);
      recorded += raw;
      recordedBilled += billedCost(raw, MARKUP_BP);
    };
    for (let i = 0; i < 3; i++) await through();

    await reconcileKeyUsage(deps);
    const clean = await monthCheck(o, "2030-06");
    expect(clean).toMatchObject({ openrouterUsageNano: recorded, recordedRawNano: recorded, unmeteredNano: 0n });
    expect(await dayCheck(o, "2030-06-15")).toMatchObject({ unmeteredNano: 0n });
    const [none] = await h.caller(provider).organizations.unmeteredUsage({ organizationId: o.org.id, month: "2030-06" });
    expect(none).toMatchObject({ unbilledRawNano: 0n, check: { unmetered: false, unmeteredNano: 0n } });
    expect(await trpcCode(h.caller(provider).organizations.billUnmetered({ organizationId: o.org.id, month: "2030-06" }))).toBe("CONFLICT");

    // Traffic that bypassed the gateway, then more through it.
    clock += 60_000;
    const bypassed = (await bypass(o)) + (await bypass(o, 7));
    expect(bypassed).toBeGreaterThan(0n);
    await through();

    await reconcileKeyUsage(deps);
    expect(await monthCheck(o, "2030-06")).toMatchObject({ unmeteredNano: bypassed, recordedRawNano: recorded, openrouterUsageNano: recorded + bypassed });
    expect(await dayCheck(o, "2030-06-15")).toMatchObject({ unmeteredNano: bypassed });
    // Audited when it appeared, not again while it stays.
    await reconcileKeyUsage(deps);
    const audited = await listAudit(h.t.db, { organizationId: o.org.id, action: "organization.unmetered_usage", limit: 50 });
    expect(audited.items).toHaveLength(1);
    expect(audited.items[0]!.details).toMatchObject({ month: "2030-06", withinRounding: false });
    expect(audited.items[0]!.after).toEqual({ unmeteredNano: bypassed.toString() });

    // Shown to the provider and to the organisation's own administrator — to the administrator at
    // the organisation's price only, without OpenRouter's raw amounts (provider-cost.test.ts).
    const [full] = await h.caller(provider).organizations.unmeteredUsage({ organizationId: o.org.id, month: "2030-06" });
    expect(full).toMatchObject({
      organizationId: o.org.id,
      month: "2030-06",
      check: { unmeteredNano: bypassed, unmetered: true, unmeteredBilledNano: billedCost(bypassed, MARKUP_BP) },
      latestDay: { periodStart: "2030-06-15", unmeteredNano: bypassed },
      billedRawNano: 0n,
      unbilledRawNano: bypassed,
      unbilledBilledNano: billedCost(bypassed, MARKUP_BP),
    });
    const [billed] = await h.caller(o.admin).organizations.unmeteredUsage({ organizationId: o.org.id, month: "2030-06" });
    expect(billed).toEqual({
      organizationId: o.org.id,
      organizationName: full!.organizationName,
      keyHint: full!.keyHint,
      month: "2030-06",
      check: { ...pickBilledCheck(full!.check), unmetered: true, unmeteredBilledNano: billedCost(bypassed, MARKUP_BP) },
      latestDay: pickBilledCheck(full!.latestDay),
      unbilledBilledNano: billedCost(bypassed, MARKUP_BP),
    });
    // The provider's list names every organisation; this one among them.
    const all = await h.caller(provider).organizations.unmeteredUsage({ month: "2030-06" });
    const listed = all.find((r) => r.organizationId === o.org.id)?.check;
    expect(listed && "unmeteredNano" in listed ? listed.unmeteredNano : undefined).toBe(bypassed);
    // A client administrator cannot bill; the provider can, once.
    expect(await trpcCode(h.caller(o.admin).organizations.billUnmetered({ organizationId: o.org.id, month: "2030-06" }))).toBe("FORBIDDEN");
    const { adjustment } = await h.caller(provider).organizations.billUnmetered({ organizationId: o.org.id, month: "2030-06" });
    expect(adjustment).toMatchObject({ period: "2030-06", rawCostNano: bypassed, markupBp: MARKUP_BP, billedCostNano: billedCost(bypassed, MARKUP_BP) });
    expect(await trpcCode(h.caller(provider).organizations.billUnmetered({ organizationId: o.org.id, month: "2030-06" }))).toBe("CONFLICT");
    const billedAudit = await listAudit(h.t.db, { organizationId: o.org.id, action: "organization.unmetered_billed", limit: 50 });
    expect(billedAudit.items).toHaveLength(1);

    // The statement: the events, one adjustment line, and a total that includes it.
    const csv = await h.caller(provider).usage.exportCsv({ organizationId: o.org.id, month: "2030-06" });
    const lines = csv.content.trimEnd().split("\r\n");
    const adjustmentLine = lines.find((l) => l.startsWith("ADJUSTMENT,"));
    expect(adjustmentLine).toBeDefined();
    expect(adjustmentLine!.split(",").slice(-2)).toEqual([nanoToUsdString(bypassed), nanoToUsdString(billedCost(bypassed, MARKUP_BP))]);
    const total = lines.at(-1)!.split(",");
    expect(total[0]).toBe("TOTAL");
    expect(total.at(-2)).toBe(nanoToUsdString(recorded + bypassed));
    // Each event's billed cost was rounded on its own; the adjustment line adds its own.
    expect(csv.totalBilledCostNano).toBe(recordedBilled + billedCost(bypassed, MARKUP_BP));
    expect(total.at(-1)).toBe(nanoToUsdString(csv.totalBilledCostNano));

    // More bypass later in the month: only the new part is billed.
    clock += 60_000;
    const more = await bypass(o, 3);
    await reconcileKeyUsage(deps);
    const second = await h.caller(provider).organizations.billUnmetered({ organizationId: o.org.id, month: "2030-06" });
    expect(second.adjustment.rawCostNano).toBe(more);
    const [after] = await h.caller(provider).organizations.unmeteredUsage({ organizationId: o.org.id, month: "2030-06" });
    expect(after).toMatchObject({ billedRawNano: bypassed + more, unbilledRawNano: 0n });
    // A member's own statement carries no organisation adjustment.
    const own = await h.caller(o.member).usage.exportCsv({ organizationId: o.org.id, month: "2030-06" });
    expect(own.content).not.toContain("ADJUSTMENT");
  });

  it("a key switched within the month keeps what the old key was charged: the leak stays unmetered and billable after the rotation", async () => {
    clock = Date.UTC(2030, 10, 10, 12, 0, 0);
    const o = await organization();
    let recorded = await gatewayRequest(o);
    const leaked = await bypass(o);
    await reconcileKeyUsage(deps);
    expect(await monthCheck(o, "2030-11")).toMatchObject({ unmeteredNano: leaked, carriedOpenrouterNano: 0n });

    // The leak is found and the key replaced: the organisation moves to a fresh key (set "now" on
    // the shared clock), whose own counters start at zero.
    clock += 60_000;
    const fresh = sim.addKey({ name: `fresh ${randomUUID().slice(0, 8)}` });
    await setOrganizationKey(h.t.db, h.t.secrets, o.org.id, { key: asOpenRouterKey(fresh.key), source: "client" });
    await h.t.db.execute(sql`update client_organizations set key_set_at = ${new Date(clock).toISOString()}::timestamptz where id = ${o.org.id}`);
    const moved = { ...o, key: fresh.key };
    recorded += await gatewayRequest(moved);
    await reconcileKeyUsage(deps);
    const after = await monthCheck(o, "2030-11");
    expect(after).toMatchObject({ unmeteredNano: leaked, recordedRawNano: recorded, openrouterUsageNano: recorded + leaked });
    expect(after!.carriedOpenrouterNano).toBe(sim.totalNano({ key: o.key }));
    // Still the same amount at the next run (the carried part is not added twice), and billable.
    await reconcileKeyUsage(deps);
    expect(await monthCheck(o, "2030-11")).toMatchObject({ unmeteredNano: leaked });
    const billed = await h.caller(provider).organizations.billUnmetered({ organizationId: o.org.id, month: "2030-11" });
    expect(billed).toMatchObject({ adjustment: { rawCostNano: leaked, billedCostNano: billedCost(leaked, MARKUP_BP) } });
  });

  it("a provisioned key is read with the provisioning key (GET /keys/:hash), even when the key itself is disabled", async () => {
    clock = Date.UTC(2030, 8, 10, 8, 0, 0);
    await updateGlobalSettings(h.t.db, h.t.secrets, { provisioningKey: sim.managementKey }, null);
    try {
      const o = await organization({ provisioned: true });
      await gatewayRequest(o);
      const bypassed = await bypass(o);
      // /key with the key itself would now answer 401; the management API still knows its usage.
      sim.updateKey(o.key, { disabled: true });
      await reconcileKeyUsage(deps);
      expect(await monthCheck(o, "2030-09")).toMatchObject({ unmeteredNano: bypassed });
    } finally {
      await updateGlobalSettings(h.t.db, h.t.secrets, { provisioningKey: null }, null);
    }
  });

  it("UTC day boundary: 23:59:59.999 belongs to the old day and month, 00:00:00.000 starts new ones", async () => {
    clock = Date.UTC(2030, 6, 31, 23, 59, 0);
    const o = await organization();
    await gatewayRequest(o);
    clock = Date.UTC(2030, 6, 31, 23, 59, 30);
    const july = await bypass(o);
    clock = Date.UTC(2030, 6, 31, 23, 59, 59, 999);
    await gatewayRequest(o); // recorded at the last millisecond of July
    await reconcileKeyUsage(deps);
    expect(await dayCheck(o, "2030-07-31")).toMatchObject({ unmeteredNano: july });
    expect(await monthCheck(o, "2030-07")).toMatchObject({ unmeteredNano: july });

    clock = Date.UTC(2030, 7, 1, 0, 0, 0, 0);
    await reconcileKeyUsage(deps);
    // OpenRouter's counters turned over; July's events are not August's.
    const firstDay = await dayCheck(o, "2030-08-01");
    expect(firstDay).toMatchObject({ openrouterUsageNano: 0n, recordedRawNano: 0n, unmeteredNano: 0n });
    expect(firstDay!.comparedFrom.toISOString()).toBe("2030-08-01T00:00:00.000Z");
    expect(await monthCheck(o, "2030-08")).toMatchObject({ unmeteredNano: 0n });

    await gatewayRequest(o); // at exactly 00:00:00.000: August
    clock = Date.UTC(2030, 7, 1, 0, 0, 20);
    const august = await bypass(o, 5);
    await reconcileKeyUsage(deps);
    expect(await dayCheck(o, "2030-08-01")).toMatchObject({ unmeteredNano: august });
    expect(await monthCheck(o, "2030-08")).toMatchObject({ unmeteredNano: august });
    // July keeps its own observation.
    expect(await monthCheck(o, "2030-07")).toMatchObject({ unmeteredNano: july });
    const [julyRow] = await h.caller(provider).organizations.unmeteredUsage({ organizationId: o.org.id, month: "2030-07" });
    expect(julyRow).toMatchObject({ check: { unmeteredNano: july }, latestDay: { periodStart: "2030-07-31" } });
  });
});
