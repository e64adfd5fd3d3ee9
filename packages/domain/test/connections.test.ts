import { describe, expect, it } from "vitest";

import {
  directConnectionsSchema,
  findOpenRouterConnection,
  type DirectConnections,
  type OpenRouterConnection,
} from "../src/index";

const KEY = `sk-or-v1-${"0123456789abcdef".repeat(4)}`;
const KEY2 = `sk-or-v1-${"fedcba9876543210".repeat(4)}`;
const OR = "https://openrouter.ai/api/v1";
/** What findOpenRouterConnection answers, with the key as plain text (the brand is the compiler's). */
type Expected = Omit<OpenRouterConnection, "key"> & { key: string } | null;
const OTHER = "https://api.openai.com/v1";

describe("findOpenRouterConnection", () => {
  it.each<[string, Partial<DirectConnections> | null | undefined, Expected]>([
    ["null", null, null],
    ["undefined", undefined, null],
    ["an empty object", {}, null],
    ["empty arrays", { OPENAI_API_BASE_URLS: [], OPENAI_API_KEYS: [], OPENAI_API_CONFIGS: {} }, null],
    [
      "a single OpenRouter connection",
      { OPENAI_API_BASE_URLS: [OR], OPENAI_API_KEYS: [KEY], OPENAI_API_CONFIGS: { "0": { enable: true } } },
      { index: 0, baseUrl: OR, key: KEY },
    ],
    [
      "a connection without any config (enabled by default)",
      { OPENAI_API_BASE_URLS: [OR], OPENAI_API_KEYS: [KEY] },
      { index: 0, baseUrl: OR, key: KEY },
    ],
    [
      "a config without enable (enabled by default)",
      { OPENAI_API_BASE_URLS: [OR], OPENAI_API_KEYS: [KEY], OPENAI_API_CONFIGS: { "0": { prefix_id: "" } } },
      { index: 0, baseUrl: OR, key: KEY },
    ],
    [
      "the OpenRouter connection after another provider",
      { OPENAI_API_BASE_URLS: [OTHER, OR], OPENAI_API_KEYS: ["sk-proj-abc", KEY], OPENAI_API_CONFIGS: {} },
      { index: 1, baseUrl: OR, key: KEY },
    ],
    [
      "the first of two OpenRouter connections",
      { OPENAI_API_BASE_URLS: [OR, "https://openrouter.ai/api/v1/"], OPENAI_API_KEYS: [KEY, KEY2] },
      { index: 0, baseUrl: OR, key: KEY },
    ],
    [
      "a disabled connection is skipped (index-keyed config)",
      {
        OPENAI_API_BASE_URLS: [OR, OR],
        OPENAI_API_KEYS: [KEY, KEY2],
        OPENAI_API_CONFIGS: { "0": { enable: false }, "1": { enable: true } },
      },
      { index: 1, baseUrl: OR, key: KEY2 },
    ],
    [
      "a disabled connection is skipped (legacy URL-keyed config)",
      { OPENAI_API_BASE_URLS: [OR], OPENAI_API_KEYS: [KEY], OPENAI_API_CONFIGS: { [OR]: { enable: false } } },
      null,
    ],
    [
      "the index-keyed config wins over the legacy URL-keyed one",
      {
        OPENAI_API_BASE_URLS: [OR],
        OPENAI_API_KEYS: [KEY],
        OPENAI_API_CONFIGS: { "0": { enable: true }, [OR]: { enable: false } },
      },
      { index: 0, baseUrl: OR, key: KEY },
    ],
    [
      "only enable === false disables (a falsy non-boolean does not)",
      {
        OPENAI_API_BASE_URLS: [OR],
        OPENAI_API_KEYS: [KEY],
        OPENAI_API_CONFIGS: { "0": { enable: 0 as unknown as boolean } },
      },
      { index: 0, baseUrl: OR, key: KEY },
    ],
    [
      "an OpenRouter URL with an invalid key is skipped for the next",
      { OPENAI_API_BASE_URLS: [OR, OR], OPENAI_API_KEYS: ["sk-or-v1-short", KEY2] },
      { index: 1, baseUrl: OR, key: KEY2 },
    ],
    ["an OpenRouter URL with an empty key", { OPENAI_API_BASE_URLS: [OR], OPENAI_API_KEYS: [""] }, null],
    ["more URLs than keys", { OPENAI_API_BASE_URLS: [OTHER, OR], OPENAI_API_KEYS: ["sk-proj-abc"] }, null],
    [
      "more keys than URLs",
      { OPENAI_API_BASE_URLS: [OR], OPENAI_API_KEYS: [KEY, KEY2] },
      { index: 0, baseUrl: OR, key: KEY },
    ],
    [
      "a valid key on a lookalike URL",
      { OPENAI_API_BASE_URLS: ["https://evil.example/openrouter.ai/api/v1"], OPENAI_API_KEYS: [KEY] },
      null,
    ],
    [
      "a valid key on plain http",
      { OPENAI_API_BASE_URLS: ["http://openrouter.ai/api/v1"], OPENAI_API_KEYS: [KEY] },
      null,
    ],
    ["keys without URLs", { OPENAI_API_KEYS: [KEY] }, null],
    [
      "URL and key are returned trimmed",
      { OPENAI_API_BASE_URLS: [`  ${OR}\n`], OPENAI_API_KEYS: [` ${KEY} `] },
      { index: 0, baseUrl: OR, key: KEY },
    ],
    [
      "a legacy config keyed by the untrimmed URL",
      {
        OPENAI_API_BASE_URLS: [`${OR} `],
        OPENAI_API_KEYS: [KEY],
        OPENAI_API_CONFIGS: { [`${OR} `]: { enable: false } },
      },
      null,
    ],
    [
      "non-string entries are skipped, not thrown on",
      {
        OPENAI_API_BASE_URLS: [null, 42, OR] as unknown as string[],
        OPENAI_API_KEYS: [KEY, KEY, KEY2],
        OPENAI_API_CONFIGS: { "2": null } as unknown as DirectConnections["OPENAI_API_CONFIGS"],
      },
      { index: 2, baseUrl: OR, key: KEY2 },
    ],
    [
      "non-array fields are treated as empty",
      { OPENAI_API_BASE_URLS: OR as unknown as string[], OPENAI_API_KEYS: KEY as unknown as string[] },
      null,
    ],
    [
      "a URL named like an Object.prototype member finds no config there",
      {
        OPENAI_API_BASE_URLS: ["constructor", OR],
        OPENAI_API_KEYS: [KEY, KEY2],
        OPENAI_API_CONFIGS: {},
      },
      { index: 1, baseUrl: OR, key: KEY2 },
    ],
  ])("%s", (_label, dc, expected) => {
    expect(findOpenRouterConnection(dc)).toEqual(expected);
  });

  it.each<[readonly string[] | undefined, Expected]>([
    [undefined, null],
    [["http://127.0.0.1:4010"], { index: 0, baseUrl: "http://127.0.0.1:4010/api/v1", key: KEY }],
    [["http://127.0.0.1:4011"], null],
  ])("passes extraHosts %j through to the URL check", (extraHosts, expected) => {
    const dc = { OPENAI_API_BASE_URLS: ["http://127.0.0.1:4010/api/v1"], OPENAI_API_KEYS: [KEY] };
    expect(findOpenRouterConnection(dc, extraHosts ? { extraHosts } : undefined)).toEqual(expected);
  });
});

describe("directConnectionsSchema", () => {
  it.each<[string, unknown, DirectConnections & Record<string, unknown>]>([
    [
      "an empty object gets empty defaults",
      {},
      { OPENAI_API_BASE_URLS: [], OPENAI_API_KEYS: [], OPENAI_API_CONFIGS: {} },
    ],
    [
      "missing configs become {}",
      { OPENAI_API_BASE_URLS: [OR], OPENAI_API_KEYS: [KEY] },
      { OPENAI_API_BASE_URLS: [OR], OPENAI_API_KEYS: [KEY], OPENAI_API_CONFIGS: {} },
    ],
    [
      "Open WebUI's full shape is kept, unknown keys included",
      {
        OPENAI_API_BASE_URLS: [OR],
        OPENAI_API_KEYS: [KEY],
        OPENAI_API_CONFIGS: {
          "0": {
            enable: true,
            prefix_id: "",
            model_ids: [],
            tags: [{ name: "x" }],
            connection_type: "external",
          },
        },
        futureField: { nested: true },
      },
      {
        OPENAI_API_BASE_URLS: [OR],
        OPENAI_API_KEYS: [KEY],
        OPENAI_API_CONFIGS: {
          "0": {
            enable: true,
            prefix_id: "",
            model_ids: [],
            tags: [{ name: "x" }],
            connection_type: "external",
          },
        },
        futureField: { nested: true },
      },
    ],
    [
      "legacy URL-keyed configs are kept",
      { OPENAI_API_BASE_URLS: [OR], OPENAI_API_KEYS: [""], OPENAI_API_CONFIGS: { [OR]: { enable: false } } },
      { OPENAI_API_BASE_URLS: [OR], OPENAI_API_KEYS: [""], OPENAI_API_CONFIGS: { [OR]: { enable: false } } },
    ],
  ])("accepts %s", (_label, input, expected) => {
    const parsed: DirectConnections = directConnectionsSchema.parse(input);
    expect(parsed).toEqual(expected);
  });

  it.each<[string, unknown]>([
    ["a number in the URL list", { OPENAI_API_BASE_URLS: [OR, 42] }],
    ["null in the key list", { OPENAI_API_KEYS: [null] }],
    ["a string instead of the URL list", { OPENAI_API_BASE_URLS: OR }],
    ["a config that is not an object", { OPENAI_API_CONFIGS: { "0": "on" } }],
    ["a non-boolean enable", { OPENAI_API_CONFIGS: { "0": { enable: "false" } } }],
    ["null", null],
    ["an array", []],
  ])("rejects %s", (_label, input) => {
    expect(directConnectionsSchema.safeParse(input).success).toBe(false);
  });

  it("feeds findOpenRouterConnection", () => {
    const parsed = directConnectionsSchema.parse({
      OPENAI_API_BASE_URLS: [OTHER, OR],
      OPENAI_API_KEYS: ["", KEY],
    });
    expect(findOpenRouterConnection(parsed)).toEqual({ index: 1, baseUrl: OR, key: KEY });
  });
});

describe("direct connections are bounded", () => {
  it("refuses more than 100 connections, over-long URLs and keys, in words", () => {
    const many = Array.from({ length: 101 }, (_, i) => `https://example.com/${i}`);
    expect(directConnectionsSchema.safeParse({ OPENAI_API_BASE_URLS: many }).success).toBe(false);
    expect(directConnectionsSchema.safeParse({ OPENAI_API_BASE_URLS: [`https://example.com/${"a".repeat(2_100)}`] }).success).toBe(false);
    expect(directConnectionsSchema.safeParse({ OPENAI_API_KEYS: ["k".repeat(1_001)] }).success).toBe(false);
    const configs = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [String(i), { enable: true }]));
    const result = directConnectionsSchema.safeParse({ OPENAI_API_CONFIGS: configs });
    expect(result.error?.issues[0]?.message).toMatch(/At most 100/);
    expect(directConnectionsSchema.safeParse({ OPENAI_API_BASE_URLS: many.slice(0, 100), OPENAI_API_KEYS: many.slice(0, 100).map(() => "") }).success).toBe(true);
  });
});
