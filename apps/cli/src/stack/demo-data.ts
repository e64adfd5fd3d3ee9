// The demo's cast and its 30 days of history. Keys are obviously fake (a repeated pattern) and
// registered in the simulator at every start, so a restarted demo keeps working on its data.
import { billedCost, billingPeriod, markupFromMultiplier, periodKeyOf, usdToNano, type UsageEvent } from "@mai/domain";
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
  /** What a whole month of this organisation's usual traffic costs it (billed), as a share of its limit. */
  monthlyRate: number;
  /**
   * The near-limit organisation: whatever the day of the month, its month to date is its limit less
   * about this many USD (billed), so live traffic crosses the limit within minutes.
   */
  leftUsd?: string;
  users: DemoUser[];
}

export const DEMO_ORGS: DemoOrg[] = [
  {
    name: "Kowalski Consulting",
    key: `sk-or-v1-${"d1".repeat(32)}`,
    billingEmail: "faktury@kowalski.demo",
    monthlyLimitUsd: "200",
    markup: "1.3",
    monthlyRate: 0.3,
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
    monthlyLimitUsd: "40",
    markup: "1.5",
    monthlyRate: 0.75,
    leftUsd: "0.06",
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
    monthlyLimitUsd: "500",
    markup: "1.25",
    monthlyRate: 0.1,
    users: [
      { email: "kasia@zielona.demo", name: "Kasia Mazur", role: "org_admin", weight: 2 },
      { email: "michal@zielona.demo", name: "Michał Krawczyk", role: "member", weight: 3 },
      { email: "zofia@zielona.demo", name: "Zofia Piotrowska", role: "member", weight: 2 },
      { email: "adam@zielona.demo", name: "Adam Grabowski", role: "member", weight: 1 },
    ],
  },
];

/** The demo bills in Warsaw's calendar months (its global settings say so). */
export const DEMO_TIME_ZONE = "Europe/Warsaw";

/** Paid models with how often people pick them. */
const MODEL_WEIGHTS: Record<string, number> = {
  "openai/gpt-4o-mini": 5,
  "openai/gpt-4o": 5,
  "anthropic/claude-sonnet-4": 4,
  "google/gemini-2.5-flash": 3,
  "google/gemini-2.5-pro": 2,
  "mistralai/mistral-nemo": 1,
};
export const DEMO_MODELS = SIM_MODELS.filter((m) => MODEL_WEIGHTS[m.id] !== undefined);
type DemoModel = (typeof DEMO_MODELS)[number];

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

interface RequestShape {
  model: DemoModel;
  promptTokens: number;
  completionTokens: number;
}

/** Within what the model takes: the answer within its maximum output, prompt and answer within its context. */
function withinModel(model: DemoModel, prompt: number, completion: number): RequestShape {
  const completionTokens = Math.max(1, Math.min(Math.round(completion), model.maxCompletionTokens));
  const promptTokens = Math.max(1, Math.min(Math.round(prompt), model.contextLength - completionTokens));
  return { model, promptTokens, completionTokens };
}

/**
 * One request as people at work make them: mostly a question with some context (150–2,500 tokens
 * in), a third of the time a document to read (2,000–24,000), answers of 60–1,160 tokens — never more than the
 * model allows. `small`: a short question to a cheap model.
 */
function drawRequest(rnd: () => number, small = false): RequestShape {
  if (small) return withinModel(DEMO_MODELS.find((m) => m.id === "openai/gpt-4o-mini")!, 150 + rnd() * 450, 40 + rnd() * 160);
  const model = pickModel(rnd);
  const prompt = rnd() < 0.35 ? 2_000 + rnd() * 22_000 : 150 + rnd() * 2_350;
  return withinModel(model, prompt, 60 + rnd() * 1_100);
}

const costOf = (r: RequestShape) => picoToNano(BigInt(r.promptTokens) * priceToPico(r.model.prompt) + BigInt(r.completionTokens) * priceToPico(r.model.completion));

const DAY_MS = 86_400_000;
/** A working day runs 06:00–18:00 UTC (07:00–19:00 in Warsaw in winter). */
const WORKDAY_MS = 12 * 3_600_000;
/** Weekdays weigh 0.8–1.3 (1.05 on average), weekends 0.25: an average day weighs this. */
const MEAN_DAY_WEIGHT = (5 * 1.05 + 2 * 0.25) / 7;
/** No month of an ordinary organisation's history is billed above this share of its limit. */
const MONTH_CAP_SHARE = 0.97;

/**
 * About 30 days of history for one organisation, ending `now`, true on any day of the month:
 * - every request has realistic token counts within what its model allows, and its cost is the
 *   model's exact per-token prices × its tokens (as OpenRouter charges);
 * - the traffic follows the organisation's usual full-month rate (`monthlyRate` of its limit a
 *   month, weekdays busier than weekends) — spread over days, never scaled to the part of the month
 *   that has passed — so a past month is billed near that rate and never above the limit;
 * - the near-limit organisation (`leftUsd`) has its month to date topped up (or cut) to its limit
 *   less `leftUsd`, whatever the day: on the 1st that is a busy first few hours.
 */
export function historyFor(org: DemoOrg, organizationId: string, users: readonly MappedUser[], now: Date, timeZone: string, seed: number): UsageEvent[] {
  const rnd = random(seed);
  const markupBp = markupFromMultiplier(org.markup);
  const limitNano = usdToNano(org.monthlyLimitUsd);
  const billed = (r: RequestShape) => billedCost(costOf(r), markupBp);

  // What one request costs on average (billed), from the same distribution.
  let sample = 0n;
  for (let i = 0; i < 1_000; i++) sample += billed(drawRequest(rnd));
  const averageBilled = Number(sample / 1_000n);
  const busyDayRequests = (Number(limitNano) * org.monthlyRate) / (30 * MEAN_DAY_WEIGHT) / averageBilled;

  const events: UsageEvent[] = [];
  let seq = 0;
  const add = (shape: RequestShape, occurredAt: Date) => {
    const roll = rnd();
    const status = roll < 0.015 ? "error" : roll < 0.03 ? "aborted" : "ok";
    const full = costOf(shape);
    const user = pick(rnd, users, (u) => u.weight);
    const streamed = rnd() < 0.8;
    const event: UsageEvent = {
      generationId: `gen-demo-${seed}-${++seq}`,
      organizationId,
      userId: user.userId,
      externalUserId: user.externalUserId,
      model: shape.model.id,
      provider: shape.model.provider,
      promptTokens: shape.promptTokens,
      completionTokens: status === "ok" ? shape.completionTokens : status === "aborted" ? Math.floor(shape.completionTokens / 3) : 0,
      reasoningTokens: 0,
      cachedTokens: rnd() < 0.2 ? Math.floor(shape.promptTokens / 2) : 0,
      rawCostNano: status === "error" ? 0n : status === "aborted" ? full / 3n : full,
      markupBp,
      status,
      streamed,
      latencyMs: 400 + Math.floor(rnd() * 9000),
      ttfbMs: streamed ? 150 + Math.floor(rnd() * 800) : null,
      occurredAt,
    };
    events.push(event);
    return event;
  };

  for (let i = 0; i < 30; i++) {
    const start = new Date(now.getTime() - (29 - i) * DAY_MS);
    start.setUTCHours(6, 0, 0, 0);
    const weekday = start.getUTCDay();
    const weight = weekday === 0 || weekday === 6 ? 0.25 : 0.8 + rnd() * 0.5;
    const requests = Math.round(busyDayRequests * weight * (0.9 + rnd() * 0.2));
    for (let r = 0; r < requests; r++) {
      const shape = drawRequest(rnd);
      const occurredAt = new Date(start.getTime() + Math.floor(rnd() * WORKDAY_MS));
      // Today: only what has already happened (the same draws either way, so the past stays put).
      if (occurredAt < now) add(shape, occurredAt);
    }
  }

  // Each billing month as its own bill: at most MONTH_CAP_SHARE of the limit (the latest requests
  // of a month over it are dropped — it takes a very busy month to need it).
  const monthKey = (e: UsageEvent) => periodKeyOf(e.occurredAt, timeZone);
  const current = billingPeriod(now, timeZone);
  const billedOf = (list: readonly UsageEvent[]) => list.reduce((sum, e) => sum + billedCost(e.rawCostNano, markupBp), 0n);
  const capNano = (limitNano * BigInt(Math.round(MONTH_CAP_SHARE * 1000))) / 1000n;
  const near = org.leftUsd === undefined ? null : limitNano - usdToNano(org.leftUsd);
  const byMonth = new Map<string, UsageEvent[]>();
  for (const e of events.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime())) {
    const list = byMonth.get(monthKey(e)) ?? [];
    list.push(e);
    byMonth.set(monthKey(e), list);
  }
  const kept: UsageEvent[] = [];
  for (const [key, list] of byMonth) {
    const cap = key === current.key && near !== null ? near : capNano;
    let total = billedOf(list);
    while (total > cap && list.length > 0) total -= billedCost(list.pop()!.rawCostNano, markupBp);
    kept.push(...list);
  }
  if (near !== null) {
    // The near-limit organisation's month to date: topped up to its limit less `leftUsd` with more
    // of the same requests in the month so far (short ones last, to land within a fraction of a cent).
    let total = billedOf(kept.filter((e) => e.occurredAt >= current.start));
    const span = Math.max(1, now.getTime() - current.start.getTime());
    for (let small = false; ; ) {
      const shape = drawRequest(rnd, small);
      if (total + billed(shape) > near) {
        if (small) break;
        small = true;
        continue;
      }
      const event = add(shape, new Date(current.start.getTime() + Math.floor(rnd() * span)));
      total += billedCost(event.rawCostNano, markupBp);
      kept.push(event);
    }
  }
  return kept.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
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

/** What a user attaches to a question now and then (about 400 bytes; repeated for a longer one). */
const ATTACHMENT =
  "Delivery terms: goods ship ex works from the Łódź warehouse within five business days of a confirmed order. " +
  "Invoices are payable within 30 days; late payment bears statutory interest. Damage in transit must be reported " +
  "within 7 days with photographs. Prices are net of VAT at 23%; intra-EU services are invoiced under reverse charge.\n";

export interface LiveRequest {
  model: string;
  content: string;
  /** How long the answer is (the simulator is told: it answers every request with a short sentence otherwise). */
  completionTokens: number;
  maxTokens: number;
}

/**
 * One live chat request of the traffic generator, shaped like the history's ordinary ones: a
 * question, half the time with a passage attached (about 100–1,200 tokens), and an answer of
 * 120–720 tokens, within what the model allows.
 */
export function liveRequest(rnd: () => number): LiveRequest {
  const model = pickModel(rnd);
  const question = DEMO_PROMPTS[Math.floor(rnd() * DEMO_PROMPTS.length)]!;
  const attached = rnd() < 0.5 ? `\n\n${ATTACHMENT.repeat(1 + Math.floor(rnd() * 12))}` : "";
  const completionTokens = Math.min(model.maxCompletionTokens, 120 + Math.floor(rnd() * 600));
  return { model: model.id, content: question + attached, completionTokens, maxTokens: Math.min(model.maxCompletionTokens, completionTokens + 100) };
}
