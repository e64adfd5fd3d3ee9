import { createHmac, timingSafeEqual } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  crossedAlertThresholds,
  DEFAULT_ALERT_THRESHOLDS,
  DomainError,
  formatWebhookSignature,
  limitAlertPayloadSchema,
  nanoToUsdFixed,
  parseWebhookSignature,
  usedPercent,
  validateAlertThresholds,
  webhookRecipient,
  webhookSignedContent,
  webhookUrlProblem,
} from "../src/index";
import { alertThresholdsInput, updateAlertSettingsInput } from "../src/schemas/index";

const USD = 1_000_000_000n;

describe("alert thresholds", () => {
  it("default to 80 % and 100 %", () => expect(DEFAULT_ALERT_THRESHOLDS).toEqual([80, 100]));

  it.each([
    [[100, 80], [80, 100]],
    [[1], [1]],
    [[50, 75, 90, 95, 100], [50, 75, 90, 95, 100]],
  ])("%j is accepted, sorted", (input, expected) => expect(validateAlertThresholds(input)).toEqual(expected));

  it.each([
    [[], /at least one threshold/],
    [[10, 20, 30, 40, 50, 60], /at most 5 thresholds/],
    [[80.5], /whole number of per cent/],
    [["80"], /whole number of per cent/],
    [[0], /between 1 % and 100 %.*0 % is not/],
    [[101], /between 1 % and 100 %.*101 % is not/],
    [[-5], /between 1 % and 100 %/],
    [[80, 80], /80 % is given twice/],
  ])("%j is refused in words", (input, message) => {
    expect(() => validateAlertThresholds(input)).toThrow(DomainError);
    expect(() => validateAlertThresholds(input)).toThrow(message);
  });

  it("the input schema refuses the same, in words", () => {
    const problems = (value: unknown) => alertThresholdsInput.safeParse(value).error?.issues.map((i) => i.message) ?? [];
    expect(problems([80, 100])).toEqual([]);
    expect(problems([])).toEqual(["Give at least one threshold, e.g. 80 and 100 (per cent of the monthly limit)."]);
    expect(problems([0])).toEqual(["A threshold is at least 1 % of the monthly limit."]);
    expect(problems([150])).toEqual(["A threshold is at most 100 % of the monthly limit."]);
    expect(problems([79.9])).toEqual(["A threshold is a whole number of per cent, e.g. 80."]);
    expect(problems(["80"])).toEqual(["A threshold is a whole number of per cent, e.g. 80."]);
    expect(problems([80, 80])).toEqual(["Each threshold may be given once."]);
    expect(updateAlertSettingsInput.safeParse({ webhookSecret: "short" }).error?.issues[0]?.message).toBe(
      "The signing secret must be at least 16 characters.",
    );
    expect(updateAlertSettingsInput.safeParse({ webhookUrl: "   " }).error?.issues[0]?.message).toBe("Give the webhook URL, or remove the webhook.");
  });
});

describe("crossed thresholds", () => {
  const limit = 1000n * USD;
  const at = (spentNano: bigint, refusedMinNano: bigint | null = null) =>
    crossedAlertThresholds({ spentNano, limitNano: limit, refusedMinNano, thresholds: [80, 100] });

  it("are exact to the nano-dollar", () => {
    expect(at(800n * USD - 1n)).toEqual([]);
    expect(at(800n * USD)).toEqual([{ threshold: 80, reason: "spend" }]);
    expect(at(1000n * USD - 1n)).toEqual([{ threshold: 80, reason: "spend" }]);
    expect(at(1000n * USD)).toEqual([
      { threshold: 80, reason: "spend" },
      { threshold: 100, reason: "spend" },
    ]);
    expect(at(1200n * USD)).toHaveLength(2);
  });

  it("a refusal that could not fit crosses 100 %, one that could does not", () => {
    expect(at(900n * USD, 100n * USD + 1n)).toEqual([
      { threshold: 80, reason: "spend" },
      { threshold: 100, reason: "refused" },
    ]);
    expect(at(900n * USD, 100n * USD)).toEqual([{ threshold: 80, reason: "spend" }]);
    expect(at(10n * USD, 995n * USD)).toEqual([{ threshold: 100, reason: "refused" }]);
  });

  it("a zero limit fires nothing", () => {
    expect(crossedAlertThresholds({ spentNano: 0n, limitNano: 0n, refusedMinNano: 1n, thresholds: [80, 100] })).toEqual([]);
  });

  it("used per cent rounds down", () => {
    expect(usedPercent(799_999_999_999n, limit)).toBe(79);
    expect(usedPercent(800n * USD, limit)).toBe(80);
    expect(nanoToUsdFixed(800n * USD + 5n)).toBe("800.000000005");
    expect(nanoToUsdFixed(0n)).toBe("0.000000000");
  });
});

describe("webhook URLs", () => {
  it.each([
    ["https://hooks.example.com/mai?token=x", {}, null],
    ["http://hooks.example.com/mai", {}, "The webhook URL must use https."],
    ["http://hooks.example.com/mai", { allowHttp: true }, null],
    ["http://127.0.0.1:9999/hook", { allowHttpLocalhost: true }, null],
    ["http://10.0.0.1/hook", { allowHttpLocalhost: true }, "The webhook URL must use https."],
    ["https://user:pass@hooks.example.com/", {}, "The webhook URL must not hold a user name or password; sign requests with the secret instead."],
    ["ftp://hooks.example.com/", {}, "The webhook URL must be an https:// URL."],
    ["hooks.example.com", {}, "The webhook URL is not a URL (e.g. https://hooks.example.com/mai)."],
    [`https://h.example/${"a".repeat(2100)}`, {}, "The webhook URL is too long (at most 2048 characters)."],
  ])("%s %j → %s", (url, options, problem) => expect(webhookUrlProblem(url, options)).toBe(problem));

  it("the delivery log shows no query, fragment or credentials", () => {
    expect(webhookRecipient("https://u:p@hooks.example.com:8443/a/b?token=secret#x")).toBe("https://hooks.example.com:8443/a/b");
  });
});

describe("the webhook signature", () => {
  const secret = "whsec_test_0123456789abcdef";
  const body = JSON.stringify({ event: "limit_alert", amount: "1.5" });
  // What the sender does (the API, with node:crypto) — and a receiver checks below, independently.
  const sign = (t: number) => formatWebhookSignature(t, createHmac("sha256", secret).update(webhookSignedContent(t, body)).digest("hex"));

  it("is Stripe's scheme: t=<unix>,v1=<hex HMAC-SHA256 of t.body>", () => {
    const header = sign(1_764_633_600);
    expect(header).toMatch(/^t=1764633600,v1=[0-9a-f]{64}$/);
    const parsed = parseWebhookSignature(header)!;
    expect(parsed.timestamp).toBe(1_764_633_600);
    const expected = createHmac("sha256", secret).update(`1764633600.${body}`, "utf8").digest();
    expect(timingSafeEqual(Buffer.from(parsed.signatures[0]!, "hex"), expected)).toBe(true);
    // Another body, time or secret does not verify.
    const other = createHmac("sha256", secret).update(`1764633601.${body}`).digest();
    expect(timingSafeEqual(Buffer.from(parsed.signatures[0]!, "hex"), other)).toBe(false);
  });

  it.each(["", "t=1", "v1=" + "a".repeat(64), "t=x,v1=" + "a".repeat(64), "t=1,v1=zz", "garbage"])("%j is not a signature header", (header) =>
    expect(parseWebhookSignature(header)).toBeNull(),
  );

  it("several v1 values are all read (a secret rotation)", () => {
    expect(parseWebhookSignature(`t=5,v1=${"a".repeat(64)},v1=${"b".repeat(64)}`)?.signatures).toHaveLength(2);
  });

  it("the payload schema takes exact amounts only", () => {
    const payload = {
      event: "limit_alert",
      id: "8c1f2f4e-8d43-4f0b-9d1c-0d8b1a2b3c4d",
      organization: { id: "1c1f2f4e-8d43-4f0b-9d1c-0d8b1a2b3c4d", name: "Acme" },
      period: "2026-12",
      thresholdPercent: 80,
      reason: "spend",
      spentNano: "800000000000",
      limitNano: "1000000000000",
      spentUsd: "800.000000000",
      limitUsd: "1000.000000000",
      usedPercent: 80,
      firedAt: "2026-12-02T06:00:00.000Z",
      dashboardUrl: null,
    };
    expect(limitAlertPayloadSchema.parse(payload)).toEqual(payload);
    expect(limitAlertPayloadSchema.safeParse({ ...payload, spentUsd: "800.5" }).success).toBe(false);
    expect(limitAlertPayloadSchema.safeParse({ ...payload, spentNano: "8e11" }).success).toBe(false);
  });
});
