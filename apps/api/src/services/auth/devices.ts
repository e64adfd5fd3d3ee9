// Known devices: a successful sign-in leaves a long-lived random cookie (httpOnly, only its SHA-256
// stored, in known_devices). A later sign-in to the same account that presents it is throttled on
// that device's own count only, so strangers guessing the account's password — from anywhere,
// however many — never slow the owner down in a browser they used before. The cookie grants
// nothing else: the password is still checked, and it is no session.
import { stringifySetCookie } from "cookie";
import { findKnownDevice, KNOWN_DEVICE_TTL_MS, rememberKnownDevice } from "@mai/db";
import { throttleKey } from "@mai/domain";
import type { Context } from "../../context";
import { DEVICE_COOKIE } from "../../context";
import { generateSessionToken, sha256 } from "./tokens";

export interface KnownDevice {
  tokenHash: string;
  /** Its throttle key: `device:<sha256>`. */
  key: string;
}

/** The request's device cookie, if it is a known device of this user (else undefined: a new device). */
export async function recognizeDevice(
  ctx: Context,
  userId: string,
  now: Date,
): Promise<KnownDevice | undefined> {
  const cookie = ctx.request.deviceCookie;
  if (!cookie) return undefined;
  const tokenHash = sha256(cookie);
  const known = await findKnownDevice(ctx.deps.db, tokenHash, now);
  return known?.userId === userId ? { tokenHash, key: throttleKey("device", tokenHash) } : undefined;
}

/**
 * After a successful sign-in: a known device is marked used; any other browser gets a new device
 * cookie (replacing one of another account: one browser remembers the last account signed in).
 */
export async function rememberDevice(
  ctx: Context,
  userId: string,
  device: KnownDevice | undefined,
  now: Date,
): Promise<void> {
  if (device) {
    await rememberKnownDevice(ctx.deps.db, { tokenHash: device.tokenHash, userId, now });
    return;
  }
  const fresh = generateSessionToken();
  await rememberKnownDevice(ctx.deps.db, { tokenHash: fresh.hash, userId, now });
  ctx.setCookie(
    stringifySetCookie({
      name: DEVICE_COOKIE,
      value: fresh.token,
      path: "/",
      httpOnly: true,
      sameSite: "lax",
      maxAge: Math.floor(KNOWN_DEVICE_TTL_MS / 1000),
      secure: ctx.request.secure,
    }),
  );
}
