// Limit alerts end to end: real SMTP (nodemailer's authors' smtp-server, started here, with a
// password the API must never log) and a webhook receiver (node:http) that fails twice with 500 and
// then accepts. Spend is recorded the proxy's way (internal.recordUsage); the job runs by hand on a
// moved clock. Checked: mail at 80 % and at 100 % to the organisation's administrators and the
// provider, once each per billing month and again the next month; the webhook's signature
// (verified here with node:crypto), its retries with backoff and the delivery log; settings and
// permissions in words; no secret in any response or log line.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { listAlertDeliveries, type AuthUser } from "@mai/db";
import { testDrivers } from "@mai/db/testing";
import { limitAlertPayloadSchema, parseWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from "@mai/domain";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { alertRetryDelayMs, deliverDueAlerts, runLimitAlerts, scheduleLimitAlerts } from "../src/services/alerts/run";
import { isNonPublicAddress, postWebhook } from "../src/services/alerts/webhook";
import { createHarness, json, trpcCode, usageBatch, type Harness } from "./harness";

const USD = 1_000_000_000n;
const SMTP_USER = "alerts-relay";
const SMTP_PASSWORD = "smtp-pass-Zq8-never-logged";
const WEBHOOK_SECRET = "whsec-alerts-test-0123456789-never-logged";

interface Mail {
  from: string;
  to: string[];
  /** As received (headers' encoded words intact). */
  source: string;
  /** Quoted-printable undone: the words as written. */
  raw: string;
}
interface Hook {
  headers: IncomingHttpHeaders;
  body: string;
  at: Date;
}

async function startSmtp(): Promise<{ server: SMTPServer; port: number; mails: Mail[]; auths: string[] }> {
  const mails: Mail[] = [];
  const auths: string[] = [];
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authMethods: ["PLAIN", "LOGIN"],
    logger: false,
    onAuth(auth, _session, callback) {
      auths.push(auth.username ?? "");
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) return callback(null, { user: SMTP_USER });
      callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          source: Buffer.concat(chunks).toString("utf8"),
          // Bodies arrive quoted-printable; decoded here (bytes, then UTF-8) so the test reads the words.
          raw: Buffer.from(
            Buffer.concat(chunks)
              .toString("latin1")
              .replace(/=\r?\n/g, "")
              .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
            "latin1",
          ).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { server, port, mails, auths };
}

async function startReceiver(): Promise<{ server: Server; url: string; hooks: Hook[]; answers: number[] }> {
  const hooks: Hook[] = [];
  // Status codes to answer, in order; 200 once they run out.
  const answers: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      hooks.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: new Date() });
      res.statusCode = answers.shift() ?? 200;
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/mai?token=query-never-logged`, hooks, answers };
}

/** A receiver's check, written from the spec (not from the API's code): HMAC-SHA256 of "t.body". */
function verifies(hook: Hook, secret: string): boolean {
  const parsed = parseWebhookSignature(String(hook.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()] ?? ""));
  if (!parsed) return false;
  const expected = createHmac("sha256", secret).update(`${parsed.timestamp}.${hook.body}`, "utf8").digest();
  return parsed.signatures.some((s) => timingSafeEqual(Buffer.from(s, "hex"), expected));
}

const header = (raw: string, name: string) => new RegExp(`^${name}: (.*(?:\\r\\n[ \\t].*)*)`, "mi").exec(raw)?.[1]?.replace(/\r\n[ \t]/g, " ") ?? "";

/** A header's encoded words (RFC 2047, as nodemailer writes non-ASCII: =?UTF-8?Q?…?= or ?B?), decoded. */
const decodeWords = (value: string) =>
  value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_, kind: string, text: string) =>
      kind.toUpperCase() === "B"
        ? Buffer.from(text, "base64").toString("utf8")
        : Buffer.from(text.replace(/_/g, " ").replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), "latin1").toString("utf8"),
    );
describe.each(testDrivers())("limit alerts on %s", (driver) => {
  let h: Harness;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let provider: AuthUser;
  let org: { id: string; admin: AuthUser };
  let other: { id: string; admin: AuthUser };
  let member: AuthUser;
  let clock = new Date("2026-12-10T09:00:00Z");
  let seq = 0;
  const responses: unknown[] = [];

  const spend = async (who: AuthUser, rawCostNano: bigint) => {
    const event = {
      generationId: `gen-alert-${driver}-${++seq}`,
      organizationId: who.organizationId!,
      userId: who.id,
      externalUserId: who.externalUserId!,
      model: "openai/gpt-4o-mini",
      provider: "Test",
      promptTokens: 10,
      completionTokens: 10,
      rawCostNano,
      markupBp: 10_000,
      status: "ok" as const,
      streamed: false,
      occurredAt: clock,
    };
    await h.internal().internal.recordUsage(usageBatch([event]));
  };
  const advance = (ms: number) => {
    clock = new Date(clock.getTime() + ms);
  };
  const run = async () => {
    const r = await runLimitAlerts(h.deps);
    responses.push(r);
    return r;
  };
  const keep = <T>(value: T): T => {
    responses.push(value);
    return value;
  };

  beforeAll(async () => {
    smtp = await startSmtp();
    receiver = await startReceiver();
    h = await createHarness(driver, {
      MAI_SMTP_HOST: "127.0.0.1",
      MAI_SMTP_PORT: String(smtp.port),
      MAI_SMTP_SECURE: "false",
      MAI_SMTP_USER: SMTP_USER,
      MAI_SMTP_PASSWORD: SMTP_PASSWORD,
      MAI_ALERTS_FROM: "mAI Alerts <alerts@mai.example>",
      MAI_ALERTS_INTERVAL_MS: "0",
      MAI_ALERTS_RETRY_BASE_MS: "1000",
      MAI_ALERTS_MAX_ATTEMPTS: "5",
      MAI_ALERTS_WEBHOOK_ALLOW_PRIVATE: "true",
      MAI_PUBLIC_URL: "https://dash.mai.example",
    });
    h.deps.now = () => clock;
    provider = await h.user("provider_admin", { email: `provider-${driver}@mai.example` });
    org = await h.org(`Alerted ${driver}`);
    other = await h.org(`Quiet ${driver}`);
    member = await h.user("member", { organizationId: org.id });
    await h.caller(provider).organizations.update({ organizationId: org.id, monthlyLimitUsd: "10" });
    await h.caller(provider).organizations.update({ organizationId: other.id, monthlyLimitUsd: "10" });
  });
  afterAll(async () => {
    await h.close();
    await new Promise<void>((resolve) => smtp.server.close(() => resolve()));
    await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
  });

  it("settings: defaults, validation in words, the secret write-only; the client's administrator for their own, the provider for any", async () => {
    const admin = h.caller(org.admin);
    expect(keep(await admin.alerts.getSettings({}))).toMatchObject({ thresholds: [80, 100], emailEnabled: true, emailConfigured: true, webhookUrl: null, webhookSecretSet: false });
    const refused = async (input: Parameters<typeof admin.alerts.updateSettings>[0]) => {
      try {
        await admin.alerts.updateSettings(input);
        return "saved";
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(await refused({ thresholds: [80, 80] })).toContain("Each threshold may be given once.");
    expect(await refused({ thresholds: [0] })).toContain("at least 1 %");
    expect(await refused({ webhookUrl: "https://hooks.example.com/x" })).toMatch(/Give a signing secret/);
    expect(await refused({ webhookUrl: "http://hooks.example.com/x", webhookSecret: WEBHOOK_SECRET })).toBe("The webhook URL must use https.");
    expect(await refused({ webhookUrl: "https://user:pw@hooks.example.com/x", webhookSecret: WEBHOOK_SECRET })).toMatch(/user name or password/);
    expect(await refused({ webhookSecret: "short" })).toContain("at least 16 characters");
    // Another organisation's administrator and a member cannot touch them.
    expect(await trpcCode(h.caller(other.admin).alerts.updateSettings({ organizationId: org.id, thresholds: [50] }))).toBe("FORBIDDEN");
    expect(await trpcCode(h.caller(member).alerts.getSettings({}))).toBe("FORBIDDEN");

    const saved = keep(await admin.alerts.updateSettings({ webhookUrl: receiver.url, webhookSecret: WEBHOOK_SECRET }));
    expect(saved).toMatchObject({ thresholds: [80, 100], webhookUrl: receiver.url, webhookSecretSet: true });
    expect(Object.keys(saved)).not.toContain("webhookSecret");
    expect(keep(await h.caller(provider).alerts.getSettings({ organizationId: org.id }))).toMatchObject({ webhookSecretSet: true });
    // Audited without the secret or the URL's query.
    const audit = keep(await h.caller(provider).audit.list({ organizationId: org.id, action: "alerts.*" }));
    expect(audit.items[0]).toMatchObject({ action: "alerts.settings_updated", after: { webhook: receiver.url.split("?")[0], webhookSecretSet: true } });
  });

  it("fires nothing below 80 %, mails and posts at 80 % once however often the job runs", async () => {
    await spend(member, 7_999_999_999n);
    expect((await run()).fire.fired).toBe(0);
    await spend(member, 1n); // exactly 80 %
    receiver.answers.push(500, 500);
    // Three runs at once (as two API processes and a refusal's nudge would): one fires.
    const runs = await Promise.all([run(), run(), runLimitAlerts(h.deps)]);
    expect(runs.reduce((n, r) => n + r.fire.fired, 0)).toBe(1);
    expect((await run()).fire.fired).toBe(0);

    const eighty = smtp.mails.filter((m) => header(m.raw, "Subject").includes("80 %"));
    expect(eighty.map((m) => m.to).flat().sort()).toEqual([org.admin.email, provider.email].sort());
    expect(eighty.map((m) => m.to).flat()).not.toContain(member.email);
    expect(eighty.map((m) => m.to).flat()).not.toContain(other.admin.email);
    const mail = eighty[0]!;
    expect(mail.from).toBe("alerts@mai.example");
    expect(header(mail.raw, "Subject")).toBe(`Alerted ${driver} has used 80 % of its monthly limit for December 2026`);
    expect(mail.raw).toContain("Spent so far: $8.00 of $10.00 (80 %)");
    expect(mail.raw).toContain("Billing month: December 2026");
    expect(mail.raw).toContain(`https://dash.mai.example/alerts?org=${org.id}`);
    expect(mail.raw).toMatch(/Content-Type: text\/html/);
    expect(smtp.auths.every((u) => u === SMTP_USER)).toBe(true);

    // The webhook answered 500: one attempt so far, due again after the backoff.
    expect(receiver.hooks).toHaveLength(1);
    expect(keep(await h.caller(provider).alerts.deliveries({ organizationId: org.id }))).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ channel: "webhook", attempt: 1, outcome: "retry", statusCode: 500, error: "The receiver answered 500.", nextRetryAt: new Date(clock.getTime() + 1_000) }),
        expect.objectContaining({ channel: "email", recipient: org.admin.email, attempt: 1, outcome: "sent", statusCode: 250, thresholdPercent: 80 }),
      ]),
    );
  });

  it("retries the webhook with backoff (500, 500, then 200), signed each time", async () => {
    // Not due before its time.
    advance(999);
    await deliverDueAlerts(h.deps);
    expect(receiver.hooks).toHaveLength(1);
    advance(1);
    expect(keep(await deliverDueAlerts(h.deps))).toEqual({ sent: 0, retrying: 1, failed: 0 });
    expect(alertRetryDelayMs(2, 1000)).toBe(2000);
    advance(1_999);
    await deliverDueAlerts(h.deps);
    expect(receiver.hooks).toHaveLength(2);
    advance(1);
    expect(keep(await deliverDueAlerts(h.deps))).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(receiver.hooks).toHaveLength(3);

    for (const hook of receiver.hooks) {
      expect(verifies(hook, WEBHOOK_SECRET)).toBe(true);
      expect(verifies(hook, "another-secret-0123456789")).toBe(false);
      expect(verifies({ ...hook, body: hook.body.replace("80", "81") }, WEBHOOK_SECRET)).toBe(false);
      expect(hook.headers["content-type"]).toBe("application/json");
    }
    const payload = limitAlertPayloadSchema.parse(JSON.parse(receiver.hooks[2]!.body));
    expect(payload).toMatchObject({
      event: "limit_alert",
      organization: { id: org.id, name: `Alerted ${driver}` },
      period: "2026-12",
      thresholdPercent: 80,
      reason: "spend",
      spentNano: "8000000000",
      limitNano: "10000000000",
      spentUsd: "8.000000000",
      limitUsd: "10.000000000",
      usedPercent: 80,
      dashboardUrl: `https://dash.mai.example/alerts?org=${org.id}`,
    });
    // Every retry carries the same alert id, so a receiver can drop a repeat.
    expect(new Set(receiver.hooks.map((x) => (JSON.parse(x.body) as { id: string }).id)).size).toBe(1);

    const log = keep(await h.caller(provider).alerts.deliveries({ organizationId: org.id })).filter((d) => d.channel === "webhook");
    expect(log.map((d) => [d.attempt, d.outcome, d.statusCode])).toEqual([
      [3, "sent", 200],
      [2, "retry", 500],
      [1, "retry", 500],
    ]);
    // The log shows the receiver without its query string.
    expect(log.every((d) => d.recipient === receiver.url.split("?")[0])).toBe(true);
    expect((await listAlertDeliveries(h.t.db, org.id)).every((d) => d.status === "sent")).toBe(true);
  });

  it("at 100 %: mails and posts once; the alerts are listed to the organisation's people, the log to the provider only", async () => {
    advance(60_000);
    await spend(member, 2n * USD);
    await run();
    await run();
    const hundred = smtp.mails.filter((m) => header(m.raw, "Subject").includes("reached its monthly limit"));
    expect(hundred.map((m) => m.to).flat().sort()).toEqual([org.admin.email, provider.email].sort());
    expect(hundred[0]!.raw).toContain("Spent so far: $10.00 of $10.00 (100 %)");
    expect(receiver.hooks).toHaveLength(4);
    expect(verifies(receiver.hooks[3]!, WEBHOOK_SECRET)).toBe(true);

    const listed = keep(await h.caller(member).alerts.list());
    expect(listed.currentPeriod).toBe("2026-12");
    expect(listed.items.map((a) => [a.period, a.thresholdPercent])).toEqual([
      ["2026-12", 100],
      ["2026-12", 80],
    ]);
    expect(listed.items[0]).toMatchObject({ spentNano: 10n * USD, limitNano: 10n * USD, reason: "spend" });
    expect(await trpcCode(h.caller(org.admin).alerts.list({ organizationId: other.id }))).toBe("FORBIDDEN");
    expect(await trpcCode(h.caller(org.admin).alerts.deliveries({ organizationId: org.id }))).toBe("FORBIDDEN");
    expect(await trpcCode(h.caller(null).alerts.list())).toBe("UNAUTHORIZED");
    expect(keep(await h.caller(provider).alerts.list({ organizationId: other.id })).items).toEqual([]);
  });

  it("again next month, once each", async () => {
    const before = smtp.mails.length;
    clock = new Date("2027-01-05T08:00:00Z");
    await spend(member, 10n * USD);
    await run();
    await run();
    const january = smtp.mails.slice(before);
    expect(january.map((m) => header(m.raw, "Subject")).sort()).toEqual([
      `Alerted ${driver} has reached its monthly limit for January 2027`,
      `Alerted ${driver} has reached its monthly limit for January 2027`,
      `Alerted ${driver} has used 80 % of its monthly limit for January 2027`,
      `Alerted ${driver} has used 80 % of its monthly limit for January 2027`,
    ]);
    const listed = await h.caller(org.admin).alerts.list({ month: "2027-01" });
    expect(listed.items.map((a) => a.thresholdPercent).sort()).toEqual([100, 80]);
  });

  it("a webhook answering 4xx is given up at once; 429 is retried; non-public addresses are refused unless allowed", async () => {
    const hooks = receiver.hooks.length;
    receiver.answers.push(404);
    clock = new Date("2027-02-03T08:00:00Z");
    await h.caller(org.admin).alerts.updateSettings({ thresholds: [50] });
    await spend(member, 5n * USD);
    await run();
    expect(receiver.hooks).toHaveLength(hooks + 1);
    const log = await h.caller(provider).alerts.deliveries({ organizationId: org.id });
    expect(log.find((d) => d.channel === "webhook" && d.alertPeriod === "2027-02")).toMatchObject({ outcome: "failed", statusCode: 404, nextRetryAt: null });

    const base = { secret: WEBHOOK_SECRET, body: "{}", now: clock, timeoutMs: 2_000 };
    receiver.answers.push(429);
    expect(await postWebhook({ ...base, url: receiver.url, allowPrivate: true })).toMatchObject({ ok: false, statusCode: 429, retry: true });
    expect(await postWebhook({ ...base, url: receiver.url, allowPrivate: false })).toMatchObject({ ok: false, retry: false, error: expect.stringMatching(/not on the public internet/) });
    expect(await postWebhook({ ...base, url: "http://localhost:1/x", allowPrivate: false })).toMatchObject({ ok: false, retry: false, error: expect.stringMatching(/not on the public internet/) });
    for (const address of ["127.0.0.1", "10.1.2.3", "169.254.169.254", "192.168.1.1", "172.16.0.1", "::1", "fe80::1", "fd00::1", "::ffff:10.0.0.1", "0.0.0.0"]) {
      expect(isNonPublicAddress(address)).toBe(true);
    }
    for (const address of ["1.1.1.1", "93.184.216.34", "2606:4700::1111"]) expect(isNonPublicAddress(address)).toBe(false);
  });

  it("a request refused at the limit fires the 100 % alert at once (reason: refused), though spend is below 100 %", async () => {
    clock = new Date("2027-03-10T08:00:00Z");
    const quiet = await h.user("member", { organizationId: other.id });
    await spend(quiet, 7n * USD); // 70 %: below every threshold of this organisation but 100 %
    await h.caller(other.admin).alerts.updateSettings({ thresholds: [100] });
    expect((await run()).fire.fired).toBe(0);
    const before = smtp.mails.length;
    // The job on its timer (off here) as the API runs it: a refusal nudges it, no explicit run.
    const job = scheduleLimitAlerts(h.deps, 0);
    try {
      const refused = await h.internal().internal.reserve({ organizationId: other.id, amountNano: 4n * USD, owner: "alerts-test-proxy" });
      expect(refused.admitted).toBe(false);
      await vi.waitFor(() => expect(smtp.mails.length - before).toBe(2), { timeout: 60_000, interval: 50 });
    } finally {
      job.stop();
    }
    const mails = smtp.mails.slice(before);
    expect(mails.map((m) => m.to).flat().sort()).toEqual([other.admin.email, provider.email].sort());
    expect(header(mails[0]!.raw, "Subject")).toBe(`Quiet ${driver} has reached its monthly limit for March 2027`);
    expect(mails[0]!.raw).toContain("A request was refused because it would have gone past the monthly limit");
    expect(mails[0]!.raw).toContain("Spent so far: $7.00 of $10.00 (70 %)");
    const listed = keep(await h.caller(other.admin).alerts.list({ month: "2027-03" }));
    expect(listed.items).toEqual([expect.objectContaining({ thresholdPercent: 100, reason: "refused", spentNano: 7n * USD })]);
    // Once: more refusals and runs fire and mail nothing more.
    await h.internal().internal.reserve({ organizationId: other.id, amountNano: 4n * USD, owner: "alerts-test-proxy" });
    expect((await run()).fire.fired).toBe(0);
    expect(smtp.mails.length - before).toBe(2);
  });

  it("an alert that fired before SMTP was configured is e-mailed once it is, once", async () => {
    clock = new Date("2027-04-12T08:00:00Z");
    const late = await h.org(`Late mail ${driver}`);
    await h.caller(provider).organizations.update({ organizationId: late.id, monthlyLimitUsd: "10" });
    const lateMember = await h.user("member", { organizationId: late.id });
    // The same database, an API process without SMTP (as before the provider configured it).
    const withoutSmtp = { ...h.deps, env: { ...h.deps.env, MAI_SMTP_HOST: undefined, MAI_SMTP_URL: undefined } };
    await spend(lateMember, 9n * USD);
    const before = smtp.mails.length;
    expect((await runLimitAlerts(withoutSmtp)).fire).toEqual({ fired: 1, deliveries: 0 });
    expect(await listAlertDeliveries(h.deps.db, late.id)).toEqual([]);
    // Restarted with SMTP: the month's alert is e-mailed to the people there are now, once however
    // many runs (and processes) there are.
    const runs = await Promise.all([run(), run()]);
    expect(runs.reduce((n, r) => n + r.fire.fired, 0)).toBe(0);
    expect(runs.reduce((n, r) => n + r.fire.deliveries, 0)).toBe(2);
    await run();
    const mails = smtp.mails.slice(before);
    expect(mails.map((m) => m.to).flat().sort()).toEqual([late.admin.email, provider.email].sort());
    expect(header(mails[0]!.raw, "Subject")).toBe(`Late mail ${driver} has used 80 % of its monthly limit for April 2027`);
    expect(mails[0]!.raw).toContain("Spent so far: $9.00 of $10.00 (90 %)");
    expect(h.logs.some((l) => l.includes("limit alert e-mails queued for alerts fired before e-mail could reach anyone"))).toBe(true);
    // Another process without SMTP queues nothing and sends nothing.
    expect((await runLimitAlerts(withoutSmtp)).fire.deliveries).toBe(0);
    expect(smtp.mails.length - before).toBe(2);
  });

  it("an organisation whose alert e-mails are in Polish gets them in Polish: words, month and figures", async () => {
    clock = new Date("2027-05-20T08:00:00Z");
    const polish = await h.org(`Zielona Sp. z o.o. ${driver}`);
    await h.caller(provider).organizations.update({ organizationId: polish.id, monthlyLimitUsd: "10" });
    const polishMember = await h.user("member", { organizationId: polish.id });
    expect(keep(await h.caller(polish.admin).alerts.getSettings({}))).toMatchObject({ emailLanguage: "en" });
    expect(keep(await h.caller(polish.admin).alerts.updateSettings({ emailLanguage: "pl" }))).toMatchObject({ emailLanguage: "pl", thresholds: [80, 100] });
    await expect(h.caller(polish.admin).alerts.updateSettings({ emailLanguage: "de" as "pl" })).rejects.toThrow(/en \(English\) or pl \(Polish\)/);
    const audit = keep(await h.caller(provider).audit.list({ organizationId: polish.id, action: "alerts.*" }));
    expect(audit.items[0]).toMatchObject({ before: { emailLanguage: "en" }, after: { emailLanguage: "pl" } });

    const before = smtp.mails.length;
    await spend(polishMember, 8_500_000_000n);
    await run();
    await run();
    const mails = smtp.mails.slice(before);
    expect(mails.map((m) => m.to).flat().sort()).toEqual([polish.admin.email, provider.email].sort());
    expect(decodeWords(header(mails[0]!.source, "Subject"))).toBe(`Zielona Sp. z o.o. ${driver}: wykorzystano 80 % limitu miesięcznego za maj 2027`);
    const text = mails[0]!.raw;
    expect(text).toContain("Miesiąc rozliczeniowy: maj 2027");
    expect(text).toMatch(/Wydano dotąd: 8,50\s\$ z 10,00\s\$ \(85 %\)/);
    expect(text).toContain("To powiadomienie jest wysyłane raz na próg i miesiąc rozliczeniowy.");
    expect(text).not.toMatch(/Spent so far|Billing month/);
    // Everyone else's stay English.
    expect(smtp.mails.slice(0, before).every((m) => !/Miesi/.test(m.raw))).toBe(true);
  });

  it("no secret in any response or log line", () => {
    const everything = [...h.logs, ...responses.map(json)].join("\n");
    expect(h.logs.some((l) => l.includes("limit alert delivered"))).toBe(true);
    for (const secret of [SMTP_PASSWORD, WEBHOOK_SECRET]) expect(everything).not.toContain(secret);
    // The webhook URL's query (it may carry the receiver's own token) is returned only by the
    // settings its administrators edit, never logged, audited or shown in the delivery log.
    expect(h.logs.join("\n")).not.toContain("query-never-logged");
    // Nor in what was mailed.
    expect(smtp.mails.map((m) => m.raw).join("\n")).not.toContain(SMTP_PASSWORD);
  });
});
