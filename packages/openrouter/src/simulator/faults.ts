// Why: the proxy must be tested against everything OpenRouter does on a bad day, on demand and
// deterministically. One knob set (`SimFaults`) is applied per request by merging, weakest first:
// the global faults (`setFaults`), queued one-shot faults (`pushFaults`), the `X-Sim-Faults`
// header, then a model-name suffix (`openai/gpt-4o-mini@sim:status=503`). The header and suffix
// exist so a test can steer a single request through an unmodified client (the openai SDK, a
// browser) without touching the simulator's global state.

type UsageChunkStyle = "repeat-stop" | "separate" | "empty";

export interface SimFaults {
  /** Delay before the first token (before the whole body when not streaming). */
  latencyMs?: number;
  /** Delay between tokens. */
  tokenLatencyMs?: number;
  /** Alternative to tokenLatencyMs: 1000 / tokensPerSecond between tokens. */
  tokensPerSecond?: number;
  /** Fail before the first token with this HTTP status (429, 500, 502, 503, …). Nothing is charged. */
  status?: number;
  /** Seconds, sent as `Retry-After` with `status` (default 1 for 429/503, none otherwise). */
  retryAfter?: number;
  /** Send a top-level `error` chunk (HTTP status already 200) after this many content tokens. */
  errorAfterTokens?: number;
  /** `error.code` of that chunk (default 502). */
  errorCode?: number;
  /** `choices` of the error chunk: `[{ finish_reason: "error" }]` (default) or `[]` (also seen live). */
  errorChoices?: "error" | "empty";
  /** Send `data: [DONE]` after the error chunk (default false; unverified either way live). */
  doneAfterError?: boolean;
  /** Destroy the connection after this many content tokens (charged as a cancellation). */
  dropAfterTokens?: number;
  /** Never send the usage chunk (the charge still happens and /generation has it). */
  noUsage?: boolean;
  /**
   * Streamed `usage.cost` lower than the charge: the stream reports the base price, /generation and
   * the ledger the model's tier price (2× base for models without a tier).
   */
  lowStreamCost?: boolean;
  /** Completion length in tokens (default: the reply's own length), capped by max_tokens. */
  completionTokens?: number;
  /** The reply text (split into word tokens); default "Hello from the OpenRouter simulator." */
  reply?: string;
  /** Where usage rides: "repeat-stop" (live 2026-07, default), "separate" (live 2025-09), "empty" (docs). */
  usageChunk?: UsageChunkStyle;
  /** Non-streaming: whitespace keep-alive newlines before the JSON body (seen live once). */
  leadingNewlines?: boolean;
}

export const FAULT_HEADER = "x-sim-faults";
export const REPLY_HEADER = "x-sim-reply";
const MODEL_FAULT_SEPARATOR = "@sim:";

export class FaultSyntaxError extends Error {}

function int(name: string, value: string | undefined, min = 0): number {
  const n = Number(value);
  if (value === undefined || value === "" || !Number.isFinite(n) || n < min) {
    throw new FaultSyntaxError(`Simulator fault "${name}" needs a number >= ${min}`);
  }
  return n;
}

/**
 * Parses `status=429,retry-after=2` / `latency=200,tps=50` / `error-after=3,error-code=429` /
 * `drop-after=2` / `no-usage` / `low-stream-cost` / `tokens=40` / `usage-chunk=empty` /
 * `error-choices=empty` / `done-after-error` / `leading-newlines` / `token-latency=5`.
 * Unknown names are an error (a typo must not silently test the happy path).
 */
export function parseFaults(spec: string): SimFaults {
  const faults: SimFaults = {};
  for (const part of spec.split(/[,;]/)) {
    const item = part.trim();
    if (item === "") continue;
    const eq = item.indexOf("=");
    const name = (eq === -1 ? item : item.slice(0, eq)).trim().toLowerCase();
    const value = eq === -1 ? undefined : item.slice(eq + 1).trim();
    switch (name) {
      case "latency":
        faults.latencyMs = int(name, value);
        break;
      case "token-latency":
        faults.tokenLatencyMs = int(name, value);
        break;
      case "tps":
        faults.tokensPerSecond = int(name, value, 1);
        break;
      case "status":
        faults.status = int(name, value, 400);
        break;
      case "retry-after":
        faults.retryAfter = int(name, value);
        break;
      case "error-after":
        faults.errorAfterTokens = int(name, value);
        break;
      case "error-code":
        faults.errorCode = int(name, value, 400);
        break;
      case "error-choices":
        if (value !== "error" && value !== "empty")
          throw new FaultSyntaxError('error-choices is "error" or "empty"');
        faults.errorChoices = value;
        break;
      case "done-after-error":
        faults.doneAfterError = true;
        break;
      case "drop-after":
        faults.dropAfterTokens = int(name, value);
        break;
      case "no-usage":
        faults.noUsage = true;
        break;
      case "low-stream-cost":
        faults.lowStreamCost = true;
        break;
      case "tokens":
        faults.completionTokens = int(name, value, 1);
        break;
      case "usage-chunk":
        if (value !== "repeat-stop" && value !== "separate" && value !== "empty") {
          throw new FaultSyntaxError('usage-chunk is "repeat-stop", "separate" or "empty"');
        }
        faults.usageChunk = value;
        break;
      case "leading-newlines":
        faults.leadingNewlines = true;
        break;
      default:
        throw new FaultSyntaxError(`Unknown simulator fault "${name}"`);
    }
  }
  return faults;
}

/** Splits `model@sim:faults` into the model slug and its fault spec. */
export function splitModelFaults(model: string): { model: string; spec: string | undefined } {
  const at = model.indexOf(MODEL_FAULT_SEPARATOR);
  if (at === -1) return { model, spec: undefined };
  return { model: model.slice(0, at), spec: model.slice(at + MODEL_FAULT_SEPARATOR.length) };
}

export function mergeFaults(...layers: (SimFaults | undefined | null)[]): SimFaults {
  const out: SimFaults = {};
  for (const layer of layers) {
    if (!layer) continue;
    for (const [k, v] of Object.entries(layer)) {
      if (v !== undefined) (out as Record<string, unknown>)[k] = v;
    }
  }
  return out;
}
