// The simulator's own contract, over raw HTTP: wire format, auth and money semantics, the ledger
// to the nano-dollar, fault injection (header, model suffix, global, one-shot), cancellation
// billing, limit resets on an injected clock, and the HTTP control surface.
import { usdToNano } from "@mai/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FIXTURE_API_KEY,
  FIXTURE_MANAGEMENT_KEY,
  SIM_MODELS,
  type SimModel,
  startSimulator,
  type Simulator,
} from "../src/simulator/index";
import { bodyBytes, chatRequest, eventually } from "./helpers";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ generationDelayMs: 0 });
});
afterAll(() => sim.close());

type Json = Record<string, unknown>;

async function json(res: Response): Promise<Json> {
  return (await res.json()) as Json;
}

describe("chat completions wire format", () => {
  it("non-streaming: gen-<unix>-<20 alnum> id (also in X-Generation-Id), top-level provider, full usage", async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await chatRequest(sim.url, { body: { user: "u-wire" } });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.id).toMatch(/^gen-\d{10}-[A-Za-z0-9]{20}$/);
    expect(Number((body.id as string).split("-")[1])).toBeGreaterThanOrEqual(before);
    expect(res.headers.get("x-generation-id")).toBe(body.id);
    expect(body).toMatchObject({
      provider: "OpenAI",
      model: "openai/gpt-4o-mini",
      object: "chat.completion",
    });
    expect(body.usage).toEqual({
      prompt_tokens: 10,
      completion_tokens: 5,
      total_tokens: 15,
      cost: 0.0000045,
      is_byok: false,
      prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0, audio_tokens: 0, video_tokens: 0 },
      cost_details: {
        upstream_inference_cost: 0.0000045,
        upstream_inference_prompt_cost: 0.0000015,
        upstream_inference_completions_cost: 0.000003,
      },
      completion_tokens_details: { reasoning_tokens: 0, image_tokens: 0, audio_tokens: 0 },
    });
  });

  it("streaming: comment first, role in every delta, usage on the last chunk before [DONE], comments between chunks", async () => {
    const res = await chatRequest(sim.url, {
      body: { stream: true },
      headers: { "X-Sim-Faults": "tokens=9" },
    });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const text = new TextDecoder().decode(await bodyBytes(res));
    const events = text.split("\n\n").filter((e) => e !== "");
    expect(events[0]).toBe(": OPENROUTER PROCESSING");
    expect(events.at(-1)).toBe("data: [DONE]");
    const middle = events.slice(1, -1);
    expect(middle.filter((e) => e.startsWith(":")).length).toBeGreaterThanOrEqual(2);
    const chunks = middle.filter((e) => e.startsWith("data: ")).map((e) => JSON.parse(e.slice(6)) as Json);
    const id = res.headers.get("x-generation-id");
    for (const c of chunks) {
      expect(c).toMatchObject({
        id,
        provider: "OpenAI",
        model: "openai/gpt-4o-mini",
        object: "chat.completion.chunk",
      });
      expect((c.choices as Json[])[0]?.delta).toMatchObject({ role: "assistant" });
    }
    expect((chunks[0]?.choices as Json[])[0]?.delta).toEqual({ role: "assistant", content: "" });
    // Usage exactly once, on the last data chunk, which (live) repeats finish_reason "stop".
    expect(chunks.filter((c) => "usage" in c)).toHaveLength(1);
    const last = chunks.at(-1) as Json;
    expect((last.usage as Json).completion_tokens).toBe(9);
    expect((last.choices as Json[])[0]?.finish_reason).toBe("stop");
  });

  it("streamed and non-streamed usage are identical for the same request", async () => {
    const body = { model: "openai/gpt-4o", messages: [{ role: "user", content: "Compare me" }] };
    const plain = (await json(await chatRequest(sim.url, { body }))).usage;
    const text = new TextDecoder().decode(
      await bodyBytes(await chatRequest(sim.url, { body: { ...body, stream: true } })),
    );
    const usageLine = text.split("\n").find((l) => l.includes('"usage"')) as string;
    expect((JSON.parse(usageLine.slice(6)) as Json).usage).toEqual(plain);
  });

  it("emits usage.cost as exact decimal text, rounding sub-nano costs half up once per request", async () => {
    // Mistral Nemo: 7.5 nano per prompt token, 15 per completion token. 9 × 7.5 + 5 × 15 = 142.5 → 143.
    const res = await chatRequest(sim.url, {
      body: { model: "mistralai/mistral-nemo", messages: [{ role: "user", content: "Hi there" }] },
    });
    const raw = await res.text();
    expect(raw).toContain('"cost":0.000000143,');
    const entry = sim.ledger().find((e) => e.generationId === res.headers.get("x-generation-id"));
    expect(entry).toMatchObject({
      costUsd: "0.000000143",
      costNano: 143n,
      reportedCostUsd: "0.000000143",
      promptTokens: 9,
    });
  });

  it("a free model costs exactly 0 and is still in the ledger", async () => {
    const res = await chatRequest(sim.url, { body: { model: "meta-llama/llama-3.3-70b-instruct:free" } });
    expect(((await json(res)).usage as Json).cost).toBe(0);
    expect(sim.ledger({ model: "meta-llama/llama-3.3-70b-instruct:free" })[0]?.costNano).toBe(0n);
  });

  it("400 for an unknown model and for a body without messages; routing variants resolve", async () => {
    const unknown = await chatRequest(sim.url, { body: { model: "nope/nothing" } });
    expect(unknown.status).toBe(400);
    expect(await json(unknown)).toMatchObject({
      error: { code: 400, message: "nope/nothing is not a valid model ID" },
    });
    const empty = await chatRequest(sim.url, { body: { messages: [] } });
    expect(await json(empty)).toMatchObject({
      error: { code: 400, message: 'Input required: specify "prompt" or "messages"' },
    });
    const nitro = await chatRequest(sim.url, { body: { model: "openai/gpt-4o:nitro" } });
    expect((await json(nitro)).model).toBe("openai/gpt-4o");
  });
});

describe("auth and money semantics", () => {
  it("401: missing header, unknown key, management key on chat", async () => {
    expect(await json(await chatRequest(sim.url, { key: "" }))).toEqual({
      error: { code: 401, message: "Missing Authentication header" },
    });
    expect(await json(await chatRequest(sim.url, { key: `sk-or-v1-${"ef".repeat(32)}` }))).toEqual({
      error: { code: 401, message: "User not found." },
    });
    const mgmt = await chatRequest(sim.url, { key: FIXTURE_MANAGEMENT_KEY });
    expect(mgmt.status).toBe(401);
    expect(await json(mgmt)).toEqual({ error: { code: 401, message: "User not found." } });
  });

  it("403 Key limit exceeded once the key's limit is spent; 402 before, on the worst case", async () => {
    // 1 cent; gpt-4o: $0.00001 per completion token.
    const key = sim.addKey({ name: "cent", limit: "0.01" });
    // Worst case without max_tokens: 16384 × $0.00001 = $0.16 > $0.01 → 402 although credit remains.
    const noMax = await chatRequest(sim.url, { key: key.key, body: { model: "openai/gpt-4o" } });
    expect(noMax.status).toBe(402);
    const body402 = await json(noMax);
    expect(body402).toMatchObject({
      error: { code: 402, metadata: { provider_name: null } },
      user_id: expect.stringMatching(/^user_/),
    });
    // "Say hello" is 10 prompt tokens: (0.01 − 10 × 0.0000025) / 0.00001 = 997.5 → 997 tokens affordable.
    expect((body402.error as Json).message).toBe(
      "This request requires more credits, or fewer max_tokens. You requested up to 16384 tokens, but can only afford 997. " +
        "To increase, visit https://openrouter.ai/settings/keys and create a key with a higher monthly limit",
    );
    // With max_tokens small enough it goes through; spend the cent in large replies.
    let spent = 0n;
    for (let i = 0; i < 10 && spent < 10_000_000n; i += 1) {
      const res = await chatRequest(sim.url, {
        key: key.key,
        body: { model: "openai/gpt-4o", max_tokens: 300 },
        headers: { "X-Sim-Faults": "tokens=300" },
      });
      if (res.status !== 200) break;
      spent += usdToNano(((await json(res)).usage as Json).cost as number);
    }
    expect(sim.totalNano({ key: key.key })).toBe(spent);
    // Whatever remains cannot cover 300 tokens: 402; after the limit is crossed: 403.
    // Exactly one 1-token request: 10 × 0.00000015 + 1 × 0.0000006.
    const over = sim.addKey({ name: "over", limit: "0.0000021" });
    expect(
      (await chatRequest(sim.url, { key: over.key, body: { model: "openai/gpt-4o-mini", max_tokens: 1 } }))
        .status,
    ).toBe(200);
    const res403 = await chatRequest(sim.url, {
      key: over.key,
      body: { model: "openai/gpt-4o-mini", max_tokens: 1 },
    });
    expect(res403.status).toBe(403);
    expect(await json(res403)).toMatchObject({
      error: {
        code: 403,
        message: "Key limit exceeded (total limit). Manage it using https://openrouter.ai/settings/keys",
      },
    });
  });

  it("402 from the account balance points to the credits page; a negative balance refuses even free models", async () => {
    const local = await startSimulator({ credits: "0.0001", generationDelayMs: 0 });
    try {
      const res = await chatRequest(local.url, { body: { max_tokens: 1000 } });
      expect(res.status).toBe(402);
      expect(((await json(res)).error as Json).message).toMatch(/settings\/credits/);
      local.setCredits("-1");
      const free = await chatRequest(local.url, {
        body: { model: "meta-llama/llama-3.3-70b-instruct:free" },
      });
      expect(free.status).toBe(402);
    } finally {
      await local.close();
    }
  });

  it("limit_reset daily: the limit comes back at UTC midnight; weeks start on Monday (injected clock)", async () => {
    let now = Date.UTC(2026, 0, 4, 23, 59, 0); // a Sunday
    const local = await startSimulator({ now: () => now, generationDelayMs: 0 });
    try {
      // Exactly one request's worth (10 × 0.00000015 + 5 × 0.0000006): spent to 0 → 403, not 402.
      const key = local.addKey({ limit: "0.0000045", limitReset: "daily" });
      const ok = await chatRequest(local.url, { key: key.key, body: { max_tokens: 5 } });
      expect(ok.status).toBe(200);
      expect((await chatRequest(local.url, { key: key.key, body: { max_tokens: 5 } })).status).toBe(403);
      now = Date.UTC(2026, 0, 5, 0, 0, 1); // Monday: a new day and a new week, the same month
      expect((await chatRequest(local.url, { key: key.key, body: { max_tokens: 5 } })).status).toBe(200);
      const info = (
        await json(await fetch(`${local.url}/key`, { headers: { Authorization: `Bearer ${key.key}` } }))
      ).data as Json;
      const perRequest = usdToNano("0.0000045");
      expect(usdToNano(info.usage_daily as number)).toBe(perRequest);
      expect(usdToNano(info.usage_weekly as number)).toBe(perRequest);
      expect(usdToNano(info.usage_monthly as number)).toBe(2n * perRequest);
      expect(usdToNano(info.usage as number)).toBe(2n * perRequest);
    } finally {
      await local.close();
    }
  });
});

describe("ledger", () => {
  it("sums per key and per user exactly, and matches what clients were told to the nano-dollar", async () => {
    const local = await startSimulator({ generationDelayMs: 0 });
    try {
      const a = local.addKey({ name: "org-a" });
      const b = local.addKey({ name: "org-b" });
      const told = new Map<string, bigint>();
      const models = SIM_MODELS.map((m) => m.id);
      for (let i = 0; i < 40; i += 1) {
        const key = i % 3 === 0 ? b : a;
        const user = `user-${i % 4}`;
        const res = await chatRequest(local.url, {
          key: key.key,
          body: {
            model: models[i % models.length],
            user,
            messages: [{ role: "user", content: "x".repeat(i * 7) }],
            max_tokens: 50,
          },
          headers: { "X-Sim-Faults": `tokens=${1 + (i % 9)}` },
        });
        const cost = usdToNano(((await json(res)).usage as Json).cost as number);
        for (const k of [key.hash, user]) told.set(k, (told.get(k) ?? 0n) + cost);
      }
      expect(local.totalNano({ keyHash: a.hash })).toBe(told.get(a.hash));
      expect(local.totalNano({ key: b.key })).toBe(told.get(b.hash));
      for (let u = 0; u < 4; u += 1)
        expect(local.totalNano({ user: `user-${u}` })).toBe(told.get(`user-${u}`));
      const totals = local.totals();
      expect(totals.all.count).toBe(40);
      expect(totals.byKey.get(a.hash)?.costNano).toBe(told.get(a.hash));
      expect(totals.byUser.get("user-1")?.costUsd).toBe(
        // decimal text of the exact sum
        (() => {
          const n = told.get("user-1") as bigint;
          return `${n / 1_000_000_000n}.${(n % 1_000_000_000n).toString().padStart(9, "0")}`.replace(
            /\.?0+$/,
            "",
          );
        })(),
      );
      for (const e of local.ledger()) expect(usdToNano(e.costUsd)).toBe(e.costNano);
      // The same over HTTP, for demos.
      const http = await json(await fetch(`${local.origin}/__sim/ledger?user=user-2`));
      expect((http.entries as Json[]).length).toBe(10);
      expect((http.totals as Json).costNano).toBe((told.get("user-2") as bigint).toString());
    } finally {
      await local.close();
    }
  });
});

describe("fault injection routes", () => {
  it("header, model suffix, global and one-shot faults; the suffix is not echoed as the model", async () => {
    const local = await startSimulator({ generationDelayMs: 0 });
    try {
      const viaHeader = await chatRequest(local.url, { headers: { "X-Sim-Faults": "status=503" } });
      expect(viaHeader.status).toBe(503);
      expect(viaHeader.headers.get("retry-after")).toBe("1");
      const viaSuffix = await chatRequest(local.url, {
        body: { model: "openai/gpt-4o-mini@sim:status=429,retry-after=7" },
      });
      expect([viaSuffix.status, viaSuffix.headers.get("retry-after")]).toEqual([429, "7"]);
      expect(await json(viaSuffix)).toMatchObject({
        error: { code: 429, message: "Provider returned error", metadata: { provider_name: "OpenAI" } },
      });
      const ok = await chatRequest(local.url, { body: { model: "openai/gpt-4o-mini@sim:tokens=2" } });
      expect((await json(ok)).model).toBe("openai/gpt-4o-mini");

      local.pushFaults("status=502", 2);
      expect((await chatRequest(local.url)).status).toBe(502);
      expect((await chatRequest(local.url)).status).toBe(502);
      expect((await chatRequest(local.url)).status).toBe(200);

      local.setFaults({ status: 500 });
      expect((await chatRequest(local.url)).status).toBe(500);
      // Per-request knobs override the global ones.
      local.setFaults("status=500,tokens=3");
      const override = await chatRequest(local.url, {
        headers: { "X-Sim-Faults": "tokens=2" },
        body: { model: "openai/gpt-4o@sim:tokens=4" },
      });
      expect(override.status).toBe(500);
      local.setFaults(null);
      // Over HTTP too.
      await fetch(`${local.origin}/__sim/faults`, {
        method: "PUT",
        body: JSON.stringify({ spec: "status=503,retry-after=9" }),
      });
      expect((await chatRequest(local.url)).headers.get("retry-after")).toBe("9");
      await fetch(`${local.origin}/__sim/faults`, { method: "PUT", body: "null" });
      expect((await chatRequest(local.url)).status).toBe(200);
      // Failures before the first token are never charged.
      expect(local.ledger().map((e) => e.outcome)).toEqual(["completed", "completed", "completed"]);
    } finally {
      await local.close();
    }
  });

  it("an unknown fault name is a 400, not a silent happy path", async () => {
    const res = await chatRequest(sim.url, { headers: { "X-Sim-Faults": "stauts=500" } });
    expect(res.status).toBe(400);
    expect(((await json(res)).error as Json).message).toContain('Unknown simulator fault "stauts"');
  });

  it("non-streaming: leading keep-alive newlines before the JSON", async () => {
    const res = await chatRequest(sim.url, { headers: { "X-Sim-Faults": "leading-newlines" } });
    const text = await res.text();
    expect(text.startsWith("\n")).toBe(true);
    expect((JSON.parse(text) as Json).object).toBe("chat.completion");
  });
});

describe("cost mismatches", () => {
  it("low-stream-cost: the stream reports less than /generation's total_cost and the ledger", async () => {
    const res = await chatRequest(sim.url, {
      body: { stream: true },
      headers: { "X-Sim-Faults": "low-stream-cost" },
    });
    const text = new TextDecoder().decode(await bodyBytes(res));
    const usage = (
      JSON.parse((text.split("\n").find((l) => l.includes('"usage"')) as string).slice(6)) as Json
    ).usage as Json;
    const id = res.headers.get("x-generation-id") as string;
    const gen = (
      await json(
        await fetch(`${sim.url}/generation?id=${id}`, {
          headers: { Authorization: `Bearer ${FIXTURE_API_KEY}` },
        }),
      )
    ).data as Json;
    expect(usdToNano(usage.cost as number)).toBeLessThan(usdToNano(gen.total_cost as number));
    expect(sim.ledger().find((e) => e.generationId === id)?.costNano).toBe(
      usdToNano(gen.total_cost as number),
    );
  });

  it("a tiered model above its threshold: the stream reports the base price, the charge is the tier price", async () => {
    const tiered: SimModel = {
      ...(SIM_MODELS.find((m) => m.id === "google/gemini-2.5-pro") as SimModel),
      id: "sim/tiered",
      tier: { minPromptTokens: 50, prompt: "0.0000025", completion: "0.000015" },
    };
    const local = await startSimulator({ models: [...SIM_MODELS, tiered], generationDelayMs: 0 });
    try {
      const long = { model: "sim/tiered", messages: [{ role: "user", content: "y".repeat(400) }] };
      const streamed = new TextDecoder().decode(
        await bodyBytes(await chatRequest(local.url, { body: { ...long, stream: true } })),
      );
      const usage = (
        JSON.parse((streamed.split("\n").find((l) => l.includes('"usage"')) as string).slice(6)) as Json
      ).usage as Json;
      const [entry] = local.ledger();
      // 107 prompt tokens, 5 completion tokens.
      expect(usage.cost).toBe(107 * 0.00000125 + 5 * 0.00001);
      expect(entry?.costUsd).toBe("0.0003425"); // 107 × 0.0000025 + 5 × 0.000015
      const plain = await json(await chatRequest(local.url, { body: long }));
      expect((plain.usage as Json).cost).toBe(0.0003425);
    } finally {
      await local.close();
    }
  });
});

describe("cancellation", () => {
  async function abortAfterChunks(url: string, model: string, chunks: number) {
    const controller = new AbortController();
    const res = await chatRequest(url, {
      body: { stream: true, model },
      headers: { "X-Sim-Faults": "tokens=40,token-latency=15" },
    });
    const id = res.headers.get("x-generation-id") as string;
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let seen = 0;
    while (seen < chunks) {
      const next = await reader.read();
      if (next.done) break;
      seen += new TextDecoder().decode(next.value).split("data: ").length - 1;
    }
    await reader.cancel();
    controller.abort();
    return id;
  }

  it("a cancellable provider (OpenAI) stops and bills only what was produced", async () => {
    const id = await abortAfterChunks(sim.url, "openai/gpt-4o-mini", 4);
    await eventually(() => expect(sim.ledger().find((e) => e.generationId === id)).toBeDefined());
    const entry = sim.ledger().find((e) => e.generationId === id);
    expect(entry).toMatchObject({ outcome: "cancelled", cancelled: true, reportedCostUsd: null });
    expect(entry?.completionTokens).toBeGreaterThanOrEqual(3);
    expect(entry?.completionTokens).toBeLessThan(40);
    // Generation stopped: /generation says so.
    const gen = sim.generation(id);
    expect(gen).toMatchObject({ cancelled: true, completionTokens: entry?.completionTokens });
  });

  it("a provider without cancellation (Google) bills the full completion", async () => {
    const id = await abortAfterChunks(sim.url, "google/gemini-2.5-flash", 3);
    await eventually(() => expect(sim.ledger().find((e) => e.generationId === id)).toBeDefined());
    expect(sim.ledger().find((e) => e.generationId === id)).toMatchObject({
      outcome: "cancelled",
      cancelled: false,
      completionTokens: 40,
    });
  });

  it("a dropped connection mid-stream is billed like a cancellation", async () => {
    const res = await chatRequest(sim.url, {
      body: { stream: true },
      headers: { "X-Sim-Faults": "tokens=20,drop-after=5" },
    });
    const id = res.headers.get("x-generation-id");
    await expect(res.text()).rejects.toThrow();
    expect(sim.ledger().find((e) => e.generationId === id)).toMatchObject({
      outcome: "dropped",
      completionTokens: 5,
      cancelled: true,
    });
  });
});

describe("account endpoints", () => {
  it("/models pagination is opt-in", async () => {
    const all = await json(await fetch(`${sim.url}/models`));
    expect((all.data as Json[]).length).toBe(SIM_MODELS.length);
    expect(all.links).toEqual({ next: null });
    const page = await json(await fetch(`${sim.url}/models?limit=2`));
    expect((page.data as Json[]).map((m) => m.id)).toEqual(SIM_MODELS.slice(0, 2).map((m) => m.id));
    expect(page).toMatchObject({
      total_count: SIM_MODELS.length,
      links: { next: "/api/v1/models?offset=2&limit=2" },
    });
  });

  it("/auth/key is an alias of /key; /credits refuses an inference key with 403", async () => {
    const headers = { Authorization: `Bearer ${FIXTURE_API_KEY}` };
    expect(await json(await fetch(`${sim.url}/auth/key`, { headers }))).toEqual(
      await json(await fetch(`${sim.url}/key`, { headers })),
    );
    const credits = await fetch(`${sim.url}/credits`, { headers });
    expect(credits.status).toBe(403);
  });

  it("/keys create answers 201 and DELETE answers { deleted: true } with no data wrapper", async () => {
    const headers = { Authorization: `Bearer ${FIXTURE_MANAGEMENT_KEY}`, "Content-Type": "application/json" };
    const created = await fetch(`${sim.url}/keys`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "raw", limit: null }),
    });
    expect(created.status).toBe(201);
    const body = await json(created);
    expect(Object.keys(body).sort()).toEqual(["data", "key"]);
    const hash = (body.data as Json).hash as string;
    const deleted = await fetch(`${sim.url}/keys/${hash}`, { method: "DELETE", headers });
    expect(await deleted.text()).toBe('{"deleted":true}');
  });
});

describe("generations charged before a restart", () => {
  it("rememberGeneration: /generation answers with the given cost, nothing is charged", async () => {
    const ledgerBefore = sim.ledger().length;
    const usageBefore = sim.getKey(FIXTURE_API_KEY)!.usageNano;
    const id = "gen-remembered-0001";
    expect((await fetch(`${sim.url}/generation?id=${id}`, { headers: { Authorization: `Bearer ${FIXTURE_API_KEY}` } })).status).toBe(404);
    sim.rememberGeneration({ id, key: FIXTURE_API_KEY, costNano: 1_234_567n, createdAt: new Date("2026-11-30T10:00:00Z"), model: "openai/gpt-4o" });
    const res = await fetch(`${sim.url}/generation?id=${id}`, { headers: { Authorization: `Bearer ${FIXTURE_API_KEY}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('"total_cost":0.001234567');
    expect(JSON.parse(text)).toMatchObject({ data: { id, model: "openai/gpt-4o", provider_name: "OpenAI", created_at: "2026-11-30T10:00:00.000Z" } });
    expect(sim.ledger()).toHaveLength(ledgerBefore);
    expect(sim.getKey(FIXTURE_API_KEY)!.usageNano).toBe(usageBefore);
    expect(() => sim.rememberGeneration({ id: "gen-x", key: `sk-or-v1-${"ee".repeat(32)}`, costNano: 1n, createdAt: new Date() })).toThrow(/No such key/);
  });
});

describe("usage charged before a restart", () => {
  it("rememberUsage: /key reports the day's and month's usage given, nothing is charged; later charges add to it", async () => {
    const key = sim.addKey({ name: "restarted", limit: 10 });
    const ledgerBefore = sim.ledger().length;
    sim.rememberUsage(key.key, { dailyNano: 250_000_000n, monthlyNano: 3_500_000_000n });
    const info = async () => ((await json(await fetch(`${sim.url}/key`, { headers: { Authorization: `Bearer ${key.key}` } }))).data as Json);
    expect(await info()).toMatchObject({ usage_daily: 0.25, usage_weekly: 0.25, usage_monthly: 3.5, usage: 3.5 });
    expect(sim.ledger()).toHaveLength(ledgerBefore);
    const res = await chatRequest(sim.url, { key: key.key });
    await res.text();
    const charged = sim.ledger({ key: key.key })[0]!.costNano;
    expect(usdToNano(String((await info()).usage_monthly))).toBe(3_500_000_000n + charged);
    expect(() => sim.rememberUsage(`sk-or-v1-${"ef".repeat(32)}`, { dailyNano: 0n, monthlyNano: 0n })).toThrow(/No such key/);
  });
});
