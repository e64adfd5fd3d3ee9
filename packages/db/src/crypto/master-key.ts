// The embedded mode needs a master key without asking the operator for one: it is generated once
// into the data directory, readable by the owner only. Losing this file means losing the stored
// OpenRouter keys (they can be re-entered); committing it or sharing it means leaking them.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseMasterKey, SecretBoxError } from "./secret-box";

export const MASTER_KEY_FILE = "encryption.key";

export function loadOrCreateMasterKey(dataDir: string): { key: Buffer; path: string; created: boolean } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, MASTER_KEY_FILE);
  let created = false;
  try {
    // `wx` fails if the file exists: two processes starting at once cannot overwrite each other's key.
    writeFileSync(path, `${randomBytes(32).toString("base64")}\n`, { flag: "wx", mode: 0o600 });
    created = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) chmodSync(path, 0o600);
  try {
    return { key: parseMasterKey(readFileSync(path, "utf8")), path, created };
  } catch (cause) {
    throw new SecretBoxError(`The master key file ${path} is unreadable or corrupt.`, { cause });
  }
}

/**
 * The master key from MAI_ENCRYPTION_KEY if given, else (embedded mode) the data directory's file.
 * With neither, refuse: a server must not silently invent a key it will lose on restart.
 */
export function resolveMasterKey(options: { encryptionKey?: string | undefined; dataDir?: string | undefined }): Buffer {
  if (options.encryptionKey) return parseMasterKey(options.encryptionKey);
  if (options.dataDir) return loadOrCreateMasterKey(options.dataDir).key;
  throw new SecretBoxError("Set MAI_ENCRYPTION_KEY (base64 of 32 bytes) when using DATABASE_URL.");
}
