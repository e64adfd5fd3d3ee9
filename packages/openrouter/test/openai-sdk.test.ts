// The official openai SDK, pointed at the simulator, must work unchanged: proof that the simulator
// speaks the wire format real clients expect (comments in the stream, usage on the last chunk,
// OpenRouter's extra fields, the error envelope).
import { usdToNano } from "@mai/domain";
import OpenAI, { APIError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../src/simulator/index";

let sim: Simulator;
let openai: OpenAI;

beforeAll(async () => {
  // Keep-alive comments after every chunk: the SDK's parser must skip them all.
  sim = await startSimulator({ generationDelayMs: 0, keepAliveEvery: 1 });
  openai = new OpenAI({ baseURL: sim.url, apiKey: sim.apiKey, maxRetries: 0 });
});
afterAll(() => sim.close());

/** OpenRouter's `cost` is not in the SDK's types; it is on the wire. */
function costOf(usage: unknown): number {
  return (usage as { cost: number }).cost;
}

describe("openai SDK against the simulator", () => {
  it("non-streaming: content, usage with cost, and the ledger agrees", async () => {
    const completion = await openai.chat.completions.create({
      model: "openai/gpt-4o",
      messages: [{ role: "user", content: "Hello?" }],
      user: "sdk-user",
    });
    expect(completion.choices[0]?.message.content).toBe("Hello from the OpenRouter simulator.");
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 5, total_tokens: 14 });
    // 9 × 0.0000025 + 5 × 0.00001
    expect(costOf(completion.usage)).toBe(0.0000725);
    const [entry] = sim.ledger({ user: "sdk-user" });
    expect(entry).toMatchObject({ generationId: completion.id, costUsd: "0.0000725", costNano: 72_500n });
  });

  it("stream: true — content deltas, then usage with cost in the last chunk", async () => {
    const stream = await openai.chat.completions.create({
      model: "anthropic/claude-sonnet-4",
      messages: [{ role: "user", content: "Stream please" }],
      stream: true,
      // Deprecated and a no-op on OpenRouter; usage comes regardless. Sent as the SDK users do.
      stream_options: { include_usage: true },
      user: "sdk-stream",
    });
    let text = "";
    let usage: unknown = null;
    let chunks = 0;
    let id = "";
    for await (const chunk of stream) {
      chunks += 1;
      id = chunk.id;
      text += chunk.choices[0]?.delta?.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("Hello from the OpenRouter simulator.");
    expect(chunks).toBe(1 + 5 + 1 + 1); // role, 5 tokens, finish, usage
    expect(usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 5 });
    // 11 × 0.000003 + 5 × 0.000015
    expect(costOf(usage)).toBe(0.000108);
    expect(usdToNano(costOf(usage))).toBe(sim.ledger({ user: "sdk-stream" })[0]?.costNano);
    expect(id).toBe(sim.ledger({ user: "sdk-stream" })[0]?.generationId);
  });

  it("HTTP errors surface as APIError with OpenRouter's status and message", async () => {
    const error = await openai.chat.completions
      .create({
        model: "openai/gpt-4o-mini@sim:status=429,retry-after=2",
        messages: [{ role: "user", content: "x" }],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(429);
    expect((error as APIError).message).toContain("Provider returned error");
  });

  it("a mid-stream error chunk makes the SDK's iterator throw", async () => {
    const stream = await openai.chat.completions.create({
      model: "openai/gpt-4o-mini@sim:error-after=2,error-code=502",
      messages: [{ role: "user", content: "x" }],
      stream: true,
    });
    let text = "";
    const iterate = async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    };
    await expect(iterate()).rejects.toThrow(/Provider returned error/);
    expect(text).toBe("Hello from");
  });
});
