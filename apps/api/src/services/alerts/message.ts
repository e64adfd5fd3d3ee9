// What an alert says, by e-mail and to a webhook: the organisation, the threshold, spent and limit
// in USD (@mai/domain's one money formatter, en-GB: "$8.00", "$0.000016"; the webhook carries the
// exact nano-USD), the
// billing month, and the dashboard's page when the API knows its public URL. No secret is ever in it.
import { formatMoney, nanoToUsdFixed, usedPercent, type LimitAlertPayload } from "@mai/domain";
import type { LimitAlert } from "@mai/db";

/** "December 2026" for "2026-12". */
export function billingMonthName(period: string): string {
  return new Intl.DateTimeFormat("en-GB", { month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(`${period}-01T00:00:00Z`));
}

/** The dashboard's alerts page for the organisation, or null without MAI_PUBLIC_URL. */
export function alertsPageUrl(publicUrl: string | undefined, organizationId: string): string | null {
  if (!publicUrl) return null;
  const url = new URL("/alerts", publicUrl);
  url.searchParams.set("org", organizationId);
  return url.toString();
}

export function webhookPayload(alert: LimitAlert, organizationName: string, dashboardUrl: string | null): LimitAlertPayload {
  return {
    event: "limit_alert",
    id: alert.id,
    organization: { id: alert.organizationId, name: organizationName },
    period: alert.period,
    thresholdPercent: alert.thresholdPercent,
    reason: alert.reason,
    spentNano: alert.spentNano.toString(),
    limitNano: alert.limitNano.toString(),
    spentUsd: nanoToUsdFixed(alert.spentNano),
    limitUsd: nanoToUsdFixed(alert.limitNano),
    usedPercent: usedPercent(alert.spentNano, alert.limitNano),
    firedAt: alert.firedAt.toISOString(),
    dashboardUrl,
  };
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export interface AlertEmail {
  subject: string;
  text: string;
  html: string;
}

export function alertEmail(alert: LimitAlert, organizationName: string, dashboardUrl: string | null): AlertEmail {
  const month = billingMonthName(alert.period);
  const spent = formatMoney(alert.spentNano, { locale: "en-GB" });
  const limit = formatMoney(alert.limitNano, { locale: "en-GB" });
  const used = usedPercent(alert.spentNano, alert.limitNano);
  const reached = alert.thresholdPercent >= 100;
  // A subject line cannot hold a line break (nodemailer encodes it, but the name is ours to trust less).
  const name = organizationName.replace(/[\r\n]+/g, " ");
  const subject = reached
    ? `${name} has reached its monthly limit for ${month}`
    : `${name} has used ${alert.thresholdPercent} % of its monthly limit for ${month}`;
  const lines = [
    `Organisation: ${name}`,
    `Billing month: ${month}`,
    `Threshold: ${alert.thresholdPercent} % of the monthly limit`,
    `Spent so far: ${spent} of ${limit} (${used} %)`,
    "",
    alert.reason === "refused"
      ? "A request was refused because it would have gone past the monthly limit: chats are being refused until the limit is raised or the month ends."
      : reached
        ? "The monthly limit is spent: chats are refused until the limit is raised or the month ends."
        : "Chats are refused once the monthly limit is spent. Ask the provider to raise the limit if more is needed this month.",
    "",
    dashboardUrl ? `See the organisation in the dashboard: ${dashboardUrl}` : "See the organisation in the mAI dashboard.",
    "",
    "This alert is sent once per threshold and billing month.",
  ];
  const row = (label: string, value: string) => `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`;
  const html = [
    "<!doctype html><html><body style=\"font-family:sans-serif\">",
    `<p>${escapeHtml(subject)}.</p>`,
    "<table>",
    row("Organisation", name),
    row("Billing month", month),
    row("Threshold", `${alert.thresholdPercent} % of the monthly limit`),
    row("Spent so far", `${spent} of ${limit} (${used} %)`),
    "</table>",
    `<p>${escapeHtml(lines[5]!)}</p>`,
    dashboardUrl ? `<p><a href="${escapeHtml(dashboardUrl)}">See the organisation in the dashboard</a></p>` : "",
    "<p style=\"color:#555\">This alert is sent once per threshold and billing month.</p>",
    "</body></html>",
  ].join("\n");
  return { subject, text: `${lines.join("\n")}\n`, html };
}
