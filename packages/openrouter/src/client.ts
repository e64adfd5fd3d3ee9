// Why: the one place that speaks OpenRouter's HTTP API. Every response is validated (loosely:
// extra fields pass) so a shape change fails loudly at the boundary instead of deep in billing,
// and every failure becomes one `OpenRouterError`. Keys are passed per call or set once on the
// client; they go into the Authorization header and nowhere else (not into errors, not into logs).
import { z } from "zod";
import { readChatStream, type ChatStreamSummary } from "./chat-stream";
import { OpenRouterError } from "./errors";
import {
  type ApiKey,
  ApiKeyResponseSchema,
  type ChatCompletion,
  type ChatCompletionChunk,
  ChatCompletionSchema,
  type ChatRequest,
  type CreateKeyResponse,
  CreateKeyResponseSchema,
  type Credits,
  CreditsResponseSchema,
  type DeleteKeyResponse,
  DeleteKeyResponseSchema,
  ErrorEnvelopeSchema,
  type Generation,
  GenerationResponseSchema,
  type KeyInfo,
  KeyInfoResponseSchema,
  CurrentKeyResponseSchema,
  type CurrentKey,
  type LimitReset,
  ListKeysResponseSchema,
  type Model,
  ModelsResponseSchema,
} from "./schemas";

const DEFAULT_BASE_URL = "https://openrouter.ai/api/v1";

interface GenerationRetryOptions {
  /** Retries after the first 404 (default 6). */
  retries?: number;
  /** First backoff delay; doubles each time (default 250 ms). */
  initialDelayMs?: number;
  /** Cap on one delay (default 2000 ms). */
  maxDelayMs?: number;
}

interface OpenRouterClientOptions {
  /** Default `https://openrouter.ai/api/v1`; the simulator's `sim.url` in tests. */
  baseUrl?: string;
  /** Default key for inference-side calls (`chat`, `getGeneration`). */
  apiKey?: string;
  /** Default management ("provisioning") key for `/keys` and `/credits`. */
  managementKey?: string;
  /** Per-request timeout for JSON calls (default 30 s). Streams: time to response headers. */
  timeoutMs?: number;
  /** App attribution: sent as `HTTP-Referer`. */
  appUrl?: string;
  /** App attribution: sent as `X-OpenRouter-Title` (and the legacy `X-Title`). */
  appTitle?: string;
  /** `getGeneration`'s retry of the transient 404 right after a completion. */
  generationRetry?: GenerationRetryOptions;
  /** Injected fetch (defaults to the global, undici-based one). */
  fetch?: typeof fetch;
}

interface CallOptions {
  /** Overrides the client's default key for this call. */
  key?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

interface CreateKeyInput {
  name: string;
  /** USD; null or absent = no limit. */
  limit?: number | null;
  limitReset?: LimitReset | null;
  includeByokInLimit?: boolean;
  /** ISO-8601 in UTC. */
  expiresAt?: string | null;
}

export interface UpdateKeyInput {
  name?: string;
  disabled?: boolean;
  limit?: number | null;
  limitReset?: LimitReset | null;
  includeByokInLimit?: boolean;
}

interface ListKeysInput {
  offset?: number;
  includeDisabled?: boolean;
}

/** A streamed chat completion: iterate the chunks; `summary` is set once iteration has ended. */
interface ChatStream extends AsyncIterable<ChatCompletionChunk> {
  /** From the `X-Generation-Id` header, before any chunk arrives. */
  readonly generationId: string | null;
  readonly response: Response;
  summary: ChatStreamSummary | null;
}

type Kind = "api" | "management" | "any" | "none";

function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Turn a non-2xx response into the typed error. The body is read, the request is not kept. */
async function errorFromResponse(response: Response, operation: string): Promise<OpenRouterError> {
  const text = await response.text().catch(() => "");
  const retryAfter = parseRetryAfter(response.headers.get("retry-after"), Date.now());
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const envelope = ErrorEnvelopeSchema.safeParse(parsed);
  if (envelope.success) {
    const { error } = envelope.data;
    return new OpenRouterError({
      status: response.status,
      code: error.code ?? response.status,
      message: error.message ?? (response.statusText || `HTTP ${response.status}`),
      metadata: error.metadata ?? undefined,
      retryAfter,
      userId: envelope.data.user_id ?? undefined,
      operation,
    });
  }
  const snippet = text.trim().slice(0, 200);
  return new OpenRouterError({
    status: response.status,
    code: response.status,
    message: snippet || response.statusText || `HTTP ${response.status}`,
    retryAfter,
    operation,
  });
}

function transportError(error: unknown, operation: string, signal: AbortSignal | undefined): OpenRouterError {
  if (error instanceof OpenRouterError) return error;
  const name = error instanceof Error ? error.name : "";
  if (name === "TimeoutError" || (name === "AbortError" && !signal?.aborted)) {
    return new OpenRouterError({ status: 0, code: "timeout", message: `${operation} timed out`, operation });
  }
  if (name === "AbortError" || signal?.aborted) {
    return new OpenRouterError({
      status: 0,
      code: "aborted",
      message: `${operation} was aborted`,
      operation,
    });
  }
  const detail =
    error instanceof Error
      ? error.cause instanceof Error
        ? error.cause.message
        : error.message
      : String(error);
  return new OpenRouterError({
    status: 0,
    code: "network_error",
    message: `${operation} failed: ${detail}`,
    operation,
    cause: error instanceof Error && !(error.cause instanceof Error) ? error : undefined,
  });
}

export class OpenRouterClient {
  readonly baseUrl: string;
  private readonly apiKey: string | undefined;
  private readonly managementKey: string | undefined;
  private readonly timeoutMs: number;
  private readonly attribution: Record<string, string>;
  private readonly retry: Required<GenerationRetryOptions>;
  private readonly fetchImpl: typeof fetch;

  constructor(options: OpenRouterClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
    this.apiKey = options.apiKey;
    this.managementKey = options.managementKey;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.attribution = {};
    if (options.appUrl) this.attribution["HTTP-Referer"] = options.appUrl;
    if (options.appTitle) {
      this.attribution["X-OpenRouter-Title"] = options.appTitle;
      // Older deployments read only the legacy name; sending both costs nothing.
      this.attribution["X-Title"] = options.appTitle;
    }
    this.retry = {
      retries: options.generationRetry?.retries ?? 6,
      initialDelayMs: options.generationRetry?.initialDelayMs ?? 250,
      maxDelayMs: options.generationRetry?.maxDelayMs ?? 2000,
    };
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  /** Headers every request carries: attribution, and the key when the call needs one. */
  headers(key?: string): Record<string, string> {
    const headers: Record<string, string> = { Accept: "application/json", ...this.attribution };
    if (key !== undefined) headers.Authorization = `Bearer ${key}`;
    return headers;
  }

  private keyFor(kind: Kind, operation: string, options: CallOptions | undefined): string | undefined {
    if (kind === "none") return undefined;
    const key =
      options?.key ?? (kind === "management" ? this.managementKey : kind === "api" ? this.apiKey : undefined);
    if (!key) {
      throw new OpenRouterError({
        status: 0,
        code: "no_key",
        message: `${operation} needs ${kind === "management" ? "a management key" : "an API key"}`,
        operation,
      });
    }
    return key;
  }

  private async send(
    method: string,
    path: string,
    kind: Kind,
    options: CallOptions | undefined,
    body?: unknown,
  ): Promise<{ response: Response; done: () => void }> {
    const operation = `${method} ${path.split("?")[0]}`;
    const key = this.keyFor(kind, operation, options);
    const headers = this.headers(key);
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const timeoutMs = options?.timeoutMs ?? this.timeoutMs;
    // JSON calls: the timeout covers the whole exchange, body included. Streams: only the wait for
    // the response headers (a long answer is not a hung one); the caller's signal covers the rest.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DOMException("timed out", "TimeoutError")), timeoutMs);
    const signal = options?.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      clearTimeout(timer);
      throw transportError(
        deadline.signal.aborted ? deadline.signal.reason : error,
        operation,
        options?.signal,
      );
    }
    if (!response.ok) {
      try {
        throw await errorFromResponse(response, operation);
      } finally {
        clearTimeout(timer);
      }
    }
    return { response, done: () => clearTimeout(timer) };
  }

  private async json<S extends z.ZodType>(
    schema: S,
    method: string,
    path: string,
    kind: Kind,
    options: CallOptions | undefined,
    body?: unknown,
  ): Promise<z.infer<S>> {
    const operation = `${method} ${path.split("?")[0]}`;
    const { response, done } = await this.send(method, path, kind, options, body);
    let payload: unknown;
    try {
      payload = await response.json();
    } catch (error) {
      done();
      if (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError")) {
        throw transportError(error, operation, options?.signal);
      }
      throw new OpenRouterError({
        status: response.status,
        code: "invalid_response",
        message: `${operation} returned a body that is not JSON`,
        operation,
      });
    }
    done();
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
        .join("; ");
      throw new OpenRouterError({
        status: response.status,
        code: "invalid_response",
        message: `${operation} returned an unexpected shape: ${issues}`,
        operation,
      });
    }
    return parsed.data;
  }

  // --- Inference-side ---------------------------------------------------------------------------

  /** `GET /key`: the calling key's limit and usage. Works with any key, management keys included. */
  async getKeyInfo(key: string, options?: Omit<CallOptions, "key">): Promise<KeyInfo> {
    const body = await this.json(KeyInfoResponseSchema, "GET", "/key", "any", { ...options, key });
    return body.data;
  }

  /**
   * `GET /key` (the spec's `getCurrentKey`) with the per-period usage counters required: what
   * key-level reconciliation reads for a key the client supplied (only the key itself can ask).
   */
  async getCurrentKey(key: string, options?: Omit<CallOptions, "key">): Promise<CurrentKey> {
    const body = await this.json(CurrentKeyResponseSchema, "GET", "/key", "any", { ...options, key });
    return body.data;
  }

  /**
   * `GET /generation?id=`. Right after a completion OpenRouter answers 404 for a while (about half a
   * second, sometimes longer), so a 404 is retried with exponential backoff before it is believed.
   * `retries` overrides the client's count for this call (0: believe the first 404 — a caller that
   * asks long after the completion and backs off on its own, as reconciliation does).
   */
  async getGeneration(id: string, options?: CallOptions & { retries?: number }): Promise<Generation> {
    const path = `/generation?id=${encodeURIComponent(id)}`;
    const retries = options?.retries ?? this.retry.retries;
    let delay = this.retry.initialDelayMs;
    for (let attempt = 0; ; attempt += 1) {
      try {
        const body = await this.json(GenerationResponseSchema, "GET", path, "api", options);
        return body.data;
      } catch (error) {
        if (!(error instanceof OpenRouterError) || error.status !== 404 || attempt >= retries)
          throw error;
      }
      await sleep(delay, options?.signal);
      delay = Math.min(delay * 2, this.retry.maxDelayMs);
    }
  }

  /** `GET /models` (public). Prices stay decimal strings, exactly as OpenRouter sent them. */
  async listModels(options?: Omit<CallOptions, "key">): Promise<Model[]> {
    const body = await this.json(ModelsResponseSchema, "GET", "/models", "none", options);
    return body.data;
  }

  /**
   * Non-streaming chat completion. A 200 whose body is an error (a top-level `error`, or
   * `finish_reason: "error"` with no content) is thrown as an `OpenRouterError` too.
   */
  async chat(request: ChatRequest, options?: CallOptions): Promise<ChatCompletion> {
    const operation = "POST /chat/completions";
    const raw = await this.json(z.unknown(), "POST", "/chat/completions", "api", options, {
      ...request,
      stream: false,
    });
    const envelope = ErrorEnvelopeSchema.safeParse(raw);
    const completion = ChatCompletionSchema.safeParse(raw);
    const failed = completion.success
      ? completion.data.choices.find((c) => c.finish_reason === "error")
      : undefined;
    if (envelope.success || failed !== undefined) {
      const info = envelope.success ? envelope.data.error : (failed?.error ?? {});
      const code = info.code ?? 500;
      throw new OpenRouterError({
        status: typeof code === "number" ? code : 500,
        code,
        message: info.message ?? "The generation failed",
        metadata: info.metadata ?? undefined,
        operation,
      });
    }
    if (!completion.success) {
      throw new OpenRouterError({
        status: 200,
        code: "invalid_response",
        message: `${operation} returned an unexpected shape: ${completion.error.issues[0]?.message ?? "invalid"}`,
        operation,
      });
    }
    return completion.data;
  }

  /**
   * Streaming chat completion. Errors before the first token throw here (a real HTTP status);
   * errors after it arrive as a chunk with a top-level `error`, which is yielded like any other
   * chunk and also lands in `summary.error`.
   */
  async chatStream(request: ChatRequest, options?: CallOptions): Promise<ChatStream> {
    const { response, done } = await this.send("POST", "/chat/completions", "api", options, {
      ...request,
      stream: true,
    });
    done();
    if (response.body === null) {
      throw new OpenRouterError({
        status: response.status,
        code: "invalid_response",
        message: "POST /chat/completions returned no body",
        operation: "POST /chat/completions",
      });
    }
    const body = response.body;
    const stream: ChatStream = {
      generationId: response.headers.get("x-generation-id"),
      response,
      summary: null,
      async *[Symbol.asyncIterator]() {
        const reader = readChatStream(body);
        for (;;) {
          let next: IteratorResult<ChatCompletionChunk, ChatStreamSummary>;
          try {
            next = await reader.next();
          } catch (error) {
            throw transportError(error, "POST /chat/completions (stream)", options?.signal);
          }
          if (next.done) {
            stream.summary = next.value;
            return;
          }
          yield next.value;
        }
      },
    };
    return stream;
  }

  // --- Management API (management key) ----------------------------------------------------------

  /** `POST /keys` → 201 `{ data, key }`. `key` is the plaintext key: OpenRouter never shows it again. */
  async createKey(input: CreateKeyInput, options?: CallOptions): Promise<CreateKeyResponse> {
    const body: Record<string, unknown> = { name: input.name };
    if (input.limit !== undefined) body.limit = input.limit;
    if (input.limitReset !== undefined) body.limit_reset = input.limitReset;
    if (input.includeByokInLimit !== undefined) body.include_byok_in_limit = input.includeByokInLimit;
    if (input.expiresAt !== undefined) body.expires_at = input.expiresAt;
    return this.json(CreateKeyResponseSchema, "POST", "/keys", "management", options, body);
  }

  /** `GET /keys`: at most 100 keys per page, newest first; page with `offset`. */
  async listKeys(input: ListKeysInput = {}, options?: CallOptions): Promise<ApiKey[]> {
    const query = new URLSearchParams();
    if (input.offset !== undefined) query.set("offset", String(input.offset));
    if (input.includeDisabled !== undefined) query.set("include_disabled", String(input.includeDisabled));
    const suffix = query.size > 0 ? `?${query.toString()}` : "";
    const body = await this.json(ListKeysResponseSchema, "GET", `/keys${suffix}`, "management", options);
    return body.data;
  }

  /**
   * `GET /keys/:hash` (404 → OpenRouterError with status 404). The second argument may be the
   * management (provisioning) key itself, or the usual options.
   */
  async getKey(hash: string, managementKeyOrOptions?: string | CallOptions): Promise<ApiKey> {
    const options =
      typeof managementKeyOrOptions === "string" ? { key: managementKeyOrOptions } : managementKeyOrOptions;
    const body = await this.json(
      ApiKeyResponseSchema,
      "GET",
      `/keys/${encodeURIComponent(hash)}`,
      "management",
      options,
    );
    return body.data;
  }

  /** `PATCH /keys/:hash`: only the fields given are sent (null clears a limit). */
  async updateKey(hash: string, input: UpdateKeyInput, options?: CallOptions): Promise<ApiKey> {
    const patch: Record<string, unknown> = {};
    if (input.name !== undefined) patch.name = input.name;
    if (input.disabled !== undefined) patch.disabled = input.disabled;
    if (input.limit !== undefined) patch.limit = input.limit;
    if (input.limitReset !== undefined) patch.limit_reset = input.limitReset;
    if (input.includeByokInLimit !== undefined) patch.include_byok_in_limit = input.includeByokInLimit;
    const body = await this.json(
      ApiKeyResponseSchema,
      "PATCH",
      `/keys/${encodeURIComponent(hash)}`,
      "management",
      options,
      patch,
    );
    return body.data;
  }

  /** `DELETE /keys/:hash` → `{ deleted: true }` (no `data` wrapper). */
  async deleteKey(hash: string, options?: CallOptions): Promise<DeleteKeyResponse> {
    return this.json(
      DeleteKeyResponseSchema,
      "DELETE",
      `/keys/${encodeURIComponent(hash)}`,
      "management",
      options,
    );
  }

  /** `GET /credits`: account balance = total_credits − total_usage. Management key only (403 otherwise). */
  async getCredits(options?: CallOptions): Promise<Credits> {
    const body = await this.json(CreditsResponseSchema, "GET", "/credits", "management", options);
    return body.data;
  }
}
