// The scale benchmark's load (bench/scale.ts forks it): it plays the proxy's usage recorder — usage
// events in the line format (@mai/domain encodeUsageEvents), posted to internal.recordUsage over
// HTTP with the internal token through the same tRPC link the proxy uses (apps/proxy/src/api-client.ts),
// `concurrency` batches in flight. A process of its own, so generating and encoding millions of
// events does not share the API's event loop (the proxy is another process in production too).
//
// Events are a pure function of (seed, batch index): batch b covers the b-th slice of the time
// range in order, as a proxy sends them, and any batch can be generated again exactly for the
// replay measurement without keeping it in memory. Events of the current billing period carry a
// release against a monthly-limit lease this process took through internal.reserve (renewed on a
// timer), as the proxy's do; older ones carry none (a spool from before leases).
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { billedCost, encodeUsageEvents, type UsageEvent } from "@mai/domain";
import superjson from "superjson";
import type { AppRouter } from "../src/index";

export interface SenderOrg {
  id: string;
  markupBp: number;
  users: { id: string; externalUserId: string }[];
  /** Indexes into MODELS this organisation uses. */
  models: number[];
  /** Share of all events, summing to 1 over the organisations. */
  share: number;
}

export interface SenderJob {
  apiUrl: string;
  internalToken: string;
  orgs: SenderOrg[];
  events: number;
  batch: number;
  concurrency: number;
  seed: number;
  /** Prefix making generation ids unique per run. */
  runId: string;
  fromMs: number;
  toMs: number;
  /** The current billing period (key and first instant): its events carry a lease release. */
  period: { key: string; fromMs: number };
}

export type SenderCommand = { type: "start"; job: SenderJob } | { type: "replay"; batches: number } | { type: "stop" };
export type SenderReport =
  | { type: "progress"; events: number; batches: number; inserted: number; duplicates: number }
  | { type: "done"; events: number; batches: number; inserted: number; duplicates: number; ms: number; leases: number; callMs: CallTimes }
  | { type: "replayed"; events: number; batches: number; inserted: number; duplicates: number; ms: number; callMs: CallTimes }
  | { type: "failed"; message: string };

/** How long internal.recordUsage calls took, from sending to the answer (ms). */
export interface CallTimes {
  median: number;
  p95: number;
  max: number;
}

function callTimes(samples: number[]): CallTimes {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
  return { median: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] ?? 0 };
}

/** The models of the benchmark's traffic, with OpenRouter-like prices in nano-USD per token. */
export const MODELS: readonly { id: string; provider: string; prompt: number; completion: number; weight: number }[] = [
  { id: "openai/gpt-4o-mini", provider: "OpenAI", prompt: 150, completion: 600, weight: 30 },
  { id: "openai/gpt-4o", provider: "OpenAI", prompt: 2_500, completion: 10_000, weight: 14 },
  { id: "anthropic/claude-3.5-sonnet", provider: "Anthropic", prompt: 3_000, completion: 15_000, weight: 14 },
  { id: "anthropic/claude-3.5-haiku", provider: "Anthropic", prompt: 800, completion: 4_000, weight: 9 },
  { id: "google/gemini-2.0-flash-001", provider: "Google", prompt: 100, completion: 400, weight: 10 },
  { id: "google/gemini-pro-1.5", provider: "Google AI Studio", prompt: 1_250, completion: 5_000, weight: 5 },
  { id: "meta-llama/llama-3.3-70b-instruct", provider: "DeepInfra", prompt: 120, completion: 300, weight: 6 },
  { id: "mistralai/mistral-large", provider: "Mistral", prompt: 2_000, completion: 6_000, weight: 4 },
  { id: "deepseek/deepseek-chat", provider: "DeepSeek", prompt: 140, completion: 280, weight: 5 },
  { id: "qwen/qwen-2.5-72b-instruct", provider: "Together", prompt: 350, completion: 400, weight: 3 },
];

/** mulberry32: a small, fast, seedable generator (Math.random cannot be replayed). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The events of batch `index` (the same ones every time it is asked for). */
export function generateBatch(job: SenderJob, index: number, leases: ReadonlyMap<string, string>): UsageEvent[] {
  const total = Math.ceil(job.events / job.batch);
  const count = Math.min(job.batch, job.events - index * job.batch);
  const random = prng(job.seed ^ Math.imul(index + 1, 0x9e3779b9));
  const span = (job.toMs - job.fromMs) / total;
  const start = job.fromMs + index * span;
  const cumulative: number[] = [];
  let sum = 0;
  for (const org of job.orgs) cumulative.push((sum += org.share));
  const events: UsageEvent[] = [];
  for (let i = 0; i < count; i++) {
    const r = random() * sum;
    let o = 0;
    while (o < cumulative.length - 1 && cumulative[o]! < r) o++;
    const org = job.orgs[o]!;
    // A few heavy users and models, a long tail: index ~ n·u².
    const user = org.users[Math.floor(org.users.length * random() ** 2)]!;
    let modelWeight = 0;
    for (const m of org.models) modelWeight += MODELS[m]!.weight;
    let w = random() * modelWeight;
    let modelIndex = org.models[0]!;
    for (const m of org.models) {
      modelIndex = m;
      if ((w -= MODELS[m]!.weight) <= 0) break;
    }
    const model = MODELS[modelIndex]!;
    const s = random();
    const status = s < 0.955 ? "ok" : s < 0.985 ? "error" : s < 0.997 ? "aborted" : "incomplete";
    const promptTokens = 50 + Math.floor(random() ** 2 * 12_000);
    const fullCompletion = Math.floor(random() * 1_500);
    const completionTokens = status === "error" ? 0 : status === "ok" ? fullCompletion : Math.floor(fullCompletion * random());
    const rawCostNano = status === "error" && random() < 0.7 ? 0n : BigInt(promptTokens * model.prompt + completionTokens * model.completion);
    const occurredMs = Math.floor(start + ((i + random()) / count) * span);
    const lease = occurredMs >= job.period.fromMs ? leases.get(org.id) : undefined;
    const streamed = random() < 0.8;
    const latencyMs = 250 + Math.floor(random() * (status === "ok" ? 25_000 : 4_000));
    events.push({
      generationId: `gen-${Math.floor(occurredMs / 1000)}-${job.runId}-${index.toString(36)}-${i.toString(36)}`,
      organizationId: org.id,
      userId: user.id,
      externalUserId: user.externalUserId,
      model: model.id,
      provider: model.provider,
      promptTokens,
      completionTokens,
      reasoningTokens: modelIndex === 2 && random() < 0.2 ? Math.floor(completionTokens / 3) : 0,
      cachedTokens: random() < 0.3 ? Math.floor(promptTokens / 2) : 0,
      rawCostNano,
      markupBp: org.markupBp,
      status,
      streamed,
      latencyMs,
      ttfbMs: streamed ? Math.min(latencyMs, 80 + Math.floor(random() * 1_500)) : null,
      occurredAt: new Date(occurredMs),
      release: lease ? { period: job.period.key, nano: billedCost(rawCostNano, org.markupBp), lease } : null,
    });
  }
  return events;
}

function client(job: SenderJob) {
  // As the proxy's (apps/proxy/src/api-client.ts): a batch link carrying the internal token.
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${job.apiUrl}/trpc`,
        transformer: superjson,
        maxItems: 50,
        headers: () => ({ "x-mai-internal-token": job.internalToken }),
        fetch: (url: string | URL | Request, init) => fetch(url, { ...(init as RequestInit), signal: AbortSignal.timeout(120_000) }),
      }),
    ],
  });
}

const send = (report: SenderReport) => process.send!(report);

let job: SenderJob | undefined;
let api: ReturnType<typeof client> | undefined;
const leases = new Map<string, string>();
let renewTimer: NodeJS.Timeout | undefined;

/** Sends the given batch indexes, `concurrency` at a time, calling `progress` after each; returns each call's time. */
async function sendBatches(indexes: number[], progress: (events: number, inserted: number, duplicates: number) => void): Promise<number[]> {
  let next = 0;
  const times: number[] = [];
  const worker = async () => {
    while (next < indexes.length) {
      const index = indexes[next++]!;
      const events = generateBatch(job!, index, leases);
      const ndjson = encodeUsageEvents(events);
      const t0 = performance.now();
      const result = await api!.internal.recordUsage.mutate({ ndjson });
      times.push(performance.now() - t0);
      progress(events.length, result.inserted, result.duplicates);
    }
  };
  await Promise.all(Array.from({ length: job!.concurrency }, worker));
  return times;
}

async function takeLeases(): Promise<void> {
  const owner = `bench-scale-${job!.runId}`;
  for (const org of job!.orgs) {
    const outcome = await api!.internal.reserve.mutate({ organizationId: org.id, amountNano: 1n, preferNano: 10n ** 15n, owner });
    if (outcome.admitted && outcome.leaseId) leases.set(org.id, outcome.leaseId);
  }
  const ids = [...leases.values()];
  if (ids.length === 0) return;
  // The proxy renews every quarter of the lifetime; so does this.
  renewTimer = setInterval(() => {
    api!.internal.renewLeases.mutate({ owner, leaseIds: ids }).catch((error: unknown) => console.error("lease renewal failed:", error));
  }, 10_000);
}

async function start(j: SenderJob): Promise<void> {
  job = j;
  api = client(j);
  await takeLeases();
  const total = Math.ceil(j.events / j.batch);
  const indexes = Array.from({ length: total }, (_, i) => i);
  let events = 0;
  let batches = 0;
  let inserted = 0;
  let duplicates = 0;
  const started = performance.now();
  const times = await sendBatches(indexes, (n, ins, dup) => {
    events += n;
    batches += 1;
    inserted += ins;
    duplicates += dup;
    send({ type: "progress", events, batches, inserted, duplicates });
  });
  send({ type: "done", events, batches, inserted, duplicates, ms: performance.now() - started, leases: leases.size, callMs: callTimes(times) });
}

async function replay(count: number): Promise<void> {
  const total = Math.ceil(job!.events / job!.batch);
  const n = Math.max(1, Math.min(count, total));
  // Spread over the whole run (old and recent batches alike), in order.
  const indexes = Array.from({ length: n }, (_, i) => Math.floor((i * total) / n));
  let events = 0;
  let inserted = 0;
  let duplicates = 0;
  const started = performance.now();
  const times = await sendBatches(indexes, (e, ins, dup) => {
    events += e;
    inserted += ins;
    duplicates += dup;
  });
  send({ type: "replayed", events, batches: n, inserted, duplicates, ms: performance.now() - started, callMs: callTimes(times) });
}

process.on("message", (command: SenderCommand) => {
  const fail = (error: unknown) => send({ type: "failed", message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  switch (command.type) {
    case "start":
      start(command.job).catch(fail);
      break;
    case "replay":
      replay(command.batches).catch(fail);
      break;
    case "stop":
      clearInterval(renewTimer);
      process.disconnect();
      break;
  }
});
