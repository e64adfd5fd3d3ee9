// DATABASE_READ_URL: the dashboard's reports read the replica; writes, limit admission and
// authentication use the primary. A replica is a PostgreSQL feature, so the suite needs
// DATABASE_URL; a second test database stands in for the replica. It starts as a copy of what the
// primary holds (the organisations and users a real replica would have replicated), and then the
// two are made to differ on purpose: what an answer shows tells which database it was read from.
import { randomBytes, randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { getOrganization, recordUsageEvents, reportUsageTotals, schema, type Database } from "@mai/db";
import { createTestDb, eq, type TestDb } from "@mai/db/testing";
import { billedCost, localDate, type UsageEvent } from "@mai/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_COOKIE } from "../src/context";
import { loadEnv } from "../src/env";
import { createLogger } from "../src/logger";
import { startApiService, type ApiService } from "../src/service";
import { closedPort, createHarness, type Harness, json, usageBatch } from "./harness";

const OWNER = "read-replica-test-owner";
const postgres = Boolean(process.env.DATABASE_URL);

describe("DATABASE_READ_URL configuration", () => {
  it("is refused without DATABASE_URL (the embedded PGlite has no replica), in words", () => {
    expect(() => loadEnv({ DATABASE_READ_URL: "postgres://replica.example/mai" })).toThrow(
      /DATABASE_READ_URL: a read replica needs DATABASE_URL/,
    );
  });

  it("must be a PostgreSQL URL, and the message does not repeat the value (it may hold a password)", () => {
    const attempt = () => loadEnv({ DATABASE_URL: "postgres://primary.example/mai", DATABASE_READ_URL: "mysql://u:s3cret@replica.example/mai" });
    expect(attempt).toThrow(/DATABASE_READ_URL must be a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(attempt).not.toThrow(/s3cret/);
    expect(() => loadEnv({ DATABASE_URL: "postgres://primary.example/mai", DATABASE_READ_URL: "not a url" })).toThrow(/DATABASE_READ_URL/);
    expect(loadEnv({ DATABASE_URL: "postgres://primary.example/mai", DATABASE_READ_URL: "postgresql://replica.example/mai" }).DATABASE_READ_URL).toBe(
      "postgresql://replica.example/mai",
    );
  });
});

describe.skipIf(!postgres)("a read replica on PostgreSQL", () => {
  let h: Harness;
  let replica: TestDb;
  let provider: Awaited<ReturnType<Harness["user"]>>;
  // One instant for the whole file, so "today" and "this month" cannot turn between a write and a read.
  const NOW = new Date();

  beforeAll(async () => {
    replica = await createTestDb("postgres");
    h = await createHarness("postgres", {}, { readDb: replica.db });
    h.deps.now = () => NOW;
    provider = await h.user("provider_admin");
  });
  afterAll(async () => {
    await h?.close();
    await replica?.close();
  });

  /** What a replica would have replicated by now: the organisation's row and these users, mapped. */
  async function replicate(organizationId: string, userIds: string[]) {
    const [org] = await h.t.db.select().from(schema.clientOrganizations).where(eq(schema.clientOrganizations.id, organizationId));
    await replica.db.insert(schema.clientOrganizations).values(org!);
    for (const id of userIds) {
      const [user] = await h.t.db.select().from(schema.users).where(eq(schema.users.id, id));
      await replica.db.insert(schema.users).values(user!);
      const mappings = await h.t.db.select().from(schema.userClientMapping).where(eq(schema.userClientMapping.userId, id));
      if (mappings.length > 0) await replica.db.insert(schema.userClientMapping).values(mappings);
    }
  }

  function event(organizationId: string, user: { id: string; externalUserId: string | null }, fields: Partial<UsageEvent>): UsageEvent {
    return {
      generationId: `gen-${randomUUID()}`,
      organizationId,
      userId: user.id,
      externalUserId: user.externalUserId!,
      model: "openai/gpt-4o-mini",
      provider: "OpenAI",
      promptTokens: 10,
      completionTokens: 5,
      rawCostNano: 1_000n,
      markupBp: 13_000,
      status: "ok",
      streamed: false,
      occurredAt: NOW,
      ...fields,
    };
  }

  const eventIds = async (db: Database, organizationId: string) =>
    (await db.select({ id: schema.usageEvents.generationId }).from(schema.usageEvents).where(eq(schema.usageEvents.organizationId, organizationId))).map((r) => r.id);

  it("dashboard reports (usage.*, the CSV statement, mapping statistics) read the replica, not the primary", async () => {
    const org = await h.org();
    const member = await h.user("member", { organizationId: org.id });
    await replicate(org.id, [org.admin.id, member.id]);

    // The primary records through the API, as the proxy does; the replica holds other usage.
    const onPrimary = event(org.id, member, { model: "primary/model", rawCostNano: 1_000_000n });
    expect(await h.internal().internal.recordUsage(usageBatch([onPrimary]))).toEqual({ inserted: 1, duplicates: 0 });
    const onReplica = event(org.id, org.admin, { model: "replica/model", rawCostNano: 7_000n, promptTokens: 70, completionTokens: 7 });
    await recordUsageEvents(replica.db, [onReplica]);
    const primaryBilled = billedCost(1_000_000n, 13_000);
    const replicaBilled = billedCost(7_000n, 13_000);
    // Each database holds exactly its own usage, so any figure below says where it was read.
    const today = localDate(NOW, "UTC");
    expect((await reportUsageTotals(h.t.db, { organizationId: org.id, userId: null, from: today, to: today })).rawCostNano).toBe(1_000_000n);
    expect((await reportUsageTotals(replica.db, { organizationId: org.id, userId: null, from: today, to: today })).rawCostNano).toBe(7_000n);

    // The provider exists only on the primary: signing in and scoping read the primary.
    const as = h.caller(provider);
    const summary = await as.usage.summary({ organizationId: org.id });
    expect(summary.today).toMatchObject({ requests: 1, promptTokens: 70, completionTokens: 7, rawCostNano: 7_000n, billedCostNano: replicaBilled });
    expect(summary.monthToDate).toMatchObject({ requests: 1, rawCostNano: 7_000n, billedCostNano: replicaBilled });
    // The limit's standing is the counter admission reads: the primary's, never the replica's.
    expect(summary.limit.spentNano).toBe(primaryBilled);

    const daily = await as.usage.daily({ organizationId: org.id, days: 1 });
    expect(daily).toEqual([expect.objectContaining({ date: today, requests: 1, rawCostNano: 7_000n })]);
    const byUser = await as.usage.byUser({ organizationId: org.id });
    expect(byUser.rows.map((r) => [r.userId, "rawCostNano" in r ? r.rawCostNano : undefined])).toEqual([[org.admin.id, 7_000n]]);
    const byModel = await as.usage.byModel({ organizationId: org.id });
    expect(byModel.rows.map((r) => r.model)).toEqual(["replica/model"]);
    const events = await as.usage.events({ organizationId: org.id });
    expect(events.items.map((e) => e.generationId)).toEqual([onReplica.generationId]);
    const csv = await as.usage.exportCsv({ organizationId: org.id, month: today.slice(0, 7) });
    expect(csv.content).toContain("replica/model");
    expect(csv.content).not.toContain("primary/model");
    expect(csv.totalBilledCostNano).toBe(replicaBilled);

    const statistics = await as.userMapping.statistics({ organizationId: org.id });
    expect(statistics).toMatchObject({ requestsThisMonth: 1, billedCostNanoThisMonth: replicaBilled });
    expect(statistics.perExternalId.find((r) => r.userId === member.id)).toMatchObject({ requests: 0, billedCostNano: 0n });

    // A member's own usage is a report too.
    const mine = await h.caller(member).usage.summary({});
    expect(mine.today.requests).toBe(0);
    expect(mine.limit.spentNano).toBe(primaryBilled);
  });

  it("writes land on the primary and never on the replica; what was just written reads back at once", async () => {
    const org = await h.org();
    await replicate(org.id, [org.admin.id]);

    const updated = await h.caller(provider).organizations.update({ organizationId: org.id, billingEmail: "billing@client.example" });
    expect(updated.billingEmail).toBe("billing@client.example");
    expect((await getOrganization(h.t.db, org.id))?.billingEmail).toBe("billing@client.example");
    expect((await getOrganization(replica.db, org.id))?.billingEmail).toBeNull();
    // organizations.list and get show the edit that was just saved (they read the primary).
    expect((await h.caller(provider).organizations.list()).find((o) => o.id === org.id)?.billingEmail).toBe("billing@client.example");
    expect((await h.caller(org.admin).organizations.get({ organizationId: org.id })).billingEmail).toBe("billing@client.example");

    const recorded = event(org.id, org.admin, {});
    await h.internal().internal.recordUsage(usageBatch([recorded]));
    expect(await eventIds(h.t.db, org.id)).toEqual([recorded.generationId]);
    expect(await eventIds(replica.db, org.id)).toEqual([]);

    // Sign-in state too: a session and a token are written to, and found on, the primary.
    const { token } = await h.caller(org.admin).auth.createToken({ name: "replica test" });
    expect((await h.internal().internal.resolveContext({ token })).user.id).toBe(org.admin.id);
    expect(await replica.db.select().from(schema.apiTokens).where(eq(schema.apiTokens.userId, org.admin.id))).toEqual([]);
  });

  it("limit admission (internal.reserve) reads the primary's counters, whatever the replica says", async () => {
    // Nearly spent on the primary, untouched on the replica: refused.
    const nearly = await h.org();
    await replicate(nearly.id, [nearly.admin.id]);
    await h.caller(provider).organizations.update({ organizationId: nearly.id, monthlyLimitUsd: "1" });
    await h.internal().internal.recordUsage(usageBatch([event(nearly.id, nearly.admin, { rawCostNano: 760_000_000n })])); // billed 0.988 USD
    const refused = await h.internal().internal.reserve({ organizationId: nearly.id, amountNano: 20_000_000n, owner: OWNER });
    expect(refused.admitted).toBe(false);

    // Spent beyond the limit on the replica only: admitted, because the primary has spent nothing.
    const fresh = await h.org();
    await replicate(fresh.id, [fresh.admin.id]);
    await recordUsageEvents(replica.db, [event(fresh.id, fresh.admin, { rawCostNano: 800_000_000_000n })]); // billed 1,040 USD > 1,000
    const admitted = await h.internal().internal.reserve({ organizationId: fresh.id, amountNano: 1_000_000n, owner: OWNER });
    expect(admitted).toMatchObject({ admitted: true });
    await h.internal().internal.settle({ owner: OWNER, leaseId: admitted.leaseId!, consumedNano: 0n });
    // The dashboard shows the replica's figures beside the primary's limit standing.
    const summary = await h.caller(provider).usage.summary({ organizationId: fresh.id });
    expect(summary.monthToDate.billedCostNano).toBe(billedCost(800_000_000_000n, 13_000));
    expect(summary.limit).toMatchObject({ spentNano: 0n, level: "ok" });
  });

  describe("an API started with DATABASE_READ_URL on a server that does not answer", () => {
    let primary: TestDb;
    let service: ApiService;
    const logs: string[] = [];
    const PASSWORD = "a replica test password";

    beforeAll(async () => {
      primary = await createTestDb("postgres");
      const env = loadEnv({
        NODE_ENV: "test",
        DATABASE_URL: primary.url!,
        DATABASE_READ_URL: `postgres://postgres@127.0.0.1:${await closedPort()}/replica`,
        MAI_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
        MAI_ADMIN_EMAIL: "admin@replica.example",
        MAI_ADMIN_PASSWORD: PASSWORD,
        MAI_ADMIN_DIST: "",
        MAI_RECONCILE_INTERVAL_MS: "0",
        MAI_KEY_RECONCILE_INTERVAL_MS: "0",
        MAI_KEY_RETIREMENT_INTERVAL_MS: "0",
        LOG_LEVEL: "debug",
      });
      const destination = new Writable({
        write(chunk, _enc, done) {
          logs.push(String(chunk));
          done();
        },
      });
      service = await startApiService(env, createLogger({ level: "debug", destination }), { port: 0, host: "127.0.0.1" });
    });
    afterAll(async () => {
      await service?.close();
      await primary?.close();
    });

    /** A tRPC call over HTTP as the dashboard does it: the session cookie, its own Origin. */
    async function call(kind: "query" | "mutation", path: string, input: unknown, cookie?: string) {
      const body = JSON.stringify({ json: input });
      const headers: Record<string, string> = { origin: service.url, ...(cookie ? { cookie } : {}) };
      const response =
        kind === "query"
          ? await fetch(`${service.url}/trpc/${path}?input=${encodeURIComponent(body)}`, { headers })
          : await fetch(`${service.url}/trpc/${path}`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body });
      return { status: response.status, headers: response.headers, text: await response.text() };
    }

    it("starts, signs in and writes on the primary; a report answers 503 in words, with no driver text", async () => {
      expect(service.deps.readDb).not.toBe(service.deps.db);

      const login = await call("mutation", "auth.login", { email: "admin@replica.example", password: PASSWORD });
      expect(login.status).toBe(200);
      const session = /mai_session=([^;]+)/.exec(login.headers.get("set-cookie") ?? "")?.[1];
      expect(session).toBeTruthy();
      const cookie = `${SESSION_COOKIE}=${session}`;

      const created = await call("mutation", "organizations.create", { name: "Written while the replica is down", provisionKey: false }, cookie);
      expect(created.status).toBe(200);
      const organizationId = (JSON.parse(created.text) as { result: { data: { json: { organization: { id: string } } } } }).result.data.json.organization.id;
      expect((await getOrganization(primary.db, organizationId))?.name).toBe("Written while the replica is down");
      // Reads that must see their own writes answer from the primary.
      const list = await call("query", "organizations.list", undefined, cookie);
      expect(list.status).toBe(200);
      expect(list.text).toContain(organizationId);
      expect((await call("query", "auth.me", undefined, cookie)).status).toBe(200);

      for (const [path, input] of [
        ["usage.summary", { organizationId }],
        ["usage.events", { organizationId }],
        ["userMapping.statistics", { organizationId }],
      ] as const) {
        const report = await call("query", path, input, cookie);
        expect(report.status, path).toBe(503);
        const requestId = report.headers.get("x-request-id");
        expect(requestId).toBeTruthy();
        const error = (JSON.parse(report.text) as { error: { json: { message: string } } }).error.json;
        expect(error.message).toBe(`The service is briefly unavailable; try again shortly. Request id: ${requestId}.`);
        expect(report.text).not.toMatch(/ECONNREFUSED|postgres|127\.0\.0\.1|connect|select|stack/i);
      }
      // Logged as the database being unavailable, by name only: never the replica's URL or the driver's text.
      const failures = logs.filter((line) => line.includes('"request failed"'));
      expect(failures.map((line) => (JSON.parse(line) as { path: string; status: string }).status)).toEqual([
        "SERVICE_UNAVAILABLE",
        "SERVICE_UNAVAILABLE",
        "SERVICE_UNAVAILABLE",
      ]);
      expect(json(logs)).not.toMatch(/\/replica|ECONNREFUSED 127/);
    });
  });
});
