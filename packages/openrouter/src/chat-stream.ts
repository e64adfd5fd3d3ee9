// Why: the proxy forwards OpenRouter's SSE bytes to its client untouched and only *observes* a tee
// of them to learn the generation id, the usage (with `cost`) and whether the stream failed. The
// observer is therefore synchronous and push-based, and it JSON-parses only the events that can
// carry something it needs: the first one (id, model, provider) and those whose text mentions
// `"usage"`, `"error"` or a non-null `"finish_reason"`. Content deltas are only counted. Live
// OpenRouter puts `usage` on a chunk whose `choices` is sometimes empty (the docs) and sometimes
// not (every live capture), so usage is taken from whichever chunk holds it.
import { usdToNano } from "@mai/domain";
import { type ChatCompletionChunk, ChatCompletionChunkSchema, type Usage, UsageSchema } from "./schemas";

/** A top-level `error` chunk (mid-stream failure: the HTTP status was already 200). */
interface ChatStreamError {
  /** Usually a number (an HTTP-style status); an older documented example uses a string. */
  code: number | string | null;
  message: string;
  metadata: Record<string, unknown> | null;
}

export interface ChatStreamSummary {
  /** The generation id (`gen-…`) from the first chunk that carried one. */
  id: string | null;
  model: string | null;
  provider: string | null;
  created: number | null;
  /** The last usage object seen (OpenRouter sends exactly one). */
  usage: Usage | null;
  /** `usage.cost` as exact nano-USD (`usdToNano` of the number's decimal text), or null. */
  costNano: bigint | null;
  /** A top-level `error` chunk, or a choice that finished with `finish_reason: "error"`. */
  error: ChatStreamError | null;
  /** Whether `data: [DONE]` arrived. It may be absent after an error or a dropped connection. */
  done: boolean;
  /** Data events other than `[DONE]`. */
  chunks: number;
  /** The last non-null `choices[0].finish_reason`. */
  finishReason: string | null;
  nativeFinishReason: string | null;
  /** `:` comment lines, e.g. `: OPENROUTER PROCESSING`. */
  comments: number;
  /** Data events that should have been parsed but were not JSON (e.g. cut by a dropped connection). */
  malformed: number;
}

interface ChatStreamObserver {
  /** Feed the next bytes exactly as they came off the wire, split anywhere. */
  push(bytes: Uint8Array): void;
  /** Flush what is left (an unterminated last event counts) and return the summary. Idempotent. */
  finish(): ChatStreamSummary;
  /** The summary so far (a live object; do not mutate). */
  readonly summary: Readonly<ChatStreamSummary>;
}

interface ChatStreamObserverOptions {
  /**
   * Called with every parsed data event. Setting it makes the observer parse every event (that is
   * what the async reader does); without it only the interesting events are parsed.
   */
  onChunk?: (chunk: Record<string, unknown>) => void;
}

// One scan of the event text for anything worth parsing: usage, an error, a finish reason set.
const WORTH_PARSING = /"(?:usage|error)"|"finish_reason"\s*:\s*"/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function toStreamError(value: Record<string, unknown>): ChatStreamError {
  const code = value.code;
  return {
    code: typeof code === "number" || typeof code === "string" ? code : null,
    message: typeof value.message === "string" ? value.message : "Unknown error",
    metadata: isRecord(value.metadata) ? value.metadata : null,
  };
}

export function createChatStreamObserver(options: ChatStreamObserverOptions = {}): ChatStreamObserver {
  const onChunk = options.onChunk;
  const decoder = new TextDecoder("utf-8");
  const summary: ChatStreamSummary = {
    id: null,
    model: null,
    provider: null,
    created: null,
    usage: null,
    costNano: null,
    error: null,
    done: false,
    chunks: 0,
    finishReason: null,
    nativeFinishReason: null,
    comments: 0,
    malformed: 0,
  };
  // Text after the last newline (never contains "\n"), and the data lines of the current event.
  let pending = "";
  let data: string | null = null;
  let finished = false;

  function apply(chunk: Record<string, unknown>): void {
    if (summary.id === null && typeof chunk.id === "string") {
      summary.id = chunk.id;
      if (typeof chunk.model === "string") summary.model = chunk.model;
      if (typeof chunk.provider === "string") summary.provider = chunk.provider;
      if (typeof chunk.created === "number") summary.created = chunk.created;
    }
    if (isRecord(chunk.usage)) {
      const parsed = UsageSchema.safeParse(chunk.usage);
      if (parsed.success) summary.usage = parsed.data;
    }
    if (isRecord(chunk.error)) summary.error = toStreamError(chunk.error);
    const choices = chunk.choices;
    if (Array.isArray(choices) && isRecord(choices[0])) {
      const choice = choices[0];
      if (typeof choice.finish_reason === "string") {
        summary.finishReason = choice.finish_reason;
        if (typeof choice.native_finish_reason === "string")
          summary.nativeFinishReason = choice.native_finish_reason;
        if (choice.finish_reason === "error" && summary.error === null) {
          summary.error = isRecord(choice.error)
            ? toStreamError(choice.error)
            : { code: null, message: "The generation finished with an error", metadata: null };
        }
      }
    }
  }

  function dispatch(event: string): void {
    if (event === "[DONE]") {
      summary.done = true;
      return;
    }
    summary.chunks += 1;
    const interesting = onChunk !== undefined || summary.id === null || WORTH_PARSING.test(event);
    if (!interesting) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(event);
    } catch {
      summary.malformed += 1;
      return;
    }
    if (!isRecord(parsed)) {
      summary.malformed += 1;
      return;
    }
    apply(parsed);
    onChunk?.(parsed);
  }

  function line(text: string): void {
    if (text.length === 0) {
      if (data !== null) {
        const event = data;
        data = null;
        dispatch(event);
      }
      return;
    }
    const first = text.charCodeAt(0);
    if (first === 58 /* ":" */) {
      summary.comments += 1;
      return;
    }
    if (text.startsWith("data:")) {
      // SSE: one optional space after the colon belongs to the syntax, not the value.
      const value = text.charCodeAt(5) === 32 ? text.slice(6) : text.slice(5);
      data = data === null ? value : `${data}\n${value}`;
    }
    // `event:`, `id:`, `retry:` and unknown fields carry nothing we need on chat streams.
  }

  function feed(text: string): void {
    if (text.length === 0) return;
    const buffer = pending.length === 0 ? text : pending + text;
    // `pending` holds no "\n", so the search can start where the new text begins.
    let start = 0;
    let newline = buffer.indexOf("\n", pending.length);
    while (newline !== -1) {
      const end = newline > start && buffer.charCodeAt(newline - 1) === 13 /* "\r" */ ? newline - 1 : newline;
      line(buffer.slice(start, end));
      start = newline + 1;
      newline = buffer.indexOf("\n", start);
    }
    pending = start === 0 ? buffer : buffer.slice(start);
  }

  return {
    push(bytes: Uint8Array): void {
      if (finished) throw new Error("push() after finish()");
      // stream: true keeps a multi-byte UTF-8 sequence split across pushes for the next call.
      feed(decoder.decode(bytes, { stream: true }));
    },
    finish(): ChatStreamSummary {
      if (!finished) {
        finished = true;
        feed(decoder.decode());
        if (pending.length > 0) {
          const last = pending.endsWith("\r") ? pending.slice(0, -1) : pending;
          pending = "";
          line(last);
        }
        // An event cut off without its blank line (a dropped connection) is still looked at.
        line("");
        const cost = summary.usage?.cost;
        summary.costNano = typeof cost === "number" && Number.isFinite(cost) ? usdToNano(cost) : null;
      }
      return summary;
    },
    get summary() {
      return summary;
    },
  };
}

function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return isRecord(value) && typeof (value as { getReader?: unknown }).getReader === "function";
}

async function* bytesOf(
  source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  if (isReadableStream(source)) {
    const reader = source.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      // Stopping early (break, throw) cancels the body so the connection is released.
      await reader.cancel().catch(() => undefined);
    }
  } else {
    yield* source;
  }
}

/**
 * Parse a chat-completions SSE body into chunks. Yields every data event (including usage-only and
 * error chunks; the caller decides what an error means) and returns the summary when the stream
 * ends. Events that are not valid chunk JSON are counted in `summary.malformed` and skipped.
 */
export async function* readChatStream(
  stream: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
): AsyncGenerator<ChatCompletionChunk, ChatStreamSummary> {
  const queue: ChatCompletionChunk[] = [];
  let invalid = 0;
  const observer = createChatStreamObserver({
    onChunk(raw) {
      const parsed = ChatCompletionChunkSchema.safeParse(raw);
      if (parsed.success) queue.push(parsed.data);
      else invalid += 1;
    },
  });
  for await (const bytes of bytesOf(stream)) {
    observer.push(bytes);
    while (queue.length > 0) yield queue.shift() as ChatCompletionChunk;
  }
  const summary = observer.finish();
  while (queue.length > 0) yield queue.shift() as ChatCompletionChunk;
  summary.malformed += invalid;
  return summary;
}
