import { describe, expect, it } from "vitest";

import { decodeUsageEventLine, encodeUsageEvent, encodeUsageEvents, MAX_USAGE_BATCH, parseUsageEvents, type UsageEvent } from "../src/index";

const event = (overrides: Partial<UsageEvent> = {}): UsageEvent => ({
  generationId: "gen-1",
  organizationId: "0f5e1d2c-1111-4222-8333-444455556666",
  userId: "0f5e1d2c-1111-4222-8333-444455556667",
  externalUserId: "mai-abc",
  model: "openai/gpt-4o-mini",
  provider: "OpenAI",
  promptTokens: 12,
  completionTokens: 30,
  reasoningTokens: 2,
  cachedTokens: 0,
  rawCostNano: 9_007_199_254_740_993n,
  markupBp: 13_000,
  status: "ok",
  streamed: true,
  latencyMs: 12,
  ttfbMs: null,
  occurredAt: new Date("2026-03-29T01:59:59.999Z"),
  release: { period: "2026-03", nano: 9_007_199_254_740_995n },
  ...overrides,
});

describe("usage-event line format", () => {
  it("round-trips bigints beyond 2^53 and instants exactly", () => {
    const e = event();
    const line = encodeUsageEvent(e);
    expect(line).toContain('"rawCostNano":"9007199254740993"');
    expect(line).toContain('"release":{"period":"2026-03","nano":"9007199254740995"}');
    expect(decodeUsageEventLine(line)).toStrictEqual(e);
    expect(parseUsageEvents(encodeUsageEvents([e, event({ generationId: "gen-2", release: null, provider: null })]))).toHaveLength(2);
  });

  it("keeps absent optional fields absent", () => {
    const { reasoningTokens: _r, cachedTokens: _c, release: _rel, ...sparse } = event();
    expect(decodeUsageEventLine(encodeUsageEvent(sparse))).toStrictEqual(sparse);
  });

  it("decodes leniently: null only for what is not an event-shaped object", () => {
    for (const bad of ["", "[]", "42", "null", '{"organizationId":"x"}', "{"]) expect(decodeUsageEventLine(bad)).toBeNull();
    expect(decodeUsageEventLine('{"generationId":"g","rawCostNano":"-5"}')).toEqual({ generationId: "g", rawCostNano: -5n });
  });

  it.each([
    [{ generationId: "" }, /generationId/],
    [{ organizationId: "not-a-uuid" }, /organizationId/],
    [{ promptTokens: -1 }, /promptTokens/],
    [{ promptTokens: 1.5 }, /promptTokens/],
    [{ rawCostNano: -1n }, /rawCostNano/],
    [{ markupBp: 9_999 }, /markupBp/],
    [{ status: "lost" as never }, /status/],
    [{ occurredAt: new Date(Number.NaN) }, /occurredAt/],
    [{ release: { period: "2026-3", nano: 1n } }, /release\.period/],
    [{ release: { period: "2026-03", nano: -1n } }, /release\.nano/],
  ])("refuses a batch with %o on its line", (overrides, field) => {
    const text = encodeUsageEvents([event(), event({ generationId: "gen-bad", ...overrides })]);
    expect(() => parseUsageEvents(text)).toThrow(field);
    expect(() => parseUsageEvents(text)).toThrow(/line 2/);
  });

  it("refuses a line that is not JSON, and more than the batch limit", () => {
    expect(() => parseUsageEvents(`${encodeUsageEvent(event())}\n{torn`)).toThrow(/line 2/);
    const line = encodeUsageEvent(event());
    expect(() => parseUsageEvents(`${line}\n`.repeat(MAX_USAGE_BATCH + 1))).toThrow(/at most/);
    expect(parseUsageEvents("\n\n")).toEqual([]);
  });
});

describe("usage events are bounded by the columns that store them", () => {
  const line = (overrides: Partial<UsageEvent>) => encodeUsageEvent(event(overrides));
  it.each([
    ["prompt tokens above integer", { promptTokens: 2_147_483_648 }, "promptTokens"],
    ["reasoning tokens above integer", { reasoningTokens: 2_147_483_648 }, "reasoningTokens"],
    ["latency above integer", { latencyMs: 2_147_483_648 }, "latencyMs"],
    ["raw cost above bigint", { rawCostNano: 9_223_372_036_854_775_808n }, "rawCostNano"],
    ["billed cost above bigint", { rawCostNano: 9_223_372_036_854_775_807n, markupBp: 13_000 }, "rawCostNano"],
    ["markup above 100×", { markupBp: 1_000_001 }, "markupBp"],
    ["NUL in the model", { model: "openai/gpt\u0000" }, "model"],
    ["lone surrogate in the generation id", { generationId: "gen-\ud800" }, "generationId"],
    ["an instant before 2000", { occurredAt: new Date("1999-12-31T23:59:59Z") }, "occurredAt"],
    ["an instant after 2100", { occurredAt: new Date(8.64e15) }, "occurredAt"],
    ["month 13 in a release", { release: { period: "2026-13", nano: 1n } }, "release.period"],
  ] as const)("refuses %s in words, naming the field", (_what, overrides, field) => {
    expect(() => parseUsageEvents(line(overrides as Partial<UsageEvent>))).toThrow(new RegExp(`line 1: ${field.replace(".", "\\.")}`));
  });
  it("accepts the largest values the columns hold", () => {
    const [parsed] = parseUsageEvents(line({ promptTokens: 2_147_483_647, rawCostNano: 9_223_372_036_854_775_807n, markupBp: 10_000 }));
    expect(parsed?.rawCostNano).toBe(9_223_372_036_854_775_807n);
  });
});
