// Zod schemas for values bounded by what PostgreSQL stores (rules in input-bounds.ts): every input
// schema of the API and the usage-event format builds its strings and numbers from these.
import { z } from "zod";
import { INT4_MAX, INT8_MAX, unstorableTextReason } from "./input-bounds";

/** A string that PostgreSQL stores exactly as sent, at most `max` characters. */
export function storableText(max: number): z.ZodString {
  return z
    .string()
    .max(max)
    .refine((v) => unstorableTextReason(v) === null, { error: (issue) => `Text ${unstorableTextReason(String(issue.input)) ?? "is invalid"}.` });
}

/** A count stored in an `integer` column: 0 … 2 147 483 647. */
export const int4Count = z.number().int().min(0).max(INT4_MAX);

/** An amount of nano-USD stored in a `bigint` column: 0 … 9 223 372 036 854 775 807. */
export const nanoAmount = z.bigint().min(0n).max(INT8_MAX);
