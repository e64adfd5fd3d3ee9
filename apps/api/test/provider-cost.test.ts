// Raw cost visibility (issue 18): what the provider pays — raw cost, and the markup that gives it
// away — reaches a client role only when the provider's `clientsSeeProviderCost` setting is on
// (default off). Asserted over real HTTP, on the JSON the browser receives: for every procedure a
// client may call that carries such a figure, per role (provider, client administrator, member) ×
// setting (off, on), the keys are absent from the raw body — superjson's data and its meta paths —
// not merely null; the CSV statement has no raw-cost column; the organisation's audit entries lose
// their cost fields (a markup change's before/after); and the provider sees everything.
import { createSession, type AuthUser } from "@mai/db";
import { testDrivers } from "@mai/db/testing";
import type { UsageEvent } from "@mai/domain";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_COOKIE } from "../src/context";
import { createApiServer, type ApiServer } from "../src/server";
import { generateApiToken, sha256 } from "../src/services/auth/tokens";
import { createHarness, type Harness, usageBatch } from "./harness";

/** Keys that state or give away the provider's cost. */
const COST_KEYS = [
  "rawCostNano",
  "markupBp",
  "markup",
  "defaultMarkupBp",
  "defaultMarkup",
  "openrouterUsageNano",
  "recordedRawNano",
  "unmeteredNano",
  "toleranceNano",
  "billedRawNano",
  "unbilledRawNano",
] as const;

/** Every object key of a tRPC answer's JSON, and every segment of superjson's meta paths. */
function keysOf(body: string): Set<string> {
  const keys = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        keys.add(k);
        walk(v);
      }
    }
  };
  const parsed = JSON.parse(body) as { result?: { data?: { json?: unknown; meta?: { values?: Record<string, unknown> } } } };
  walk(parsed);
  for (const path of Object.keys(parsed.result?.data?.meta?.values ?? {})) for (const segment of path.split(".")) keys.add(segment);
  return keys;
}

const costKeysIn = (body: string) => COST_KEYS.filter((k) => keysOf(body).has(k));

function parseCsv(text: string): string[][] {
  return text
    .split("\r\n")
    .filter((line) => line.length > 0)
    .map((line) => line.split(","));
}

type Role = "provider" | "admin" | "member";

describe.each(testDrivers())("raw cost visibility on %s", (driver) => {
  let h: Harness;
  let api: ApiServer;
  let url: string;
  let org: { id: string; admin: AuthUser };
  let member: AuthUser;
  let provider: AuthUser;
  const cookies = new Map<Role, string>();
  // One instant for the whole file: the events' time, the statement's month and the API's clock.
  // Each read apart from the others, a run across midnight at a month's end would find this month's
  // usage in the last month, or the statement of a month the events are not in.
  const at = new Date();
  const month = at.toISOString().slice(0, 7);

  beforeAll(async () => {
    h = await createHarness(driver);
    h.deps.now = () => at;
    api = createApiServer(h.deps);
    url = (await api.listen(0, "127.0.0.1")).url;
    org = await h.org("Kowalski Transport");
    member = await h.user("member", { organizationId: org.id });
    provider = await h.user("provider_admin");
    for (const [role, user] of [
      ["provider", provider],
      ["admin", org.admin],
      ["member", member],
    ] as const) {
      const session = generateApiToken().token;
      await createSession(h.t.db, { userId: user.id, tokenHash: sha256(session), expiresAt: new Date(Date.now() + 86_400_000) });
      cookies.set(role, `${SESSION_COOKIE}=${session}`);
    }
    const event = (user: AuthUser, rawCostNano: bigint): UsageEvent => ({
      generationId: `gen-${randomUUID()}`,
      organizationId: org.id,
      userId: user.id,
      externalUserId: user.externalUserId!,
      model: "openai/gpt-4o-mini",
      provider: "OpenAI",
      promptTokens: 100,
      completionTokens: 20,
      rawCostNano,
      markupBp: 13_000,
      status: "ok",
      streamed: true,
      occurredAt: at,
    });
    await h.internal().internal.recordUsage(usageBatch([event(org.admin, 2_000_000n), event(member, 1_000_000n)]));
    // An audit entry of the organisation that states its markup (before and after), which its administrator can read.
    await h.caller(provider).organizations.update({ organizationId: org.id, markup: "1.4" });
  });

  afterAll(async () => {
    await api?.close();
    await h?.close();
  });

  const setting = (on: boolean) => h.caller(provider).globalSettings.update({ clientsSeeProviderCost: on });

  /** A GET of a tRPC query as `role`'s dashboard session: the raw body as sent. */
  async function query(role: Role, path: string, input: unknown): Promise<{ status: number; body: string }> {
    const search = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
    const response = await fetch(`${url}/trpc/${path}${search}`, { headers: { cookie: cookies.get(role)! } });
    return { status: response.status, body: await response.text() };
  }

  async function mutate(role: Role, path: string, input: unknown): Promise<{ status: number; body: string }> {
    const response = await fetch(`${url}/trpc/${path}`, {
      method: "POST",
      headers: { cookie: cookies.get(role)!, origin: url, "content-type": "application/json" },
      body: JSON.stringify({ json: input }),
    });
    return { status: response.status, body: await response.text() };
  }

  // What each role may call that carries a cost figure in the provider's view.
  const orgInput = (role: Role) => (role === "provider" ? { organizationId: org.id } : {});
  const procedures = (role: Role): [string, unknown][] => [
    ["usage.summary", orgInput(role)],
    ["usage.daily", { ...orgInput(role), days: 2 }],
    ["usage.byUser", orgInput(role)],
    ["usage.byModel", orgInput(role)],
    ["usage.events", orgInput(role)],
    ...(role === "member"
      ? []
      : ([
          ["organizations.list", undefined],
          ["organizations.get", orgInput(role)],
          ["organizations.unmeteredUsage", orgInput(role)],
          ["userMapping.statistics", orgInput(role)],
          ["userMapping.configuration", undefined],
          ["audit.list", orgInput(role)],
        ] as [string, unknown][])),
  ];

  it("the setting is the provider's, off by default", async () => {
    expect((await h.caller(provider).globalSettings.get()).clientsSeeProviderCost).toBe(false);
    expect((await query("admin", "globalSettings.get", undefined)).status).toBe(403);
  });

  describe.each([
    ["off", false],
    ["on", true],
  ] as const)("setting %s", (_label, on) => {
    beforeAll(async () => {
      await setting(on);
    });

    it.each(["provider", "admin", "member"] as const)("%s: cost keys on the wire only when allowed", async (role) => {
      const sees = role === "provider" || on;
      for (const [path, input] of procedures(role)) {
        const { status, body } = await query(role, path, input);
        expect(status, `${path}: ${body}`).toBe(200);
        const found = costKeysIn(body);
        if (sees) {
          // The provider's view: the figures are there (raw cost, or the markup where no raw amount is reported).
          const expected =
            path.startsWith("usage.") || path === "userMapping.statistics"
              ? "rawCostNano"
              : path === "userMapping.configuration"
                ? "defaultMarkupBp"
                : "markupBp";
          expect(found, path).toContain(expected);
        } else {
          expect(found, `${path}: ${body}`).toEqual([]);
          // Billed amounts are still there.
          if (path.startsWith("usage.")) expect(body, path).toContain("billedCostNano");
        }
      }
      if (role !== "member") {
        // A client administrator's billing e-mail change answers with the organisation, as read.
        const update = await mutate(role, "organizations.update", { ...orgInput(role), billingEmail: `billing-${role}@kowalski.example` });
        expect(update.status, update.body).toBe(200);
        expect(costKeysIn(update.body).length > 0, update.body).toBe(sees);
      }
    });

    it.each(["provider", "admin", "member"] as const)("%s: the CSV statement has a raw-cost column only when allowed", async (role) => {
      const sees = role === "provider" || on;
      const { status, body } = await query(role, "usage.exportCsv", { ...orgInput(role), month });
      expect(status, body).toBe(200);
      const content = (JSON.parse(body) as { result: { data: { json: { content: string } } } }).result.data.json.content;
      const [header, ...rows] = parseCsv(content);
      expect(header!.includes("raw_cost_usd")).toBe(sees);
      expect(header).toContain("billed_cost_usd");
      for (const row of rows) expect(row).toHaveLength(header!.length);
      expect(rows.at(-1)![0]).toBe("TOTAL");
      // The TOTAL's billed amount: 1.3 × (0.002 + 0.001) for the organisation, 1.3 × 0.001 for the member alone.
      expect(rows.at(-1)!.at(-1)).toBe(role === "member" ? "0.0013" : "0.0039");
      if (!sees) expect(content).not.toMatch(/0\.003(?!9)|0\.002(?!\d)|raw/i);
    });
  });
});
