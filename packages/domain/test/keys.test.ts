import { describe, expect, it } from "vitest";

import {
  maskKey,
  SERVER_MESSAGES,
  serverMessage,
  validateOpenRouterKey,
  type KeyErrorCode,
} from "../src/index";

const HEX64 = "0844" + "1b2c3d4e5f60718293a4b5c6d7e8f9012a3b4c5d6e7f8091a2b3c4d5" + "af0e";
const V1 = `sk-or-v1-${HEX64}`;
const LEGACY = "sk-or-" + "Ab3_dE6-gH9jK2mN5pQ8"; // 20 characters after the prefix

describe("validateOpenRouterKey accepts", () => {
  it.each<[string, string, string]>([
    ["a v1 key", V1, V1],
    ["a v1 key with surrounding spaces and a newline", `  ${V1}\n`, V1],
    ["a v1 key with a tab and a non-breaking space around it", `\t${V1}\u00a0`, V1],
    ["a non-v1 key with exactly 20 characters after sk-or-", LEGACY, LEGACY],
    ["a non-v1 key of exactly 256 characters", "sk-or-" + "a1".repeat(125), "sk-or-" + "a1".repeat(125)],
    [
      "a non-v1 key using every allowed character class",
      "sk-or-AZaz09_-AZaz09_-AZaz",
      "sk-or-AZaz09_-AZaz09_-AZaz",
    ],
  ])("%s", (_label, raw, key) => {
    expect(HEX64).toHaveLength(64);
    expect(validateOpenRouterKey(raw)).toEqual({ ok: true, key });
  });
});

const REJECTED: [string, unknown, KeyErrorCode][] = [
  ["undefined", undefined, "empty"],
  ["null", null, "empty"],
  ["a number", 42, "empty"],
  ["an object", { key: V1 }, "empty"],
  ["the empty string", "", "empty"],
  ["only whitespace", " \n\t ", "empty"],
  ["a 257-character key", "sk-or-" + "a1".repeat(125) + "b", "too_long"],
  ["a pasted document", `sk-or-v1-${HEX64}`.repeat(1000), "too_long"],
  ["an absurdly long v1-looking key", `sk-or-v1-${"0".repeat(300)}`, "too_long"],
  ["a space inside", `sk-or-v1-${HEX64.slice(0, 30)} ${HEX64.slice(31)}`, "whitespace"],
  ["a line break inside", `sk-or-v1-${HEX64.slice(0, 30)}\n${HEX64.slice(31)}`, "whitespace"],
  ["a non-breaking space inside", `sk-or-v1-${HEX64.slice(0, 30)}\u00a0${HEX64.slice(31)}`, "whitespace"],
  ["an Authorization header value", `Bearer ${V1}`, "whitespace"],
  ["an OpenAI key", "sk-proj-9f8e7d6c5b4a39281706f5e4d3c2b1a0", "missing_prefix"],
  ["an upper-case prefix", `SK-OR-V1-${HEX64}`, "missing_prefix"],
  ["a mAI token", "mai_9f8e7d6c5b4a39281706f5e4d3c2b1a0", "missing_prefix"],
  ["a key in quotes", `"${V1}"`, "missing_prefix"],
  ["a masked key pasted back", "sk-or-v1-0844…af0e", "invalid_characters"],
  ["a trailing punctuation mark", `${V1}.`, "invalid_characters"],
  [
    "a zero-width space inside",
    `sk-or-v1-${HEX64.slice(0, 30)}\u200b${HEX64.slice(30)}`,
    "invalid_characters",
  ],
  ["a non-v1 key with a slash", "sk-or-9f8e7d6c5b4a/9281706f5e4d3c", "invalid_characters"],
  ["a v1 key one hex digit short", `sk-or-v1-${HEX64.slice(1)}`, "malformed_v1"],
  ["a v1 key one hex digit long", `sk-or-v1-${HEX64}0`, "malformed_v1"],
  ["a v1 key in upper-case hex", `sk-or-v1-${HEX64.toUpperCase()}`, "malformed_v1"],
  ["a v1 key with non-hex letters", `sk-or-v1-${HEX64.slice(0, 63)}g`, "malformed_v1"],
  ["a v1 key with an underscore", `sk-or-v1-${HEX64.slice(0, 63)}_`, "malformed_v1"],
  ["the bare v1 prefix", "sk-or-v1-", "malformed_v1"],
  ["a non-v1 key with 19 characters after sk-or-", "sk-or-9f8e7d6c5b4a3928170", "too_short"],
  ["the bare prefix", "sk-or-", "too_short"],
  ["a v2-looking key cut short", "sk-or-v2-9f8e7d6c5b", "too_short"],
];

describe("validateOpenRouterKey rejects", () => {
  it.each(REJECTED)("%s → %s", (_label, raw, code) => {
    const result = validateOpenRouterKey(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.code).toBe(code);
  });

  it.each(REJECTED.filter(([, raw]) => typeof raw === "string" && raw.trim() !== ""))(
    "never echoes the key in the message: %s",
    (_label, raw) => {
      const result = validateOpenRouterKey(raw);
      if (result.ok) throw new Error("expected a rejection");
      // Everything but the public prefix is secret; no 6-character window of it may appear.
      const secret = String(raw)
        .trim()
        .replace(/sk-or-(v1-)?/i, "");
      const leaks = new Set<string>();
      for (let i = 0; i + 6 <= secret.length; i++) {
        const window = secret.slice(i, i + 6);
        if (result.message.includes(window)) leaks.add(window);
      }
      expect([...leaks]).toEqual([]);
    },
  );

  it("has one distinct, non-empty message per code", () => {
    const messages = new Map<KeyErrorCode, string>();
    for (const [, raw, code] of REJECTED) {
      const result = validateOpenRouterKey(raw);
      if (result.ok) throw new Error("expected a rejection");
      expect(result.message.length).toBeGreaterThan(10);
      const seen = messages.get(code);
      if (seen !== undefined) expect(result.message).toBe(seen);
      messages.set(code, result.message);
    }
    expect(messages.size).toBe(7);
    expect(new Set(messages.values()).size).toBe(7);
  });

  it("explains what a v1 key looks like", () => {
    const result = validateOpenRouterKey(`sk-or-v1-${HEX64.slice(2)}`);
    expect(result).toMatchObject({ ok: false, code: "malformed_v1" });
    if (!result.ok) expect(result.message).toMatch(/64 lowercase hexadecimal/);
  });
});

describe("validateOpenRouterKey's messages come from the server catalog", () => {
  it("says each code's catalog entry (key.<code>) and carries its key and parameters", () => {
    const codes = new Set<KeyErrorCode>();
    for (const [, raw, code] of REJECTED) {
      const result = validateOpenRouterKey(raw);
      if (result.ok) throw new Error("expected a rejection");
      expect(result.messageKey).toBe(`key.${code}`);
      expect(result.message).toBe(serverMessage(result.messageKey, result.messageParams));
      codes.add(code);
    }
    // Every code is exercised above, and the catalog's key group has exactly one entry per code.
    expect([...codes].sort()).toEqual(Object.keys(SERVER_MESSAGES.key).sort());
  });

  it("keeps today's English word for word", () => {
    const says = (raw: string) => {
      const result = validateOpenRouterKey(raw);
      return result.ok ? null : result.message;
    };
    expect(says("sk-abc")).toBe('This is not an OpenRouter API key: OpenRouter keys start with "sk-or-".');
    expect(says(`sk-or-${"a".repeat(300)}`)).toBe(
      "The key is too long to be an OpenRouter API key (at most 256 characters).",
    );
    expect(says("sk-or-abc")).toBe(
      "The key is too short to be an OpenRouter API key; it may have been cut off when copied.",
    );
  });
});

describe("maskKey", () => {
  it.each<[string, unknown, string]>([
    ["the design's example", V1, "sk-or-v1-0844…af0e"],
    ["a non-v1 OpenRouter key", "sk-or-abcdefghijklmnopqrstuvwxyz", "sk-or-abcd…wxyz"],
    ["a mAI token", "mai_0123456789abcdef", "mai_0123…cdef"],
    ["an unknown format", "abcdefghijklmnopq", "abcd…nopq"],
    ["an 8-character secret shows 2 at each end", "sk-or-v1-12345678", "sk-or-v1-12…78"],
    ["a 7-character secret shows 1 at each end", "sk-or-v1-1234567", "sk-or-v1-1…7"],
    ["a 4-character secret shows 1 at each end", "mai_wxyz", "mai_w…z"],
    ["a 3-character secret shows nothing", "mai_abc", "mai_…"],
    ["the bare v1 prefix", "sk-or-v1-", "sk-or-v1-…"],
    ["the bare prefix", "sk-or-", "sk-or-…"],
    ["a short string without a prefix", "abc", "…"],
    ["the empty string", "", "…"],
    ["undefined", undefined, "…"],
    ["null", null, "…"],
    ["a number", 12345678, "…"],
    ["astral characters are not split", "mai_😀😀😀😀😀😀😀😀", "mai_😀😀…😀😀"],
  ])("%s", (_label, key, masked) => {
    expect(maskKey(key as string)).toBe(masked);
  });

  // Secrets that cannot be mistaken for a prefix, neighbouring characters distinct.
  const alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const secretOf = (length: number) =>
    Array.from({ length }, (_, i) => alphabet[(i * 7 + 3) % alphabet.length]).join("");

  it.each(["sk-or-v1-", "sk-or-", "mai_", ""])(
    "with prefix %j reveals min(4, ⌊n/4⌋) secret characters at each end, for every length 0–80",
    (prefix) => {
      for (let length = 0; length <= 80; length++) {
        const secret = secretOf(length);
        const masked = maskKey(prefix + secret);
        const n = Math.min(4, Math.floor(length / 4));
        expect(masked.startsWith(prefix), `length ${length}`).toBe(true);
        const [head, tail, ...rest] = masked.slice(prefix.length).split("…");
        expect(rest, `length ${length}`).toEqual([]);
        expect(head, `length ${length}`).toBe(secret.slice(0, n));
        expect(tail, `length ${length}`).toBe(n === 0 ? "" : secret.slice(-n));
        // Never more than 4 at each end, never more than a quarter of the secret at each end.
        expect((head ?? "").length, `length ${length}`).toBeLessThanOrEqual(Math.min(4, length / 4));
        expect((tail ?? "").length, `length ${length}`).toBeLessThanOrEqual(Math.min(4, length / 4));
      }
    },
  );
});
