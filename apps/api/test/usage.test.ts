// usage.*: every figure equals the sum of the seeded events' billed costs (computed here from the
// inputs with billedCost, independently of the API), in the billing time zone (Europe/Warsaw, with
// events either side of a month boundary that UTC would place differently), scoped by role.
import { updateGlobalSettings, type AuthUser } from "@mai/db";
import { testDrivers } from "@mai/db/testing";
import { billedCost, nanoToUsdString, usdToNano } from "@mai/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csvDocument, csvNumber, csvText } from "../src/services/usage/csv";
import { createHarness, type Harness, trpcCode, usageBatch } from "./harness";


// 11:00 on Monday 2 March 2026 in Warsaw (UTC+1 until the end of March).
const NOW = new Date("2026-03-02T10:00:00.000Z");
const INJECTION_MODEL = '=HYPERLINK("http://evil.example","x")';

type Status = "ok" | "error" | "aborted" | "incomplete";
interface Seed {
  id: string;
  who: "a1" | "a2" | "adminA" | "b1";
  model: string;
  raw: bigint;
  markupBp: number;
  status: Status;
  at: string;
  /** The local day in Warsaw, written by hand (not computed with the code under test). */
  day: string;
  prompt: number;
  completion: number;
}

const SEEDS: Seed[] = [
  // 23:59:59 on 31 January in Warsaw: January, never February.
  {
    id: "g00",
    who: "a1",
    model: "openai/gpt-4o-mini",
    raw: 10_000n,
    markupBp: 13_000,
    status: "ok",
    at: "2026-01-31T22:59:59.000Z",
    day: "2026-01-31",
    prompt: 5,
    completion: 5,
  },
  {
    id: "g01",
    who: "a1",
    model: "openai/gpt-4o-mini",
    raw: 4_205n,
    markupBp: 13_000,
    status: "ok",
    at: "2026-02-26T09:00:00.000Z",
    day: "2026-02-26",
    prompt: 100,
    completion: 20,
  },
  {
    id: "g02",
    who: "a1",
    model: "anthropic/claude-3.5-sonnet",
    raw: 1_234_567n,
    markupBp: 13_000,
    status: "ok",
    at: "2026-02-27T12:00:00.000Z",
    day: "2026-02-27",
    prompt: 1000,
    completion: 300,
  },
  // 23:30 on 28 February in Warsaw: February.
  {
    id: "g03",
    who: "a2",
    model: "openai/gpt-4o-mini",
    raw: 999_999n,
    markupBp: 15_000,
    status: "error",
    at: "2026-02-28T22:30:00.000Z",
    day: "2026-02-28",
    prompt: 7,
    completion: 0,
  },
  // 00:30 on 1 March in Warsaw — still 28 February in UTC: March.
  {
    id: "g04",
    who: "a2",
    model: "openai/gpt-4o-mini",
    raw: 333_333n,
    markupBp: 13_333,
    status: "aborted",
    at: "2026-02-28T23:30:00.000Z",
    day: "2026-03-01",
    prompt: 40,
    completion: 9,
  },
  {
    id: "g05",
    who: "adminA",
    model: "anthropic/claude-3.5-sonnet",
    raw: 7_777_777n,
    markupBp: 13_000,
    status: "incomplete",
    at: "2026-03-01T08:00:00.000Z",
    day: "2026-03-01",
    prompt: 2000,
    completion: 0,
  },
  // Three events at the very same instant: the cursor must order them by generation id.
  {
    id: "g06",
    who: "a2",
    model: "openai/gpt-4o-mini",
    raw: 111n,
    markupBp: 13_000,
    status: "ok",
    at: "2026-03-01T12:00:00.000Z",
    day: "2026-03-01",
    prompt: 1,
    completion: 1,
  },
  {
    id: "g07",
    who: "a2",
    model: "openai/gpt-4o-mini",
    raw: 222n,
    markupBp: 13_000,
    status: "ok",
    at: "2026-03-01T12:00:00.000Z",
    day: "2026-03-01",
    prompt: 2,
    completion: 2,
  },
  {
    id: "g08",
    who: "a1",
    model: "openai/gpt-4o-mini",
    raw: 333n,
    markupBp: 13_000,
    status: "ok",
    at: "2026-03-01T12:00:00.000Z",
    day: "2026-03-01",
    prompt: 3,
    completion: 3,
  },
  {
    id: "g09",
    who: "a1",
    model: INJECTION_MODEL,
    raw: 5n,
    markupBp: 13_000,
    status: "ok",
    at: "2026-03-02T07:00:00.000Z",
    day: "2026-03-02",
    prompt: 10,
    completion: 10,
  },
  {
    id: "g10",
    who: "a1",
    model: "openai/gpt-4o-mini",
    raw: 1n,
    markupBp: 13_000,
    status: "ok",
    at: "2026-03-02T09:59:59.999Z",
    day: "2026-03-02",
    prompt: 11,
    completion: 12,
  },
  {
    id: "g11",
    who: "adminA",
    model: "openai/gpt-4o-mini",
    raw: 123_456_789n,
    markupBp: 12_500,
    status: "ok",
    at: "2026-02-10T10:00:00.000Z",
    day: "2026-02-10",
    prompt: 500,
    completion: 500,
  },
  // Organisation B.
  {
    id: "g20",
    who: "b1",
    model: "openai/gpt-4o-mini",
    raw: 50_000_000n,
    markupBp: 14_000,
    status: "ok",
    at: "2026-03-01T10:00:00.000Z",
    day: "2026-03-01",
    prompt: 50,
    completion: 50,
  },
  {
    id: "g21",
    who: "b1",
    model: "openai/gpt-4o",
    raw: 70_000_001n,
    markupBp: 14_000,
    status: "ok",
    at: "2026-02-20T10:00:00.000Z",
    day: "2026-02-20",
    prompt: 70,
    completion: 70,
  },
];

const billed = (s: Seed) => billedCost(s.raw, s.markupBp);
const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);

/** A small RFC 4180 reader, to check the file as a spreadsheet would read it. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  if (field !== "" || row.length > 0) throw new Error("the last record is not terminated by CRLF");
  return rows;
}

describe("CSV encoding", () => {
  it("quotes commas, quotes and line breaks, doubling quotes (RFC 4180)", () => {
    expect(csvText("plain")).toBe("plain");
    expect(csvText("a,b")).toBe('"a,b"');
    expect(csvText('say "hi"')).toBe('"say ""hi"""');
    expect(csvText("two\nlines")).toBe('"two\nlines"');
    expect(csvText("cr\rlf")).toBe('"cr\rlf"');
    expect(csvText(null)).toBe("");
    expect(
      csvDocument([
        ["a", "b"],
        ["c", "d"],
      ]),
    ).toBe("a,b\r\nc,d\r\n");
  });

  it.each(["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\r=x"])("guards %j against formula injection", (value) => {
    const cell = csvText(value);
    expect(parseCsv(`${cell}\r\n`)[0]![0]).toBe(`'${value}`);
  });

  it("writes amounts verbatim", () => {
    expect(csvNumber("0.0000042")).toBe("0.0000042");
    expect(csvNumber(12)).toBe("12");
  });
});

describe.each(testDrivers())("usage on %s", (driver) => {
  let h: Harness;
  let orgA: { id: string; admin: AuthUser };
  let orgB: { id: string; admin: AuthUser };
  let a1: AuthUser;
  let a2: AuthUser;
  let b1: AuthUser;
  let provider: AuthUser;
  let people: Record<Seed["who"], AuthUser>;

  const inA = (s: Seed) => s.who !== "b1";
  const eventOf = (s: Seed) => {
    const u = people[s.who];
    return {
      generationId: `gen-${s.id}`,
      organizationId: u.organizationId!,
      userId: u.id,
      externalUserId: u.externalUserId!,
      model: s.model,
      provider: "Test",
      promptTokens: s.prompt,
      completionTokens: s.completion,
      rawCostNano: s.raw,
      markupBp: s.markupBp,
      status: s.status,
      streamed: true,
      occurredAt: new Date(s.at),
    };
  };

  beforeAll(async () => {
    h = await createHarness(driver);
    h.deps.now = () => NOW;
    await updateGlobalSettings(h.t.db, h.t.secrets, { billingTimeZone: "Europe/Warsaw" }, null);
    orgA = await h.org('Acme, "Quoted" Sp. z o.o.');
    orgB = await h.org();
    a1 = await h.user("member", { organizationId: orgA.id });
    a2 = await h.user("member", { organizationId: orgA.id });
    b1 = await h.user("member", { organizationId: orgB.id });
    provider = await h.user("provider_admin");
    people = { a1, a2, adminA: orgA.admin, b1 };
    // The proxy's real path; shuffled batches, one replayed, which must change nothing.
    const events = SEEDS.map(eventOf);
    expect(await h.internal().internal.recordUsage(usageBatch(events.slice(0, 7)))).toMatchObject({
      inserted: 7,
    });
    expect(await h.internal().internal.recordUsage(usageBatch(events.slice(4).reverse()))).toMatchObject({
      inserted: events.length - 7,
      duplicates: 3,
    });
  });
  afterAll(() => h.close());

  describe("who may see what", () => {
    const calls = {
      summary: (c: ReturnType<Harness["caller"]>, organizationId?: string) =>
        c.usage.summary({ organizationId }),
      daily: (c: ReturnType<Harness["caller"]>, organizationId?: string) => c.usage.daily({ organizationId }),
      byUser: (c: ReturnType<Harness["caller"]>, organizationId?: string) =>
        c.usage.byUser({ organizationId }),
      byModel: (c: ReturnType<Harness["caller"]>, organizationId?: string) =>
        c.usage.byModel({ organizationId }),
      events: (c: ReturnType<Harness["caller"]>, organizationId?: string) =>
        c.usage.events({ organizationId }),
      exportCsv: (c: ReturnType<Harness["caller"]>, organizationId?: string) =>
        c.usage.exportCsv({ organizationId, month: "2026-03" }),
    };

    it.each(Object.entries(calls))("%s: anonymous → UNAUTHORIZED", async (_name, call) => {
      expect(await trpcCode(call(h.caller(null), orgA.id))).toBe("UNAUTHORIZED");
    });

    it.each(Object.entries(calls))(
      "%s: another organisation → FORBIDDEN for its admin and members",
      async (_name, call) => {
        expect(await trpcCode(call(h.caller(orgB.admin), orgA.id))).toBe("FORBIDDEN");
        expect(await trpcCode(call(h.caller(b1), orgA.id))).toBe("FORBIDDEN");
        expect(await trpcCode(call(h.caller(orgB.admin), orgB.id))).toBe("OK");
        expect(await trpcCode(call(h.caller(b1)))).toBe("OK");
      },
    );

    it.each(Object.entries(calls))(
      "%s: the provider names any organisation, and must name one",
      async (_name, call) => {
        expect(await trpcCode(call(h.caller(provider), orgA.id))).toBe("OK");
        expect(await trpcCode(call(h.caller(provider)))).toBe("BAD_REQUEST");
        expect(await trpcCode(call(h.caller(provider), "00000000-0000-4000-8000-000000000000"))).toBe(
          "NOT_FOUND",
        );
      },
    );

    it("a member may not ask for another user's usage, even in their own organisation", async () => {
      expect(await trpcCode(h.caller(a1).usage.daily({ userId: a2.id }))).toBe("FORBIDDEN");
      expect(await trpcCode(h.caller(a1).usage.events({ userId: a2.id }))).toBe("FORBIDDEN");
      expect(await trpcCode(h.caller(a1).usage.daily({ userId: a1.id }))).toBe("OK");
    });

    it("a user without an organisation has no usage to see", async () => {
      const loner = await h.user("member");
      expect(await trpcCode(h.caller(loner).usage.summary())).toBe("NOT_FOUND");
    });
  });

  it("summary: today and month to date in Warsaw, with the limit from the period counter", async () => {
    const s = await h.caller(provider).usage.summary({ organizationId: orgA.id });
    const today = SEEDS.filter((x) => inA(x) && x.day === "2026-03-02");
    const march = SEEDS.filter((x) => inA(x) && x.day.startsWith("2026-03"));
    expect(s.timeZone).toBe("Europe/Warsaw");
    expect(s.today).toMatchObject({
      date: "2026-03-02",
      requests: today.length,
      promptTokens: today.reduce((n, x) => n + x.prompt, 0),
      completionTokens: today.reduce((n, x) => n + x.completion, 0),
      rawCostNano: sum(today.map((x) => x.raw)),
      billedCostNano: sum(today.map(billed)),
    });
    expect(s.monthToDate).toMatchObject({
      period: "2026-03",
      from: "2026-03-01",
      to: "2026-03-02",
      requests: march.length,
      errorRequests: march.filter((x) => x.status !== "ok").length,
      rawCostNano: sum(march.map((x) => x.raw)),
      billedCostNano: sum(march.map(billed)),
    });
    const spent = sum(march.map(billed));
    const limit = 1_000_000_000_000n;
    expect(s.limit).toEqual({
      period: "2026-03",
      limitNano: limit,
      spentNano: spent,
      reservedNano: 0n,
      remainingNano: limit - spent,
      usedBp: Number((spent * 10_000n) / limit),
      percentUsed: Number((spent * 10_000n) / limit) / 100,
      level: "ok",
    });
  });

  it("summary: a member sees only their own usage, next to the organisation's limit", async () => {
    const s = await h.caller(a2).usage.summary();
    const mine = SEEDS.filter((x) => x.who === "a2" && x.day.startsWith("2026-03"));
    expect(s.userId).toBe(a2.id);
    expect(s.monthToDate.requests).toBe(mine.length);
    expect(s.monthToDate.billedCostNano).toBe(sum(mine.map(billed)));
    expect(s.today.requests).toBe(0);
    expect(s.limit.spentNano).toBe(
      sum(SEEDS.filter((x) => inA(x) && x.day.startsWith("2026-03")).map(billed)),
    );
    // The org admin's own view is the organisation's.
    const admin = await h.caller(orgA.admin).usage.summary();
    expect(admin.userId).toBeNull();
    expect(admin.monthToDate.requests).toBe(
      SEEDS.filter((x) => inA(x) && x.day.startsWith("2026-03")).length,
    );
  });

  it("daily: one row per Warsaw day, oldest first, zero-filled", async () => {
    // The provider's view, raw cost included (a client's has none by default: provider-cost.test.ts).
    const rows = await h.caller(provider).usage.daily({ organizationId: orgA.id, days: 7 });
    expect(rows.map((r) => r.date)).toEqual([
      "2026-02-24",
      "2026-02-25",
      "2026-02-26",
      "2026-02-27",
      "2026-02-28",
      "2026-03-01",
      "2026-03-02",
    ]);
    for (const r of rows) {
      const day = SEEDS.filter((x) => inA(x) && x.day === r.date);
      expect(r, r.date).toEqual({
        date: r.date,
        requests: day.length,
        errorRequests: day.filter((x) => x.status !== "ok").length,
        promptTokens: day.reduce((n, x) => n + x.prompt, 0),
        completionTokens: day.reduce((n, x) => n + x.completion, 0),
        totalTokens: day.reduce((n, x) => n + x.prompt + x.completion, 0),
        rawCostNano: sum(day.map((x) => x.raw)),
        billedCostNano: sum(day.map(billed)),
        // No request was refused in this seed (usage-refusals.test.ts counts them).
        refusedLimit: 0,
        refusedInactive: 0,
      });
    }
    expect(rows[0]!.requests).toBe(0);
    expect(rows[1]!.billedCostNano).toBe(0n);
    // Default: 30 days, the same totals over the window.
    const month = await h.caller(orgA.admin).usage.daily();
    expect(month).toHaveLength(30);
    expect(month.at(-1)!.date).toBe("2026-03-02");
    expect(month[0]!.date).toBe("2026-02-01");
    expect(sum(month.map((r) => r.billedCostNano))).toBe(
      sum(SEEDS.filter((x) => inA(x) && x.day >= "2026-02-01").map(billed)),
    );
  });

  it("daily: filters by user and model; members get only their own days", async () => {
    const byModel = await h
      .caller(provider)
      .usage.daily({ organizationId: orgA.id, days: 7, model: "anthropic/claude-3.5-sonnet" });
    expect(sum(byModel.map((r) => r.billedCostNano))).toBe(
      sum(SEEDS.filter((x) => inA(x) && x.model === "anthropic/claude-3.5-sonnet").map(billed)),
    );
    const mine = await h.caller(a1).usage.daily({ days: 7 });
    expect(sum(mine.map((r) => r.billedCostNano))).toBe(
      sum(SEEDS.filter((x) => x.who === "a1" && x.day >= "2026-02-24").map(billed)),
    );
    const adminOnA2 = await h.caller(orgA.admin).usage.daily({ days: 7, userId: a2.id });
    expect(adminOnA2.reduce((n, r) => n + r.requests, 0)).toBe(SEEDS.filter((x) => x.who === "a2").length);
    // A user id from another organisation yields nothing, not their usage.
    const foreign = await h.caller(orgA.admin).usage.daily({ days: 30, userId: b1.id });
    expect(sum(foreign.map((r) => r.billedCostNano))).toBe(0n);
  });

  it("byUser: per user with identity, billed descending, this month by default", async () => {
    const { rows, from, to } = await h.caller(orgA.admin).usage.byUser({});
    expect([from, to]).toEqual(["2026-03-01", "2026-03-31"]);
    const march = SEEDS.filter((x) => inA(x) && x.day.startsWith("2026-03"));
    const expected = (["a1", "a2", "adminA"] as const)
      .map((who) => ({
        who,
        billed: sum(march.filter((x) => x.who === who).map(billed)),
        n: march.filter((x) => x.who === who).length,
      }))
      .filter((e) => e.n > 0)
      .sort((a, b) => (a.billed > b.billed ? -1 : 1));
    expect(rows.map((r) => r.userId)).toEqual(expected.map((e) => people[e.who].id));
    for (const [i, e] of expected.entries()) {
      expect(rows[i]).toMatchObject({
        email: people[e.who].email,
        name: people[e.who].name,
        externalUserId: people[e.who].externalUserId,
        requests: e.n,
        billedCostNano: e.billed,
      });
    }
    const feb = await h
      .caller(provider)
      .usage.byUser({ organizationId: orgA.id, from: "2026-02-01", to: "2026-02-28" });
    expect(sum(feb.rows.map((r) => r.billedCostNano))).toBe(
      sum(SEEDS.filter((x) => inA(x) && x.day.startsWith("2026-02")).map(billed)),
    );
    expect(
      await trpcCode(
        h.caller(provider).usage.byUser({ organizationId: orgA.id, from: "2026-03-02", to: "2026-03-01" }),
      ),
    ).toBe("BAD_REQUEST");
    expect(await trpcCode(h.caller(provider).usage.byUser({ organizationId: orgA.id, from: "2026-02-30" }))).toBe(
      "BAD_REQUEST",
    );
    const own = await h.caller(a1).usage.byUser({});
    expect(own.rows.map((r) => r.userId)).toEqual([a1.id]);
  });

  it("byModel: per model, billed descending", async () => {
    const { rows } = await h
      .caller(provider)
      .usage.byModel({ organizationId: orgA.id, from: "2026-01-01", to: "2026-03-31" });
    const models = [...new Set(SEEDS.filter(inA).map((x) => x.model))];
    const expected = models
      .map((model) => {
        const of = SEEDS.filter((x) => inA(x) && x.model === model);
        return {
          model,
          billed: sum(of.map(billed)),
          requests: of.length,
          users: new Set(of.map((x) => x.who)).size,
        };
      })
      .sort((a, b) => (a.billed > b.billed ? -1 : 1));
    expect(
      rows.map((r) => ({ model: r.model, billed: r.billedCostNano, requests: r.requests, users: r.users })),
    ).toEqual(expected);
    expect(sum(rows.map((r) => r.billedCostNano))).toBe(sum(SEEDS.filter(inA).map(billed)));
  });

  it("events: newest first with status, filters, and a local-day window", async () => {
    const { items } = await h.caller(provider).usage.events({ organizationId: orgA.id, limit: 200 });
    expect(items.map((e) => e.generationId)).toEqual(
      SEEDS.filter(inA)
        .sort((a, b) => (a.at !== b.at ? (a.at > b.at ? -1 : 1) : a.id > b.id ? -1 : 1))
        .map((s) => `gen-${s.id}`),
    );
    const g03 = items.find((e) => e.generationId === "gen-g03")!;
    expect(g03).toMatchObject({
      status: "error",
      userId: a2.id,
      email: a2.email,
      billedCostNano: billedCost(999_999n, 15_000),
      usageDate: "2026-02-28",
    });
    const errors = await h.caller(provider).usage.events({ organizationId: orgA.id, status: "error" });
    expect(errors.items.map((e) => e.generationId)).toEqual(["gen-g03"]);
    const firstOfMarch = await h.caller(orgA.admin).usage.events({ from: "2026-03-01", to: "2026-03-01" });
    expect(firstOfMarch.items.map((e) => e.generationId).sort()).toEqual(
      SEEDS.filter((x) => inA(x) && x.day === "2026-03-01")
        .map((x) => `gen-${x.id}`)
        .sort(),
    );
    const mine = await h.caller(a1).usage.events({ limit: 200 });
    expect(mine.items.every((e) => e.userId === a1.id)).toBe(true);
    expect(mine.items).toHaveLength(SEEDS.filter((x) => x.who === "a1").length);
    expect(await trpcCode(h.caller(provider).usage.events({ organizationId: orgA.id, cursor: "bm9wZQ" }))).toBe(
      "BAD_REQUEST",
    );
    const forged = Buffer.from("2026-02-30T00:00:00.000000Z|gen-g01").toString("base64url");
    expect(await trpcCode(h.caller(provider).usage.events({ organizationId: orgA.id, cursor: forged }))).toBe(
      "BAD_REQUEST",
    );
    // No input at all: every default (the caller's own scope, 50 newest).
    expect((await h.caller(a2).usage.events()).items).toHaveLength(
      SEEDS.filter((x) => x.who === "a2").length,
    );
  });

  it("exportCsv: one row per user × model and a TOTAL that is the exact sum", async () => {
    // The provider's statement, raw cost included (a client's has no such column by default: provider-cost.test.ts).
    const res = await h.caller(provider).usage.exportCsv({ organizationId: orgA.id, month: "2026-02" });
    expect(res.contentType).toBe("text/csv");
    expect(res.filename).toBe("mai-usage-acme-quoted-sp-z-o-o-2026-02.csv");
    expect(res.content.replaceAll("\r\n", "")).not.toMatch(/[\r\n]/);
    const rows = parseCsv(res.content);
    expect(rows[0]).toEqual([
      "email",
      "external_user_id",
      "model",
      "requests",
      "prompt_tokens",
      "completion_tokens",
      "raw_cost_usd",
      "billed_cost_usd",
    ]);
    const body = rows.slice(1, -1);
    const total = rows.at(-1)!;
    const feb = SEEDS.filter((x) => inA(x) && x.day.startsWith("2026-02"));
    const pairs = new Set(feb.map((x) => `${x.who}|${x.model}`));
    expect(body).toHaveLength(pairs.size);
    for (const pair of pairs) {
      const [who, model] = pair.split("|") as [Seed["who"], string];
      const of = feb.filter((x) => x.who === who && x.model === model);
      expect(body).toContainEqual([
        people[who].email,
        people[who].externalUserId,
        model,
        String(of.length),
        String(of.reduce((n, x) => n + x.prompt, 0)),
        String(of.reduce((n, x) => n + x.completion, 0)),
        nanoToUsdString(sum(of.map((x) => x.raw))),
        nanoToUsdString(sum(of.map(billed))),
      ]);
    }
    expect(total).toEqual([
      "TOTAL",
      "",
      "",
      String(feb.length),
      String(feb.reduce((n, x) => n + x.prompt, 0)),
      String(feb.reduce((n, x) => n + x.completion, 0)),
      nanoToUsdString(sum(feb.map((x) => x.raw))),
      nanoToUsdString(sum(feb.map(billed))),
    ]);
    expect(sum(body.map((r) => usdToNano(r[7]!)))).toBe(usdToNano(total[7]!));
    expect(res.totalBilledCostNano).toBe(sum(feb.map(billed)));
  });

  it("exportCsv: a model name cannot become a formula, and quoting survives a spreadsheet reader", async () => {
    const res = await h.caller(provider).usage.exportCsv({ organizationId: orgA.id, month: "2026-03" });
    expect(res.content).toContain(`,"'=HYPERLINK(""http://evil.example"",""x"")",`);
    const rows = parseCsv(res.content);
    expect(rows.some((r) => r[2] === `'${INJECTION_MODEL}`)).toBe(true);
    expect(rows.every((r) => r.length === 8)).toBe(true);
    expect(rows.at(-1)![7]).toBe(
      nanoToUsdString(sum(SEEDS.filter((x) => inA(x) && x.day.startsWith("2026-03")).map(billed))),
    );
    // January holds only the event at 23:59:59 Warsaw time on the 31st.
    const jan = parseCsv(
      (await h.caller(provider).usage.exportCsv({ organizationId: orgA.id, month: "2026-01" })).content,
    );
    expect(jan).toHaveLength(3);
    expect(jan.at(-1)![7]).toBe(nanoToUsdString(billedCost(10_000n, 13_000)));
  });

  it("exportCsv: a member's statement holds only their own rows", async () => {
    const res = await h.caller(a2).usage.exportCsv({ month: "2026-02" });
    const body = parseCsv(res.content).slice(1, -1);
    expect(body.length).toBeGreaterThan(0);
    expect(body.every((r) => r[0] === a2.email)).toBe(true);
    expect(res.filename).toMatch(/-my-usage\.csv$/);
    expect(await trpcCode(h.caller(a2).usage.exportCsv({ month: "2026-13" }))).toBe("BAD_REQUEST");
  });

  // Last: it records a new event.
  it("events: cursor pagination returns every event exactly once, even while new events arrive", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await h.caller(provider).usage.events({ organizationId: orgA.id, limit: 3, cursor });
      seen.push(...page.items.map((e) => e.generationId));
      cursor = page.nextCursor ?? undefined;
      if (pages++ === 0) {
        // A newer event lands after the first page: it belongs before the cursor, not in later pages.
        await h
          .internal()
          .internal.recordUsage(usageBatch([
              {
                ...eventOf(SEEDS[1]!),
                generationId: "gen-late",
                occurredAt: new Date("2026-03-02T09:59:59.999Z"),
              },
            ]));
      }
    } while (cursor && pages < 50);
    expect(pages).toBe(Math.ceil(SEEDS.filter(inA).length / 3));
    expect(seen).toHaveLength(SEEDS.filter(inA).length);
    expect(new Set(seen)).toEqual(new Set(SEEDS.filter(inA).map((s) => `gen-${s.id}`)));
    const fresh = await h.caller(provider).usage.events({ organizationId: orgA.id, limit: 1 });
    expect(fresh.items[0]!.generationId).toBe("gen-late");
  });
});
