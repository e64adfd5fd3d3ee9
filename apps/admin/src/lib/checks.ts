// What the forms check before sending, in the words the user sees: the domain's own rules and the
// procedures' input schemas (the API applies the same ones), so a value refused here would be
// refused there and the reverse. Amounts are checked with the domain's exact decimal parsers and
// sent as text.
import { validateOpenRouterKey } from "@mai/domain/keys";
import { markupFromMultiplier } from "@mai/domain/money";
import { validateMonthlyLimit } from "@mai/domain/monthly-limit";
import { isCurrencyCode, MAX_ORGANIZATION_NAME_LENGTH, validateOrganizationName } from "@mai/domain/organization";
import { acceptInvitationInput, addMemberInput, createTokenInput, emailInput, MAX_EMAIL_LENGTH } from "@mai/domain/schemas";

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
    return error instanceof Error ? error.message : `An organisation name is at most ${MAX_ORGANIZATION_NAME_LENGTH} characters.`;
  }
}

/** The domain's verdict on a pasted key (the same rule and words as the API's), or null when it is fine. */
export function keyProblem(key: string): string | null {
  const check = validateOpenRouterKey(key);
  return check.ok ? null : check.message;
}

/** "1.3" (or "1.3×") → "1.3", else the reason it is refused. Empty input is the caller's business. */
export function checkMarkup(text: string): { value: string } | { error: string } {
  const value = text.trim().replace(/\s*[×xX]$/, "");
  try {
    markupFromMultiplier(value);
    return { value };
  } catch (error) {
    return { error: error instanceof Error ? error.message : "Enter a multiplier such as 1.3." };
  }
}

/**
 * "250" / "99.50" → the same text and its exact nano-USD, else the reason it is refused: the
 * domain's monthly-limit rule (never negative, at most 9 decimals, within what can be stored).
 */
export function checkUsd(text: string): { value: string; nano: bigint } | { error: string } {
  const value = text.trim().replace(/^\$\s*/, "");
  if (!/^\d*\.?\d*$/.test(value) && !/^-/.test(value)) {
    return { error: "Enter an amount in US dollars such as 250 or 99.50 (no thousands separators)." };
  }
  try {
    return { value, nano: validateMonthlyLimit(value) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : "Enter an amount in US dollars such as 250 or 99.50." };
  }
}

/** "pln" → "PLN", else the reason it is refused. */
export function checkCurrency(text: string): { value: string } | { error: string } {
  const value = text.trim().toUpperCase();
  return isCurrencyCode(value) ? { value } : { error: "A three-letter ISO 4217 code such as USD or PLN." };
}

/** An optional e-mail: empty is fine. */
export function checkEmail(text: string): string | null {
  const value = text.trim();
  if (!value) return null;
  return isEmailAddress(value)
    ? null
    : "Enter an e-mail address such as billing@example.com, or leave it empty.";
}
