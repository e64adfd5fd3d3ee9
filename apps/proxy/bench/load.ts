// The load generator of the proxy benchmark, in its own process so that it never shares an event
// loop with what it measures. Small chat requests over keep-alive connections (undici Pool, one
// connection per concurrent worker, no pipelining); every worker sends its next request as soon as
// the previous one has been read to the end. Per request it records the time to the first body
// byte (TTFB) and to the last (latency); a stream counts as failed unless it ends with
// `data: [DONE]`, a non-streaming request unless it answers 200.
//
// Two ways to use it:
// - bench/proxy.ts forks it once and sends jobs over IPC (`{ type: "job", job }` → `{ type: "result", result }`);
// - alone, it takes flags and prints one JSON result:
//     tsx bench/load.ts --url http://127.0.0.1:8788/v1/chat/completions --token mai_… \
//       [--concurrency 32] [--seconds 5 | --requests 10000] [--warmup-seconds 1] [--stream] [--model m] [--max-tokens 16]
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { Pool } from "undici";

export interface LoadJob {
  /** Full URL of the chat endpoint. */
  url: string;
  /** Sent as `Authorization: Bearer …`. */
  token: string;
  concurrency: number;
  /** Stop issuing after this long (measured phase). */
  seconds?: number;
  /** Stop issuing after this many requests (measured phase). At least one of seconds/requests. */
  requests?: number;
  /** Unmeasured phase first, on the same connections. */
  warmupSeconds?: number;
  stream: boolean;
  model?: string;
  maxTokens?: number;
}

interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface LoadResult {
  /** Completed requests in the measured phase (failures included). */
  requests: number;
  failures: number;
  firstFailure: string | null;
  elapsedMs: number;
  /** Completed requests per second over the measured phase. */
  rps: number;
  /** Milliseconds from sending to the last body byte. */
  latency: Percentiles;
  /** Milliseconds from sending to the first body byte. */
  ttfb: Percentiles;
  /** Most responses open at once (first byte received, last byte not yet). */
  peakOpen: number;
  /** Requests completed in the warm-up phase (not in the figures above). */
  warmupRequests: number;
}

function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
  const sorted = Float64Array.from(values).sort();
  // Nearest rank: the smallest value with at least p of the samples at or below it.
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1]!, mean: sum / sorted.length };
}

async function phase(pool: Pool, job: LoadJob, limits: { seconds?: number; requests?: number }): Promise<LoadResult> {
  const url = new URL(job.url);
  const path = url.pathname + url.search;
  const body = JSON.stringify({
    model: job.model ?? "openai/gpt-4o-mini",
    messages: [{ role: "user", content: "ping" }],
    max_tokens: job.maxTokens ?? 16,
    stream: job.stream,
    user: "bench",
  });
  const headers = {
    authorization: `Bearer ${job.token}`,
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(body)),
    accept: job.stream ? "text/event-stream" : "application/json",
  };
  const latency: number[] = [];
  const ttfb: number[] = [];
  let issued = 0;
  let failures = 0;
  let firstFailure: string | null = null;
  let open = 0;
  let peakOpen = 0;
  const started = performance.now();
  const deadline = limits.seconds === undefined ? Infinity : started + limits.seconds * 1000;
  const more = () => (limits.requests === undefined || issued < limits.requests) && performance.now() < deadline;
  const fail = (why: string) => {
    failures += 1;
    firstFailure ??= why;
  };

  async function one(): Promise<void> {
    const t0 = performance.now();
    let first = 0;
    let tail = "";
    try {
      const res = await pool.request({ path, method: "POST", headers, body });
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        if (first === 0) {
          first = performance.now();
          open += 1;
          if (open > peakOpen) peakOpen = open;
        }
        if (job.stream) tail = (tail + chunk.subarray(Math.max(0, chunk.length - 32)).toString("latin1")).slice(-32);
      }
      const end = performance.now();
      if (first !== 0) open -= 1;
      else first = end;
      latency.push(end - t0);
      ttfb.push(first - t0);
      if (res.statusCode !== 200) fail(`HTTP ${res.statusCode}`);
      else if (job.stream && !tail.includes("[DONE]")) fail("stream ended without [DONE]");
    } catch (error) {
      if (first !== 0) open -= 1;
      latency.push(performance.now() - t0);
      ttfb.push((first || performance.now()) - t0);
      fail(`${(error as Error).name}: ${(error as Error).message}`);
    }
  }

  async function worker(): Promise<void> {
    while (more()) {
      issued += 1;
      await one();
    }
  }
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  const elapsedMs = performance.now() - started;
  return {
    requests: latency.length,
    failures,
    firstFailure,
    elapsedMs,
    rps: (latency.length / elapsedMs) * 1000,
    latency: percentiles(latency),
    ttfb: percentiles(ttfb),
    peakOpen,
    warmupRequests: 0,
  };
}

async function runLoad(job: LoadJob): Promise<LoadResult> {
  if (job.seconds === undefined && job.requests === undefined) throw new Error("runLoad: give seconds or requests");
  const pool = new Pool(new URL(job.url).origin, {
    connections: job.concurrency,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: 120_000,
    bodyTimeout: 120_000,
  });
  try {
    const warmup = job.warmupSeconds && job.warmupSeconds > 0 ? await phase(pool, job, { seconds: job.warmupSeconds }) : null;
    const result = await phase(pool, job, { ...(job.seconds === undefined ? {} : { seconds: job.seconds }), ...(job.requests === undefined ? {} : { requests: job.requests }) });
    return { ...result, warmupRequests: warmup?.requests ?? 0 };
  } finally {
    await pool.close();
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;

if (isMain && process.send) {
  // Forked by the benchmark: one job at a time, until the parent disconnects.
  process.on("message", (message: { type: string; job: LoadJob }) => {
    if (message.type !== "job") return;
    runLoad(message.job).then(
      (result) => process.send!({ type: "result", result }),
      (error: unknown) => process.send!({ type: "error", message: (error as Error).message }),
    );
  });
  process.on("disconnect", () => process.exit(0));
} else if (isMain) {
  const { values } = parseArgs({
    options: {
      url: { type: "string" },
      token: { type: "string" },
      concurrency: { type: "string", default: "32" },
      seconds: { type: "string" },
      requests: { type: "string" },
      "warmup-seconds": { type: "string", default: "1" },
      stream: { type: "boolean", default: false },
      model: { type: "string" },
      "max-tokens": { type: "string", default: "16" },
    },
  });
  if (!values.url || !values.token) {
    console.error("usage: tsx bench/load.ts --url URL --token TOKEN [--concurrency 32] [--seconds 5 | --requests N] [--warmup-seconds 1] [--stream] [--model m] [--max-tokens 16]");
    process.exit(2);
  }
  const result = await runLoad({
    url: values.url,
    token: values.token,
    concurrency: Number(values.concurrency),
    ...(values.seconds === undefined && values.requests === undefined ? { seconds: 5 } : {}),
    ...(values.seconds === undefined ? {} : { seconds: Number(values.seconds) }),
    ...(values.requests === undefined ? {} : { requests: Number(values.requests) }),
    warmupSeconds: Number(values["warmup-seconds"]),
    stream: values.stream,
    ...(values.model === undefined ? {} : { model: values.model }),
    maxTokens: Number(values["max-tokens"]),
  });
  console.log(JSON.stringify(result));
}
