// Why: a usage event is the unit of billing. The proxy produces one per request, keeps it on disk
// when the API is away (the spool), and sends batches to the API, which validates and records
// them. One schema and one line format serve all three, so what the proxy writes is exactly what
// the API accepts:
//   - the schema states what a valid event is (ids, non-negative integer tokens and nano amounts,
//     a markup of at least 1×, a known status);
//   - the line format is one JSON object per line ("NDJSON"), bigints as decimal strings (JSON has
//     no bigint, and 9 007 199 254 740 993 must survive exactly), instants as ISO-8601. It is also
//     the wire format of internal.recordUsage: serialising a batch as text costs a fraction of
//     walking every field of every event through a generic transformer.

import { z } from "zod";
import { DomainError } from "./errors";
import { INT8_MAX } from "./input-bounds";
import { int4Count, nanoAmount, storableText } from "./input-schemas";
import { billedCost, MAX_MARKUP_BP, MIN_MARKUP_BP } from "./money";

// Every field is bounded by the column that stores it (input-bounds.ts): an event that validates
// is an event the database accepts, so one bad event is refused here (400) — where the proxy's
// recorder can isolate it — instead of failing a whole batch inside the database.
const count = int4Count;
const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;
// A proxy's clock may be off, but not by decades: beyond these an instant is a bug or an attack.
const EARLIEST = new Date("2000-01-01T00:00:00Z");
const LATEST = new Date("2100-01-01T00:00:00Z");

export const usageEventSchema = z
  .object({
    generationId: storableText(200).min(1),
    organizationId: z.uuid(),
    userId: z.uuid(),
    externalUserId: storableText(100).min(1),
    model: storableText(300).min(1),
    provider: storableText(200).nullable().optional(),
    promptTokens: count,
    completionTokens: count,
    reasoningTokens: count.optional(),
    cachedTokens: count.optional(),
    /** What OpenRouter charged (usage.cost), in nano-USD. */
    rawCostNano: nanoAmount,
    /** The organisation's markup when the request was made; the billed cost is derived from it once. */
    markupBp: z.number().int().min(MIN_MARKUP_BP).max(MAX_MARKUP_BP),
    status: z.enum(["ok", "error", "aborted", "incomplete"]),
    streamed: z.boolean(),
    latencyMs: count.nullable().optional(),
    ttfbMs: count.nullable().optional(),
    occurredAt: z.date().min(EARLIEST).max(LATEST),
    /**
     * The part of the proxy's reservation (made in `period`, in lease `lease`) that this event's
     * cost used up. Events spooled before leases were rows carry no lease: they record, and their
     * release is ignored (what they held was returned when their lease expired).
     */
    release: z.object({ period: z.string().regex(PERIOD), nano: nanoAmount, lease: z.uuid().optional() }).nullable().optional(),
  })
  .refine((e) => billedCost(e.rawCostNano, e.markupBp) <= INT8_MAX, {
    path: ["rawCostNano"],
    message: "The billed cost (raw cost × markup) exceeds what can be stored.",
  });

export type UsageEvent = z.infer<typeof usageEventSchema>;

/** Most events one batch may carry. */
export const MAX_USAGE_BATCH = 5_000;

/**
 * The share of ordinary (status ok) events queued, when recorded, for a check against OpenRouter's
 * /generation, in basis points of generation ids (by hash) — the API's MAI_RECONCILE_SAMPLE_BP
 * default; failed, aborted and incomplete events are always queued.
 */
export const DEFAULT_RECONCILE_SAMPLE_BP = 500;

function encodeDate(value: unknown): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  return String(value);
}

/** One event as one JSON line (no newline). Only the schema's fields are written. */
export function encodeUsageEvent(event: UsageEvent): string {
  return JSON.stringify({
    generationId: event.generationId,
    organizationId: event.organizationId,
    userId: event.userId,
    externalUserId: event.externalUserId,
    model: event.model,
    provider: event.provider,
    promptTokens: event.promptTokens,
    completionTokens: event.completionTokens,
    reasoningTokens: event.reasoningTokens,
    cachedTokens: event.cachedTokens,
    rawCostNano: String(event.rawCostNano),
    markupBp: event.markupBp,
    status: event.status,
    streamed: event.streamed,
    latencyMs: event.latencyMs,
    ttfbMs: event.ttfbMs,
    occurredAt: encodeDate(event.occurredAt),
    release: event.release ? { period: event.release.period, nano: String(event.release.nano), lease: event.release.lease } : event.release,
  });
}

export function encodeUsageEvents(events: readonly UsageEvent[]): string {
  let text = "";
  for (const event of events) text += encodeUsageEvent(event) + "\n";
  return text;
}

/**
 * The inverse of encodeUsageEvent without validation (the spool keeps whatever it wrote; the API
 * decides validity): null for a line that is not a JSON object with a string generationId.
 */
export function decodeUsageEventLine(line: string): UsageEvent | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return null;
  // The parsed object is this function's own: its fields are converted in place.
  const event = parsed as Record<string, unknown>;
  if (typeof event.generationId !== "string") return null;
  if (typeof event.rawCostNano === "string" && /^-?\d+$/.test(event.rawCostNano)) event.rawCostNano = BigInt(event.rawCostNano);
  if (typeof event.occurredAt === "string") event.occurredAt = new Date(event.occurredAt);
  const release = event.release as Record<string, unknown> | null | undefined;
  if (typeof release === "object" && release !== null && typeof release.nano === "string" && /^-?\d+$/.test(release.nano)) {
    release.nano = BigInt(release.nano);
  }
  return event as unknown as UsageEvent;
}

/** A batch in the line format, validated: every line must be a valid event, or nothing is accepted. */
export function parseUsageEvents(text: string): UsageEvent[] {
  const events: UsageEvent[] = [];
  let lineNumber = 0;
  for (const line of text.split("\n")) {
    lineNumber += 1;
    if (line.trim() === "") continue;
    if (events.length >= MAX_USAGE_BATCH) throw new DomainError("INVALID_INPUT", `A usage batch carries at most ${MAX_USAGE_BATCH} events.`);
    const decoded = decodeUsageEventLine(line);
    const result = decoded ? usageEventSchema.safeParse(decoded) : null;
    if (!result?.success) {
      const issue = result?.error.issues[0];
      const what = issue ? `${issue.path.join(".") || "event"}: ${issue.message}` : "not a JSON object with a generationId";
      throw new DomainError("INVALID_INPUT", `Usage event on line ${lineNumber}: ${what}.`, { details: { line: lineNumber } });
    }
    events.push(result.data);
  }
  return events;
}
