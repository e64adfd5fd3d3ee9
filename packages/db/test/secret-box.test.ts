import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createSecretBox, loadOrCreateMasterKey, parseMasterKey, resolveMasterKey, SecretBoxError, SecretContext } from "../src/index";
import { fakeOpenRouterKey } from "../src/testing/index";

const KEY = fakeOpenRouterKey("ab");

describe("secret box (AES-256-GCM, versioned)", () => {
  const master = randomBytes(32);
  const box = createSecretBox(master);

  it("round-trips and never contains the plaintext", () => {
    const sealed = box.seal(KEY, SecretContext.organizationKey);
    expect(sealed).toMatch(/^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(KEY);
    expect(sealed).not.toContain(KEY.slice(9, 25));
    expect(box.open(sealed, SecretContext.organizationKey)).toBe(KEY);
  });

  it("uses a fresh IV each time", () => {
    expect(box.seal(KEY, "c")).not.toBe(box.seal(KEY, "c"));
  });

  it("refuses a ciphertext moved to another context", () => {
    const sealed = box.seal(KEY, SecretContext.organizationKey);
    expect(() => box.open(sealed, SecretContext.provisioningKey)).toThrow(SecretBoxError);
  });

  it.each([
    ["flipped ciphertext byte", (s: string) => { const p = s.split("."); p[3] = p[3]!.startsWith("A") ? `B${p[3]!.slice(1)}` : `A${p[3]!.slice(1)}`; return p.join("."); }],
    ["flipped tag byte", (s: string) => { const p = s.split("."); p[4] = p[4]!.startsWith("A") ? `B${p[4]!.slice(1)}` : `A${p[4]!.slice(1)}`; return p.join("."); }],
    ["unknown version", (s: string) => s.replace(/^v1/, "v9")],
    ["truncated", (s: string) => s.split(".").slice(0, 4).join(".")],
  ])("refuses tampering: %s", (_name, tamper) => {
    const sealed = box.seal(KEY, "ctx");
    expect(() => box.open(tamper(sealed), "ctx")).toThrow(SecretBoxError);
  });

  it("opens values sealed with a previous master key after rotation, and flags them for re-sealing", () => {
    const sealedOld = box.seal(KEY, "ctx");
    const rotated = createSecretBox(randomBytes(32), [master]);
    expect(rotated.open(sealedOld, "ctx")).toBe(KEY);
    expect(rotated.needsReseal(sealedOld)).toBe(true);
    expect(rotated.needsReseal(rotated.seal(KEY, "ctx"))).toBe(false);
    expect(() => createSecretBox(randomBytes(32)).open(sealedOld, "ctx")).toThrow(/unknown master key/);
  });

  it("fingerprints deterministically, keyed by the master key", () => {
    expect(box.fingerprint(KEY)).toBe(box.fingerprint(KEY));
    expect(box.fingerprint(KEY)).toMatch(/^[0-9a-f]{64}$/);
    expect(box.fingerprint(KEY)).not.toBe(box.fingerprint(fakeOpenRouterKey("cd")));
    expect(createSecretBox(randomBytes(32)).fingerprint(KEY)).not.toBe(box.fingerprint(KEY));
  });
});

describe("master key", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it.each([
    ["too short", randomBytes(16).toString("base64"), /16 bytes/],
    ["not base64", "not a key!", /base64/],
    ["empty", "", /base64/],
  ])("parseMasterKey rejects %s", (_n, value, message) => {
    expect(() => parseMasterKey(value)).toThrow(message);
  });

  it("parseMasterKey accepts base64 and base64url of 32 bytes", () => {
    const raw = randomBytes(32);
    expect(parseMasterKey(raw.toString("base64")).equals(raw)).toBe(true);
    expect(parseMasterKey(raw.toString("base64url")).equals(raw)).toBe(true);
  });

  it("is generated once into the data directory with mode 0600", () => {
    const dir = mkdtempSync(join(tmpdir(), "mai-key-"));
    dirs.push(dir);
    const first = loadOrCreateMasterKey(join(dir, "data"));
    expect(first.created).toBe(true);
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    const second = loadOrCreateMasterKey(join(dir, "data"));
    expect(second.created).toBe(false);
    expect(second.key.equals(first.key)).toBe(true);
    expect(readFileSync(first.path, "utf8").trim()).toBe(first.key.toString("base64"));
  });

  it("prefers MAI_ENCRYPTION_KEY, and refuses to invent one for an external database", () => {
    const raw = randomBytes(32);
    expect(resolveMasterKey({ encryptionKey: raw.toString("base64") }).equals(raw)).toBe(true);
    expect(() => resolveMasterKey({})).toThrow(/MAI_ENCRYPTION_KEY/);
  });
});
