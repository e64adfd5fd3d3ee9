// The mAI proxy, alone in a child process of the benchmark: built exactly as src/main.ts builds it
// (createProxyServer from a validated environment, the default pino logger on stdout), listening on
// an ephemeral port. The parent sets the environment (MAI_API_URL, MAI_INTERNAL_TOKEN,
// MAI_OPENROUTER_BASE_URL, MAI_PROXY_SPOOL_DIR, LOG_LEVEL) and talks to it over IPC (bench/child.ts).
//
// `probe` times, one at a time and from inside this process, the steps a completion goes through
// (src/handlers/completions.ts handleCompletion) using the proxy's own dependencies: the identity
// cache, the reservation estimate, the API round trips internal.reserve and internal.settle (what a
// lease top-up and a give-back cost; requests admitted from a lease make neither), and the upstream
// request to the simulator. Run it while nothing else is loaded.
//
// `widenUpstream` (benchmark-only) swaps the upstream pool for one with more connections, the same
// settings otherwise: used when MAI_PROXY_UPSTREAM_CONNECTIONS is below the number of concurrent
// slow streams, which would otherwise wait in undici's queue rather than stream.
import { performance } from "node:perf_hooks";
import { Pool } from "undici";
import { createProxyServer, loadProxyEnv } from "../src/index";
import { serveParent } from "./child";

export interface StepTiming {
  step: string;
  n: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

async function time(step: string, n: number, fn: () => Promise<unknown>): Promise<StepTiming> {
  for (let i = 0; i < Math.min(50, n); i++) await fn(); // warm
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const at = (p: number) => ms[Math.min(ms.length - 1, Math.ceil(p * ms.length) - 1)]!;
  return { step, n, p50Ms: at(0.5), p99Ms: at(0.99), meanMs: ms.reduce((a, b) => a + b, 0) / ms.length };
}

const proxy = await createProxyServer(loadProxyEnv({ ...process.env, MAI_PROXY_PORT: "0", MAI_PROXY_HOST: "127.0.0.1" }));
const { url } = await proxy.listen(0, "127.0.0.1");

const env = proxy.deps.env;
// Benchmark-only A/B (MAI_BENCH_NO_JOURNAL=1): requests skip the request journal, to measure what it costs.
if (process.env.MAI_BENCH_NO_JOURNAL === "1") {
  proxy.deps.journal = { ...proxy.deps.journal, open: () => undefined };
}
let widened: Pool | null = null;

serveParent(url, async () => {
  await proxy.close();
  await widened?.close();
}, {
  async widenUpstream(message) {
    const connections = Number(message.connections);
    widened = new Pool(new URL(env.MAI_OPENROUTER_BASE_URL).origin, {
      connections,
      connectTimeout: env.MAI_PROXY_CONNECT_TIMEOUT_MS,
      headersTimeout: env.MAI_PROXY_HEADERS_TIMEOUT_MS,
      bodyTimeout: env.MAI_PROXY_IDLE_TIMEOUT_MS,
      keepAliveTimeout: 30_000,
    });
    proxy.deps.upstream = widened; // the original pool stays open (idle) and is closed by proxy.close()
    return { connections };
  },
  async probe(message) {
    const { token, iterations } = message as { token: string; iterations: number };
    const { deps } = proxy;
    const identity = await deps.identity.resolve({ authorization: `Bearer ${token}` });
    if (!identity.ok) throw new Error(`probe: token refused (${identity.error.code})`);
    const ctx = identity.context;
    const body = { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "ping" }], max_tokens: 16, stream: false, user: ctx.externalUserId };
    const payload = JSON.stringify(body);
    const amount = await deps.reservations.estimate({ model: body.model, payload, maxTokens: 16, markupBp: ctx.organization.markupBp });
    const results: StepTiming[] = [];
    results.push(await time("identity.resolve (cached)", iterations, () => deps.identity.resolve({ authorization: `Bearer ${token}` })));
    results.push(
      await time("reservations.estimate (catalogue cached)", iterations, () =>
        deps.reservations.estimate({ model: body.model, payload, maxTokens: 16, markupBp: ctx.organization.markupBp }),
      ),
    );
    // The probe's own lease (its own owner id), topped up every iteration, then given back.
    const owner = `${deps.reservations.owner}-bench`;
    let leaseId: string | undefined;
    const reserve = await time("API internal.reserve (tRPC over HTTP; a lease top-up, not per request)", iterations, async () => {
      const outcome = await deps.api.internal.reserve.mutate({ organizationId: ctx.organization.id, amountNano: amount, owner, ...(leaseId ? { leaseId } : {}) });
      leaseId = outcome.leaseId ?? leaseId;
    });
    results.push(reserve);
    // The first settle closes the lease (all of it returns); the rest time a retried give-back.
    results.push(
      await time("API internal.settle (tRPC over HTTP; giving a lease back)", iterations, () =>
        deps.api.internal.settle.mutate({ owner, leaseId: leaseId!, consumedNano: 0n }),
      ),
    );
    results.push(
      await time("upstream POST chat/completions to the simulator (undici Pool)", iterations, async () => {
        const res = await deps.upstream.request({
          path: `${deps.upstreamBasePath}/chat/completions`,
          method: "POST",
          headers: { authorization: `Bearer ${ctx.openrouterKey}`, "content-type": "application/json" },
          body: payload,
        });
        await res.body.text();
      }),
    );
    return results;
  },
});
