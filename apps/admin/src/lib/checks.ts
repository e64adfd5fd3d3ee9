// What the forms check before sending, in the words the user sees: the domain's own rules and the
// procedures' input schemas (the API applies the same ones), so a value refused here would be
// refused there and the reverse. Amounts are checked with the domain's exact decimal parsers and
// sent as text.
//
// The domain's refusals are English sentences; each is said here in the reader's language by which
// check failed (the key's catalog key — the server namespace's `key.*` —, or the domain's fixed
// sentence recognised), never by editing the domain. A sentence not recognised is shown as the
// domain words it.
import { validateOpenRouterKey, type KeyErrorCode } from "@mai/domain/keys";
import { serverMessageMatch } from "@mai/domain/messages";
import { markupFromMultiplier } from "@mai/domain/money";
import { validateMonthlyLimit } from "@mai/domain/monthly-limit";
import { isCurrencyCode, MAX_ORGANIZATION_NAME_LENGTH, validateOrganizationName } from "@mai/domain/organization";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, passwordProblem, type PasswordContext } from "@mai/domain/password";
import { acceptInvitationInput, addMemberInput, createTokenInput, emailInput, MAX_EMAIL_LENGTH } from "@mai/domain/schemas";
import { currentLanguage, i18n } from "../i18n";
import { displayLocale } from "./format";

// Plain functions, called when a form is checked: the message is in the language of that moment.
const t = i18n.t.bind(i18n);
/** t() for the server namespace's key-format messages (keyText), untyped by key. */
const serverT = i18n.t.bind(i18n) as unknown as (key: string, options: Record<string, unknown>) => string;

/** A schema's bound (`.max()` of a text, `.min()`/`.max()` of a number); a schema without it is a bug here. */
function bound(value: number | null): number {
  if (value === null) throw new Error("The schema sets no such bound.");
  return value;
}

/** The longest text each field may hold, as the procedures' schemas bound it. */
export const MAX_LENGTH = {
  organizationName: MAX_ORGANIZATION_NAME_LENGTH,
  email: MAX_EMAIL_LENGTH,
  memberName: bound(addMemberInput.shape.name.unwrap().maxLength),
  tokenName: bound(createTokenInput.shape.name.maxLength),
  invitationCode: bound(acceptInvitationInput.shape.code.unwrap().maxLength),
} as const;

/** The token lifetimes createToken accepts, in whole days. */
const tokenDays = createTokenInput.shape.expiresInDays.unwrap();
export const TOKEN_DAYS = { min: bound(tokenDays.minValue), max: bound(tokenDays.maxValue) } as const;
export const isTokenLifetime = (days: number) => tokenDays.safeParse(days).success;

/** An e-mail address as members.add and organizations.* accept it. */
export const isEmailAddress = (value: string) => emailInput.safeParse(value).success;

/** The domain's verdict on an organisation name (the database layer's own rule), or `whenEmpty`. */
export function organizationNameProblem(text: string, whenEmpty: string): string | null {
  if (!text.trim()) return whenEmpty;
  try {
    validateOrganizationName(text);
    return null;
  } catch (error) {
    if (!(error instanceof Error)) return t("checks.organizationName.length", { count: MAX_ORGANIZATION_NAME_LENGTH });
    return translateTextRule(error.message, "An organisation name", {
      length: () => t("checks.organizationName.length", { count: MAX_ORGANIZATION_NAME_LENGTH }),
      nul: () => t("checks.organizationName.nul"),
      surrogate: () => t("checks.organizationName.surrogate"),
    });
  }
}

/** A refusal of unstorable text ("… must not contain the NUL character", "… lone surrogate") or of the length. */
function translateTextRule(
  message: string,
  subject: string,
  say: { length: () => string; nul: () => string; surrogate: () => string },
): string {
  if (!message.startsWith(subject)) return message;
  if (/NUL character/.test(message)) return say.nul();
  if (/lone surrogate/.test(message)) return say.surrogate();
  if (/ characters\.$/.test(message)) return say.length();
  return message;
}

/**
 * The domain's password rule (length, repetition, the account's own e-mail or name; the list of
 * common passwords is the API's), its verdict in the reader's language; null when it is fine.
 */
export function checkPassword(password: string, context: PasswordContext = {}): string | null {
  const problem = passwordProblem(password, context);
  return problem === null ? null : passwordProblemText(problem);
}

/** A password refusal of the domain's (here or from the API) in the reader's language; other text as it is. */
export function passwordProblemText(problem: string): string {
  if (problem.startsWith("Choose a password of at least")) return t("checks.password.tooShort", { count: MIN_PASSWORD_LENGTH });
  if (problem.startsWith("A password is at most")) return t("checks.password.tooLong", { count: MAX_PASSWORD_LENGTH });
  if (problem.startsWith("A password")) {
    if (/NUL character/.test(problem)) return t("checks.password.nul");
    if (/lone surrogate/.test(problem)) return t("checks.password.surrogate");
  }
  if (problem.startsWith("This password is a repeated or sequential run")) return t("checks.password.sequence");
  if (problem.startsWith("This password contains your e-mail address or name")) return t("checks.password.personal");
  if (problem.startsWith("This password contains the name of this service")) return t("checks.password.service");
  if (problem.startsWith("This password is on a list of common passwords")) return t("checks.password.common");
  return problem;
}

/** The domain's verdict on a pasted key (the same rule and words as the API's), or null when it is fine. */
export function keyProblem(key: string): string | null {
  const check = validateOpenRouterKey(key);
  return check.ok ? null : keyText(check.messageKey, check.messageParams);
}

/**
 * A key-format refusal (the server catalog's `key.*`, as the domain and the API word it) in the
 * reader's language. Through an untyped t() (serverT): the typed one asks every key of the union
 * for the one parameter only `key.too_long` has (`max`).
 */
function keyText(messageKey: `key.${KeyErrorCode}`, params: Readonly<Record<string, string | number>>): string {
  return serverT(messageKey, { ns: "server", ...params });
}

/**
 * A refusal the API words exactly as a check of these forms does (a password rule, a key's format,
 * a new password equal to the current one), in the reader's language; null for any other sentence.
 * A keyed refusal (`data.messageKey`) never gets here: errorMessage says it from its key first.
 */
export function clientCheckText(message: string): string | null {
  const password = passwordProblemText(message);
  if (password !== message) return password;
  if (message === t("password.sameAsCurrent", { lng: "en" })) return t("password.sameAsCurrent");
  const key = serverMessageMatch(message, "key");
  if (key) return keyText(key.key as `key.${KeyErrorCode}`, key.params);
  return null;
}

/**
 * A refusal of a decimal the domain's parser words as "<subject> …" ("The markup is too large."),
 * in the reader's language; `specific` first, for the sentences only that amount has.
 */
function translateDecimal(
  message: string,
  subject: "The markup" | "The monthly limit",
  group: "markup" | "monthlyLimit",
  specific: (rest: string) => string | null,
): string {
  if (!message.startsWith(`${subject} `)) return message;
  const rest = message.slice(subject.length + 1);
  const own = specific(rest);
  if (own) return own;
  if (rest.startsWith("must be a plain decimal number") || rest.startsWith("must be a number") || rest.startsWith("must be a finite number")) {
    return t(`checks.${group}.notDecimal`);
  }
  if (rest === "is too long to be a decimal number.") return t(`checks.${group}.tooLongText`);
  if (rest === "is too large.") return t(`checks.${group}.tooLarge`);
  return message;
}

const GROUPED_THOUSANDS = /^\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d*)?$/;

/**
 * A decimal as the reader types it, in the form the domain's parsers read: in Polish the comma is
 * the decimal separator ("1,3", "99,50") and spaces may group thousands ("1 250,50"), as the
 * dashboard writes Polish figures; a dot works as well. English text is taken as it is (a comma
 * there groups thousands, which the domain's rule refuses in words).
 */
export function readerDecimal(text: string): string {
  const trimmed = text.trim();
  if (currentLanguage() !== "pl") return trimmed;
  const ungrouped = GROUPED_THOUSANDS.test(trimmed) ? trimmed.replace(/[ \u00a0\u202f]/g, "") : trimmed;
  // One comma and no dot: the decimal comma. Anything else is left for the domain to refuse.
  return /^[^.,]*,[^.,]*$/.test(ungrouped) ? ungrouped.replace(",", ".") : ungrouped;
}

/** "1.3" (or "1.3×"; in Polish also "1,3") → "1.3", else the reason it is refused. Empty input is the caller's business. */
export function checkMarkup(text: string): { value: string } | { error: string } {
  const value = readerDecimal(text.trim().replace(/\s*[×xX]$/, ""));
  try {
    markupFromMultiplier(value);
    return { value };
  } catch (error) {
    if (!(error instanceof Error)) return { error: t("checks.markup.fallback") };
    return {
      error: translateDecimal(error.message, "The markup", "markup", (rest) =>
        rest.startsWith("can have at most 4 decimals")
          ? t("checks.markup.decimals")
          : rest.startsWith("must be at least 1")
            ? t("checks.markup.tooLow")
            : rest.startsWith("can be at most 100")
              ? t("checks.markup.tooHigh")
              : null,
      ),
    };
  }
}

/**
 * "250" / "99.50" → the same text and its exact nano-USD, else the reason it is refused: the
 * domain's monthly-limit rule (never negative, at most 9 decimals, within what can be stored).
 */
export function checkUsd(text: string): { value: string; nano: bigint } | { error: string } {
  const value = readerDecimal(text.trim().replace(/^\$\s*/, ""));
  if (!/^\d*\.?\d*$/.test(value) && !/^-/.test(value)) {
    return { error: t("checks.monthlyLimit.notAmount") };
  }
  try {
    return { value, nano: validateMonthlyLimit(value) };
  } catch (error) {
    if (!(error instanceof Error)) return { error: t("checks.monthlyLimit.fallback") };
    return {
      error: translateDecimal(error.message, "The monthly limit", "monthlyLimit", (rest) => {
        if (rest === "cannot be negative.") return t("checks.monthlyLimit.negative");
        if (rest.startsWith("can have at most 9 decimals")) return t("checks.monthlyLimit.decimals");
        const max = /^is too large: at most (.+) USD\.$/.exec(rest);
        return max ? t("checks.monthlyLimit.tooLargeMax", { max: maxLimitText() }) : null;
      }),
    };
  }
}

/** "pln" → "PLN", else the reason it is refused. */
export function checkCurrency(text: string): { value: string } | { error: string } {
  const value = text.trim().toUpperCase();
  return isCurrencyCode(value) ? { value } : { error: t("checks.currency") };
}

/** An optional e-mail: empty is fine. */
export function checkEmail(text: string): string | null {
  const value = text.trim();
  if (!value) return null;
  return isEmailAddress(value) ? null : t("checks.email");
}

/** The largest monthly limit (a PostgreSQL bigint of nano-USD) in the reader's digits: "9,223,372,036.854775807". */
function maxLimitText(): string {
  const whole = new Intl.NumberFormat(displayLocale()).format(9_223_372_036n);
  const decimal = new Intl.NumberFormat(displayLocale()).formatToParts(0.5).find((p) => p.type === "decimal")?.value ?? ".";
  return `${whole}${decimal}854775807`;
}
