// What an alert says, by e-mail and to a webhook: the organisation, the threshold, spent and limit
// in USD (@mai/domain's one money formatter, in the e-mail's language: "$8.00", "8,00 $"; the
// webhook carries the exact nano-USD), the
// billing month, and the dashboard's page when the API knows its public URL. No secret is ever in it.
import { formatMoney, nanoToUsdFixed, usedPercent, type AlertEmailLanguage, type LimitAlertPayload } from "@mai/domain";
import type { LimitAlert } from "@mai/db";

/** "December 2026" for "2026-12" (in Polish, "grudzień 2026"). */
export function billingMonthName(period: string, locale = "en-GB"): string {
  return new Intl.DateTimeFormat(locale, { month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(`${period}-01T00:00:00Z`));
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

/** What an alert e-mail says, in one language (the figures arrive formatted for it). */
interface AlertWords {
  locale: string;
  subject(name: string, threshold: number, month: string, reached: boolean): string;
  organisation: string;
  billingMonth: string;
  threshold: string;
  thresholdValue(threshold: number): string;
  spentSoFar: string;
  spentValue(spent: string, limit: string, used: number): string;
  refused: string;
  reached: string;
  approaching: string;
  seeAt(url: string): string;
  seeLink: string;
  seeNoUrl: string;
  once: string;
}

const WORDS: Record<AlertEmailLanguage, AlertWords> = {
  en: {
    locale: "en-GB",
    subject: (name, threshold, month, reached) =>
      reached ? `${name} has reached its monthly limit for ${month}` : `${name} has used ${threshold} % of its monthly limit for ${month}`,
    organisation: "Organisation",
    billingMonth: "Billing month",
    threshold: "Threshold",
    thresholdValue: (threshold) => `${threshold} % of the monthly limit`,
    spentSoFar: "Spent so far",
    spentValue: (spent, limit, used) => `${spent} of ${limit} (${used} %)`,
    refused:
      "A request was refused because it would have gone past the monthly limit: chats are being refused until the limit is raised or the month ends.",
    reached: "The monthly limit is spent: chats are refused until the limit is raised or the month ends.",
    approaching: "Chats are refused once the monthly limit is spent. Ask the provider to raise the limit if more is needed this month.",
    seeAt: (url) => `See the organisation in the dashboard: ${url}`,
    seeLink: "See the organisation in the dashboard",
    seeNoUrl: "See the organisation in the mAI dashboard.",
    once: "This alert is sent once per threshold and billing month.",
  },
  pl: {
    locale: "pl-PL",
    // "za grudzień 2026": a month's name is the same in the accusative.
    subject: (name, threshold, month, reached) =>
      reached ? `${name}: wykorzystano limit miesięczny za ${month}` : `${name}: wykorzystano ${threshold} % limitu miesięcznego za ${month}`,
    organisation: "Organizacja",
    billingMonth: "Miesiąc rozliczeniowy",
    threshold: "Próg",
    thresholdValue: (threshold) => `${threshold} % limitu miesięcznego`,
    spentSoFar: "Wydano dotąd",
    spentValue: (spent, limit, used) => `${spent} z ${limit} (${used} %)`,
    refused:
      "Odrzucono żądanie, które przekroczyłoby limit miesięczny: czaty są odrzucane, dopóki limit nie zostanie podniesiony albo nie skończy się miesiąc.",
    reached: "Limit miesięczny został wykorzystany: czaty są odrzucane, dopóki limit nie zostanie podniesiony albo nie skończy się miesiąc.",
    approaching: "Po wykorzystaniu limitu miesięcznego czaty są odrzucane. Jeśli w tym miesiącu potrzeba więcej, należy poprosić dostawcę o podniesienie limitu.",
    seeAt: (url) => `Organizacja w panelu: ${url}`,
    seeLink: "Zobacz organizację w panelu",
    seeNoUrl: "Organizację można zobaczyć w panelu mAI.",
    once: "To powiadomienie jest wysyłane raz na próg i miesiąc rozliczeniowy.",
  },
};

/** The e-mail of a fired alert, in the organisation's e-mail language (English unless it chose). */
export function alertEmail(alert: LimitAlert, organizationName: string, dashboardUrl: string | null, language: AlertEmailLanguage = "en"): AlertEmail {
  const words = WORDS[language];
  const month = billingMonthName(alert.period, words.locale);
  const spent = formatMoney(alert.spentNano, { locale: words.locale });
  const limit = formatMoney(alert.limitNano, { locale: words.locale });
  const used = usedPercent(alert.spentNano, alert.limitNano);
  const reached = alert.thresholdPercent >= 100;
  // A subject line cannot hold a line break (nodemailer encodes it, but the name is ours to trust less).
  const name = organizationName.replace(/[\r\n]+/g, " ");
  const subject = words.subject(name, alert.thresholdPercent, month, reached);
  const consequence = alert.reason === "refused" ? words.refused : reached ? words.reached : words.approaching;
  const lines = [
    `${words.organisation}: ${name}`,
    `${words.billingMonth}: ${month}`,
    `${words.threshold}: ${words.thresholdValue(alert.thresholdPercent)}`,
    `${words.spentSoFar}: ${words.spentValue(spent, limit, used)}`,
    "",
    consequence,
    "",
    dashboardUrl ? words.seeAt(dashboardUrl) : words.seeNoUrl,
    "",
    words.once,
  ];
  const row = (label: string, value: string) => `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`;
  const html = [
    `<!doctype html><html lang="${language}"><body style="font-family:sans-serif">`,
    `<p>${escapeHtml(subject)}.</p>`,
    "<table>",
    row(words.organisation, name),
    row(words.billingMonth, month),
    row(words.threshold, words.thresholdValue(alert.thresholdPercent)),
    row(words.spentSoFar, words.spentValue(spent, limit, used)),
    "</table>",
    `<p>${escapeHtml(consequence)}</p>`,
    dashboardUrl ? `<p><a href="${escapeHtml(dashboardUrl)}">${escapeHtml(words.seeLink)}</a></p>` : "",
    `<p style="color:#555">${escapeHtml(words.once)}</p>`,
    "</body></html>",
  ].join("\n");
  return { subject, text: `${lines.join("\n")}\n`, html };
}
