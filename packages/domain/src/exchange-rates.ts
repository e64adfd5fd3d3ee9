// Why: the books stay in nano-USD (what OpenRouter charges); an organisation whose currency is
// another (PLN first) sees its figures and statements converted at a documented rate — the
// National Bank of Poland's table A mid rate of the last business day before the statement date,
// fetched and stored per day by the API, or entered by the provider when NBP is unreachable. This
// file holds the decisions: which day's rate a figure uses, and how NBP's answer is read — its
// `mid` taken from the JSON text's own digits, never through a float.

import { addDays } from "./local-date";
import { DomainError } from "./errors";
import { normalizeRate } from "./format";
import { serverMessage } from "./messages";

/** The books' currency: figures in it are never converted. */
export const BOOKS_CURRENCY = "USD";

/** One day's rate as NBP publishes it (table A): `mid` is the exact decimal text of the JSON. */
export interface NbpRate {
  effectiveDate: string;
  mid: string;
  tableNo: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** NBP answers at most 93 days per range; the job asks for far fewer. */
export const NBP_MAX_RANGE_DAYS = 93;
/** How far back the daily job looks: covers a long holiday weekend, and a few missed runs. */
export const NBP_LOOKBACK_DAYS = 14;

function invalid(message: string): DomainError {
  return new DomainError("INVALID_INPUT", message);
}

/**
 * The statement date of a billing month: the day after the period ends ("2026-11" → "2026-12-01"),
 * or `today` when that is earlier (a month still running is stated as of today). A figure uses the
 * last rate effective strictly before it — for a closed month, the last business day of the month.
 */
export function statementDate(period: string, today: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  if (!m || !DAY.test(today)) throw invalid("A statement is of a month YYYY-MM, as of a day YYYY-MM-DD.");
  const year = Number(m[1]);
  const month = Number(m[2]);
  const next = month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, "0")}-01`;
  return next < today ? next : today;
}

/** The range of days the daily job asks NBP for: the {@link NBP_LOOKBACK_DAYS} days up to today. */
export function nbpFetchRange(today: string): { start: string; end: string } {
  return { start: addDays(today, -NBP_LOOKBACK_DAYS), end: today };
}

/**
 * Of the rates known, the one a figure dated `before` uses: the latest effective strictly before
 * that day. Null when none is known — the caller says so in words, never converts 1:1.
 */
export function rateBefore<R extends { effectiveDate: string }>(rates: readonly R[], before: string): R | null {
  let best: R | null = null;
  for (const r of rates) {
    if (r.effectiveDate < before && (best === null || r.effectiveDate > best.effectiveDate)) best = r;
  }
  return best;
}

/** The sentence shown instead of a converted figure when no rate is known. */
export function noRateMessage(currency: string, before: string): string {
  return serverMessage("rates.none", { currency, before });
}

/**
 * NBP's `GET /api/exchangerates/rates/a/{code}/{start}/{end}/?format=json` answer →
 * its rates, `mid` as the exact decimal text of the number token. Throws (INVALID_INPUT) on
 * anything else: another table or currency, a malformed day, a rate that is not a plain decimal.
 */
export function parseNbpRates(text: string, currency: string): NbpRate[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid("NBP's answer is not JSON.");
  }
  const body = parsed as { table?: unknown; code?: unknown; rates?: unknown };
  if (typeof body !== "object" || body === null || body.table !== "A" || !Array.isArray(body.rates)) {
    throw invalid("NBP's answer is not a table A series.");
  }
  if (typeof body.code !== "string" || body.code.toUpperCase() !== currency.toUpperCase()) {
    throw invalid(`NBP's answer is not about ${currency}.`);
  }
  const mids = midTokens(text);
  if (mids.length !== body.rates.length) throw invalid("NBP's answer has rates without a mid rate.");
  return body.rates.map((raw, i) => {
    const r = raw as { no?: unknown; effectiveDate?: unknown; mid?: unknown };
    const token = mids[i]!;
    if (typeof r.no !== "string" || typeof r.effectiveDate !== "string" || !DAY.test(r.effectiveDate)) {
      throw invalid("NBP's answer has a rate without its table number or day.");
    }
    // The token is the same number JSON.parse read (a cross-check of the scan), in exact digits.
    if (typeof r.mid !== "number" || Number(token) !== r.mid) throw invalid("NBP's answer has an unreadable mid rate.");
    return { effectiveDate: r.effectiveDate, mid: normalizeRate(token), tableNo: r.no.slice(0, 40) };
  });
}

/**
 * The text of every number that is the value of a "mid" key, in order — a scan of the JSON that
 * steps over strings (escapes included), so a "mid" inside a string is never taken for a key.
 */
function midTokens(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  let lastString: string | null = null;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      let value = "";
      while (j < text.length && text[j] !== '"') {
        if (text[j] === "\\") {
          value += text.slice(j, j + 2);
          j += 2;
        } else {
          value += text[j];
          j += 1;
        }
      }
      lastString = value;
      i = j + 1;
      continue;
    }
    if (c === ":" && lastString === "mid") {
      const m = /^\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i + 1, i + 80));
      if (m) out.push(m[1]!);
    }
    if (c !== " " && c !== "\n" && c !== "\r" && c !== "\t" && c !== ":") lastString = null;
    i += 1;
  }
  return out;
}
