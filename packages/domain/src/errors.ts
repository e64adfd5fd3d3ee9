// Why: services throw one error type with a small, closed set of codes, so the API and the proxy can
// each map it exactly once (to tRPC codes in apps/api/src/trpc/init.ts, to OpenAI-shaped JSON in
// apps/proxy/src/errors.ts) instead of parsing messages. Messages are meant for humans and may be
// shown to them: never put a secret in one. A message of the catalog (./messages.ts) also carries
// its key and parameters, so a client can say it in the reader's language (domainError below).
import { serverMessage, type ServerMessageKey, type ServerMessageParams } from "./messages";

export type DomainErrorCode =
  | "INVALID_INPUT"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "LIMIT_EXCEEDED"
  /** Too many attempts in a short time (failed sign-ins): the same request may pass later. */
  | "THROTTLED"
  /** The request is well-formed, but the state it relies on is not there (a deactivated auto-join organisation). */
  | "PRECONDITION_FAILED"
  | "UPSTREAM_UNAVAILABLE";

export const DOMAIN_ERROR_CODES: readonly DomainErrorCode[] = [
  "INVALID_INPUT",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "LIMIT_EXCEEDED",
  "THROTTLED",
  "PRECONDITION_FAILED",
  "UPSTREAM_UNAVAILABLE",
];

export class DomainError extends Error {
  override name = "DomainError";
  readonly code: DomainErrorCode;
  readonly details?: Record<string, unknown>;
  /** The catalog key of the message (SERVER_MESSAGES), when it is one of the catalog's. */
  readonly messageKey?: ServerMessageKey;
  /** The message's parameters: shown to the reader, so never a secret. */
  readonly messageParams?: ServerMessageParams;

  constructor(
    code: DomainErrorCode,
    message: string,
    options?: {
      cause?: unknown;
      details?: Record<string, unknown>;
      messageKey?: ServerMessageKey;
      messageParams?: ServerMessageParams;
    },
  ) {
    // Only pass `cause` when given, so an error without one has no own `cause` property at all.
    super(message, options && "cause" in options ? { cause: options.cause } : undefined);
    this.code = code;
    if (options?.details !== undefined) this.details = options.details;
    if (options?.messageKey !== undefined) {
      this.messageKey = options.messageKey;
      this.messageParams = options.messageParams ?? {};
    }
  }
}

/** A DomainError whose message is the catalog's `key` in English, carrying the key and `params`. */
export function domainError(
  code: DomainErrorCode,
  key: ServerMessageKey,
  params: ServerMessageParams = {},
  options?: { cause?: unknown; details?: Record<string, unknown> },
): DomainError {
  return new DomainError(code, serverMessage(key, params), { ...options, messageKey: key, messageParams: params });
}

/**
 * True for a DomainError, also one created by another copy of this module (a bundler can duplicate
 * it, and then `instanceof` alone would silently turn a 404 into a 500).
 */
export function isDomainError(e: unknown): e is DomainError {
  if (e instanceof DomainError) return true;
  if (!(e instanceof Error) || e.name !== "DomainError") return false;
  const code: unknown = (e as { code?: unknown }).code;
  return typeof code === "string" && (DOMAIN_ERROR_CODES as readonly string[]).includes(code);
}
