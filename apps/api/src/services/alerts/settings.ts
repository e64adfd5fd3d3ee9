// alerts.getSettings / updateSettings / list / deliveries: the organisation arrives already
// authorized (orgProcedure, orgMemberProcedure, providerOrgProcedure). The webhook URL's rules are
// @mai/domain's with this API's settings (https; http only where allowed); the secret is sealed by
// @mai/db and never returned, logged or audited — the answer and the audit entry say only whether
// one is set and whether this save changed it.
import {
  appendAudit,
  getAlertSettings,
  getGlobalSettings,
  listAlertDeliveryLog,
  listLimitAlerts,
  updateAlertSettings,
  type AuthUser,
  type Organization,
} from "@mai/db";
import { DomainError, domainError, periodKeyOf, serverMessageMatch, webhookRecipient, webhookUrlProblem } from "@mai/domain";
import type { AlertsListInput, UpdateAlertSettingsInput } from "@mai/domain/schemas";
import type { AuthedContext } from "../../context";
import { alertMailer, webhookUrlOptions } from "./run";

export async function getOrganizationAlertSettings(ctx: AuthedContext, org: Organization) {
  const settings = await getAlertSettings(ctx.deps.db, org.id);
  return { ...settings, emailConfigured: alertMailer(ctx.deps) !== null, webhookHttpAllowed: ctx.deps.env.MAI_ALERTS_WEBHOOK_ALLOW_HTTP };
}

export async function updateOrganizationAlertSettings(ctx: AuthedContext, user: AuthUser, org: Organization, input: UpdateAlertSettingsInput) {
  if (input.webhookUrl) {
    const problem = webhookUrlProblem(input.webhookUrl, webhookUrlOptions(ctx.deps));
    if (problem) {
      // The domain's sentence is one of the catalog's (alerts.url*): sent with its key.
      const known = serverMessageMatch(problem, "alerts");
      throw known ? domainError("INVALID_INPUT", known.key, known.params) : new DomainError("INVALID_INPUT", problem);
    }
  }
  const before = await getAlertSettings(ctx.deps.db, org.id);
  const saved = await updateAlertSettings(ctx.deps.db, ctx.deps.secrets, org.id, input, user.id);
  const shown = (s: typeof saved) => ({
    thresholds: s.thresholds,
    emailEnabled: s.emailEnabled,
    emailLanguage: s.emailLanguage,
    webhook: s.webhookUrl ? webhookRecipient(s.webhookUrl) : null,
    webhookSecretSet: s.webhookSecretSet,
  });
  await appendAudit(ctx.deps.db, {
    actorUserId: user.id,
    actorKind: ctx.auth?.kind === "operator" ? "cli" : "user",
    action: "alerts.settings_updated",
    organizationId: org.id,
    targetType: "organization",
    targetId: org.id,
    before: shown(before),
    after: shown(saved),
    details: { webhookSecretChanged: input.webhookSecret !== undefined },
    ip: ctx.request.ip,
  });
  return getOrganizationAlertSettings(ctx, org);
}

/** The organisation's fired alerts (a month's, or the latest), with the current billing month named for the dashboard's banner. */
export async function listOrganizationAlerts(ctx: AuthedContext, org: Organization, input: AlertsListInput) {
  const { billingTimeZone } = await getGlobalSettings(ctx.deps.db);
  const currentPeriod = periodKeyOf(ctx.deps.now(), billingTimeZone);
  const items = await listLimitAlerts(ctx.deps.db, org.id, { period: input?.month, limit: input?.limit ?? 50 });
  return { currentPeriod, items: items.map(({ id, period, thresholdPercent, reason, spentNano, limitNano, firedAt }) => ({ id, period, thresholdPercent, reason, spentNano, limitNano, firedAt })) };
}

export async function listOrganizationAlertDeliveries(ctx: AuthedContext, org: Organization, input: { limit: number } | undefined) {
  const rows = await listAlertDeliveryLog(ctx.deps.db, org.id, { limit: input?.limit ?? 100 });
  return rows.map((r) => ({
    id: r.id,
    alertPeriod: r.period,
    thresholdPercent: r.thresholdPercent,
    channel: r.channel,
    recipient: r.recipient,
    attempt: r.attempt,
    outcome: r.outcome,
    statusCode: r.statusCode,
    error: r.error,
    nextRetryAt: r.nextRetryAt,
    attemptedAt: r.attemptedAt,
  }));
}
