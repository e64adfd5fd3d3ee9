// Building blocks of the procedures' input schemas: amounts people type, ids, dates.
import { z } from "zod";

export const uuid = z.uuid();
/** A multiplier as typed, e.g. "1.3" or 1.3; exactness and range are markupFromMultiplier's. */
export const markupInput = z.union([z.string().trim().min(1).max(20), z.number().positive()]);
/** USD as typed, e.g. "1000"; exactness and range are validateMonthlyLimit's. */
export const usdInput = z.union([z.string().trim().min(1).max(40), z.number().nonnegative()]);
export const MAX_EMAIL_LENGTH = 320;
export const emailInput = z.string().trim().max(MAX_EMAIL_LENGTH).pipe(z.email());
export const localDateInput = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date written YYYY-MM-DD.");
export const monthInput = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "Use a month written YYYY-MM.");
export const usageStatusInput = z.enum(["ok", "error", "aborted", "incomplete"]);

/**
 * One parameter of a dashboard URL's search, checked by the field schema its procedure uses: a
 * malformed value (a hand-edited or stale link) is dropped as if absent, not a page error.
 */
export const searchParam = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
