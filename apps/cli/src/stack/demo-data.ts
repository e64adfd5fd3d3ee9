// The demo's cast and its 30 days of history. Keys are obviously fake (a repeated pattern) and
// registered in the simulator at every start, so a restarted demo keeps working on its data.
import { billedCost, markupFromMultiplier, usdToNano, type UsageEvent } from "@mai/domain";
import { picoToNano, priceToPico, SIM_MODELS } from "@mai/openrouter/simulator";

export const DEMO_PASSWORD = "demo password 2026";
export const DEMO_ADMIN = { email: "admin@mai.local", password: "demo admin password" };

interface DemoUser {
  email: string;
  name: string;
  role: "org_admin" | "member";
  /** Relative activity. */
  weight: number;
}

interface DemoOrg {
  name: string;
  key: string;
  billingEmail: string;
  monthlyLimitUsd: string;
  markup: string;
  /** Share of the monthly limit spent so far this month (billed). */
  monthShare: number;
  users: DemoUser[];
}

export const DEMO_ORGS: DemoOrg[] = [
  {
    name: "Kowalski Consulting",
    key: `sk-or-v1-${"d1".repeat(32)}`,
    billingEmail: "faktury@kowalski.demo",
    monthlyLimitUsd: "400",
    markup: "1.3",
    monthShare: 0.42,
    users: [
      { email: "ola@kowalski.demo", name: "Ola Kowalska", role: "org_admin", weight: 3 },
      { email: "jan@kowalski.demo", name: "Jan Wiśniewski", role: "member", weight: 5 },
      { email: "marta@kowalski.demo", name: "Marta Zielińska", role: "member", weight: 2 },
      { email: "lukasz@kowalski.demo", name: "Łukasz Wójcik", role: "member", weight: 1 },
    ],
  },
  {
    name: "Nowak Logistics",
    key: `sk-or-v1-${"d2".repeat(32)}`,
    billingEmail: "billing@nowak.demo",
    monthlyLimitUsd: "150",
    markup: "1.5",
    monthShare: 0.88,
    users: [
      { email: "piotr@nowak.demo", name: "Piotr Nowak", role: "org_admin", weight: 2 },
      { email: "anna@nowak.demo", name: "Anna Lewandowska", role: "member", weight: 6 },
      { email: "tomasz@nowak.demo", name: "Tomasz Kamiński", role: "member", weight: 3 },
      { email: "ewa@nowak.demo", name: "Ewa Dąbrowska", role: "member", weight: 2 },
    ],
  },
  {
    name: "Zielona Energia",
    key: `sk-or-v1-${"d3".repeat(32)}`,
    billingEmail: "ksiegowosc@zielona.demo",
    monthlyLimitUsd: "1000",
    markup: "1.25",
    monthShare: 0.18,
    users: [
      { email: "kasia@zielona.demo", name: "Kasia Mazur", role: "org_admin", weight: 2 },
      { email: "michal@zielona.demo", name: "Michał Krawczyk", role: "member", weight: 3 },
      { email: "zofia@zielona.demo", name: "Zofia Piotrowska", role: "member", weight: 2 },
      { email: "adam@zielona.demo", name: "Adam Grabowski", role: "member", weight: 1 },
    ],
  },
];

/** Paid models with how often people pick them. */
const MODEL_WEIGHTS: Record<string, number> = {
  "openai/gpt-4o-mini": 8,
  "openai/gpt-4o": 4,
  "anthropic/claude-sonnet-4": 3,
  "google/gemini-2.5-flash": 4,
  "google/gemini-2.5-pro": 1,
  "mistralai/mistral-nemo": 2,
};
const DEMO_MODELS = SIM_MODELS.filter((m) => MODEL_WEIGHTS[m.id] !== undefined);

/** A small deterministic generator (mulberry32): the same seed gives the same history. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function pick<T>(rnd: () => number, items: readonly T[], weight: (item: T) => number): T {
  const total = items.reduce((sum, item) => sum + weight(item), 0);
  let x = rnd() * total;
  for (const item of items) {
    x -= weight(item);
    if (x <= 0) return item;
  }
  return items[items.length - 1]!;
}

export const pickModel = (rnd: () => number) => pick(rnd, DEMO_MODELS, (m) => MODEL_WEIGHTS[m.id]!);

export interface MappedUser {
  userId: string;
  externalUserId: string;
  weight: number;
}

/**
 * About 30 days of history for one organisation, ending now: weekdays busier than weekends, about
 * forty requests on a busy day, and the current month's billed total close to `monthShare` of the
 * limit. Each event's cost is the model's exact per-token prices × its tokens (as OpenRouter
 * charges), so every figure is consistent; token counts are scaled per organisation to reach its
 * spend with that many requests.
 */
export function historyFor(org: DemoOrg, organizationId: string, users: readonly MappedUser[], now: Date, monthStart: Date, seed: number): UsageEvent[] {
  const rnd = random(seed);
  const markupBp = markupFromMultiplier(org.markup);
  const targetBilled = (usdToNano(org.monthlyLimitUsd) * BigInt(Math.round(org.monthShare * 1000))) / 1000n;
  const cost = (model: (typeof DEMO_MODELS)[number], prompt: number, completion: number) =>
    picoToNano(BigInt(prompt) * priceToPico(model.prompt) + BigInt(completion) * priceToPico(model.completion));

  // What one request costs on average at unscaled token counts (150–3650 in, 40–1240 out).
  let sample = 0n;
  for (let i = 0; i < 400; i++) sample += billedCost(cost(pickModel(rnd), 150 + Math.floor(rnd() * 3500), 40 + Math.floor(rnd() * 1200)), markupBp);
  const averageBilled = Number(sample / 400n);

  const days = Array.from({ length: 30 }, (_, i) => {
    const start = new Date(now.getTime() - (29 - i) * 86_400_000);
    start.setUTCHours(6, 0, 0, 0);
    const weekday = start.getUTCDay();
    const busy = weekday === 0 || weekday === 6 ? 0.25 : 0.8 + rnd() * 0.5;
    // Today counts for the part of its working day already gone.
    const elapsed = Math.min(1, Math.max(0, (now.getTime() - start.getTime()) / (12 * 3_600_000)));
    return { start, weight: busy * (i === 29 ? elapsed : 1), inMonth: start >= monthStart };
  });
  const monthWeight = days.filter((d) => d.inMonth).reduce((sum, d) => sum + d.weight, 0) || 1;
  const BUSY_DAY_REQUESTS = 40;
  const scale = Number(targetBilled) / monthWeight / (BUSY_DAY_REQUESTS * averageBilled);

  const events: UsageEvent[] = [];
  let seq = 0;
  for (const day of days) {
    const requests = Math.round(BUSY_DAY_REQUESTS * day.weight * (0.85 + rnd() * 0.3));
    for (let r = 0; r < requests; r++) {
      const model = pickModel(rnd);
      const promptTokens = Math.max(20, Math.round((150 + rnd() * 3500) * scale));
      const completionTokens = Math.max(10, Math.round((40 + rnd() * 1200) * scale));
      const roll = rnd();
      const status = roll < 0.015 ? "error" : roll < 0.03 ? "aborted" : "ok";
      const fullCost = cost(model, promptTokens, completionTokens);
      const occurredAt = new Date(day.start.getTime() + Math.floor(rnd() * 12 * 3_600_000));
      if (occurredAt > now) continue;
      const user = pick(rnd, users, (u) => u.weight);
      const streamed = rnd() < 0.8;
      events.push({
        generationId: `gen-demo-${seed}-${++seq}`,
        organizationId,
        userId: user.userId,
        externalUserId: user.externalUserId,
        model: model.id,
        provider: model.provider,
        promptTokens,
        completionTokens: status === "ok" ? completionTokens : status === "aborted" ? Math.floor(completionTokens / 3) : 0,
        reasoningTokens: 0,
        cachedTokens: rnd() < 0.2 ? Math.floor(promptTokens / 2) : 0,
        rawCostNano: status === "error" ? 0n : status === "aborted" ? fullCost / 3n : fullCost,
        markupBp,
        status,
        streamed,
        latencyMs: 400 + Math.floor(rnd() * 9000),
        ttfbMs: streamed ? 150 + Math.floor(rnd() * 800) : null,
        occurredAt,
      });
    }
  }
  // Random draws miss the target by a few per cent either way: scale every request's tokens once so
  // the month lands on it (the near-limit organisation must stay under its limit), then reprice.
  const monthBilled = events.filter((e) => e.occurredAt >= monthStart).reduce((sum, e) => sum + billedCost(e.rawCostNano, markupBp), 0n);
  if (monthBilled === 0n) return events;
  const factor = Number(targetBilled) / Number(monthBilled);
  return events.map((e) => {
    const model = DEMO_MODELS.find((m) => m.id === e.model)!;
    const promptTokens = Math.max(1, Math.round(e.promptTokens * factor));
    const completionTokens = Math.round(e.completionTokens * factor);
    const full = cost(model, promptTokens, e.status === "ok" ? completionTokens : completionTokens * 3);
    return {
      ...e,
      promptTokens,
      completionTokens,
      cachedTokens: e.cachedTokens ? Math.floor(promptTokens / 2) : 0,
      rawCostNano: e.status === "error" ? 0n : e.status === "aborted" ? full / 3n : full,
    };
  });
}

export const DEMO_PROMPTS = [
  "Summarise this supplier contract in five bullet points.",
  "Draft a polite reminder about an overdue invoice.",
  "Translate the delivery terms into German.",
  "What are the VAT rules for intra-EU services?",
  "Write a job ad for a warehouse coordinator in Łódź.",
  "Suggest three subject lines for our newsletter about solar panels.",
  "Explain this SQL query to a new colleague.",
  "Turn these meeting notes into action items with owners.",
];
