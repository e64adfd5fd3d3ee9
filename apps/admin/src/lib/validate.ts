// Checks the forms make before sending, so a typo is pointed at its field; the API validates again.

/** Looks like an e-mail address (the API's zod check is the authority), at most 320 characters. */
export function isEmailAddress(value: string): boolean {
  return value.length <= 320 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
}
