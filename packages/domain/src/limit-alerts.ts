// Why: a client company wants to hear that its monthly limit is running out before its chats are
// refused (LiteLLM, Helicone and OpenMeter offer the same). The rules live here so the API's job,
// the database and the dashboard agree on when a threshold is crossed, and so the webhook's
// payload and signature have one written specification a receiver can implement:
//
//   X-Mai-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the secret>
//
// (Stripe's scheme: the timestamp is signed with the body, so a captured delivery cannot be
// replayed later with another time; a receiver refuses a `t` older than its tolerance.) Computing
// the HMAC is I/O-free but needs a crypto library, which this package does not import: the API signs
// with node:crypto (services/alerts/webhook.ts), a receiver verifies with its own.
import { z } from "zod";
import { domainError, DomainError } from "./errors";
import { exactMoneyDecimal } from "./format";
import { serverMessage } from "./messages";

/** Thresholds are whole percentages of the monthly limit. */
export const DEFAULT_ALERT_THRESHOLDS: readonly number[] = [80, 100];
/** The languages an alert e-mail is written in (the dashboard's); English unless the organisation chose. */
export const ALERT_EMAIL_LANGUAGES = ["en", "pl"] as const;
export type AlertEmailLanguage = (typeof ALERT_EMAIL_LANGUAGES)[number];
export const MAX_ALERT_THRESHOLDS = 5;
export const MIN_ALERT_THRESHOLD = 1;
/** A threshold above 100 % could only fire on an overshoot: the proxy refuses at the limit. */
export const MAX_ALERT_THRESHOLD = 100;
export const MIN_WEBHOOK_SECRET_LENGTH = 16;
export const MAX_WEBHOOK_SECRET_LENGTH = 256;
export const MAX_WEBHOOK_URL_LENGTH = 2048;

export const WEBHOOK_SIGNATURE_HEADER = "X-Mai-Signature";
/** How old a signature's `t` a receiver should accept (our advice; the sender signs each attempt afresh). */
export const WEBHOOK_SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * The thresholds as given, checked: 1 to 5 distinct whole percentages from 1 to 100, returned sorted.
 * Every refusal says what is wrong in words.
 */
export function validateAlertThresholds(input: readonly unknown[]): number[] {
  if (input.length === 0) throw domainError("INVALID_INPUT", "alerts.noThreshold");
  if (input.length > MAX_ALERT_THRESHOLDS) throw domainError("INVALID_INPUT", "alerts.tooManyThresholds", { max: MAX_ALERT_THRESHOLDS });
  const seen = new Set<number>();
  for (const value of input) {
    if (typeof value !== "number" || !Number.isInteger(value)) {
      throw domainError("INVALID_INPUT", "alerts.wholeThreshold");
    }
    if (value < MIN_ALERT_THRESHOLD || value > MAX_ALERT_THRESHOLD) {
      throw domainError("INVALID_INPUT", "alerts.thresholdRange", { min: MIN_ALERT_THRESHOLD, max: MAX_ALERT_THRESHOLD, value });
    }
    if (seen.has(value)) throw domainError("INVALID_INPUT", "alerts.thresholdTwice", { value });
    seen.add(value);
  }
  return [...seen].sort((a, b) => a - b);
}

export type AlertReason = "spend" | "refused";

/**
 * The thresholds an organisation's month has crossed: `spent ≥ limit × threshold / 100`, exactly in
 * integers. A refused request that could not fit even with nothing in flight (`refusedMinNano`: the
 * limit level "exceeded" of monthly-limit.ts) crosses the 100 % threshold too — the organisation's
 * chats are being refused, which is what that alert says. A zero limit fires nothing: an
 * organisation allowed to spend nothing has no budget running out.
 */
export function crossedAlertThresholds(input: {
  spentNano: bigint;
  limitNano: bigint;
  refusedMinNano?: bigint | null;
  thresholds: readonly number[];
}): { threshold: number; reason: AlertReason }[] {
  const { spentNano: spent, limitNano: limit } = input;
  if (limit <= 0n) return [];
  const refused = input.refusedMinNano !== undefined && input.refusedMinNano !== null && spent + input.refusedMinNano > limit;
  const crossed: { threshold: number; reason: AlertReason }[] = [];
  for (const threshold of input.thresholds) {
    if (spent * 100n >= limit * BigInt(threshold)) crossed.push({ threshold, reason: "spend" });
    else if (threshold === 100 && refused) crossed.push({ threshold, reason: "refused" });
  }
  return crossed;
}

/** spent / limit in whole per cent, rounded down (what a message states). */
export function usedPercent(spentNano: bigint, limitNano: bigint): number {
  if (limitNano <= 0n) return 100;
  return Number((spentNano * 100n) / limitNano);
}

/** Loopback names a test's receiver may use over http when http is allowed for local receivers only. */
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * What is wrong with a webhook URL, in words, or null: it must parse, carry no user name or password
 * (they would end up in logs and the delivery log), and be https — http only when `allowHttp`
 * (MAI_ALERTS_WEBHOOK_ALLOW_HTTP), or for a loopback host when `allowHttpLocalhost`.
 */
export function webhookUrlProblem(value: string, options: { allowHttp?: boolean; allowHttpLocalhost?: boolean } = {}): string | null {
  if (value.length > MAX_WEBHOOK_URL_LENGTH) return serverMessage("alerts.urlTooLong", { max: MAX_WEBHOOK_URL_LENGTH });
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return serverMessage("alerts.urlNotUrl");
  }
  if (url.username || url.password) return serverMessage("alerts.urlCredentials");
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:") {
    if (options.allowHttp) return null;
    if (options.allowHttpLocalhost && LOCAL_HOSTS.has(url.hostname)) return null;
    return serverMessage("alerts.urlHttps");
  }
  return serverMessage("alerts.urlHttpsScheme");
}

/** A URL as the delivery log shows it: scheme, host, port and path — never its query, fragment or credentials. */
export function webhookRecipient(value: string): string {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return "(not a URL)";
  }
}

/** What is signed: the timestamp, a dot, the exact body bytes sent. */
export function webhookSignedContent(timestampSeconds: number, body: string): string {
  return `${timestampSeconds}.${body}`;
}

/** The header's value for a signature computed over webhookSignedContent. */
export function formatWebhookSignature(timestampSeconds: number, hexSignature: string): string {
  return `t=${timestampSeconds},v1=${hexSignature}`;
}

/** A receiver's reading of the header: its timestamp and every v1 signature (several during a secret rotation); null if malformed. */
export function parseWebhookSignature(header: string): { timestamp: number; signatures: string[] } | null {
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) return null;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === "t") {
      if (!/^\d{1,12}$/.test(value)) return null;
      timestamp = Number(value);
    } else if (name === "v1") {
      if (!/^[0-9a-f]{64}$/.test(value)) return null;
      signatures.push(value);
    }
  }
  return timestamp === null || signatures.length === 0 ? null : { timestamp, signatures };
}

const decimalUsd = z.string().regex(/^\d+\.\d{9}$/);
const nanoString = z.string().regex(/^\d+$/);

/**
 * The webhook's JSON body (`event: "limit_alert"`). Amounts are exact: nano-USD as decimal strings
 * and the same as USD with nine decimals; `id` is the alert's, the same on every retry, so a
 * receiver can drop a repeat.
 */
export const limitAlertPayloadSchema = z.object({
  event: z.literal("limit_alert"),
  id: z.uuid(),
  organization: z.object({ id: z.uuid(), name: z.string() }),
  /** The billing month, "YYYY-MM" in the billing time zone. */
  period: z.string().regex(/^\d{4}-\d{2}$/),
  thresholdPercent: z.number().int().min(MIN_ALERT_THRESHOLD).max(MAX_ALERT_THRESHOLD),
  /** "spend": the spend reached the threshold; "refused": a request was refused at the limit. */
  reason: z.enum(["spend", "refused"]),
  spentNano: nanoString,
  limitNano: nanoString,
  spentUsd: decimalUsd,
  limitUsd: decimalUsd,
  usedPercent: z.number().int().min(0),
  firedAt: z.iso.datetime(),
  /** The dashboard's page for the organisation, when the API knows its public URL. */
  dashboardUrl: z.string().nullable(),
});
export type LimitAlertPayload = z.infer<typeof limitAlertPayloadSchema>;

/** Nano-USD as USD with exactly nine decimals ("80.000000000"): the payload's exact amounts. */
export function nanoToUsdFixed(nano: bigint): string {
  if (nano < 0n) throw new DomainError("INVALID_INPUT", "An alert's amount cannot be negative.");
  return exactMoneyDecimal(nano, undefined, { minFractionDigits: 9 });
}
