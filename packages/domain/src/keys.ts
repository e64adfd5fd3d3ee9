// Why: an OpenRouter key is checked here, once, before it is stored, used for org sync or sent
// upstream — so a typo is reported to the administrator in plain words instead of surfacing later
// as a 401 from OpenRouter. Keys are secrets: no message produced here ever contains a key or any
// part of it, and maskKey is the only sanctioned way to show one.

import { serverMessage, type ServerMessageParams } from "./messages";

export type KeyErrorCode =
  | "empty"
  | "missing_prefix"
  | "whitespace"
  | "invalid_characters"
  | "too_short"
  | "too_long"
  | "malformed_v1";

/**
 * A key that passed validateOpenRouterKey: the only way to get one. Functions that store a key or
 * send it upstream take this type, so "validated once, before use" is checked by the compiler.
 */
export type OpenRouterKey = string & { readonly __brand: "OpenRouterKey" };

export type KeyValidation =
  | { ok: true; key: OpenRouterKey }
  | {
      ok: false;
      code: KeyErrorCode;
      /** The refusal in English: the catalog's `messageKey` with `messageParams` (never any part of the key). */
      message: string;
      messageKey: `key.${KeyErrorCode}`;
      messageParams: ServerMessageParams;
    };

const PREFIX = "sk-or-";
const V1_PREFIX = "sk-or-v1-";
const V1_PATTERN = /^sk-or-v1-[0-9a-f]{64}$/;
const ALLOWED = /^[A-Za-z0-9_-]+$/;
const WHITESPACE = /\s/;
/** Shortest accepted secret after `sk-or-` for keys that are not v1 (older or future formats). */
const MIN_SECRET_LENGTH = 20;
const MAX_LENGTH = 256;

/**
 * The catalog's message of a refusal (SERVER_MESSAGES.key, ./messages.ts): fixed sentences, not
 * templates of the input — a message built from the input could leak the key. The only parameter is
 * the maximum length.
 */
function fail(code: KeyErrorCode): KeyValidation {
  const messageKey = `key.${code}` as const;
  const messageParams: ServerMessageParams = code === "too_long" ? { max: MAX_LENGTH } : {};
  return { ok: false, code, message: serverMessage(messageKey, messageParams), messageKey, messageParams };
}

export function validateOpenRouterKey(raw: unknown): KeyValidation {
  if (typeof raw !== "string") return fail("empty");
  const key = raw.trim();
  if (key === "") return fail("empty");
  // Length first: a pasted document must not reach the pattern checks below.
  if (key.length > MAX_LENGTH) return fail("too_long");
  if (WHITESPACE.test(key)) return fail("whitespace");
  if (!key.startsWith(PREFIX)) return fail("missing_prefix");
  if (!ALLOWED.test(key)) return fail("invalid_characters");
  if (key.startsWith(V1_PREFIX)) return V1_PATTERN.test(key) ? { ok: true, key: key as OpenRouterKey } : fail("malformed_v1");
  if (key.length - PREFIX.length < MIN_SECRET_LENGTH) return fail("too_short");
  return { ok: true, key: key as OpenRouterKey };
}

// Longest first, so "sk-or-v1-" wins over "sk-or-".
const KNOWN_PREFIXES = ["sk-or-v1-", "sk-or-", "mai_"] as const;

/**
 * A key made safe to show: the known prefix, then at most 4 characters from each end of the secret.
 * Short secrets reveal proportionally less (a quarter from each end), so at least half of any secret
 * stays hidden. Never throws: it is called on display paths.
 */
export function maskKey(key: string): string {
  if (typeof key !== "string") return "…";
  const prefix = KNOWN_PREFIXES.find((p) => key.startsWith(p)) ?? "";
  // Code points, not UTF-16 units: a mask must not split a surrogate pair into garbage.
  const secret = Array.from(key.slice(prefix.length));
  const n = Math.min(4, Math.floor(secret.length / 4));
  if (n === 0) return `${prefix}…`;
  return `${prefix}${secret.slice(0, n).join("")}…${secret.slice(-n).join("")}`;
}
