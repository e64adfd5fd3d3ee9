// Alert e-mail over SMTP, through nodemailer (MAI_SMTP_URL, or MAI_SMTP_HOST with its parts). The
// transport is built once per process; without SMTP configured, alerts go to the webhook and the
// dashboard only (the start says so once). nodemailer's own logger stays off: its debug output
// would carry the AUTH exchange. A failure is described by its SMTP reply code and nodemailer's
// error code only — never its message or the server's raw reply, which may quote the account.
import { createTransport } from "nodemailer";
import type { Env } from "../../env";
import type { AlertEmail } from "./message";

export interface SendOutcome {
  ok: boolean;
  /** The SMTP reply code (250 on success), when the server answered. */
  statusCode: number | null;
  /** In words, when not ok. */
  error: string | null;
  /** Worth trying again (a 4xx reply, a connection that failed), or not (a 5xx: the same mail would be refused again). */
  retry: boolean;
}

export interface AlertMailer {
  send(to: string, email: AlertEmail): Promise<SendOutcome>;
  close(): void;
}

interface NodemailerFailure {
  code?: unknown;
  responseCode?: unknown;
  permanent?: unknown;
}

/** Whether e-mail is configured at all. */
export function smtpConfigured(env: Env): boolean {
  return Boolean(env.MAI_SMTP_URL ?? env.MAI_SMTP_HOST);
}

/** Where mail goes, for a log line: the host and port, never the account or password. */
export function smtpTarget(env: Env): string {
  if (env.MAI_SMTP_URL) {
    try {
      const url = new URL(env.MAI_SMTP_URL);
      return `${url.protocol}//${url.host}`;
    } catch {
      return "(the SMTP URL)";
    }
  }
  return `${env.MAI_SMTP_HOST ?? ""}:${env.MAI_SMTP_PORT}`;
}

export function describeSmtpFailure(error: unknown): SendOutcome {
  const e = (error ?? {}) as NodemailerFailure;
  const responseCode = typeof e.responseCode === "number" ? e.responseCode : null;
  const code = typeof e.code === "string" ? e.code : null;
  if (responseCode !== null) {
    const permanent = e.permanent === true || (responseCode >= 500 && responseCode !== 503);
    return {
      ok: false,
      statusCode: responseCode,
      error: `The SMTP server refused the message (reply ${responseCode}${code ? `, ${code}` : ""}).`,
      retry: !permanent,
    };
  }
  if (code === "EAUTH") return { ok: false, statusCode: null, error: "The SMTP server refused the sign-in (check MAI_SMTP_USER and the password).", retry: true };
  return { ok: false, statusCode: null, error: `The SMTP server could not be reached (${code ?? (error as Error | undefined)?.name ?? "unknown error"}).`, retry: true };
}

export function createAlertMailer(env: Env): AlertMailer | null {
  if (!smtpConfigured(env)) return null;
  const transport = env.MAI_SMTP_URL
    ? createTransport(env.MAI_SMTP_URL)
    : createTransport({
        host: env.MAI_SMTP_HOST,
        port: env.MAI_SMTP_PORT,
        secure: env.MAI_SMTP_SECURE ?? env.MAI_SMTP_PORT === 465,
        ...(env.MAI_SMTP_USER ? { auth: { user: env.MAI_SMTP_USER, pass: env.MAI_SMTP_PASSWORD ?? "" } } : {}),
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
        logger: false,
        debug: false,
      });
  return {
    async send(to, email) {
      try {
        const info = await transport.sendMail({ from: env.MAI_ALERTS_FROM, to, subject: email.subject, text: email.text, html: email.html });
        const code = Number.parseInt(String(info.response).slice(0, 3), 10);
        if (info.rejected.length > 0) return { ok: false, statusCode: Number.isFinite(code) ? code : null, error: "The SMTP server refused the recipient.", retry: false };
        return { ok: true, statusCode: Number.isFinite(code) ? code : 250, error: null, retry: false };
      } catch (error) {
        return describeSmtpFailure(error);
      }
    },
    close() {
      transport.close();
    },
  };
}
