// Every dashboard and background read of the ledger is served by an index, never by a scan of
// usage_events: at ten million events a sequential scan, or a sort of one organisation's events,
// takes seconds where an index range takes a millisecond. Each query function runs as the API runs
// it; the statement drizzle sent is then EXPLAINed with sequential scans switched off (so a table
// this small still shows which index the planner *can* use: a Seq Scan left in the plan means
// none can) and, for the events pages, sorts switched off too (a Sort left in means no index
// gives the page its order — the DESC NULLS mismatch this test was written for).
import { randomUUID } from "node:crypto";
import { externalUserId } from "@mai/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createOrganization,
  listOrganizationsWithSpend,
  listReconciliationCandidates,
  listUsageEventsPage,
  recordedRawCost,
  recordUsageEvents,
  reportUsageByModel,
  reportUsageByOrganizationUser,
  reportUsageByUser,
  reportStatementByUserModel,
  reportUsageDaily,
  reportUsageTotals,
  type UsageEventsQuery,
} from "../src/index";
import { createTestDb, explainPlan, planNodes, testDrivers, type PlanNode, type TestDb } from "../src/testing/index";

describe.each(testDrivers())("query plans on %s", (driver) => {
  let t: TestDb;
  let org: string;
  const user = randomUUID();
  let captured: { query: string; params: unknown[] }[] = [];

  /** The statements `run` sent, and the plan of the one that read usage_events (or the last). */
  async function plansOf(run: () => Promise<unknown>, settings: Record<string, string>): Promise<PlanNode[]> {
    captured = [];
    await run();
    const reads = captured.filter((c) => /^\s*(select|with)/i.test(c.query));
    expect(reads.length, "the function sent no query").toBeGreaterThan(0);
    return Promise.all(reads.map((c) => explainPlan(t, c.query, c.params, settings)));
  }

  const scans = (plan: PlanNode) => planNodes(plan).filter((n) => n["Node Type"] === "Seq Scan").map((n) => n["Relation Name"]);
  const sorts = (plan: PlanNode) => planNodes(plan).filter((n) => n["Node Type"] === "Sort" || n["Node Type"] === "Incremental Sort");

  beforeAll(async () => {
    t = await createTestDb(driver, { observe: (query, params) => captured.push({ query, params }) });
    org = (await createOrganization(t.db, t.secrets, { name: "Plans Co" })).id;
    await recordUsageEvents(
      t.db,
      Array.from({ length: 40 }, (_, i) => ({
        generationId: `gen-plan-${String(i).padStart(4, "0")}`,
        organizationId: org,
        userId: user,
        externalUserId: externalUserId(org, user),
        model: i % 2 ? "openai/gpt-4o-mini" : "anthropic/claude-3.5-haiku",
        promptTokens: 10,
        completionTokens: 5,
        rawCostNano: 1_000n + BigInt(i),
        markupBp: 13_000,
        status: i % 7 === 0 ? ("error" as const) : ("ok" as const),
        streamed: false,
        occurredAt: new Date(Date.UTC(2026, 10, 1 + (i % 25), 12)),
      })),
    );
  });
  afterAll(() => t.close());

  const page: Omit<UsageEventsQuery, "organizationId"> = { limit: 50 };
  const cursor = { occurredAt: "2026-11-20T12:00:00.000000Z", generationId: "gen-plan-0019" };
  const eventPages: [string, Omit<UsageEventsQuery, "organizationId">][] = [
    ["first page", page],
    ["a cursor page", { ...page, cursor }],
    ["by user", { ...page, userId: user }],
    ["by user, cursor page", { ...page, userId: user, cursor }],
    ["by model", { ...page, model: "openai/gpt-4o-mini" }],
    ["by model, cursor page", { ...page, model: "openai/gpt-4o-mini", cursor }],
    ["by a rare status", { ...page, status: "incomplete" }],
    ["by status error, cursor page", { ...page, status: "error", cursor }],
    ["by status ok", { ...page, status: "ok" }],
    ["in a date range", { ...page, from: new Date("2026-11-05T00:00:00Z"), to: new Date("2026-11-10T00:00:00Z") }],
    ["by user and model in a date range", { ...page, userId: user, model: "openai/gpt-4o-mini", from: new Date("2026-11-05T00:00:00Z"), to: new Date("2026-11-10T00:00:00Z") }],
  ];

  it.each(eventPages)("the events page %s is an index range in index order: no scan, no sort", async (_name, query) => {
    const plans = await plansOf(() => listUsageEventsPage(t.db, { organizationId: org, ...query }), {
      enable_seqscan: "off",
      enable_sort: "off",
    });
    for (const plan of plans) {
      expect(scans(plan), JSON.stringify(plan)).toEqual([]);
      expect(sorts(plan), JSON.stringify(plan)).toEqual([]);
    }
  });

  const range = { from: "2026-11-01", to: "2026-11-30" };
  const reports: [string, () => Promise<unknown>][] = [
    ["totals", () => reportUsageTotals(t.db, { organizationId: org, ...range })],
    ["totals of a member", () => reportUsageTotals(t.db, { organizationId: org, userId: user, ...range })],
    ["daily", () => reportUsageDaily(t.db, { organizationId: org, ...range })],
    ["daily of a model", () => reportUsageDaily(t.db, { organizationId: org, model: "openai/gpt-4o-mini", ...range })],
    ["by user", () => reportUsageByUser(t.db, { organizationId: org, ...range })],
    ["by model", () => reportUsageByModel(t.db, { organizationId: org, ...range })],
    ["the monthly statement", () => reportStatementByUserModel(t.db, { organizationId: org, period: "2026-11" })],
    ["every organisation's users", () => reportUsageByOrganizationUser(t.db, { organizationIds: null, ...range })],
    ["some organisations' users", () => reportUsageByOrganizationUser(t.db, { organizationIds: [org], ...range })],
    ["organisations with month-to-date spend", () => listOrganizationsWithSpend(t.db, { period: "2026-11" })],
    ["the key's recorded cost", () => recordedRawCost(t.db, org, new Date("2026-11-01T00:00:00Z"), new Date("2026-11-15T00:00:00Z"))],
    ["reconciliation candidates", () => listReconciliationCandidates(t.db, { olderThan: new Date("2026-11-20T00:00:00Z"), limit: 100 })],
  ];

  it.each(reports)("%s reads no table of usage whole", async (_name, run) => {
    const plans = await plansOf(run, { enable_seqscan: "off" });
    for (const plan of plans) {
      expect(scans(plan).filter((name) => /^(usage_(events|daily|monthly)|reconciliation_queue)/.test(name ?? "")), JSON.stringify(plan)).toEqual([]);
    }
  });
});
