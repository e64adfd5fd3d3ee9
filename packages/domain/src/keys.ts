// Why: an OpenRouter key is checked here, once, before it is stored, used for org sync or sent
// upstream — so a typo is reported to the administrator in plain words instead of surfacing later
// as a 401 from OpenRouter. Keys are secrets: no message produced here ever contains a key or any
// part of it, and maskKey is the only sanctioned way to show one.

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

export type KeyValidation = { ok: true; key: OpenRouterKey } | { ok: false; code: KeyErrorCode; message: string };

const PREFIX = "sk-or-";
const V1_PREFIX = "sk-or-v1-";
const V1_PATTERN = /^sk-or-v1-[0-9a-f]{64}$/;
const ALLOWED = /^[A-Za-z0-9_-]+$/;
const WHITESPACE = /\s/;
/** Shortest accepted secret after `sk-or-` for keys that are not v1 (older or future formats). */
const MIN_SECRET_LENGTH = 20;
const MAX_LENGTH = 256;

// Fixed texts, not templates: a message built from the input could leak the key.
const MESSAGES: Record<KeyErrorCode, string> = {
  empty: "Enter an OpenRouter API key.",
  missing_prefix: 'This is not an OpenRouter API key: OpenRouter keys start with "sk-or-".',
  whitespace: "The key contains a space or line break; paste it again without one.",
  invalid_characters:
    "The key contains characters an OpenRouter key never has (only letters, digits, '-' and '_' are possible); paste it again.",
  too_short: "The key is too short to be an OpenRouter API key; it may have been cut off when copied.",
  too_long: `The key is too long to be an OpenRouter API key (at most ${MAX_LENGTH} characters).`,
  malformed_v1:
    'The key looks like an OpenRouter v1 key but is malformed: a v1 key is "sk-or-v1-" followed by exactly 64 lowercase hexadecimal characters (0-9, a-f).',
};

function fail(code: KeyErrorCode): KeyValidation {
  return { ok: false, code, message: MESSAGES[code] };
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
