// Recent usage events, newest first. The cursor is opaque to clients: the last row's exact
// (occurred_at, generation_id), so pages neither skip nor repeat rows while new events arrive.
// A report: read from the read replica when there is one (README: "Read replica").
import { listUsageEventsPage, type UsageEventCursor } from "@mai/db";
import { addDays, domainError, DomainError, zonedMidnight } from "@mai/domain";
import type { usageEventsInput } from "@mai/domain/schemas";
import type { z } from "zod";
import type { Context, UsageScope } from "../../context";
import { billingClock } from "./clock";

const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

function encodeEventCursor(cursor: UsageEventCursor): string {
  return Buffer.from(`${cursor.occurredAt}|${cursor.generationId}`, "utf8").toString("base64url");
}

function decodeEventCursor(text: string): UsageEventCursor {
  const raw = Buffer.from(text, "base64url").toString("utf8");
  const bar = raw.indexOf("|");
  const occurredAt = raw.slice(0, bar);
  const generationId = raw.slice(bar + 1);
  const t = Date.parse(occurredAt);
  // Date.parse accepts 30 February; a real instant survives the round trip unchanged.
  const real =
    CURSOR_TIME.test(occurredAt) &&
    !Number.isNaN(t) &&
    new Date(t).toISOString().slice(0, 19) === occurredAt.slice(0, 19);
  if (bar < 0 || !real || generationId === "") {
    throw new DomainError("INVALID_INPUT", "The cursor is not one this API returned.");
  }
  return { occurredAt, generationId };
}

export async function usageEvents(ctx: Context, scope: UsageScope, input: z.output<typeof usageEventsInput>) {
  if (input.from && input.to && input.from > input.to) {
    throw domainError("INVALID_INPUT", "dates.startAfterEnd");
  }
  const db = ctx.deps.readDb;
  const { timeZone } = await billingClock(ctx, db);
  const page = await listUsageEventsPage(db, {
    organizationId: scope.organization.id,
    userId: scope.userId,
    model: input.model,
    status: input.status,
    // Local days of the billing time zone, as instants: [from 00:00, the day after `to` 00:00).
    from: input.from ? zonedMidnight(input.from, timeZone) : null,
    to: input.to ? zonedMidnight(addDays(input.to, 1), timeZone) : null,
    cursor: input.cursor ? decodeEventCursor(input.cursor) : null,
    limit: input.limit,
  });
  return { items: page.items, nextCursor: page.nextCursor ? encodeEventCursor(page.nextCursor) : null };
}
