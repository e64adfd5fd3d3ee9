// Personal API tokens and session tokens are long random strings, so SHA-256 is the right hash:
// a slow hash would add milliseconds to every proxied request without adding security.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { API_TOKEN_PREFIX } from "@mai/domain";

export function sha256(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

/** `mai_` + 48 hex characters (192 bits). The first 12 characters are shown in lists. */
export function generateApiToken(): { token: string; prefix: string; hash: string } {
  const token = `${API_TOKEN_PREFIX}${randomBytes(24).toString("hex")}`;
  return { token, prefix: token.slice(0, 12), hash: sha256(token) };
}

export function generateSessionToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: sha256(token) };
}

/** Constant-time equality for shared secrets (the internal token). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(sha256(a), "hex");
  const y = Buffer.from(sha256(b), "hex");
  return timingSafeEqual(x, y);
}
