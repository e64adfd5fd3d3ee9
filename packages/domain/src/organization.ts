// Why: an organisation's name and the provider's currency are typed by people in two forms and
// checked by the API and the database layer; the rules live here once, so all of them agree.

import { domainError, DomainError } from "./errors";
import { unstorableTextReason } from "./input-bounds";

export const MAX_ORGANIZATION_NAME_LENGTH = 200;

/** The trimmed name, 1–200 characters of storable text; refused in words otherwise. */
export function validateOrganizationName(name: string): string {
  const trimmed = typeof name === "string" ? name.trim() : "";
  if (trimmed === "" || trimmed.length > MAX_ORGANIZATION_NAME_LENGTH) {
    throw domainError("INVALID_INPUT", "organization.nameLength", { max: MAX_ORGANIZATION_NAME_LENGTH });
  }
  const reason = unstorableTextReason(trimmed);
  if (reason) throw new DomainError("INVALID_INPUT", `An organisation name ${reason}.`);
  return trimmed;
}

/** A three-letter ISO 4217 code as written in settings ("USD", "PLN"); case-sensitive: store it upper-case. */
export function isCurrencyCode(code: string): boolean {
  return /^[A-Z]{3}$/.test(code);
}
