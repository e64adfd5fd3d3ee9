// Inputs of usage.* — also the Usage page's URL search params (the same filters, one definition).
import { z } from "zod";
import { localDateInput, monthInput, searchParam, usageStatusInput, uuid } from "./common";

const organizationId = uuid.optional();
const model = z.string().min(1).max(300);

export const usageSummaryInput = z.object({ organizationId }).optional();
// prefault: calling with no input at all means "all defaults".
export const usageDailyInput = z
  .object({ organizationId, days: z.number().int().min(1).max(366).default(30), userId: uuid.optional(), model: model.optional() })
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
