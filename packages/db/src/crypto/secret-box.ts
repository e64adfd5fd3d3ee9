// Secrets at rest. OpenRouter keys (client and provisioning) are stored as AES-256-GCM ciphertext
// in a versioned text format:
//
//   v1.<kid>.<iv>.<ciphertext>.<tag>        (base64url parts; kid = 8 hex of SHA-256 of the master key)
//
// The kid names the master key that sealed a value, so a keyring holding the new key and the old
// ones can open everything while a rotation re-seals rows one by one. Encryption and fingerprint
// keys are derived from the master key with HKDF (separate purposes never share a key). The
// fingerprint is an HMAC, not a bare hash: without the master key, a stolen table cannot be used to
// confirm a guessed key.
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from "node:crypto";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBoxError extends Error {
  override name = "SecretBoxError";
}

interface MasterKey {
  kid: string;
  encryptionKey: Buffer;
  fingerprintKey: Buffer;
}

function deriveMasterKey(raw: Buffer): MasterKey {
  if (raw.length !== 32) throw new SecretBoxError("The master key must be 32 bytes (base64 of 32 random bytes).");
  const kid = createHash("sha256").update(raw).digest("hex").slice(0, 8);
  const derive = (info: string) => Buffer.from(hkdfSync("sha256", raw, Buffer.alloc(0), info, 32));
  return { kid, encryptionKey: derive("mai/encryption/v1"), fingerprintKey: derive("mai/fingerprint/v1") };
}

export interface SecretBox {
  /** The id of the master key new values are sealed with. */
  readonly kid: string;
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
  /** Keyed, deterministic: equal keys give equal fingerprints, usable in unique indexes. */
  fingerprint(secret: string): string;
  /** True when the value was sealed with an older master key and should be re-sealed. */
  needsReseal(sealed: string): boolean;
}

/**
 * @param current the master key in use (32 bytes)
 * @param previous older master keys still accepted for opening (rotation)
 */
export function createSecretBox(current: Buffer, previous: readonly Buffer[] = []): SecretBox {
  const active = deriveMasterKey(current);
  const ring = new Map<string, MasterKey>([[active.kid, active]]);
  for (const key of previous) {
    const derived = deriveMasterKey(key);
    if (!ring.has(derived.kid)) ring.set(derived.kid, derived);
  }

  return {
    kid: active.kid,
    // `context` is bound as additional authenticated data: a ciphertext copied into another
    // column (say, a client key into the provisioning-key slot) fails to open.
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", active.encryptionKey, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(context, "utf8"));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, active.kid, iv.toString("base64url"), body.toString("base64url"), tag.toString("base64url")].join(".");
    },
    open(sealed, context) {
      const parts = sealed.split(".");
      if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretBoxError("Unrecognised ciphertext format.");
      const [, kid, iv, body, tag] = parts as [string, string, string, string, string];
      const key = ring.get(kid);
      if (!key) throw new SecretBoxError(`Ciphertext was sealed with an unknown master key (kid ${kid}).`);
      try {
        const decipher = createDecipheriv("aes-256-gcm", key.encryptionKey, Buffer.from(iv, "base64url"), {
          authTagLength: TAG_BYTES,
        });
        decipher.setAAD(Buffer.from(context, "utf8"));
        decipher.setAuthTag(Buffer.from(tag, "base64url"));
        return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
      } catch (cause) {
        throw new SecretBoxError("Ciphertext failed authentication (wrong key, context or tampered data).", { cause });
      }
    },
    fingerprint(secret) {
      return createHmac("sha256", active.fingerprintKey).update(secret, "utf8").digest("hex");
    },
    needsReseal(sealed) {
      return sealed.split(".")[1] !== active.kid;
    },
  };
}

/** Parses MAI_ENCRYPTION_KEY: base64 (or base64url) of exactly 32 bytes. */
export function parseMasterKey(encoded: string): Buffer {
  const trimmed = encoded.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new SecretBoxError("MAI_ENCRYPTION_KEY must be base64 of 32 random bytes (e.g. `openssl rand -base64 32`).");
  }
  const raw = Buffer.from(trimmed, trimmed.includes("-") || trimmed.includes("_") ? "base64url" : "base64");
  if (raw.length !== 32) {
    throw new SecretBoxError(`MAI_ENCRYPTION_KEY decodes to ${raw.length} bytes; it must be 32.`);
  }
  return raw;
}

/** Where a sealed value lives; bound into the ciphertext as AAD. */
export const SecretContext = {
  organizationKey: "client_organizations.key",
  provisioningKey: "global_settings.provisioning_key",
  settingsKey: "user_settings.openai_api_key",
  alertWebhookSecret: "alert_settings.webhook_secret",
} as const;
