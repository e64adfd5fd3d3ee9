// The demo's history on an injected clock: true on any day of the month — every request within what
// its model allows, every past month billed at or below the organisation's limit, the near-limit
// organisation a few cents short of its limit (also on the 1st) — and live requests shaped like it.
import { billedCost, billingPeriod, periodKeyOf, usdToNano, type UsageEvent } from "@mai/domain";
import { SIM_MODELS } from "@mai/openrouter/simulator";
import { describe, expect, it } from "vitest";
import { DEMO_ORGS, DEMO_TIME_ZONE, historyFor, liveRequest, random, type MappedUser } from "../src/stack/demo-data";

const users = (org: number): MappedUser[] =>
  DEMO_ORGS[org]!.users.map((u, i) => ({ userId: `user-${org}-${i}`, externalUserId: `mai_client_${org}_user_${i}`, weight: u.weight }));

/** Billed nano-USD per billing month ("YYYY-MM"). */
function billedByMonth(events: readonly UsageEvent[]): Map<string, bigint> {
  const months = new Map<string, bigint>();
  for (const e of events) {
    const key = periodKeyOf(e.occurredAt, DEMO_TIME_ZONE);
    months.set(key, (months.get(key) ?? 0n) + billedCost(e.rawCostNano, e.markupBp));
  }
  return months;
}

// Demos started at different times of different months: the 1st just after midnight and at noon
// (Warsaw), the 15th, the last day of a 31-day month and of February, and New Year's Day.
const STARTS = [
  "2026-12-01T00:20:00+01:00",
  "2026-12-01T12:00:00+01:00",
  "2026-12-15T15:30:00+01:00",
  "2026-12-31T21:00:00+01:00",
  "2027-02-28T10:00:00+01:00",
  "2027-03-01T09:00:00+01:00",
  "2027-01-01T08:00:00+01:00",
  "2026-10-31T18:00:00+01:00",
].map((s) => new Date(s));

describe("demo history on any day of the month", () => {
  for (const now of STARTS) {
    describe(`started ${now.toISOString()}`, () => {
      const histories = DEMO_ORGS.map((org, i) => ({ org, events: historyFor(org, `org-${i}`, users(i), now, DEMO_TIME_ZONE, i + 1) }));
      const current = billingPeriod(now, DEMO_TIME_ZONE);

      it("every month, the current one included, is billed at or below each organisation's limit", () => {
        for (const { org, events } of histories) {
          const limit = usdToNano(org.monthlyLimitUsd);
          for (const [month, billed] of billedByMonth(events)) {
            expect(billed, `${org.name} ${month}`).toBeLessThanOrEqual(limit);
          }
        }
      });

      it("a past month holds about the organisation's usual rate, not a multiple of the limit", () => {
        for (const { org, events } of histories) {
          const limit = Number(usdToNano(org.monthlyLimitUsd));
          for (const [month, billed] of billedByMonth(events)) {
            if (month === current.key) continue;
            // Only part of a past month falls in the 30 days: at most the full month's rate (+ jitter).
            expect(Number(billed) / limit, `${org.name} ${month}`).toBeLessThanOrEqual(Math.min(0.97, org.monthlyRate * 1.35));
          }
        }
      });

      it("every request is within what its model allows, and happened before now", () => {
        for (const { events } of histories) {
          expect(events.length).toBeGreaterThan(0);
          for (const e of events) {
            const model = SIM_MODELS.find((m) => m.id === e.model)!;
            expect(model, e.model).toBeDefined();
            expect(e.completionTokens).toBeLessThanOrEqual(model.maxCompletionTokens);
            expect(e.promptTokens + e.completionTokens).toBeLessThanOrEqual(model.contextLength);
            expect(e.promptTokens).toBeLessThanOrEqual(30_000);
            expect(e.occurredAt.getTime()).toBeLessThan(now.getTime());
          }
        }
      });

      it("the near-limit organisation is a few cents short of its limit this month, whatever the day", () => {
        const { org, events } = histories.find((h) => h.org.leftUsd !== undefined)!;
        const month = billedByMonth(events).get(current.key) ?? 0n;
        const left = usdToNano(org.monthlyLimitUsd) - month;
        expect(left).toBeGreaterThanOrEqual(usdToNano(org.leftUsd!));
        expect(left).toBeLessThanOrEqual(usdToNano(org.leftUsd!) + usdToNano("0.01"));
      });

      it("ordinary organisations are well under their limit this month", () => {
        for (const { org, events } of histories.filter((h) => h.org.leftUsd === undefined)) {
          const month = billedByMonth(events).get(current.key) ?? 0n;
          expect(Number(month) / Number(usdToNano(org.monthlyLimitUsd)), org.name).toBeLessThan(0.8);
        }
      });
    });
  }

  it("is the same history for the same clock (deterministic)", () => {
    const now = STARTS[2]!;
    const a = historyFor(DEMO_ORGS[0]!, "org", users(0), now, DEMO_TIME_ZONE, 1);
    const b = historyFor(DEMO_ORGS[0]!, "org", users(0), now, DEMO_TIME_ZONE, 1);
    expect(b).toEqual(a);
  });
});

describe("live requests", () => {
  it("stay within what the model allows, with answers of a few hundred tokens", () => {
    const rnd = random(7);
    for (let i = 0; i < 500; i++) {
      const r = liveRequest(rnd);
      const model = SIM_MODELS.find((m) => m.id === r.model)!;
      expect(r.completionTokens).toBeGreaterThanOrEqual(120);
      expect(r.completionTokens).toBeLessThanOrEqual(r.maxTokens);
      expect(r.maxTokens).toBeLessThanOrEqual(model.maxCompletionTokens);
      expect(Buffer.byteLength(r.content)).toBeLessThan(6_000);
    }
  });
});
