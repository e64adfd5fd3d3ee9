import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  findUnstorableText,
  firstNonJsonValue,
  INT4_MAX,
  INT8_MAX,
  jsonDepthExceeds,
  unframedTransferEncoding,
  unstorableTextReason,
} from "../src/input-bounds";
import { int4Count, nanoAmount, storableText } from "../src/input-schemas";

const nest = (depth: number, open = "[", close = "]") => open.repeat(depth) + close.repeat(depth);

describe("unstorableTextReason", () => {
  it.each([
    ["plain", null],
    ["zażółć gęślą jaźń 🚀", null],
    ["", null],
    ["a\u0000b", "NUL"],
    ["\ud800", "lone surrogate"],
    ["x\udc00", "lone surrogate"],
    ["\udc00\ud800", "lone surrogate"],
  ])("%j → %s", (value, expected) => {
    const reason = unstorableTextReason(value);
    if (expected === null) expect(reason).toBeNull();
    else expect(reason).toContain(expected);
  });
});

describe("findUnstorableText", () => {
  it("finds a NUL deep inside, in values and in keys, with its path", () => {
    expect(findUnstorableText({ a: [{ b: "ok" }, { c: "x\u0000" }] })).toEqual({ path: "a[1].c", reason: expect.stringContaining("NUL") as string });
    expect(findUnstorableText({ ui: { ["k\u0000"]: 1 } })?.path).toBe("ui (a key)");
    expect(findUnstorableText("\u0000")?.path).toBe("input");
  });
  it("passes clean values, dates, numbers and bigints", () => {
    expect(findUnstorableText({ a: 1, b: 2n, c: new Date(), d: [null, true, "ok"] })).toBeNull();
  });
});

describe("jsonDepthExceeds", () => {
  it.each([
    [nest(64), 64, false],
    [nest(65), 64, true],
    [nest(10, "{\"a\":", "}").replace(/:}/g, ":1}"), 64, false],
    ['{"a":"[[[[[[[[[[[[[[[[[[[[[[[[["}', 2, false],
    ['{"a":"\\"[[[[["}', 1, false],
    ['[1,[2,[3]]]', 2, true],
    ['[1,[2,[3]]]', 3, false],
    ["", 1, false],
  ])("%s (max %i) → %s", (text, max, expected) => {
    expect(jsonDepthExceeds(text, max)).toBe(expected);
  });
  it("handles a million brackets without recursion", () => {
    expect(jsonDepthExceeds("[".repeat(1_000_000), 64)).toBe(true);
  });
  it("skips strings exactly: escaped quotes and backslash runs before a quote", () => {
    expect(jsonDepthExceeds('["\\\\", [[1]]]', 2)).toBe(true);
    expect(jsonDepthExceeds('["\\\\\\", [[1]]]', 3)).toBe(false);
    expect(jsonDepthExceeds('["\\"[[[[", 1]', 1)).toBe(false);
    expect(jsonDepthExceeds('{"ndjson":"{\\"a\\":\\"[[[\\"}\\n"}', 1)).toBe(false);
  });
  it("agrees with the depth of the parsed value for any JSON", () => {
    const depthOf = (v: unknown): number =>
      typeof v === "object" && v !== null ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0;
    // Strings full of brackets, quotes and backslashes, as keys and values.
    const tricky = fc.string({ unit: fc.constantFrom("[", "]", "{", "}", '"', "\\", "a", "\n", "é") });
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        tricky,
        fc.integer(),
        fc.array(tie("node"), { maxLength: 4 }),
        fc.dictionary(tricky, tie("node"), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 8 }), (v, max) => {
        expect(jsonDepthExceeds(JSON.stringify(v), max)).toBe(depthOf(v) > max);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("column-bounded schemas", () => {
  it("int4Count holds what an integer column holds", () => {
    expect(int4Count.safeParse(INT4_MAX).success).toBe(true);
    expect(int4Count.safeParse(INT4_MAX + 1).success).toBe(false);
    expect(int4Count.safeParse(-1).success).toBe(false);
  });
  it("nanoAmount holds what a bigint column holds", () => {
    expect(nanoAmount.safeParse(INT8_MAX).success).toBe(true);
    expect(nanoAmount.safeParse(INT8_MAX + 1n).success).toBe(false);
    expect(nanoAmount.safeParse(-1n).success).toBe(false);
  });
  it("storableText refuses NUL and lone surrogates in words", () => {
    const schema = storableText(10);
    expect(schema.safeParse("ok").success).toBe(true);
    const result = schema.safeParse("a\u0000");
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/NUL/);
    expect(schema.safeParse("x".repeat(11)).success).toBe(false);
  });
});

describe("unframedTransferEncoding", () => {
  it.each([
    [undefined, false],
    ["chunked", false],
    ["gzip, chunked", false],
    ["Chunked ", false],
    ["1e3", true],
    ["gzip", true],
    ["chunked, gzip", true],
    [["gzip", "chunked"], false],
    ["", true],
  ] as const)("%j → %s", (header, expected) => {
    expect(unframedTransferEncoding(header as string | string[] | undefined)).toBe(expected);
  });
});

describe("firstNonJsonValue", () => {
  it("finds what JSON cannot hold, with its path", () => {
    expect(firstNonJsonValue({ a: [1, "x", null, { b: true }] })).toBeNull();
    expect(firstNonJsonValue({ a: { b: -1n } })).toBe("a.b");
    expect(firstNonJsonValue({ a: [0, Number.NaN] })).toBe("a[1]");
    expect(firstNonJsonValue({ when: new Date() })).toBe("when");
    expect(firstNonJsonValue({ u: undefined })).toBeNull();
    expect(firstNonJsonValue(Infinity)).toBe("input");
    expect(firstNonJsonValue(new Map())).toBe("input");
  });
});
