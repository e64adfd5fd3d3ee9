// Why: one error type for everything that can go wrong talking to OpenRouter, so callers branch on
// `status`/`code` instead of parsing strings, and so no key can ever leak through an error. The
// error never holds the request (headers carry the key); anything key-shaped in a server message is
// redacted anyway, because some services echo the credential they rejected.
import { inspect } from "node:util";

/** `sk-or-…` keys (any version) and anything that looks like a bearer token. */
const KEY_PATTERN = /sk-or-[A-Za-z0-9_-]*|Bearer\s+\S+/g;

function redactKeys(text: string): string {
  return text.replace(KEY_PATTERN, (match) =>
    match.startsWith("Bearer") ? "Bearer [redacted]" : "sk-or-[redacted]",
  );
}

function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactKeys(value);
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, depth + 1);
  return out;
}

/**
 * `code` is OpenRouter's `error.code`: usually the HTTP status as a number, sometimes a string
 * (`"server_error"` in an older streaming example). Errors that never reached OpenRouter have
 * `status: 0` and a string code: `timeout`, `network_error`, `aborted`; a response that failed
 * validation has its HTTP status and `invalid_response`; a client call without a key, `no_key`.
 */
type OpenRouterErrorCode = number | string;

interface OpenRouterErrorInit {
  status: number;
  code: OpenRouterErrorCode;
  message: string;
  metadata?: Record<string, unknown> | undefined;
  /** Seconds, from `Retry-After` (429/503). */
  retryAfter?: number | undefined;
  /** OpenRouter's `user_id` from the envelope (`user_…` or `org_…`); not a secret. */
  userId?: string | undefined;
  /** e.g. "GET /key": which call failed; never the URL's query or any header. */
  operation?: string | undefined;
  cause?: unknown;
}

export class OpenRouterError extends Error {
  override readonly name = "OpenRouterError";
  readonly status: number;
  readonly code: OpenRouterErrorCode;
  readonly metadata: Record<string, unknown> | undefined;
  readonly retryAfter: number | undefined;
  readonly userId: string | undefined;
  readonly operation: string | undefined;

  constructor(init: OpenRouterErrorInit) {
    // The cause is kept only when it is one of ours or a plain network error: fetch's errors carry
    // the URL (no key) but never headers.
    super(redactKeys(init.message), init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.metadata =
      init.metadata === undefined ? undefined : (redactValue(init.metadata) as Record<string, unknown>);
    this.retryAfter = init.retryAfter;
    this.userId = init.userId;
    this.operation = init.operation;
  }

  /** 429, 5xx (except 501) and transport failures are worth retrying; 4xx otherwise are not. */
  get retryable(): boolean {
    if (this.status === 0) return this.code !== "aborted" && this.code !== "no_key";
    return this.status === 408 || this.status === 429 || (this.status >= 500 && this.status !== 501);
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      status: this.status,
      code: this.code,
      message: this.message,
      metadata: this.metadata,
      retryAfter: this.retryAfter,
      userId: this.userId,
      operation: this.operation,
    };
  }

  [inspect.custom](): string {
    return `OpenRouterError [${this.status} ${String(this.code)}]${this.operation ? ` ${this.operation}` : ""}: ${this.message}`;
  }
}

export function isOpenRouterError(value: unknown): value is OpenRouterError {
  return value instanceof OpenRouterError;
}
