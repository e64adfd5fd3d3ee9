// Inputs of alerts.* (the organisation id itself is the scoped procedures' own input).
import { z } from "zod";
import {
  ALERT_EMAIL_LANGUAGES,
  MAX_ALERT_THRESHOLD,
  MAX_ALERT_THRESHOLDS,
  MAX_WEBHOOK_SECRET_LENGTH,
  MAX_WEBHOOK_URL_LENGTH,
  MIN_ALERT_THRESHOLD,
  MIN_WEBHOOK_SECRET_LENGTH,
} from "../limit-alerts";

/** 1–5 distinct whole percentages of the monthly limit, 1–100 (validateAlertThresholds says the same in the services). */
export const alertThresholdsInput = z
  .array(
    z
      .number({ message: "A threshold is a whole number of per cent, e.g. 80." })
      .int("A threshold is a whole number of per cent, e.g. 80.")
      .min(MIN_ALERT_THRESHOLD, `A threshold is at least ${MIN_ALERT_THRESHOLD} % of the monthly limit.`)
      .max(MAX_ALERT_THRESHOLD, `A threshold is at most ${MAX_ALERT_THRESHOLD} % of the monthly limit.`),
  )
  .min(1, "Give at least one threshold, e.g. 80 and 100 (per cent of the monthly limit).")
  .max(MAX_ALERT_THRESHOLDS, `Give at most ${MAX_ALERT_THRESHOLDS} thresholds.`)
  .refine((list) => new Set(list).size === list.length, "Each threshold may be given once.");

/** A webhook URL as typed; webhookUrlProblem decides (https, no credentials) with the API's settings. */
export const webhookUrlInput = z
  .string()
  .trim()
  .min(1, "Give the webhook URL, or remove the webhook.")
  .max(MAX_WEBHOOK_URL_LENGTH, `The webhook URL is too long (at most ${MAX_WEBHOOK_URL_LENGTH} characters).`);

/** The webhook's signing secret: write-only (never returned; the settings say whether one is set). */
export const webhookSecretInput = z
  .string()
  .min(MIN_WEBHOOK_SECRET_LENGTH, `The signing secret must be at least ${MIN_WEBHOOK_SECRET_LENGTH} characters.`)
  .max(MAX_WEBHOOK_SECRET_LENGTH, `The signing secret must be at most ${MAX_WEBHOOK_SECRET_LENGTH} characters.`);

/**
 * alerts.updateSettings: what is given changes, what is absent stays. `webhookUrl: null` removes
 * the webhook (and its secret); a new URL needs a secret, given now or set before.
 */
export const updateAlertSettingsInput = z.object({
  thresholds: alertThresholdsInput.optional(),
  emailEnabled: z.boolean().optional(),
  emailLanguage: z.enum(ALERT_EMAIL_LANGUAGES, { message: "Choose the language of the alert e-mails: en (English) or pl (Polish)." }).optional(),
  webhookUrl: webhookUrlInput.nullable().optional(),
  webhookSecret: webhookSecretInput.optional(),
});

/** alerts.list: the organisation's fired alerts, newest first (optionally one billing month). */
export const alertsListInput = z
  .object({
    month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "Use a month written YYYY-MM.").optional(),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .optional();

/** alerts.deliveries: the delivery log, newest attempt first. */
export const alertDeliveriesInput = z.object({ limit: z.number().int().min(1).max(500).default(100) });

export type UpdateAlertSettingsInput = z.output<typeof updateAlertSettingsInput>;
export type AlertsListInput = z.output<typeof alertsListInput>;
