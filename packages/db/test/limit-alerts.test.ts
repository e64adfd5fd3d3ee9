import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  alertEmailRecipients,
  claimDueAlertDeliveries,
  createOrganization,
  createUser,
  fireLimitAlert,
  getAlertSettings,
  getAlertWebhook,
  listAlertCandidates,
  listAlertDeliveries,
  listAlertDeliveryLog,
  listLimitAlerts,
  recordAlertDeliveryAttempt,
  schema,
  updateAlertSettings,
} from "../src/index";
import { createTestDb, queryRows, sql, testDrivers, type TestDb } from "../src/testing/index";

const USD = 1_000_000_000n;
let seq = 0;
const unique = (stem: string) => `${stem} ${++seq} ${Date.now()}`;

describe.each(testDrivers())("limit alerts on %s", (driver) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(driver, { max: 12 });
  });
  afterAll(() => t.close());

  const org = (limitUsd = 100n) => createOrganization(t.db, t.secrets, { name: unique("Alerted"), monthlyLimitNano: limitUsd * USD });
  const spend = (organizationId: string, period: string, spentNano: bigint, refusedMinNano: bigint | null = null) =>
    t.db.insert(schema.usagePeriodCounters).values({ organizationId, period, spentNano, refusedMinNano });
  const fire = (organizationId: string, period: string, thresholdPercent: number) =>
    fireLimitAlert(t.db, {
      organizationId,
      period,
      thresholdPercent,
      reason: "spend",
      spentNano: 80n * USD,
      limitNano: 100n * USD,
      firedAt: new Date(),
      deliveries: [
        { channel: "email", recipient: "admin@a.example" },
        { channel: "email", recipient: "provider@mai.example" },
        { channel: "webhook", recipient: "https://hooks.example.com/mai" },
      ],
    });

  it("settings default to 80 % and 100 %, e-mail on in English, no webhook", async () => {
    const { id } = await org();
    expect(await getAlertSettings(t.db, id)).toEqual({
      organizationId: id,
      thresholds: [80, 100],
      emailEnabled: true,
      emailLanguage: "en",
      webhookUrl: null,
      webhookSecretSet: false,
      updatedAt: null,
    });
  });

  it("the e-mail language is kept as saved, other settings untouched; the database refuses any other", async () => {
    const { id } = await org();
    await updateAlertSettings(t.db, t.secrets, id, { thresholds: [50, 100] }, null);
    expect(await updateAlertSettings(t.db, t.secrets, id, { emailLanguage: "pl" }, null)).toMatchObject({ emailLanguage: "pl", thresholds: [50, 100] });
    expect(await updateAlertSettings(t.db, t.secrets, id, { emailEnabled: false }, null)).toMatchObject({ emailLanguage: "pl", emailEnabled: false });
    await expect(t.db.execute(sql`update alert_settings set email_language = 'de' where organization_id = ${id}`)).rejects.toThrow();
  });

  it("the webhook secret is sealed at rest, bound to its column, and only says whether it is set", async () => {
    const { id } = await org();
    const secret = "whsec_0123456789abcdef_secret";
    const saved = await updateAlertSettings(t.db, t.secrets, id, { thresholds: [100, 50], webhookUrl: "https://hooks.example.com/x?k=1", webhookSecret: secret }, null);
    expect(saved).toMatchObject({ thresholds: [50, 100], webhookUrl: "https://hooks.example.com/x?k=1", webhookSecretSet: true });
    expect(JSON.stringify(saved)).not.toContain(secret);
    const [row] = await queryRows<{ c: string }>(t.db, sql`select webhook_secret_ciphertext as c from alert_settings where organization_id = ${id}`);
    expect(row!.c).toMatch(/^v1\./);
    expect(row!.c).not.toContain(secret);
    expect(await getAlertWebhook(t.db, t.secrets, id)).toEqual({ url: "https://hooks.example.com/x?k=1", secret });
    // Changing only the thresholds keeps the webhook and its secret.
    await updateAlertSettings(t.db, t.secrets, id, { thresholds: [90] }, null);
    expect(await getAlertWebhook(t.db, t.secrets, id)).toEqual({ url: "https://hooks.example.com/x?k=1", secret });
    // Removing the webhook removes its secret.
    expect(await updateAlertSettings(t.db, t.secrets, id, { webhookUrl: null }, null)).toMatchObject({ webhookUrl: null, webhookSecretSet: false });
    expect(await getAlertWebhook(t.db, t.secrets, id)).toBeNull();
  });

  it("refuses a webhook without a secret, a secret without a webhook, and bad thresholds, in words", async () => {
    const { id } = await org();
    await expect(updateAlertSettings(t.db, t.secrets, id, { webhookUrl: "https://hooks.example.com/" }, null)).rejects.toThrow(/Give a signing secret/);
    await expect(updateAlertSettings(t.db, t.secrets, id, { webhookSecret: "0123456789abcdefgh" }, null)).rejects.toThrow(/needs a webhook URL/);
    await expect(updateAlertSettings(t.db, t.secrets, id, { thresholds: [80, 80] }, null)).rejects.toThrow(/80 % is given twice/);
    expect(await getAlertSettings(t.db, id)).toMatchObject({ updatedAt: null });
  });

  it("fires each threshold of a period once, however many fire it at once", async () => {
    const { id } = await org();
    const results = await Promise.all([
      ...Array.from({ length: 8 }, () => fire(id, "2026-12", 80)),
      ...Array.from({ length: 8 }, () => fire(id, "2026-12", 100)),
    ]);
    expect(results.filter((r) => r !== null)).toHaveLength(2);
    // Two more rounds, as a second API process would run them.
    const again = await Promise.all([fire(id, "2026-12", 80), fire(id, "2026-12", 100)]);
    expect(again).toEqual([null, null]);
    expect((await listLimitAlerts(t.db, id, { limit: 50 })).map((a) => a.thresholdPercent).sort()).toEqual([100, 80]);
    // Each fired alert queued its three deliveries once.
    expect(await listAlertDeliveries(t.db, id)).toHaveLength(6);
    // Next month: fired again.
    expect(await fire(id, "2027-01", 80)).not.toBeNull();
    expect(await listLimitAlerts(t.db, id, { period: "2027-01", limit: 50 })).toHaveLength(1);
  });

  it("candidates: active organisations with spend or a refusal in the period, with what already fired", async () => {
    const a = await org(100n);
    const b = await org(100n);
    const idle = await org(100n);
    await updateAlertSettings(t.db, t.secrets, b.id, { thresholds: [50], webhookUrl: "https://h.example/", webhookSecret: "0123456789abcdefgh" }, null);
    await spend(a.id, "2031-05", 85n * USD);
    await spend(b.id, "2031-05", 1n, 200n * USD);
    await spend(idle.id, "2031-05", 0n);
    await spend(a.id, "2031-04", 99n * USD);
    await fire(a.id, "2031-05", 80);
    const found = (await listAlertCandidates(t.db, "2031-05")).sort((x, y) => x.name.localeCompare(y.name));
    expect(found).toEqual([
      { organizationId: a.id, name: a.name, limitNano: 100n * USD, spentNano: 85n * USD, refusedMinNano: null, thresholds: [80, 100], emailEnabled: true, webhookUrl: null, fired: [80] },
      { organizationId: b.id, name: b.name, limitNano: 100n * USD, spentNano: 1n, refusedMinNano: 200n * USD, thresholds: [50], emailEnabled: true, webhookUrl: "https://h.example/", fired: [] },
    ]);
  });

  it("e-mails go to the organisation's administrators and the provider's, not members, others or the disabled", async () => {
    const a = await org();
    const b = await org();
    const mk = async (role: "provider_admin" | "org_admin" | "member", organizationId?: string, disabled = false) => {
      const user = await createUser(t.db, { email: `${role}-${++seq}@r.example`, name: role, role, passwordHash: null });
      if (organizationId) await t.db.insert(schema.userClientMapping).values({ userId: user.id, organizationId, externalUserId: `mai_client_${seq}_${user.id.slice(0, 8)}` });
      if (disabled) await queryRows(t.db, sql`update users set disabled_at = now() where id = ${user.id}`);
      return user.email;
    };
    const adminA = await mk("org_admin", a.id);
    await mk("org_admin", b.id);
    await mk("member", a.id);
    await mk("org_admin", a.id, true);
    const provider = await mk("provider_admin");
    const recipients = await alertEmailRecipients(t.db, a.id);
    expect(recipients).toContain(adminA);
    expect(recipients).toContain(provider);
    expect(recipients.filter((e) => e.startsWith("org_admin") || e.startsWith("member"))).toEqual([adminA]);
  });

  it("deliveries are claimed once across concurrent claimers, retried when due, and logged per attempt", async () => {
    const { id } = await org();
    await fire(id, "2026-11", 80);
    const now = new Date(Date.now() + 1_000);
    const claimUntil = new Date(now.getTime() + 300_000);
    const claims = await Promise.all(Array.from({ length: 4 }, () => claimDueAlertDeliveries(t.db, { now, claimUntil, limit: 100 })));
    const mine = claims.flat().filter((c) => c.delivery.organizationId === id);
    expect(mine).toHaveLength(3);
    expect(new Set(mine.map((c) => c.delivery.id)).size).toBe(3);
    expect(mine.every((c) => c.delivery.attempts === 1 && c.alert.thresholdPercent === 80)).toBe(true);
    // Claimed rows are not due again until the claim runs out.
    expect((await claimDueAlertDeliveries(t.db, { now, claimUntil, limit: 100 })).filter((c) => c.delivery.organizationId === id)).toEqual([]);

    const webhook = mine.find((c) => c.delivery.channel === "webhook")!;
    const retryAt = new Date(now.getTime() + 60_000);
    await recordAlertDeliveryAttempt(t.db, { delivery: webhook.delivery, outcome: "retry", statusCode: 500, error: "The receiver answered 500.", nextRetryAt: retryAt, at: now });
    for (const c of mine.filter((m) => m.delivery.channel === "email")) {
      await recordAlertDeliveryAttempt(t.db, { delivery: c.delivery, outcome: "sent", statusCode: 250, error: null, nextRetryAt: null, at: now });
    }
    const later = await claimDueAlertDeliveries(t.db, { now: retryAt, claimUntil: new Date(retryAt.getTime() + 300_000), limit: 100 });
    const retried = later.filter((c) => c.delivery.organizationId === id);
    expect(retried.map((c) => [c.delivery.channel, c.delivery.attempts])).toEqual([["webhook", 2]]);
    await recordAlertDeliveryAttempt(t.db, { delivery: retried[0]!.delivery, outcome: "failed", statusCode: 404, error: "The receiver answered 404.", nextRetryAt: null, at: retryAt });

    const statuses = (await listAlertDeliveries(t.db, id)).map((d) => `${d.channel}:${d.status}:${d.attempts}`).sort();
    expect(statuses).toEqual(["email:sent:1", "email:sent:1", "webhook:failed:2"]);
    const log = await listAlertDeliveryLog(t.db, id, { limit: 10 });
    expect(log[0]).toMatchObject({ channel: "webhook", attempt: 2, outcome: "failed", statusCode: 404, nextRetryAt: null, period: "2026-11", thresholdPercent: 80 });
    expect(log.find((l) => l.attempt === 1 && l.channel === "webhook")).toMatchObject({ outcome: "retry", statusCode: 500, nextRetryAt: retryAt });
    expect(log).toHaveLength(4);
  });
});
