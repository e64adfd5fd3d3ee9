// Passwords are hashed with scrypt from node:crypto (no native build): self-describing
// `scrypt$N$r$p$salt$hash`, so the cost can be raised later without invalidating old hashes.
import { randomBytes, randomInt, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { DomainError, passwordProblem } from "@mai/domain";
import { COMMON_PASSWORDS } from "@mai/domain/common-passwords";

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCb(password, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key))),
  );

const N = 16_384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, KEY_LENGTH, { N, r: R, p: P });
  return ["scrypt", N, R, P, salt.toString("base64url"), hash.toString("base64url")].join("$");
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  if (!stored) {
    // Same work as a real check, so response time does not reveal which accounts exist.
    await scrypt(password, randomBytes(16), KEY_LENGTH, { N, r: R, p: P });
    return false;
  }
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const actual = await scrypt(password, Buffer.from(salt, "base64url"), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(actual, expected);
}

/**
 * A generated password (first start, a member's first password, a temporary one after a reset): 20
 * characters from an alphabet without look-alikes (0/O, 1/l/I), uniform (randomInt has no modulo
 * bias): about 115 bits.
 */
export function generatePassword(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  return Array.from({ length: 20 }, () => alphabet[randomInt(alphabet.length)]).join("");
}

/** How long a temporary password (an administrator's reset) signs in: 72 hours. */
export const TEMPORARY_PASSWORD_VALIDITY_MS = 72 * 60 * 60 * 1000;

/** A password a person chose, checked by @mai/domain's rule with the list of common passwords; INVALID_INPUT in words otherwise. */
export function assertAcceptablePassword(password: string, account: { email: string; name: string }): void {
  const problem = passwordProblem(password, { email: account.email, name: account.name, common: COMMON_PASSWORDS });
  if (problem) throw new DomainError("INVALID_INPUT", problem);
}
