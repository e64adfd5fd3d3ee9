// Why: a personal API token is recognised by its shape before any database lookup (a wrong shape
// never costs a query), by the API and by the proxy alike; and it travels as an HTTP Bearer
// credential, parsed the same way at both doors.

import { serverMessage } from "./messages";

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

/**
 * What a personal token may do. "chat": the proxy, its owner's own settings (the Open WebUI direct
 * connection's), auth.me and its owner's own usage — what a chat client needs, and all that leaks
 * if the browser that keeps it does. "manage": also whatever its owner may do in the dashboard (an
 * administrator's automation). No token, of either scope, can mint a token.
 */
export const TOKEN_SCOPES = ["chat", "manage"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** Why a user of this role may not create a token of this scope, or null: manage tokens are for administrators. */
export function tokenScopeProblem(role: "provider_admin" | "org_admin" | "member", scope: TokenScope): string | null {
  if (scope === "manage" && role === "member") return serverMessage("tokens.manageNeedsAdmin");
  return null;
}
