// Why: hostile input is normal input. Every value a client sends ends in a PostgreSQL column or a
// JSON walk, and each has limits the client must hear about as a 400, not discover as a 500:
//   - PostgreSQL `integer` and `bigint` columns hold what they hold; a larger count or amount fails
//     inside the database (numeric_value_out_of_range) after validation said yes;
//   - PostgreSQL text refuses the NUL character, and a lone UTF-16 surrogate has no UTF-8 form
//     (drivers silently turn it into U+FFFD: the stored value would differ from the one sent);
//   - JSON nested thousands deep parses fine but overflows the stack of every recursive walk after
//     it (validation, JSON.stringify, superjson): depth is bounded before anything walks it.
// These are the rules; the API and the proxy enforce them at their doors and name the limits.
// No zod here: the browser bundle imports this module (through monthly-limit) without it; the zod
// schemas built on these rules are in input-schemas.ts.

/** PostgreSQL `integer`. Token counts and latencies are stored in such columns. */
export const INT4_MAX = 2_147_483_647;
/** PostgreSQL `bigint`. Money (nano-USD) is stored in such columns. */
export const INT8_MAX = 9_223_372_036_854_775_807n;
/** Default bound of JSON nesting for request bodies (objects and arrays); configurable per server. */
export const DEFAULT_MAX_JSON_DEPTH = 64;

// String.prototype.isWellFormed is ES2024; this is the same test for the lib the packages target.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * True when a request's Transfer-Encoding leaves its body length undeterminable: chunked is not the
 * final coding (RFC 9112 §6.1 — the server must answer 400 and close). Node accepts such a request
 * and reads its body until the client closes, so a client that waits for the answer gets silence.
 */
export function unframedTransferEncoding(header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  const value = Array.isArray(header) ? header.join(",") : header;
  return !/(?:^|,)[ \t]*chunked[ \t]*$/i.test(value);
}

/** Why a string cannot be stored as sent, or null when it can. */
export function unstorableTextReason(value: string): string | null {
  if (value.includes("\u0000")) return "must not contain the NUL character (\\u0000)";
  if (LONE_SURROGATE.test(value)) return "must be valid Unicode (it contains a lone surrogate)";
  return null;
}

/**
 * The first string inside `value` (keys included) that cannot be stored, with its path; null when
 * every string can. Walks at most `maxDepth` levels: deeper input is refused by depth elsewhere.
 */
export function findUnstorableText(
  value: unknown,
  maxDepth = DEFAULT_MAX_JSON_DEPTH * 2,
): { path: string; reason: string } | null {
  const walk = (v: unknown, path: string, depth: number): { path: string; reason: string } | null => {
    if (typeof v === "string") {
      const reason = unstorableTextReason(v);
      return reason ? { path: path || "input", reason } : null;
    }
    if (typeof v !== "object" || v === null || depth > maxDepth) return null;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const found = walk(v[i], `${path}[${i}]`, depth + 1);
        if (found) return found;
      }
      return null;
    }
    if (v instanceof Date) return null;
    for (const [key, child] of Object.entries(v as Record<string, unknown>)) {
      const keyReason = unstorableTextReason(key);
      if (keyReason) return { path: path ? `${path} (a key)` : "a key", reason: keyReason };
      const found = walk(child, path ? `${path}.${key}` : key, depth + 1);
      if (found) return found;
    }
    return null;
  };
  return walk(value, "", 0);
}

/**
 * True when the JSON text nests objects/arrays deeper than `maxDepth`. A scan of the text, not a
 * parse: it must run before any recursive walk, and it is linear with no allocation. Brackets
 * inside strings do not count; a string is skipped with indexOf (native) to its closing quote — the
 * next quote preceded by an even run of backslashes — since most of a large body (a usage batch is
 * NDJSON inside one JSON string) is string. Invalid JSON is not judged here (the parser will refuse it).
 */
export function jsonDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let close = text.indexOf('"', i + 1);
      for (;;) {
        if (close < 0) return false; // unterminated: not JSON
        let backslashes = 0;
        while (text.charCodeAt(close - 1 - backslashes) === 0x5c /* \ */) backslashes++;
        if (backslashes % 2 === 0) break;
        close = text.indexOf('"', close + 1);
      }
      i = close;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return false;
}

/**
 * The path of the first value inside `value` that JSON cannot hold as it is (a bigint, a date, NaN
 * or ±Infinity, a function, a Map…), or null when it is plain JSON. superjson lets a
 * client send such values; a column of type jsonb must not receive them (JSON.stringify throws on
 * a bigint and silently turns NaN into null).
 */
export function firstNonJsonValue(value: unknown, maxDepth = DEFAULT_MAX_JSON_DEPTH * 2): string | null {
  const walk = (v: unknown, path: string, depth: number): string | null => {
    // undefined is absent, as JSON.stringify makes it (a form may send an unset optional field).
    if (v === null || v === undefined || typeof v === "string" || typeof v === "boolean") return null;
    if (typeof v === "number") return Number.isFinite(v) ? null : path || "input";
    if (typeof v !== "object" || depth > maxDepth) return path || "input";
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const found = walk(v[i], `${path}[${i}]`, depth + 1);
        if (found) return found;
      }
      return null;
    }
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return path || "input";
    for (const [key, child] of Object.entries(v as Record<string, unknown>)) {
      const found = walk(child, path ? `${path}.${key}` : key, depth + 1);
      if (found) return found;
    }
    return null;
  };
  return walk(value, "", 0);
}
