// Inputs of usage.* — also the Usage page's URL search params (the same filters, one definition).
import { z } from "zod";
import { daysBetween } from "../local-date";
import { localDateInput, monthInput, searchParam, usageStatusInput, uuid } from "./common";

const organizationId = uuid.optional();
const model = z.string().min(1).max(300);

export const usageSummaryInput = z.object({ organizationId }).optional();
// prefault: calling with no input at all means "all defaults".
/** The last `days` days to today, or the days from `from` to `to` (both included, at most 366; days after today are not listed). */
export const usageDailyInput = z
  .object({
    organizationId,
    days: z.number().int().min(1).max(366).default(30),
    from: localDateInput.optional(),
    to: localDateInput.optional(),
    userId: uuid.optional(),
    model: model.optional(),
  })
  .refine((i) => (i.from === undefined) === (i.to === undefined), { message: "Give both the first and the last day, or neither.", path: ["to"] })
  .refine((i) => !i.from || !i.to || (i.from <= i.to && daysBetween(i.from, i.to) <= 366), {
    message: "The last day must not come before the first, and a range spans at most 366 days.",
    path: ["to"],
  })
  .prefault({});
export const usageBreakdownInput = z
  .object({ organizationId, from: localDateInput.optional(), to: localDateInput.optional() })
  .prefault({});
export const usageEventsInput = z
  .object({
    organizationId,
    userId: uuid.optional(),
    model: model.optional(),
    status: usageStatusInput.optional(),
    from: localDateInput.optional(),
    to: localDateInput.optional(),
    cursor: z.string().min(1).max(600).optional(),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .prefault({});
export const usageExportCsvInput = z.object({ organizationId, month: monthInput });

/** The Usage page's ?from&to&user&model&status: usage.events' filters; a malformed one is dropped. */
export const usageSearch = z.object({
  from: searchParam(localDateInput),
  to: searchParam(localDateInput),
  user: searchParam(uuid),
  model: searchParam(model),
  status: searchParam(usageStatusInput),
});

export type UsageEventsInput = z.infer<typeof usageEventsInput>;
export type UsageSearch = z.output<typeof usageSearch>;
