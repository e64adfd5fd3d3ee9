// Why: a personal API token is recognised by its shape before any database lookup (a wrong shape
// never costs a query), by the API and by the proxy alike; and it travels as an HTTP Bearer
// credential, parsed the same way at both doors.

export const API_TOKEN_PREFIX = "mai_";
/** `mai_` + 48 lowercase hexadecimal characters (192 random bits). */
export const API_TOKEN_PATTERN = /^mai_[0-9a-f]{48}$/;

export function looksLikeApiToken(value: string): boolean {
  return API_TOKEN_PATTERN.test(value);
}

/** The credential of an `Authorization: Bearer <credential>` header (scheme case-insensitive), or null. */
export function parseBearer(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1] ?? null;
}
