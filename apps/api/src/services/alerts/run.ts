// The limit-alert job (one timer, MAI_ALERTS_INTERVAL_MS, default 30 s; also nudged at once when a
// proxy's reservation is refused at the limit). A run has two steps:
//   fire     compares each active organisation's month-to-date spend (its period counter, which the
//            ingest keeps) with its thresholds (@mai/domain crossedAlertThresholds) and fires what
//            crossed: an alert row per (organisation, billing month, threshold) — once, whatever
//            the number of runs or API processes (@mai/db fireLimitAlert) — with its deliveries
//            queued in the same transaction: every client administrator and provider administrator
//            by e-mail (when SMTP is configured and the organisation has e-mail on) and the webhook;
//            an alert that fired before e-mail could reach anyone is e-mailed at the first run that can.
//   deliver  claims due deliveries (SKIP LOCKED, the attempt counted first), sends each, and records
//            the outcome in the delivery log; a failure worth retrying is due again after
//            MAI_ALERTS_RETRY_BASE_MS × 2^(attempt − 1), at most 1 h, up to MAI_ALERTS_MAX_ATTEMPTS.
// The outbox is in the database, so a restart resumes where the last process stopped. Spend that
// crosses a threshold is noticed within one interval (or at once on a refusal).
import {
  alertEmailRecipients,
  claimDueAlertDeliveries,
  fireLimitAlert,
  getAlertWebhook,
  getGlobalSettings,
  listAlertCandidates,
  queueUnsentAlertEmails,
  recordAlertDeliveryAttempt,
  type AlertChannel,
  type ClaimedAlertDelivery,
} from "@mai/db";
import { crossedAlertThresholds, periodKeyOf, webhookRecipient, webhookUrlProblem } from "@mai/domain";
import type { AppDeps } from "../../deps";
import { scheduleJob, type ScheduledJob } from "../schedule";
import { alertEmail, alertsPageUrl, webhookPayload } from "./message";
import { createAlertMailer, type AlertMailer, type SendOutcome } from "./mailer";
import { postWebhook } from "./webhook";

const RETRY_CAP_MS = 60 * 60_000;
/** A claimed delivery is due again after this long if the process dies before recording the outcome. */
const CLAIM_MS = 5 * 60_000;
/** A refusal nudges the job at most this often. */
const KICK_INTERVAL_MS = 2_000;

/** The wait after the `attempt`-th failure: base, 2 × base, 4 × base, … capped at 1 h. */
export function alertRetryDelayMs(attempt: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)), RETRY_CAP_MS);
}

const mailers = new WeakMap<AppDeps, AlertMailer | null>();
/** The process's SMTP transport (null: e-mail not configured), built on first use. */
export function alertMailer(deps: AppDeps): AlertMailer | null {
  if (!mailers.has(deps)) mailers.set(deps, createAlertMailer(deps.env));
  return mailers.get(deps) ?? null;
}

/** Whether webhook URLs may use http (MAI_ALERTS_WEBHOOK_ALLOW_HTTP, or a loopback receiver when private addresses are allowed). */
export function webhookUrlOptions(deps: Pick<AppDeps, "env">) {
  return { allowHttp: deps.env.MAI_ALERTS_WEBHOOK_ALLOW_HTTP, allowHttpLocalhost: deps.env.MAI_ALERTS_WEBHOOK_ALLOW_PRIVATE };
}

export interface FireSummary {
  fired: number;
  deliveries: number;
}

/** Fires every threshold crossed this billing month and not fired yet. */
export async function fireLimitAlerts(deps: AppDeps): Promise<FireSummary> {
  const now = deps.now();
  const { billingTimeZone } = await getGlobalSettings(deps.db);
  const period = periodKeyOf(now, billingTimeZone);
  const summary: FireSummary = { fired: 0, deliveries: 0 };
  const emailOn = alertMailer(deps) !== null;
  for (const org of await listAlertCandidates(deps.db, period)) {
    const due = crossedAlertThresholds({ spentNano: org.spentNano, limitNano: org.limitNano, refusedMinNano: org.refusedMinNano, thresholds: org.thresholds }).filter(
      (c) => !org.fired.includes(c.threshold),
    );
    if (due.length === 0) continue;
    const deliveries: { channel: AlertChannel; recipient: string }[] = [];
    if (emailOn && org.emailEnabled) {
      for (const email of await alertEmailRecipients(deps.db, org.organizationId)) deliveries.push({ channel: "email", recipient: email });
    }
    if (org.webhookUrl) deliveries.push({ channel: "webhook", recipient: webhookRecipient(org.webhookUrl) });
    for (const crossed of due) {
      const alert = await fireLimitAlert(deps.db, {
        organizationId: org.organizationId,
        period,
        thresholdPercent: crossed.threshold,
        reason: crossed.reason,
        spentNano: org.spentNano,
        limitNano: org.limitNano,
        firedAt: now,
        deliveries,
      });
      if (!alert) continue; // another run or process fired it first
      summary.fired += 1;
      summary.deliveries += deliveries.length;
      deps.logger.info(
        { organizationId: org.organizationId, period, threshold: crossed.threshold, reason: crossed.reason, deliveries: deliveries.length },
        "limit alert fired",
      );
    }
  }
  if (emailOn) {
    // This month's alerts that fired before anyone could be e-mailed (SMTP configured since, e-mail
    // turned on, a first administrator): e-mailed now, once.
    const late = await queueUnsentAlertEmails(deps.db, period, now);
    if (late > 0) {
      summary.deliveries += late;
      deps.logger.info({ period, emails: late }, "limit alert e-mails queued for alerts fired before e-mail could reach anyone");
    }
  }
  return summary;
}

async function sendOne(deps: AppDeps, claimed: ClaimedAlertDelivery): Promise<SendOutcome> {
  const { delivery, alert, organizationName, emailLanguage } = claimed;
  const dashboardUrl = alertsPageUrl(deps.env.MAI_PUBLIC_URL, alert.organizationId);
  if (delivery.channel === "email") {
    const mailer = alertMailer(deps);
    if (!mailer) return { ok: false, statusCode: null, error: "E-mail is not configured (MAI_SMTP_URL or MAI_SMTP_HOST).", retry: false };
    return mailer.send(delivery.recipient, alertEmail(alert, organizationName, dashboardUrl, emailLanguage));
  }
  const webhook = await getAlertWebhook(deps.db, deps.secrets, alert.organizationId);
  if (!webhook) return { ok: false, statusCode: null, error: "The organisation's webhook was removed before it could be called.", retry: false };
  // Sent to the webhook saved now (its secret may have been rotated since the alert fired); a URL
  // that no longer passes the rules (the API's settings changed) is not called.
  const problem = webhookUrlProblem(webhook.url, webhookUrlOptions(deps));
  if (problem) return { ok: false, statusCode: null, error: problem, retry: false };
  return postWebhook({
    url: webhook.url,
    secret: webhook.secret,
    body: JSON.stringify(webhookPayload(alert, organizationName, dashboardUrl)),
    now: deps.now(),
    timeoutMs: deps.env.MAI_ALERTS_WEBHOOK_TIMEOUT_MS,
    allowPrivate: deps.env.MAI_ALERTS_WEBHOOK_ALLOW_PRIVATE,
  });
}

export interface DeliverSummary {
  sent: number;
  retrying: number;
  failed: number;
}

/** Sends every due delivery (at most `limit` per run), a few at once. */
export async function deliverDueAlerts(deps: AppDeps, options: { limit?: number } = {}): Promise<DeliverSummary> {
  const now = deps.now();
  const claimed = await claimDueAlertDeliveries(deps.db, { now, claimUntil: new Date(now.getTime() + CLAIM_MS), limit: options.limit ?? 100 });
  const summary: DeliverSummary = { sent: 0, retrying: 0, failed: 0 };
  const queue = [...claimed];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { delivery } = next;
      let outcome: SendOutcome;
      try {
        outcome = await sendOne(deps, next);
      } catch (error) {
        // A bug or an unopenable secret: said by its name only, retried like a network failure.
        outcome = { ok: false, statusCode: null, error: `The delivery failed (${(error as Error | undefined)?.name ?? "unknown error"}).`, retry: true };
      }
      const at = deps.now();
      const givingUp = !outcome.ok && (!outcome.retry || delivery.attempts >= deps.env.MAI_ALERTS_MAX_ATTEMPTS);
      const nextRetryAt = outcome.ok || givingUp ? null : new Date(at.getTime() + alertRetryDelayMs(delivery.attempts, deps.env.MAI_ALERTS_RETRY_BASE_MS));
      await recordAlertDeliveryAttempt(deps.db, {
        delivery,
        outcome: outcome.ok ? "sent" : givingUp ? "failed" : "retry",
        statusCode: outcome.statusCode,
        error: outcome.error,
        nextRetryAt,
        at,
      });
      const line = {
        organizationId: delivery.organizationId,
        alertId: delivery.alertId,
        channel: delivery.channel,
        recipient: delivery.recipient,
        attempt: delivery.attempts,
        statusCode: outcome.statusCode,
      };
      if (outcome.ok) {
        summary.sent += 1;
        deps.logger.info(line, "limit alert delivered");
      } else if (givingUp) {
        summary.failed += 1;
        deps.logger.warn({ ...line, error: outcome.error }, "limit alert delivery given up");
      } else {
        summary.retrying += 1;
        deps.logger.warn({ ...line, error: outcome.error, nextRetryAt }, "limit alert delivery failed; will retry");
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, claimed.length) }, worker));
  return summary;
}

/** One run: fire what crossed, then deliver what is due. */
export async function runLimitAlerts(deps: AppDeps): Promise<{ fire: FireSummary; deliver: DeliverSummary }> {
  const fire = await fireLimitAlerts(deps);
  const deliver = await deliverDueAlerts(deps);
  return { fire, deliver };
}

const jobs = new WeakMap<AppDeps, { job: ScheduledJob; lastKick: number }>();

/** The job on its timer (0 disables the timer; a refusal's nudge still runs it). */
export function scheduleLimitAlerts(deps: AppDeps, intervalMs: number): ScheduledJob {
  const job = scheduleJob(deps, intervalMs, "limit alert run failed", () => runLimitAlerts(deps));
  jobs.set(deps, { job, lastKick: 0 });
  if (!alertMailer(deps)) deps.logger.info("limit alerts: e-mail is off (set MAI_SMTP_URL or MAI_SMTP_HOST); webhooks and the dashboard still get them");
  return {
    run: job.run,
    stop: () => {
      job.stop();
      jobs.delete(deps);
    },
  };
}

/**
 * A reservation was refused at the limit: run the job now rather than at the next tick (at most
 * every 2 s; nothing when the job is not scheduled in this process, or already running).
 */
export function nudgeLimitAlerts(deps: AppDeps): void {
  const entry = jobs.get(deps);
  if (!entry) return;
  const now = Date.now();
  if (now - entry.lastKick < KICK_INTERVAL_MS) return;
  entry.lastKick = now;
  entry.job.run().catch(() => undefined); // run() logs its failures itself
}
