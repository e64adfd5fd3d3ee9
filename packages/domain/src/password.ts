// Why: one rule for every password a person chooses (changing their own, the CLI's chosen password,
// the dashboard's form before it sends), in the style of NIST SP 800-63B §3.1.1.2: long enough, not
// absurdly long, no composition rules ("one digit, one symbol"), and refused when it is a password
// attackers try first — a common one (possibly dressed up with digits or symbols at either end, or
// with letters swapped for look-alike digits), a run like "aaaaaaaaaaaa" or "123456789012", or built
// from the account's own e-mail or name.
//
// The list of common passwords is a large data module of its own (./common-passwords.ts, the
// `@mai/domain/common-passwords` subpath), handed in as `common`: the API always passes it; the
// dashboard's form checks the rest and lets the API judge the list, so its bundle does not carry it.

import { unstorableTextReason } from "./input-bounds";

/** Shortest password accepted, in characters (Unicode code points). */
export const MIN_PASSWORD_LENGTH = 12;
/** Longest password accepted, in characters: long passphrases are welcome, megabytes are not. */
export const MAX_PASSWORD_LENGTH = 256;

export interface PasswordContext {
  /** The account's e-mail: a password built from it is refused. */
  email?: string | null | undefined;
  /** The account's display name: the same. */
  name?: string | null | undefined;
  /** The list of common passwords (lower case); without it that check is left to whoever has it. */
  common?: { has(password: string): boolean } | undefined;
}

// Runs that a person types without thinking: digits, the alphabet, keyboard rows (both directions).
const SEQUENCES = [
  "0123456789",
  "abcdefghijklmnopqrstuvwxyz",
  "qwertyuiopasdfghjklzxcvbnm",
  "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
];
const LOOK_ALIKES: Record<string, string> = {
  "0": "o",
  "1": "i",
  "3": "e",
  "4": "a",
  "5": "s",
  "7": "t",
  "@": "a",
  $: "s",
  "!": "i",
  "|": "l",
};
/** Words about this service itself, refused like the account's own name. */
const SERVICE_WORDS = ["maigateway", "mai gateway"];

const lettersAndDigits = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");

/** True when the text is a piece of one of the runs above (forwards or backwards, wrapping round). */
function isSequence(lower: string): boolean {
  return SEQUENCES.some((run) => {
    const looped = run.repeat(Math.ceil(lower.length / run.length) + 1);
    const backwards = [...looped].reverse().join("");
    return looped.includes(lower) || backwards.includes(lower);
  });
}

/** The shortest unit the text repeats ("abcabcabc" → "abc"), or the text itself. */
function repeatedUnit(text: string): string {
  for (let size = 1; size <= text.length / 2; size++) {
    if (text.length % size === 0 && text.slice(0, size).repeat(text.length / size) === text)
      return text.slice(0, size);
  }
  return text;
}

/**
 * The forms of a password to look up in the list of common passwords: itself in lower case; the core
 * left once digits, symbols and spaces are stripped from both ends ("Password123!" → "password");
 * that core with look-alike digits and symbols read as letters ("p@ssw0rd" → "password"); and the
 * unit a password or its core repeats ("monkeymonkey" → "monkey", "trustno1trustno1" → "trustno1").
 */
export function commonPasswordCandidates(password: string): string[] {
  const lower = password.toLowerCase();
  const core = lower.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, "");
  const plainCore = [...core].map((ch) => LOOK_ALIKES[ch] ?? ch).join("");
  const forms = [lower, core, plainCore, repeatedUnit(lower), repeatedUnit(core), repeatedUnit(plainCore)];
  // A core of one or two letters says nothing ("a" + twelve digits is caught as a sequence or not at all).
  return [...new Set(forms)].filter((form) => form.length >= 3);
}

/**
 * Why this password may not be used, in words for the person choosing it; null when it is fine.
 * Length counts characters (code points), so a passphrase in any script is measured fairly.
 */
export function passwordProblem(password: string, context: PasswordContext = {}): string | null {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH)
    return `Choose a password of at least ${MIN_PASSWORD_LENGTH} characters (a few words make a good one).`;
  if (length > MAX_PASSWORD_LENGTH) return `A password is at most ${MAX_PASSWORD_LENGTH} characters.`;
  const unstorable = unstorableTextReason(password);
  if (unstorable) return `A password ${unstorable}.`;

  const lower = password.toLowerCase();
  if (new Set(lower).size < 4 || isSequence(lower) || isSequence(lettersAndDigits(password))) {
    return "This password is a repeated or sequential run of characters, which is among the first guesses an attacker tries. Choose another.";
  }

  const compact = lettersAndDigits(password);
  const local = lettersAndDigits(context.email?.split("@")[0] ?? "");
  const nameWords = (context.name ?? "").split(/\s+/).map(lettersAndDigits);
  const personal = [local, lettersAndDigits(context.name ?? ""), ...nameWords].filter(
    (word) => word.length >= 4,
  );
  if (personal.some((word) => compact.includes(word))) {
    return "This password contains your e-mail address or name, which an attacker would try first. Choose another.";
  }
  if (SERVICE_WORDS.some((word) => compact.includes(lettersAndDigits(word)))) {
    return "This password contains the name of this service, which an attacker would try first. Choose another.";
  }

  const common = context.common;
  if (common && commonPasswordCandidates(password).some((form) => common.has(form))) {
    return "This password is on a list of common passwords that attackers try first. Choose another — a few unrelated words make a strong one.";
  }
  return null;
}
