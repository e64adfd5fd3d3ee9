// The SSE observer and reader: property-style tests over random chunk boundaries (bytes captured
// from the simulator, so they are the real wire format), hand-written streams for shapes the
// simulator does not produce by default, and every streaming fault mode.
import { usdToNano } from "@mai/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ChatCompletionChunk,
  type ChatStreamSummary,
  createChatStreamObserver,
  readChatStream,
} from "../src/index";
import { replyTokens, startSimulator, type Simulator } from "../src/simulator/index";
import { bodyBytes, chatRequest, prng, randomSplit } from "./helpers";

const enc = new TextEncoder();

function observe(parts: Uint8Array[]): ChatStreamSummary {
  const observer = createChatStreamObserver();
  for (const part of parts) observer.push(part);
  return observer.finish();
}

async function readAll(
  parts: Uint8Array[],
): Promise<{ chunks: ChatCompletionChunk[]; summary: ChatStreamSummary }> {
  async function* source() {
    for (const part of parts) yield part;
  }
  const chunks: ChatCompletionChunk[] = [];
  const reader = readChatStream(source());
  for (;;) {
    const next = await reader.next();
    if (next.done) return { chunks, summary: next.value };
    chunks.push(next.value);
  }
}

function content(chunks: ChatCompletionChunk[]): string {
  return chunks.map((c) => c.choices?.[0]?.delta?.content ?? "").join("");
}

const REPLY = "Zażółć gęślą jaźń 🚀 — 日本語 ok";

let sim: Simulator;
let captured: Uint8Array;

beforeAll(async () => {
  sim = await startSimulator({ generationDelayMs: 0 });
  const res = await chatRequest(sim.url, {
    body: { stream: true, user: "alice" },
    headers: { "X-Sim-Reply": encodeURIComponent(REPLY), "X-Sim-Faults": "tokens=14" },
  });
  captured = await bodyBytes(res);
});
afterAll(() => sim.close());

describe("createChatStreamObserver over random chunk boundaries", () => {
  it("gives the same summary for every split of a real simulator stream (300 seeded cases)", () => {
    const reference = observe([captured]);
    expect(reference.id).toMatch(/^gen-\d+-[A-Za-z0-9]{20}$/);
    expect(reference.done).toBe(true);
    expect(reference.usage?.completion_tokens).toBe(14);
    expect(reference.comments).toBeGreaterThanOrEqual(2);
    const entry = sim.ledger({ user: "alice" })[0];
    expect(reference.costNano).toBe(entry?.costNano);
    for (let seed = 1; seed <= 300; seed += 1) {
      const random = prng(seed);
      const cuts = 1 + Math.floor(random() * 60);
      const summary = observe(randomSplit(captured, random, cuts));
      expect(summary, `seed ${seed}`).toEqual(reference);
    }
  });

  it("survives one byte per push, including inside multi-byte UTF-8 sequences", async () => {
    const parts = [...captured].map((b) => Uint8Array.of(b));
    expect(observe(parts)).toEqual(observe([captured]));
    const { chunks } = await readAll(parts);
    expect(content(chunks)).toBe(`${REPLY} lorem ipsum dolor sit amet lorem ipsum`);
    expect(content(chunks)).toBe(replyTokens(REPLY, 14).join(""));
  });

  it("reads the same chunks whatever the split, and reassembles UTF-8 content exactly", async () => {
    const reference = await readAll([captured]);
    expect(content(reference.chunks).startsWith(REPLY)).toBe(true);
    for (let seed = 1; seed <= 60; seed += 1) {
      const random = prng(1000 + seed);
      const got = await readAll(randomSplit(captured, random, 1 + Math.floor(random() * 40)));
      expect(got.chunks, `seed ${seed}`).toEqual(reference.chunks);
      expect(got.summary, `seed ${seed}`).toEqual(reference.summary);
    }
  });

  it("treats \\r\\n line endings exactly like \\n, split anywhere (also between \\r and \\n)", () => {
    const crlf = enc.encode(new TextDecoder().decode(captured).replaceAll("\n", "\r\n"));
    const reference = observe([captured]);
    for (let seed = 1; seed <= 100; seed += 1) {
      const random = prng(5000 + seed);
      expect(observe(randomSplit(crlf, random, 1 + Math.floor(random() * 50))), `seed ${seed}`).toEqual(
        reference,
      );
    }
  });
});

describe("stream shapes", () => {
  const head =
    '{"id":"gen-1-aaaaaaaaaaaaaaaaaaaa","model":"m/x","provider":"P","created":1,"object":"chat.completion.chunk"';
  const usage =
    '"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5,"cost":0.0000042,"is_byok":false}';

  it.each([
    ["empty choices (the docs)", `data: ${head},"choices":[],${usage}}\n\n`],
    [
      "separate chunk, non-empty choices (live 2025-09)",
      `data: ${head},"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],${usage}}\n\n`,
    ],
    [
      "repeated stop (live 2026-07)",
      `data: ${head},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop"}],${usage}}\n\n`,
    ],
  ])("finds usage on a chunk with %s", (_name, usageEvent) => {
    const text =
      ": OPENROUTER PROCESSING\n\n" +
      `data: ${head},"choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}\n\n` +
      ": OPENROUTER PROCESSING\n\n" +
      `data: ${head},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop","native_finish_reason":"STOP"}]}\n\n` +
      usageEvent +
      "data: [DONE]\n\n";
    const s = observe([enc.encode(text)]);
    expect(s.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 2, cost: 0.0000042 });
    expect(s.costNano).toBe(4200n);
    expect(s.finishReason).toBe("stop");
    expect(s.nativeFinishReason).toBe("STOP");
    expect(s).toMatchObject({
      id: "gen-1-aaaaaaaaaaaaaaaaaaaa",
      model: "m/x",
      provider: "P",
      done: true,
      chunks: 3,
      comments: 2,
      error: null,
    });
  });

  it.each([
    [
      "numeric code, finish_reason error, no [DONE]",
      502,
      `"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]`,
      "",
    ],
    ["string code, empty choices, then [DONE]", "server_error", `"choices":[]`, "data: [DONE]\n\n"],
  ])("recognises a top-level error chunk: %s", (_name, code, choices, tail) => {
    const text =
      `data: ${head},"choices":[{"index":0,"delta":{"content":"par"},"finish_reason":null}]}\n\n` +
      `data: ${head},"error":{"code":${JSON.stringify(code)},"message":"Provider returned error","metadata":{"error_type":"provider_unavailable"}},${choices}}\n\n` +
      tail;
    const s = observe([enc.encode(text)]);
    expect(s.error).toEqual({
      code,
      message: "Provider returned error",
      metadata: { error_type: "provider_unavailable" },
    });
    expect(s.done).toBe(tail !== "");
    expect(s.usage).toBeNull();
    expect(s.costNano).toBeNull();
  });

  it("joins multi-line data fields, accepts `data:` without a space, ignores event/id fields", () => {
    const text = `event: message\nid: 7\ndata:{"id":"gen-2-bbbbbbbbbbbbbbbbbbbb",\ndata: "choices":[],${usage}}\n\ndata:[DONE]\n\n`;
    const s = observe([enc.encode(text)]);
    expect(s.id).toBe("gen-2-bbbbbbbbbbbbbbbbbbbb");
    expect(s.usage?.total_tokens).toBe(5);
    expect(s.done).toBe(true);
  });

  it("looks at an event cut off without its blank line, and counts broken JSON as malformed", () => {
    const whole = observe([enc.encode(`data: ${head},"choices":[],${usage}}`)]);
    expect(whole.usage?.cost).toBe(0.0000042);
    const cut = observe([
      enc.encode(`data: ${head},"choices":[]}\n\ndata: ${head},"choices":[],"usage":{"prompt_tok`),
    ]);
    expect(cut).toMatchObject({ chunks: 2, malformed: 1, usage: null, done: false });
  });

  it("parses only events that can matter; the reader parses (and validates) all", async () => {
    // A broken content delta is invisible to the observer (never parsed) but not to the reader.
    const text =
      `data: ${head},"choices":[]}\n\n` +
      `data: {not json but no interesting words}\n\n` +
      `data: ${head},"choices":[],${usage}}\n\ndata: [DONE]\n\n`;
    expect(observe([enc.encode(text)])).toMatchObject({ chunks: 3, malformed: 0 });
    const { chunks, summary } = await readAll([enc.encode(text)]);
    expect(chunks).toHaveLength(2);
    expect(summary).toMatchObject({ chunks: 3, malformed: 1 });
  });

  it("reads a web ReadableStream too", async () => {
    const body = new Response(captured).body;
    if (body === null) throw new Error("no body");
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of readChatStream(body)) chunks.push(chunk);
    expect(content(chunks).startsWith(REPLY)).toBe(true);
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(14);
  });
});

describe("every streaming fault mode, read through the observer", () => {
  async function run(faults: string, extra: Record<string, unknown> = {}) {
    const res = await chatRequest(sim.url, {
      body: { stream: true, ...extra },
      headers: { "X-Sim-Faults": faults },
    });
    const generationId = res.headers.get("x-generation-id");
    const observer = createChatStreamObserver();
    let transportError: unknown = null;
    try {
      const reader = res.body?.getReader();
      for (;;) {
        const next = await reader?.read();
        if (!next || next.done) break;
        observer.push(next.value as Uint8Array); // a fetch body is bytes; Node types it ReadableStream<any>
      }
    } catch (error) {
      transportError = error;
    }
    return { summary: observer.finish(), generationId, transportError };
  }

  it("mid-stream error chunk: error, no usage, no [DONE]; the partial charge is in the ledger", async () => {
    const { summary, generationId } = await run("error-after=2,error-code=429");
    expect(summary.error).toMatchObject({
      code: 429,
      message: "Rate limit exceeded",
      metadata: { error_type: "rate_limit_exceeded" },
    });
    expect(summary).toMatchObject({ done: false, usage: null, finishReason: "error", id: generationId });
    const entry = sim.ledger().find((e) => e.generationId === generationId);
    expect(entry).toMatchObject({ outcome: "error", completionTokens: 2, reportedCostUsd: null });
  });

  it("mid-stream 5xx error with empty choices and a trailing [DONE]: message masked, no provider_code", async () => {
    const { summary } = await run("error-after=0,error-code=500,error-choices=empty,done-after-error");
    expect(summary.error).toEqual({
      code: 500,
      message: "Internal Server Error",
      metadata: { error_type: "server" },
    });
    expect(summary.done).toBe(true);
  });

  it("dropped connection: no usage, no [DONE], the transport fails", async () => {
    const { summary, transportError, generationId } = await run("drop-after=3,token-latency=5");
    expect(transportError).not.toBeNull();
    expect(summary).toMatchObject({ done: false, usage: null, error: null, id: generationId });
    expect(summary.chunks).toBeGreaterThanOrEqual(4);
  });

  it("no usage: [DONE] arrives but usage never does; the charge is still made", async () => {
    const { summary, generationId } = await run("no-usage");
    expect(summary).toMatchObject({ done: true, usage: null, finishReason: "stop" });
    expect(sim.ledger().find((e) => e.generationId === generationId)).toMatchObject({
      reportedCostUsd: null,
      outcome: "completed",
    });
  });

  it.each(["repeat-stop", "separate", "empty"])(
    "usage-chunk=%s: usage found, cost matches the ledger",
    async (style) => {
      const { summary, generationId } = await run(`usage-chunk=${style}`);
      const entry = sim.ledger().find((e) => e.generationId === generationId);
      expect(summary.costNano).toBe(entry?.costNano);
      expect(summary.usage?.cost).toBe(Number(entry?.costUsd));
    },
  );

  it("low-stream-cost: the streamed cost is below what was charged", async () => {
    const { summary, generationId } = await run("low-stream-cost");
    const entry = sim.ledger().find((e) => e.generationId === generationId);
    expect(entry?.reportedCostUsd).not.toBeNull();
    expect(summary.costNano).toBe(usdToNano(entry?.reportedCostUsd as string));
    expect(summary.costNano as bigint).toBeLessThan(entry?.costNano as bigint);
  });

  it("latency and tokens per second: keep-alive comments while waiting, same result", async () => {
    const started = Date.now();
    const { summary } = await run("latency=120,tps=200,tokens=8", {});
    expect(Date.now() - started).toBeGreaterThanOrEqual(120 + 7 * 5 - 5);
    expect(summary).toMatchObject({ done: true, error: null });
    expect(summary.usage?.completion_tokens).toBe(8);
  });

  it("max_tokens below the reply length: finish_reason length", async () => {
    const { summary } = await run("tokens=10", { max_tokens: 4 });
    expect(summary.finishReason).toBe("length");
    expect(summary.usage?.completion_tokens).toBe(4);
  });
});
