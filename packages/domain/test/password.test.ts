// The password rule (NIST SP 800-63B style): length in characters, no composition rules, refused when
// common, repetitive, sequential or built from the account's e-mail or name; the list of common
// passwords is a separate module the caller hands in.
import { describe, expect, it } from "vitest";
import { COMMON_PASSWORDS } from "../src/common-passwords";
import {
  commonPasswordCandidates,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  passwordProblem,
} from "../src/password";

const account = { email: "jan.kowalski@kowalski.pl", name: "Jan Kowalski", common: COMMON_PASSWORDS };

describe("passwordProblem", () => {
  it("accepts long passwords of any composition, passphrases and other scripts included", () => {
    for (const password of [
      "correct horse battery staple",
      "tramwaj jedzie przez most",
      "8fK2#qLm9!xZ",
      "zażółć gęślą jaźń",
      "пароль для работы",
      "a1b2c3d4e5f6g7",
      "Pq8-vt!mz.ru2k",
    ]) {
      expect(passwordProblem(password, account), password).toBeNull();
    }
  });

  it(`refuses fewer than ${MIN_PASSWORD_LENGTH} characters, counting characters, not bytes`, () => {
    expect(passwordProblem("short pass", account)).toMatch(/at least 12 characters/);
    expect(passwordProblem("tr0ub4dor&3", account)).toMatch(/at least 12/);
    // 12 characters, 24 bytes in UTF-8: long enough.
    expect(passwordProblem("źdźbło trawy", account)).toBeNull();
    // 11 emoji are 22 UTF-16 units but 11 characters: too short.
    expect(passwordProblem("🙂🐍🚀🎉🍕🌍🔥💡🎸📚🧩", account)).toMatch(/at least 12/);
  });

  it(`refuses more than ${MAX_PASSWORD_LENGTH} characters, and text that cannot be stored`, () => {
    expect(passwordProblem("a long walk ".repeat(21).trim(), account)).toBeNull();
    expect(passwordProblem("q".repeat(MAX_PASSWORD_LENGTH) + "w", account)).toMatch(/at most 256/);
    expect(passwordProblem("a good passphrase\u0000", account)).toMatch(/^A password /);
  });

  it.each([
    ["password1234"],
    ["Password123!"],
    ["P@ssw0rd2024!"],
    ["qwertyuiop12"],
    ["monkeymonkey1"],
    ["iloveyou12345"],
    ["!!Dragon2024!!"],
    ["trustno1trustno1"],
  ])("refuses the common password %j (or one dressed up with digits, symbols or look-alikes)", (password) => {
    expect(passwordProblem(password, account)).toMatch(/list of common passwords/);
  });

  it("leaves the list to whoever has it: without `common`, common passwords pass the other checks", () => {
    expect(passwordProblem("password1234", { email: account.email })).toBeNull();
    expect(passwordProblem("password1234", account)).toMatch(/common passwords/);
  });

  it.each([
    ["aaaaaaaaaaaa"],
    ["abababababab"],
    ["123456789012"],
    ["9876543210987"],
    ["abcdefghijklm"],
    ["qwertyuiopas"],
    ["1qaz2wsx3edc"],
    ["1234-5678-9012"],
  ])("refuses the repeated or sequential run %j", (password) => {
    expect(passwordProblem(password, account)).toMatch(/repeated or sequential/);
  });

  it("refuses a password built from the account's e-mail or name, or this service's name", () => {
    expect(passwordProblem("jan.kowalski-2024", account)).toMatch(/e-mail address or name/);
    expect(passwordProblem("Kowalski!Summer", account)).toMatch(/e-mail address or name/);
    expect(passwordProblem("my mAI Gateway pass", account)).toMatch(/name of this service/);
    // Short name parts (< 4 characters) say nothing: "Jan" may appear in a passphrase.
    expect(passwordProblem("jan plays the cello", account)).toBeNull();
  });

  it("the list is zxcvbn's: tens of thousands of entries, lower case", () => {
    expect(COMMON_PASSWORDS.size).toBeGreaterThan(40_000);
    for (const p of ["123456", "password", "qwerty", "dragon"]) expect(COMMON_PASSWORDS.has(p)).toBe(true);
    expect([...COMMON_PASSWORDS].every((p) => p === p.toLowerCase())).toBe(true);
  });

  it("looks up the dressed-down forms of a password", () => {
    expect(commonPasswordCandidates("P@ssw0rd2024!")).toEqual(
      expect.arrayContaining(["p@ssw0rd2024!", "p@ssw0rd", "password"]),
    );
    expect(commonPasswordCandidates("monkeymonkey1")).toContain("monkey");
  });
});
