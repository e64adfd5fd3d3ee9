// Why: OpenRouter receives a `user` field per request so usage can be attributed per user inside an
// organisation. It must be stable (derived, never stored-only), carry no personal data (no e-mail,
// no name), and keep the format of the original system: `mai_client_<org8>_user_<user8>`, the first
// 8 hex digits of each UUID. 8+8 hex digits are not a guarantee of uniqueness for random UUIDs, so
// the database keeps a unique index on the stored id; this module only derives and recognises it.

import { DomainError } from "./errors";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EXTERNAL_USER_ID = /^mai_client_([0-9a-f]{8})_user_([0-9a-f]{8})$/;

function prefixOf(id: string, what: "organisation" | "user"): string {
  if (typeof id !== "string" || !UUID.test(id)) {
    // The input is not echoed: callers sometimes pass an e-mail or a name by mistake.
    throw new DomainError("INVALID_INPUT", `The ${what} id must be a UUID.`, { details: { field: what } });
  }
  return id.replaceAll("-", "").slice(0, 8).toLowerCase();
}

export function externalUserId(orgId: string, userId: string): string {
  return `mai_client_${prefixOf(orgId, "organisation")}_user_${prefixOf(userId, "user")}`;
}

export function parseExternalUserId(s: string): { orgPrefix: string; userPrefix: string } | null {
  if (typeof s !== "string") return null;
  const m = EXTERNAL_USER_ID.exec(s);
  if (!m || m[1] === undefined || m[2] === undefined) return null;
  return { orgPrefix: m[1], userPrefix: m[2] };
}

export function isValidExternalUserId(s: unknown): boolean {
  return typeof s === "string" && EXTERNAL_USER_ID.test(s);
}
