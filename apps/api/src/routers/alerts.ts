// Limit alerts (issue 18): per-organisation thresholds and webhook, the alerts fired, and the
// delivery log. Settings: the provider for any organisation, a client administrator for their own
// (orgProcedure); the fired alerts: the organisation's members too (orgMemberProcedure); the
// delivery log: the provider only (providerOrgProcedure — recipients are other people's e-mail
// addresses and the provider's own). The webhook secret is write-only: no output schema has it.
import { ALERT_EMAIL_LANGUAGES } from "@mai/domain";
import { alertDeliveriesInput, alertsListInput, updateAlertSettingsInput } from "@mai/domain/schemas";
import { z } from "zod";
import {
  getOrganizationAlertSettings,
  listOrganizationAlertDeliveries,
  listOrganizationAlerts,
  updateOrganizationAlertSettings,
} from "../services/alerts/settings";
import { router } from "../trpc/init";
import { orgMemberProcedure, orgProcedure, providerOrgProcedure } from "../trpc/procedures";

const settingsOut = z
  .object({
    organizationId: z.string(),
    thresholds: z.array(z.number().int()),
    emailEnabled: z.boolean(),
    /** The language the organisation's alert e-mails are written in. */
    emailLanguage: z.enum(ALERT_EMAIL_LANGUAGES),
    /** Whether this API can send e-mail at all (SMTP configured). */
    emailConfigured: z.boolean(),
    webhookUrl: z.string().nullable(),
    webhookSecretSet: z.boolean(),
    /** Whether http:// webhook URLs are accepted (MAI_ALERTS_WEBHOOK_ALLOW_HTTP). */
    webhookHttpAllowed: z.boolean(),
    updatedAt: z.date().nullable(),
  })
  .strict();

const alertOut = z.object({
  id: z.string(),
  period: z.string(),
  thresholdPercent: z.number().int(),
  reason: z.enum(["spend", "refused"]),
  spentNano: z.bigint(),
  limitNano: z.bigint(),
  firedAt: z.date(),
});

const deliveryOut = z
  .object({
    id: z.string(),
    alertPeriod: z.string(),
    thresholdPercent: z.number().int(),
    channel: z.enum(["email", "webhook"]),
    recipient: z.string(),
    attempt: z.number().int(),
    outcome: z.enum(["sent", "retry", "failed"]),
    statusCode: z.number().int().nullable(),
    error: z.string().nullable(),
    nextRetryAt: z.date().nullable(),
    attemptedAt: z.date(),
  })
  .strict();

export const alertsRouter = router({
  getSettings: orgProcedure.output(settingsOut).query(({ ctx }) => getOrganizationAlertSettings(ctx, ctx.org)),

  updateSettings: orgProcedure
    .input(updateAlertSettingsInput)
    .output(settingsOut)
    .mutation(({ ctx, input }) => updateOrganizationAlertSettings(ctx, ctx.user, ctx.org, input)),

  list: orgMemberProcedure
    .input(alertsListInput)
    .output(z.object({ currentPeriod: z.string(), items: z.array(alertOut) }))
    .query(({ ctx, input }) => listOrganizationAlerts(ctx, ctx.org, input)),

  deliveries: providerOrgProcedure
    .input(alertDeliveriesInput)
    .output(z.array(deliveryOut))
    .query(({ ctx, input }) => listOrganizationAlertDeliveries(ctx, ctx.org, input)),
});
