import { SERVER_MESSAGES } from "./messages";

// Why: how a person gets into an organisation without an administrator learning anything about
// accounts outside it. members.add never moves, maps or re-roles an existing user: it creates an
// invitation — a code shown once to the administrator, stored only as its SHA-256, good for 7
// days — and answers the same whether the e-mail is new, belongs to another organisation, to no
// organisation or to the provider. The invitee consents: a new e-mail accepts the code with a
// password of their own (auth.acceptInvitation), an existing account of no organisation signs in
// and accepts it there. The code is typed by people, so it is upper case without look-alikes
// (no 0/O, 1/I/L) and read back ignoring case, spaces and dashes.

/** How long an invitation can be accepted: 7 days. */
export const INVITATION_VALIDITY_MS = 7 * 24 * 60 * 60 * 1000;

/** The code's alphabet: 31 characters a person reads and types without confusing them. */
export const INVITATION_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/** 24 characters of 31: about 119 bits, far beyond guessing, even without a throttle. */
export const INVITATION_CODE_LENGTH = 24;

/** The longest text accepted where a code is typed (dashes and spaces included). */
export const MAX_INVITATION_CODE_INPUT = 100;

/** A code as shown: groups of four joined by dashes ("ABCD-EFGH-…"), easier to read out. */
export function formatInvitationCode(code: string): string {
  const plain = normalizeInvitationCode(code);
  return plain.match(/.{1,4}/g)?.join("-") ?? plain;
}

/** A code as typed, in the form that is hashed: upper case, without spaces and dashes. */
export function normalizeInvitationCode(typed: string): string {
  return typed.replace(/[\s-]+/g, "").toUpperCase();
}

// Fixed texts: what the invitee is told. None says whether an account, an organisation or another
// invitation exists for the e-mail — only what the person holding the code can do next. They live
// in the message catalog (./messages.ts, keys invitation.*).
export const INVITATION_MESSAGES = SERVER_MESSAGES.invitation;
