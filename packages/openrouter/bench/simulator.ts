// Why: the proxy will be benchmarked against the simulator, so the simulator must not be the
// bottleneck. This starts it in zero-latency mode in a child process (its own core: this machine
// has two, and a load generator in the same event loop would measure itself), then fires small
// non-streaming chat requests over keep-alive connections and prints requests/s, p50 and p99.
//
//   npm run bench -w @mai/openrouter -- [--requests 50000] [--seconds 20] [--concurrency 32] [--stream]
import { spawn } from "node:child_process";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { FIXTURE_API_KEY } from "../src/simulator/index";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "50000" },
    seconds: { type: "string", default: "20" },
    concurrency: { type: "string", default: "32" },
    warmup: { type: "string", default: "2000" },
    stream: { type: "boolean", default: false },
  },
});
const total = Number(values.requests);
const deadlineMs = Number(values.seconds) * 1000;
const concurrency = Number(values.concurrency);

const cli = fileURLToPath(new URL("../src/simulator/cli.ts", import.meta.url));
const child = spawn(
  process.execPath,
  ["--import", "tsx", cli, "--port", "0", "--quiet", "--generation-delay", "0"],
  {
    stdio: ["ignore", "pipe", "inherit"],
  },
);
const base = await new Promise<URL>((resolve, reject) => {
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    const match = /listening (\S+)/.exec(out);
    if (match) resolve(new URL(match[1] as string));
  });
  child.once("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
});

const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const body = JSON.stringify({
  model: "openai/gpt-4o-mini",
  messages: [{ role: "user", content: "ping" }],
  max_tokens: 16,
  stream: values.stream,
  user: "bench",
});
const headers = {
  Authorization: `Bearer ${FIXTURE_API_KEY}`,
  "Content-Type": "application/json",
  "Content-Length": Buffer.byteLength(body),
};

function once(): Promise<{ ms: number; ok: boolean }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        path: `${base.pathname}/chat/completions`,
        method: "POST",
        agent,
        headers,
      },
      (res) => {
        res.on("data", () => undefined);
        res.on("end", () => resolve({ ms: performance.now() - started, ok: res.statusCode === 200 }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function run(count: number, limitMs: number) {
  const latencies: number[] = [];
  let failures = 0;
  let issued = 0;
  const started = performance.now();
  async function worker(): Promise<void> {
    while (issued < count && performance.now() - started < limitMs) {
      issued += 1;
      const { ms, ok } = await once();
      latencies.push(ms);
      if (!ok) failures += 1;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, failures, elapsedMs: performance.now() - started };
}

try {
  await run(Number(values.warmup), deadlineMs);
  const { latencies, failures, elapsedMs } = await run(total, deadlineMs);
  latencies.sort((a, b) => a - b);
  const pct = (p: number): string =>
    (latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0).toFixed(2);
  console.log(
    `${values.stream ? "streaming" : "non-streaming"} x${latencies.length} at concurrency ${concurrency}: ` +
      `${Math.round((latencies.length / elapsedMs) * 1000)} requests/s, p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, ` +
      `${failures} failures`,
  );
} finally {
  agent.destroy();
  child.kill("SIGTERM");
}
