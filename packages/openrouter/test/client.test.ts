// The typed client against the simulator, call by call, including error mapping, the transient
// /generation 404, and the rule that no error ever carries the key.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { usdToNano } from "@mai/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenRouterClient, OpenRouterError } from "../src/index";
import {
  FIXTURE_API_KEY,
  FIXTURE_MANAGEMENT_KEY,
  SIM_MODELS,
  startSimulator,
  type Simulator,
} from "../src/simulator/index";

let sim: Simulator;
let client: OpenRouterClient;

beforeAll(async () => {
  sim = await startSimulator({ generationDelayMs: 0 });
  client = new OpenRouterClient({
    baseUrl: sim.url,
    apiKey: sim.apiKey,
    managementKey: sim.managementKey,
    appUrl: "https://mai.example",
    appTitle: "mAI Gateway tests",
    generationRetry: { retries: 8, initialDelayMs: 20, maxDelayMs: 100 },
  });
});
afterAll(() => sim.close());

async function caught(promise: Promise<unknown>): Promise<OpenRouterError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OpenRouterError) return error;
    throw error;
  }
  throw new Error("expected an OpenRouterError");
}

describe("GET /key", () => {
  it("returns the key's info with the masked label", async () => {
    const info = await client.getKeyInfo(FIXTURE_API_KEY);
    expect(info).toMatchObject({
      label: "sk-or-v1-aba...bab",
      limit: null,
      limit_remaining: null,
      limit_reset: null,
      is_management_key: false,
      is_free_tier: false,
    });
    expect(typeof info.usage).toBe("number");
  });

  it("works with a management key too", async () => {
    const info = await client.getKeyInfo(FIXTURE_MANAGEMENT_KEY);
    expect(info).toMatchObject({
      label: "sk-or-v1-012...def",
      is_management_key: true,
      is_provisioning_key: true,
    });
  });

  it("reports usage (daily, weekly, monthly) exactly as the ledger charged it", async () => {
    const created = await client.createKey({ name: "usage", limit: 1, limitReset: "monthly" });
    await client.chat({ messages: [{ role: "user", content: "a" }] }, { key: created.key });
    await client.chat(
      { messages: [{ role: "user", content: "bb" }], model: "openai/gpt-4o" },
      { key: created.key },
    );
    const info = await client.getKeyInfo(created.key);
    const charged = sim.totalNano({ key: created.key });
    expect(charged).toBeGreaterThan(0n);
    for (const field of ["usage", "usage_daily", "usage_weekly", "usage_monthly"] as const) {
      expect(usdToNano(info[field] as number)).toBe(charged);
    }
    expect(usdToNano(info.limit_remaining as number)).toBe(1_000_000_000n - charged);
  });

  it("maps an unknown key to 401 User not found.", async () => {
    const error = await caught(client.getKeyInfo(`sk-or-v1-${"cd".repeat(32)}`));
    expect(error).toMatchObject({ status: 401, code: 401, message: "User not found." });
    expect(error.retryable).toBe(false);
  });
});

describe("management API", () => {
  it("createKey → 201 { data, key }: the plaintext key only there, masked label, hash of 64 hex", async () => {
    const created = await client.createKey({ name: "Acme sp. z o.o.", limit: 25.5, limitReset: "monthly" });
    expect(created.key).toMatch(/^sk-or-v1-[0-9a-f]{64}$/);
    expect(created.data).toMatchObject({
      name: "Acme sp. z o.o.",
      label: `sk-or-v1-${created.key.slice(9, 12)}...${created.key.slice(-3)}`,
      disabled: false,
      limit: 25.5,
      limit_remaining: 25.5,
      limit_reset: "monthly",
      usage: 0,
    });
    expect(created.data.hash).toMatch(/^[0-9a-f]{64}$/);
    const fetched = await client.getKey(created.data.hash);
    expect(JSON.stringify(fetched)).not.toContain(created.key);
    expect(fetched.label).toBe(created.data.label);
    // The new key works for inference straight away.
    const completion = await client.chat(
      { messages: [{ role: "user", content: "hi" }] },
      { key: created.key },
    );
    expect(completion.choices[0]?.message?.content).toBe("Hello from the OpenRouter simulator.");
  });

  it("listKeys: newest first, disabled hidden unless asked, 100 per page with offset", async () => {
    const local = await startSimulator({ generationDelayMs: 0 });
    const c = new OpenRouterClient({ baseUrl: local.url, managementKey: local.managementKey });
    try {
      const made: string[] = [];
      for (let i = 0; i < 105; i += 1) made.push((await c.createKey({ name: `k${i}` })).data.hash);
      const first = await c.listKeys();
      expect(first).toHaveLength(100);
      expect(first[0]?.name).toBe("k104");
      // The simulator's own fixture key (created first) is the oldest of all.
      const second = await c.listKeys({ offset: 100 });
      expect(second.map((k) => k.name)).toEqual(["k4", "k3", "k2", "k1", "k0", "Fixture API key"]);
      await c.updateKey(made[104] as string, { disabled: true });
      expect((await c.listKeys())[0]?.name).toBe("k103");
      const all = await c.listKeys({ includeDisabled: true });
      expect(all[0]).toMatchObject({ name: "k104", disabled: true });
    } finally {
      await local.close();
    }
  });

  it("updateKey changes name, limit, reset and disabled; a disabled key gets 401 on chat", async () => {
    const created = await client.createKey({ name: "before" });
    const updated = await client.updateKey(created.data.hash, {
      name: "after",
      limit: 3,
      limitReset: "daily",
    });
    expect(updated).toMatchObject({ name: "after", limit: 3, limit_reset: "daily", disabled: false });
    expect(updated.updated_at).not.toBeNull();
    const cleared = await client.updateKey(created.data.hash, { limit: null, limitReset: null });
    expect(cleared).toMatchObject({ limit: null, limit_remaining: null, limit_reset: null });
    await client.updateKey(created.data.hash, { disabled: true });
    const error = await caught(
      client.chat({ messages: [{ role: "user", content: "x" }] }, { key: created.key }),
    );
    expect(error).toMatchObject({ status: 401, message: "User not found." });
  });

  it("deleteKey → { deleted: true }; then 404 on getKey and 401 on chat", async () => {
    const created = await client.createKey({ name: "doomed" });
    expect(await client.deleteKey(created.data.hash)).toEqual({ deleted: true });
    expect(await caught(client.getKey(created.data.hash))).toMatchObject({ status: 404 });
    expect(
      await caught(client.chat({ messages: [{ role: "user", content: "x" }] }, { key: created.key })),
    ).toMatchObject({
      status: 401,
    });
  });

  it("rejects invalid input with 400", async () => {
    expect(await caught(client.createKey({ name: "" }))).toMatchObject({ status: 400 });
    expect(await caught(client.createKey({ name: "x", limit: -1 }))).toMatchObject({ status: 400 });
    expect(
      await caught(client.createKey({ name: "x", expiresAt: "2030-01-01T00:00:00+02:00" })),
    ).toMatchObject({ status: 400 });
  });

  it("an inference key on a management endpoint: 403 Only management keys…", async () => {
    const error = await caught(client.listKeys({}, { key: FIXTURE_API_KEY }));
    expect(error).toMatchObject({ status: 403, message: "Only management keys can perform this operation" });
    expect(error.userId).toMatch(/^user_/);
  });

  it("getCredits: management key only", async () => {
    const credits = await client.getCredits();
    expect(credits.total_credits).toBe(1000);
    expect(usdToNano(credits.total_usage)).toBe(sim.totalNano());
    expect(await caught(client.getCredits({ key: FIXTURE_API_KEY }))).toMatchObject({ status: 403 });
  });

  it("a call without any key fails before the network with code no_key", async () => {
    const bare = new OpenRouterClient({ baseUrl: sim.url });
    expect(await caught(bare.listKeys())).toMatchObject({ status: 0, code: "no_key" });
  });
});

describe("GET /generation", () => {
  it("retries the transient 404, then returns native token counts, the cost and external_user", async () => {
    const local = await startSimulator({ generationDelayMs: 150 });
    const c = new OpenRouterClient({
      baseUrl: local.url,
      apiKey: local.apiKey,
      appUrl: "https://mai.example",
      generationRetry: { retries: 10, initialDelayMs: 10, maxDelayMs: 40 },
    });
    try {
      const completion = await c.chat({
        messages: [{ role: "user", content: "count me" }],
        user: "mai_client_x_user_y",
      });
      const completedAt = Date.now();
      // Straight after the completion it is not there yet…
      const early = await fetch(`${local.url}/generation?id=${completion.id}`, {
        headers: { Authorization: `Bearer ${local.apiKey}` },
      });
      expect(early.status).toBe(404);
      // …and the client waits it out.
      const generation = await c.getGeneration(completion.id);
      expect(Date.now() - completedAt).toBeGreaterThanOrEqual(100);
      expect(generation).toMatchObject({
        id: completion.id,
        model: "openai/gpt-4o-mini",
        provider_name: "OpenAI",
        native_tokens_prompt: completion.usage?.prompt_tokens,
        native_tokens_completion: completion.usage?.completion_tokens,
        total_cost: completion.usage?.cost,
        external_user: "mai_client_x_user_y",
        http_referer: "https://mai.example",
        streamed: false,
        cancelled: false,
      });
      // Normalised counts are not the billing counts.
      expect(generation.tokens_prompt).not.toBe(generation.native_tokens_prompt);
    } finally {
      await local.close();
    }
  });

  it("gives up after its retries with the 404", async () => {
    const c = new OpenRouterClient({
      baseUrl: sim.url,
      apiKey: sim.apiKey,
      generationRetry: { retries: 2, initialDelayMs: 5 },
    });
    expect(await caught(c.getGeneration("gen-0-doesnotexist0000000"))).toMatchObject({ status: 404 });
  });
});

describe("GET /models", () => {
  it("lists the price table with prices as exact decimal strings", async () => {
    const models = await client.listModels();
    expect(models.map((m) => m.id)).toEqual(SIM_MODELS.map((m) => m.id));
    const nemo = models.find((m) => m.id === "mistralai/mistral-nemo");
    expect(nemo?.pricing).toMatchObject({ prompt: "0.0000000075", completion: "0.000000015" });
    expect(typeof nemo?.pricing.prompt).toBe("string");
  });
});

describe("chat", () => {
  it("non-streaming: typed completion with provider and usage.cost", async () => {
    const completion = await client.chat({
      model: "anthropic/claude-sonnet-4",
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(completion).toMatchObject({
      provider: "Anthropic",
      model: "anthropic/claude-sonnet-4",
      object: "chat.completion",
    });
    // 8 prompt tokens × $0.000003 + 5 completion tokens × $0.000015
    expect(completion.usage).toMatchObject({ prompt_tokens: 8, completion_tokens: 5, cost: 0.000099 });
    // App attribution reached "OpenRouter".
    expect(sim.generation(completion.id)).toMatchObject({
      httpReferer: "https://mai.example",
      appTitle: "mAI Gateway tests",
    });
  });

  it("streaming: chunks, the X-Generation-Id header and the summary", async () => {
    const stream = await client.chatStream({ messages: [{ role: "user", content: "Hi" }] });
    let text = "";
    for await (const chunk of stream) text += chunk.choices?.[0]?.delta?.content ?? "";
    expect(text).toBe("Hello from the OpenRouter simulator.");
    expect(stream.summary).toMatchObject({
      id: stream.generationId,
      done: true,
      error: null,
      provider: "OpenAI",
    });
    expect(stream.summary?.costNano).toBe(
      sim.ledger().find((e) => e.generationId === stream.generationId)?.costNano,
    );
  });

  it("streaming: timeoutMs bounds the wait for headers, not the length of the answer", async () => {
    // A timeout a busy machine still answers headers within, a stream half again as long, and an
    // upstream failure three times as late.
    const slow = {
      model: "openai/gpt-4o-mini@sim:tokens=10,token-latency=150",
      messages: [{ role: "user", content: "x" }],
    };
    const stream = await client.chatStream(slow, { timeoutMs: 1000 });
    let chunks = 0;
    for await (const _chunk of stream) chunks += 1;
    expect(stream.summary).toMatchObject({ done: true, error: null });
    expect(chunks).toBe(1 + 10 + 1 + 1);
    // Stream headers (and a keep-alive comment) come at once, as live; an upstream failure that
    // takes longer than the timeout to arrive is what times out.
    const late = { ...slow, model: "openai/gpt-4o-mini@sim:latency=3000,status=503" };
    expect(await caught(client.chatStream(late, { timeoutMs: 1000 }))).toMatchObject({
      status: 0,
      code: "timeout",
    });
  });

  it("a 200 carrying an error (finish_reason error) is thrown", async () => {
    const error = await caught(
      client.chat({
        model: "openai/gpt-4o-mini@sim:error-after=2,error-code=502",
        messages: [{ role: "user", content: "x" }],
      }),
    );
    expect(error).toMatchObject({ status: 502, code: 502, message: "Provider returned error" });
  });
});

describe("error mapping", () => {
  it.each([
    [429, "Provider returned error", 3],
    [500, "Internal Server Error", undefined],
    [502, "Provider returned error", undefined],
    [503, "Service temporarily unavailable", 1],
  ])("HTTP %i → status, code, message, Retry-After", async (status, message, retryAfter) => {
    const spec = status === 429 ? "status=429,retry-after=3" : `status=${status}`;
    const error = await caught(
      client.chat({ messages: [{ role: "user", content: "x" }], model: `openai/gpt-4o-mini@sim:${spec}` }),
    );
    expect(error).toMatchObject({ status, code: status, message });
    expect(error.retryAfter).toBe(retryAfter);
    expect(error.retryable).toBe(true);
  });

  it("402 with OpenRouter's message when the worst case exceeds the key's remaining limit", async () => {
    const created = await client.createKey({ name: "tight", limit: 0.001 });
    const error = await caught(
      client.chat({ messages: [{ role: "user", content: "x" }] }, { key: created.key }),
    );
    expect(error.status).toBe(402);
    expect(error.message).toMatch(
      /^This request requires more credits, or fewer max_tokens\. You requested up to 16384 tokens, but can only afford \d+\./,
    );
    expect(error.metadata).toEqual({ provider_name: null });
  });

  it("a timeout is status 0, code timeout", async () => {
    const error = await caught(
      client.chat(
        { model: "openai/gpt-4o-mini@sim:latency=500", messages: [{ role: "user", content: "x" }] },
        { timeoutMs: 50 },
      ),
    );
    expect(error).toMatchObject({ status: 0, code: "timeout" });
  });

  it("an unreachable server is status 0, code network_error", async () => {
    const dead = await startSimulator();
    const url = dead.url;
    await dead.close();
    const error = await caught(new OpenRouterClient({ baseUrl: url }).listModels());
    expect(error).toMatchObject({ status: 0, code: "network_error" });
  });

  it("a response of the wrong shape is invalid_response, not a crash later", async () => {
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ data: { label: 42 } }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const error = await caught(
        new OpenRouterClient({ baseUrl: `http://127.0.0.1:${port}/api/v1` }).getKeyInfo(FIXTURE_API_KEY),
      );
      expect(error).toMatchObject({ status: 200, code: "invalid_response" });
      expect(error.message).toContain("data.label");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("never exposes the key: message, JSON, inspect, String and stack", async () => {
    const secret = `sk-or-v1-${"0123456789abcdef".repeat(4).split("").reverse().join("")}`;
    const errors = [
      await caught(client.getKeyInfo(secret)),
      await caught(client.chat({ messages: [{ role: "user", content: "x" }] }, { key: secret })),
      await caught(client.listKeys({}, { key: secret })),
      // A server that echoes the credential back in its message.
      new OpenRouterError({
        status: 401,
        code: 401,
        message: `Bad key ${secret}`,
        metadata: { raw: `Bearer ${secret}` },
      }),
    ];
    for (const error of errors) {
      for (const text of [
        error.message,
        JSON.stringify(error),
        inspect(error),
        String(error),
        error.stack ?? "",
        inspect(error.metadata),
      ]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(secret.slice(9));
      }
    }
    expect(errors[3]?.message).toBe("Bad key sk-or-[redacted]");
  });
});
