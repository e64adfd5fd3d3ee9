// Why: small shared helpers for the tests: a seeded PRNG (property tests must be reproducible:
// a failure prints its seed), raw HTTP calls to the simulator, and byte splitting.
import { FIXTURE_API_KEY } from "../src/simulator/index";

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Split `bytes` at `cuts` random positions (possibly inside a UTF-8 sequence or a "\r\n"). */
export function randomSplit(bytes: Uint8Array, random: () => number, cuts: number): Uint8Array[] {
  const points = new Set<number>();
  for (let i = 0; i < cuts; i += 1) points.add(1 + Math.floor(random() * Math.max(1, bytes.length - 1)));
  const sorted = [...points].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let last = 0;
  for (const p of sorted) {
    parts.push(bytes.subarray(last, p));
    last = p;
  }
  parts.push(bytes.subarray(last));
  return parts;
}

interface ChatCall {
  body?: Record<string, unknown>;
  key?: string;
  headers?: Record<string, string>;
}

export function chatRequest(url: string, call: ChatCall = {}): Promise<Response> {
  const headers: Record<string, string> = { "Content-Type": "application/json", ...call.headers };
  const key = call.key ?? FIXTURE_API_KEY;
  if (key !== "") headers.Authorization = `Bearer ${key}`;
  return fetch(`${url}/chat/completions`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "Say hello" }],
      ...call.body,
    }),
  });
}

/** The whole body of a (streamed) response as bytes. */
export async function bodyBytes(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls until `check` passes (for effects that follow a client abort). `timeoutMs` is a safety net
 * for an effect that never comes, far above what a loaded machine needs.
 */
export async function eventually(check: () => void, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(10);
    }
  }
}
