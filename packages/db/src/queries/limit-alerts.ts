// Limit alerts: per-organisation settings, the alerts fired (once per organisation, billing period
// and threshold — a unique index and INSERT … ON CONFLICT DO NOTHING, so concurrent runs in any
// number of API processes fire each once), the outbox of deliveries queued in the same transaction
// as the alert, and the delivery log. The API's job (apps/api services/alerts/) decides what
// crossed with @mai/domain's crossedAlertThresholds, and sends; nothing here calls out.
import { and, asc, desc, eq, inArray, isNull, lte, or, sql } from "drizzle-orm";
import { type AlertEmailLanguage, type AlertReason, DEFAULT_ALERT_THRESHOLDS, domainError, validateAlertThresholds } from "@mai/domain";
import type { UpdateAlertSettingsInput } from "@mai/domain/schemas";
import { queryRows, type Executor } from "../client";
import { SecretContext, type SecretBox } from "../crypto/secret-box";
import {
  alertDeliveries,
  alertDeliveryAttempts,
  alertSettings,
  clientOrganizations,
  limitAlerts,
  usagePeriodCounters,
  userClientMapping,
  users,
} from "../schema/index";

export interface AlertSettings {
  organizationId: string;
  thresholds: number[];
  emailEnabled: boolean;
  /** The language its e-mails are written in. */
  emailLanguage: AlertEmailLanguage;
  /** As saved (it may carry a query the receiver needs); shown only to who may edit it. */
  webhookUrl: string | null;
  /** Whether a signing secret is set: the secret itself is write-only. */
  webhookSecretSet: boolean;
  updatedAt: Date | null;
}

export type LimitAlert = typeof limitAlerts.$inferSelect;
export type AlertDelivery = typeof alertDeliveries.$inferSelect;
export type AlertDeliveryAttempt = typeof alertDeliveryAttempts.$inferSelect;
export type AlertChannel = AlertDelivery["channel"];

const defaults = (organizationId: string): AlertSettings => ({
  organizationId,
  thresholds: [...DEFAULT_ALERT_THRESHOLDS],
  emailEnabled: true,
  emailLanguage: "en",
  webhookUrl: null,
  webhookSecretSet: false,
  updatedAt: null,
});

/** The organisation's alert settings; the defaults (80 %, 100 %, e-mail on, no webhook) when none were saved. */
export async function getAlertSettings(db: Executor, organizationId: string): Promise<AlertSettings> {
  const [row] = await db.select().from(alertSettings).where(eq(alertSettings.organizationId, organizationId));
  if (!row) return defaults(organizationId);
  return {
    organizationId,
    thresholds: [...row.thresholds].sort((a, b) => a - b),
    emailEnabled: row.emailEnabled,
    emailLanguage: row.emailLanguage,
    webhookUrl: row.webhookUrl,
    webhookSecretSet: row.webhookSecretCiphertext !== null,
    updatedAt: row.updatedAt,
  };
}

/** The webhook to call with its secret opened, or null when the organisation has none. */
export async function getAlertWebhook(db: Executor, secrets: SecretBox, organizationId: string): Promise<{ url: string; secret: string } | null> {
  const [row] = await db
    .select({ url: alertSettings.webhookUrl, sealed: alertSettings.webhookSecretCiphertext })
    .from(alertSettings)
    .where(eq(alertSettings.organizationId, organizationId));
  if (!row?.url || !row.sealed) return null;
  return { url: row.url, secret: secrets.open(row.sealed, SecretContext.alertWebhookSecret) };
}

/**
 * Saves what the patch names (absent fields stay). A webhook needs a secret (given now or set
 * before); removing the webhook (`webhookUrl: null`) removes its secret. The URL's own rules
 * (https, no credentials, http where allowed) are the caller's, with the API's settings.
 */
export async function updateAlertSettings(
  db: Executor,
  secrets: SecretBox,
  organizationId: string,
  patch: UpdateAlertSettingsInput,
  actorUserId: string | null,
): Promise<AlertSettings> {
  const thresholds = patch.thresholds === undefined ? undefined : validateAlertThresholds(patch.thresholds);
  return db.transaction(async (tx) => {
    // The organisation's row lock: two concurrent saves are applied one after the other.
    await tx.select({ id: clientOrganizations.id }).from(clientOrganizations).where(eq(clientOrganizations.id, organizationId)).for("update");
    const [current] = await tx.select().from(alertSettings).where(eq(alertSettings.organizationId, organizationId));
    const webhookUrl = patch.webhookUrl === undefined ? (current?.webhookUrl ?? null) : patch.webhookUrl;
    let sealed = current?.webhookSecretCiphertext ?? null;
    if (patch.webhookSecret !== undefined) sealed = secrets.seal(patch.webhookSecret, SecretContext.alertWebhookSecret);
    if (webhookUrl === null) {
      if (patch.webhookSecret !== undefined) throw domainError("INVALID_INPUT", "alerts.secretWithoutUrl");
      sealed = null;
    } else if (sealed === null) {
      throw domainError("INVALID_INPUT", "alerts.urlWithoutSecret");
    }
    const values = {
      thresholds: thresholds ?? current?.thresholds ?? [...DEFAULT_ALERT_THRESHOLDS],
      emailEnabled: patch.emailEnabled ?? current?.emailEnabled ?? true,
      emailLanguage: patch.emailLanguage ?? current?.emailLanguage ?? "en",
      webhookUrl,
      webhookSecretCiphertext: sealed,
      updatedBy: actorUserId,
      updatedAt: new Date(),
    };
    await tx
      .insert(alertSettings)
      .values({ organizationId, ...values })
      .onConflictDoUpdate({ target: alertSettings.organizationId, set: values });
    return getAlertSettings(tx, organizationId);
  });
}

export interface AlertCandidate {
  organizationId: string;
  name: string;
  limitNano: bigint;
  spentNano: bigint;
  refusedMinNano: bigint | null;
  thresholds: number[];
  emailEnabled: boolean;
  /** The saved webhook URL (null: none); the delivery log shows it without its query. */
  webhookUrl: string | null;
  /** Thresholds already fired this period. */
  fired: number[];
}

/**
 * Every active organisation with spend or a refusal in `period` (its period counter), with its
 * limit, thresholds and the thresholds already fired: what the job compares.
 */
export async function listAlertCandidates(db: Executor, period: string): Promise<AlertCandidate[]> {
  const rows = await db
    .select({
      organizationId: clientOrganizations.id,
      name: clientOrganizations.name,
      limitNano: clientOrganizations.monthlyLimitNano,
      spentNano: usagePeriodCounters.spentNano,
      refusedMinNano: usagePeriodCounters.refusedMinNano,
      thresholds: alertSettings.thresholds,
      emailEnabled: alertSettings.emailEnabled,
      webhookUrl: alertSettings.webhookUrl,
      fired: sql<number[] | null>`(select array_agg(${limitAlerts.thresholdPercent}) from ${limitAlerts} where ${limitAlerts.organizationId} = ${clientOrganizations.id} and ${limitAlerts.period} = ${period})`,
    })
    .from(usagePeriodCounters)
    .innerJoin(clientOrganizations, eq(clientOrganizations.id, usagePeriodCounters.organizationId))
    .leftJoin(alertSettings, eq(alertSettings.organizationId, clientOrganizations.id))
    .where(
      and(
        eq(usagePeriodCounters.period, period),
        eq(clientOrganizations.active, true),
        or(sql`${usagePeriodCounters.spentNano} > 0`, sql`${usagePeriodCounters.refusedMinNano} is not null`),
      ),
    );
  return rows.map((r) => ({
    organizationId: r.organizationId,
    name: r.name,
    limitNano: r.limitNano,
    spentNano: r.spentNano,
    refusedMinNano: r.refusedMinNano,
    thresholds: r.thresholds ?? [...DEFAULT_ALERT_THRESHOLDS],
    emailEnabled: r.emailEnabled ?? true,
    webhookUrl: r.webhookUrl ?? null,
    fired: (r.fired ?? []).map(Number),
  }));
}

/** Who is e-mailed about an organisation's limit: its client administrators and the provider's, not disabled. */
export async function alertEmailRecipients(db: Executor, organizationId: string): Promise<string[]> {
  const rows = await db
    .selectDistinct({ email: users.email })
    .from(users)
    .leftJoin(userClientMapping, eq(userClientMapping.userId, users.id))
    .where(
      and(
        isNull(users.disabledAt),
        or(eq(users.role, "provider_admin"), and(eq(users.role, "org_admin"), eq(userClientMapping.organizationId, organizationId))),
      ),
    )
    .orderBy(asc(users.email));
  return rows.map((r) => r.email);
}

/**
 * Fires one threshold of one organisation's period, once: the alert row and its deliveries are
 * written in one transaction, and only by the call whose insert went in (ON CONFLICT DO NOTHING) —
 * concurrent callers get null and queue nothing.
 */
export async function fireLimitAlert(
  db: Executor,
  input: {
    organizationId: string;
    period: string;
    thresholdPercent: number;
    reason: AlertReason;
    spentNano: bigint;
    limitNano: bigint;
    firedAt: Date;
    deliveries: { channel: AlertChannel; recipient: string }[];
  },
): Promise<LimitAlert | null> {
  return db.transaction(async (tx) => {
    const [alert] = await tx
      .insert(limitAlerts)
      .values({
        organizationId: input.organizationId,
        period: input.period,
        thresholdPercent: input.thresholdPercent,
        reason: input.reason,
        spentNano: input.spentNano,
        limitNano: input.limitNano,
        firedAt: input.firedAt,
      })
      .onConflictDoNothing({ target: [limitAlerts.organizationId, limitAlerts.period, limitAlerts.thresholdPercent] })
      .returning();
    if (!alert) return null;
    if (input.deliveries.length > 0) {
      await tx
        .insert(alertDeliveries)
        .values(
          input.deliveries.map((d) => ({
            alertId: alert.id,
            organizationId: input.organizationId,
            channel: d.channel,
            recipient: d.recipient,
            nextAttemptAt: input.firedAt,
          })),
        )
        .onConflictDoNothing();
    }
    return alert;
  });
}

/**
 * Queues the e-mails of `period`'s alerts that fired when no e-mail could be queued — SMTP was not
 * configured yet, the organisation had e-mail off, or it had no administrator — to the recipients
 * there are now (its client administrators and the provider's): an alert is e-mailed once, at the
 * first run that can reach someone, not only if e-mail worked at the moment it fired. Only for an
 * active organisation with e-mail on, and only alerts with no e-mail delivery at all (one already
 * sent or given up is not sent again). Concurrent callers queue each e-mail once (the deliveries'
 * unique index). Returns how many e-mails were queued.
 */
export async function queueUnsentAlertEmails(db: Executor, period: string, now: Date): Promise<number> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`
    insert into ${alertDeliveries} (alert_id, organization_id, channel, recipient, next_attempt_at)
    select a.id, a.organization_id, 'email', u.email, ${now.toISOString()}::timestamptz
    from ${limitAlerts} a
    join ${clientOrganizations} o on o.id = a.organization_id and o.active
    left join ${alertSettings} s on s.organization_id = a.organization_id
    join ${users} u on u.disabled_at is null and (
      u.role = 'provider_admin'
      or (u.role = 'org_admin' and exists (
        select 1 from ${userClientMapping} m where m.user_id = u.id and m.organization_id = a.organization_id))
    )
    where a.period = ${period}
      and coalesce(s.email_enabled, true)
      and not exists (select 1 from ${alertDeliveries} d where d.alert_id = a.id and d.channel = 'email')
    on conflict do nothing
    returning id`,
  );
  return rows.length;
}

export interface ClaimedAlertDelivery {
  delivery: AlertDelivery;
  alert: LimitAlert;
  organizationName: string;
  /** The organisation's e-mail language at the time of sending (English without settings). */
  emailLanguage: AlertEmailLanguage;
}

/**
 * Claims up to `limit` pending deliveries that are due: each has its attempt counted and its next
 * attempt moved to `claimUntil` in one statement (SKIP LOCKED: a concurrent claimer — another API
 * process — takes other rows), so a process that dies mid-send leaves it due again later, and
 * two processes never send the same delivery at once.
 */
export async function claimDueAlertDeliveries(
  db: Executor,
  options: { now: Date; claimUntil: Date; limit: number },
): Promise<ClaimedAlertDelivery[]> {
  const due = db
    .select({ id: alertDeliveries.id })
    .from(alertDeliveries)
    .where(and(eq(alertDeliveries.status, "pending"), lte(alertDeliveries.nextAttemptAt, options.now)))
    .orderBy(asc(alertDeliveries.nextAttemptAt))
    .limit(Math.max(1, Math.min(options.limit, 1_000)))
    .for("update", { skipLocked: true });
  const claimed = await db
    .update(alertDeliveries)
    .set({ attempts: sql`${alertDeliveries.attempts} + 1`, nextAttemptAt: options.claimUntil })
    .where(inArray(alertDeliveries.id, due))
    .returning();
  if (claimed.length === 0) return [];
  const alerts = await db
    .select({ alert: limitAlerts, organizationName: clientOrganizations.name, emailLanguage: alertSettings.emailLanguage })
    .from(limitAlerts)
    .innerJoin(clientOrganizations, eq(clientOrganizations.id, limitAlerts.organizationId))
    .leftJoin(alertSettings, eq(alertSettings.organizationId, limitAlerts.organizationId))
    .where(inArray(limitAlerts.id, [...new Set(claimed.map((d) => d.alertId))]));
  const byId = new Map(alerts.map((a) => [a.alert.id, a]));
  return claimed
    .map((delivery) => {
      const found = byId.get(delivery.alertId);
      return found ? { delivery, alert: found.alert, organizationName: found.organizationName, emailLanguage: found.emailLanguage ?? "en" } : null;
    })
    .filter((d): d is ClaimedAlertDelivery => d !== null);
}

/**
 * The outcome of one claimed attempt, in one transaction: the delivery becomes sent, failed (given
 * up) or pending again at `nextRetryAt`, and the attempt joins the log. `error` is words with no
 * secret in it (cut to 500 characters).
 */
export async function recordAlertDeliveryAttempt(
  db: Executor,
  input: {
    delivery: Pick<AlertDelivery, "id" | "organizationId" | "channel" | "recipient" | "attempts">;
    outcome: "sent" | "retry" | "failed";
    statusCode: number | null;
    error: string | null;
    nextRetryAt: Date | null;
    at: Date;
  },
): Promise<void> {
  const { delivery } = input;
  await db.transaction(async (tx) => {
    await tx
      .update(alertDeliveries)
      .set(
        input.outcome === "sent"
          ? { status: "sent", sentAt: input.at }
          : input.outcome === "failed"
            ? { status: "failed" }
            : { status: "pending", nextAttemptAt: input.nextRetryAt ?? input.at },
      )
      .where(eq(alertDeliveries.id, delivery.id));
    await tx.insert(alertDeliveryAttempts).values({
      deliveryId: delivery.id,
      organizationId: delivery.organizationId,
      channel: delivery.channel,
      recipient: delivery.recipient,
      attempt: delivery.attempts,
      outcome: input.outcome,
      statusCode: input.statusCode,
      error: input.error === null ? null : input.error.slice(0, 500),
      nextRetryAt: input.outcome === "retry" ? input.nextRetryAt : null,
      attemptedAt: input.at,
    });
  });
}

/** The organisation's fired alerts, newest first, optionally of one billing period. */
export async function listLimitAlerts(db: Executor, organizationId: string, options: { period?: string; limit: number }): Promise<LimitAlert[]> {
  return db
    .select()
    .from(limitAlerts)
    .where(and(eq(limitAlerts.organizationId, organizationId), options.period ? eq(limitAlerts.period, options.period) : undefined))
    .orderBy(desc(limitAlerts.firedAt), desc(limitAlerts.thresholdPercent))
    .limit(Math.max(1, Math.min(options.limit, 500)));
}

export interface AlertDeliveryLogEntry extends AlertDeliveryAttempt {
  period: string;
  thresholdPercent: number;
}

/** The delivery log of one organisation, newest attempt first, with the alert each attempt was for. */
export async function listAlertDeliveryLog(db: Executor, organizationId: string, options: { limit: number }): Promise<AlertDeliveryLogEntry[]> {
  const rows = await db
    .select({ attempt: alertDeliveryAttempts, period: limitAlerts.period, thresholdPercent: limitAlerts.thresholdPercent })
    .from(alertDeliveryAttempts)
    .innerJoin(alertDeliveries, eq(alertDeliveries.id, alertDeliveryAttempts.deliveryId))
    .innerJoin(limitAlerts, eq(limitAlerts.id, alertDeliveries.alertId))
    .where(eq(alertDeliveryAttempts.organizationId, organizationId))
    .orderBy(desc(alertDeliveryAttempts.attemptedAt), desc(alertDeliveryAttempts.attempt))
    .limit(Math.max(1, Math.min(options.limit, 1_000)));
  return rows.map((r) => ({ ...r.attempt, period: r.period, thresholdPercent: r.thresholdPercent }));
}

/** Deliveries of an organisation (tests, and the job's summary). */
export async function listAlertDeliveries(db: Executor, organizationId: string): Promise<AlertDelivery[]> {
  return db.select().from(alertDeliveries).where(eq(alertDeliveries.organizationId, organizationId)).orderBy(asc(alertDeliveries.createdAt));
}
