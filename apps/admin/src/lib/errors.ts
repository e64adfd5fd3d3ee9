// Server errors in plain words. The API's messages are written for people (domain errors, refused
// inputs as one sentence, a 5xx as a sentence with its request id); this adds the HTTP meaning
// where the message is not the point.
//
// The API writes English. What can be known from an error's data — its code, its HTTP status, the
// request id of a 5xx, how long a throttled sign-in must wait, the fields a refused input names —
// is said here in the reader's language whatever the English words are. Where the API's English
// sentence says more than the data (which rule refused an action, for whom a sign-in is
// throttled), an English reader keeps that sentence; other server sentences stay as the API
// wrote them — except a sentence of the API's catalog, which comes with its key
// (`data.messageKey`, @mai/domain SERVER_MESSAGES) and is said from the `server` namespace.
import { TRPCClientError } from "@trpc/client";
import { currentLanguage, i18n } from "../i18n";
import { clientCheckText } from "./checks";

// Plain functions (called while rendering or in a toast): the message is in the language of that moment.
const t = i18n.t.bind(i18n);
/** t() for a key the API names at run time (checked with i18n.exists first), so not typed by key. */
const serverT = i18n.t.bind(i18n) as unknown as (key: string, options: Record<string, unknown>) => string;

interface ErrorData {
  code?: string;
  httpStatus?: number;
  retryAfterSeconds?: number;
  zodIssues?: { path: string[]; message: string }[];
  messageKey?: string;
  messageParams?: Record<string, string | number>;
}

/**
 * A message the API sent with its catalog key (a refusal, a sync outcome, a mapping problem), in
 * the reader's language; the API's own English when there is no key or the key is not one we know
 * (an API newer than this dashboard).
 */
export function serverText(message: string, messageKey?: string | null, messageParams?: Record<string, string | number> | null): string {
  if (!messageKey || !i18n.exists(messageKey, { ns: "server", ...(messageParams ?? {}) })) return message;
  return serverT(messageKey, { ns: "server", ...(messageParams ?? {}) });
}

/** The refused inputs whose words come from a check this dashboard makes too (the Join form's). */
const CLIENT_CHECKS = ["join.emailMissing", "join.codeMissing"] as const;

/** "15 minutes", "1 minute and 5 seconds" — "15 minut", "1 minutę i 5 sekund" in Polish (after "za"). */
export function waitText(seconds: number): string {
  const total = Math.max(1, Math.ceil(seconds));
  if (total < 60) return t("errors.seconds", { count: total });
  const minutes = t("errors.minutes", { count: Math.floor(total / 60) });
  const rest = total % 60;
  return rest === 0 ? minutes : t("errors.minutesAndSeconds", { minutes, seconds: t("errors.seconds", { count: rest }) });
}

/** The server's sentence for a 5xx: its request id kept, the rest in the reader's language. */
function serverFault(data: ErrorData, message: string): string {
  const requestId = /Request id: ([^\s]+?)\.?$/.exec(message)?.[1];
  const unavailable = data.code === "SERVICE_UNAVAILABLE";
  if (requestId) return t(unavailable ? "errors.unavailableWithId" : "errors.internalWithId", { requestId });
  return t(unavailable ? "errors.unavailable" : "errors.internal");
}

/** The issues of a refused input when every one of them is a check this dashboard words itself. */
function clientCheckIssues(issues: NonNullable<ErrorData["zodIssues"]>): string | null {
  const said = issues.map((issue) => {
    const key = CLIENT_CHECKS.find((k) => i18n.t(k, { ns: "auth", lng: "en" }) === issue.message);
    return key ? i18n.t(key, { ns: "auth" }) : clientCheckText(issue.message);
  });
  return said.length > 0 && said.every((text) => text !== null) ? said.join(" ") : null;
}

export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const data = error.data as ErrorData | undefined;
    const english = currentLanguage() === "en";
    if (data?.code === "UNAUTHORIZED") return t("errors.unauthorized");
    if (!data && /fetch|network/i.test(error.message)) return t("errors.network");
    if (data?.httpStatus !== undefined && data.httpStatus >= 500) return serverFault(data, error.message);
    if (data?.messageKey) return serverText(error.message, data.messageKey, data.messageParams);
    if (data?.code === "FORBIDDEN") return english ? error.message : t("errors.forbidden");
    if (data?.code === "TOO_MANY_REQUESTS" && typeof data.retryAfterSeconds === "number") {
      return english ? error.message : t("errors.throttled", { wait: waitText(data.retryAfterSeconds) });
    }
    if (data?.code === "BAD_REQUEST") {
      // English keeps the API's sentence, which names the fields.
      const issues = data.zodIssues && !english ? clientCheckIssues(data.zodIssues) : null;
      if (issues) return issues;
      // A password or key the API refused by the domain's rule (the list of common passwords, most often).
      return clientCheckText(error.message) ?? error.message;
    }
    return error.message;
  }
  if (error instanceof Error) return error.message;
  return t("errors.unknown");
}

export const isUnauthorized = (error: unknown) =>
  error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === "UNAUTHORIZED";
