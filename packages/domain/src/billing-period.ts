// Why: monthly limits and invoices follow the calendar month in the provider's billing time zone
// (Europe/Warsaw for most clients), not UTC: a request at 00:30 on 1 November in Warsaw belongs to
// November. Built on Intl.DateTimeFormat alone — it carries the IANA database in every browser and
// in Node — so there is no date library and no I/O. Periods are half-open: [start, end).

import { DomainError } from "./errors";

export interface BillingPeriod {
  /** "YYYY-MM" in the time zone. */
  key: string;
  /** Inclusive: local midnight starting the 1st of the month, as an instant. */
  start: Date;
  /** Exclusive: the start of the next month's period. */
  end: Date;
  timeZone: string;
}

interface WallTime {
  year: number;
  month: number; // 1–12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const DAY_MS = 86_400_000;
// Keeps "YYYY" four digits and clear of the BC/AD era switch.
const MIN_YEAR = 1000;
const MAX_YEAR = 9998;

// Constructing a DateTimeFormat is far costlier than using one; the proxy asks on every request.
const formatters = new Map<string, Intl.DateTimeFormat>();
const MAX_CACHED_ZONES = 1000;

function formatterFor(timeZone: string): Intl.DateTimeFormat | null {
  const cached = formatters.get(timeZone);
  if (cached) return cached;
  try {
    const formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      // h23, not hour12: false, which some engines render as "24" at midnight.
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    // Bounded: zone names are case-insensitive, so spellings of valid zones are unbounded.
    if (formatters.size >= MAX_CACHED_ZONES) formatters.clear();
    formatters.set(timeZone, formatter);
    return formatter;
  } catch {
    return null;
  }
}

export function isValidTimeZone(tz: string): boolean {
  return typeof tz === "string" && tz.trim() !== "" && formatterFor(tz) !== null;
}

function requireFormatter(timeZone: string): Intl.DateTimeFormat {
  const formatter = typeof timeZone === "string" && timeZone.trim() !== "" ? formatterFor(timeZone) : null;
  if (!formatter) throw new DomainError("INVALID_INPUT", "Unknown time zone.", { details: { timeZone } });
  return formatter;
}

function requireInstant(instant: Date): number {
  const t = instant instanceof Date ? instant.getTime() : Number.NaN;
  if (Number.isNaN(t)) throw new DomainError("INVALID_INPUT", "The instant must be a valid Date.");
  const year = new Date(t).getUTCFullYear();
  if (year < MIN_YEAR || year > MAX_YEAR) {
    throw new DomainError(
      "INVALID_INPUT",
      `The instant must lie between the years ${MIN_YEAR} and ${MAX_YEAR}.`,
    );
  }
  return t;
}

// Offsets are whole seconds, so every instant of one UTC second has the same wall-clock second:
// the last answer per formatter is kept and reused within its second. Usage events arrive in bursts
// within the same second, and formatToParts is the costliest step of recording one.
const lastWall = new WeakMap<Intl.DateTimeFormat, { second: number; wall: Readonly<WallTime> }>();

function wallTime(t: number, formatter: Intl.DateTimeFormat): WallTime {
  const second = Math.floor(t / 1000);
  const last = lastWall.get(formatter);
  if (last?.second === second) return { ...last.wall };
  const wall = computeWallTime(second * 1000, formatter);
  lastWall.set(formatter, { second, wall: { ...wall } });
  return wall;
}

function computeWallTime(t: number, formatter: Intl.DateTimeFormat): WallTime {
  const wall: WallTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatter.formatToParts(t)) {
    if (part.type in wall) wall[part.type as keyof WallTime] = Number(part.value);
  }
  if (wall.hour === 24) wall.hour = 0; // belt and braces for engines that ignore hourCycle
  return wall;
}

/** Wall-clock fields read as if they were UTC, in ms (years below 100 are not shifted to 19xx). */
function wallAsUtc(w: WallTime): number {
  const d = new Date(0);
  d.setUTCFullYear(w.year, w.month - 1, w.day);
  d.setUTCHours(w.hour, w.minute, w.second, 0);
  return d.getTime();
}

/** The zone's offset from UTC at instant t, in ms (to the second, which historical zones need). */
function offsetAt(t: number, formatter: Intl.DateTimeFormat): number {
  const wholeSecond = t - (((t % 1000) + 1000) % 1000);
  return wallAsUtc(wallTime(wholeSecond, formatter)) - wholeSecond;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/**
 * The first instant whose local wall time is `wall` (ms, wall-clock read as UTC). Tries the offsets
 * in force a day before and a day after — a transition near the wall time is between them — and
 * keeps the candidates that really show that wall time, earliest first (a repeated hour after a
 * fall-back). If neither does, the wall time fell into a spring-forward gap, and the day starts at
 * the transition, which is what the earlier offset gives.
 */
function firstInstantAt(wall: number, formatter: Intl.DateTimeFormat): number {
  const before = offsetAt(wall - DAY_MS, formatter);
  const after = offsetAt(wall + DAY_MS, formatter);
  const valid = [wall - before, wall - after].filter((t) => offsetAt(t, formatter) === wall - t);
  return valid.length > 0 ? Math.min(...valid) : wall - before;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The instant of local midnight starting `date` ("YYYY-MM-DD") in the time zone. */
export function zonedMidnight(date: string, timeZone: string): Date {
  const formatter = requireFormatter(timeZone);
  const m = typeof date === "string" ? DATE.exec(date) : null;
  const year = Number(m?.[1]);
  const month = Number(m?.[2]);
  const day = Number(m?.[3]);
  const wall = m ? wallAsUtc({ year, month, day, hour: 0, minute: 0, second: 0 }) : Number.NaN;
  const check = new Date(wall);
  // setUTCFullYear rolls 2026-02-30 over to March: a real date survives the round trip unchanged.
  if (!m || year < MIN_YEAR || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new DomainError("INVALID_INPUT", "The date must be a calendar date written YYYY-MM-DD.", {
      details: { date },
    });
  }
  return new Date(firstInstantAt(wall, formatter));
}

/** "YYYY-MM-DD" as seen in the time zone. */
export function localDate(instant: Date, timeZone: string): string {
  const formatter = requireFormatter(timeZone);
  const w = wallTime(requireInstant(instant), formatter);
  return `${pad(w.year, 4)}-${pad(w.month, 2)}-${pad(w.day, 2)}`;
}

/** The billing period's key ("YYYY-MM") without computing its bounds. */
export function periodKeyOf(instant: Date, timeZone: string): string {
  const formatter = requireFormatter(timeZone);
  const w = wallTime(requireInstant(instant), formatter);
  return `${pad(w.year, 4)}-${pad(w.month, 2)}`;
}

export function billingPeriod(instant: Date, timeZone: string): BillingPeriod {
  const formatter = requireFormatter(timeZone);
  const w = wallTime(requireInstant(instant), formatter);
  const next = w.month === 12 ? { year: w.year + 1, month: 1 } : { year: w.year, month: w.month + 1 };
  const startOf = (year: number, month: number) =>
    new Date(firstInstantAt(wallAsUtc({ year, month, day: 1, hour: 0, minute: 0, second: 0 }), formatter));
  return {
    key: `${pad(w.year, 4)}-${pad(w.month, 2)}`,
    start: startOf(w.year, w.month),
    end: startOf(next.year, next.month),
    timeZone,
  };
}
