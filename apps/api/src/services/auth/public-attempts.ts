// The throttle of the public ways to get an account — auth.signUpWithKey and auth.acceptInvitation
// with a code — is the sign-in throttle's count per client address (login.ts, @mai/db's
// auth-throttle.ts): one budget per address for every password, key or code guessed from it. An
// attempt is counted as a failure when it is admitted, before anything is checked; one that ends
// with an account gives back what it took, as a successful sign-in does.
import { admitSignInAttempt, returnSignInAttempt } from "@mai/db";
import { describeWait, DomainError, throttleKey } from "@mai/domain";
import type { Context } from "../../context";

export interface PublicAttempt {
  /** The attempt ended with an account: the address gets back the failure it was counted as. */
  succeeded(): Promise<void>;
}

export async function admitPublicAttempt(ctx: Context, now: Date): Promise<PublicAttempt> {
  const key = throttleKey("address", ctx.request.ip);
  const admission = await admitSignInAttempt(ctx.deps.db, [key], now);
  if (!admission.admitted) {
    throw new DomainError("THROTTLED", `Too many failed attempts from your network. Try again in ${describeWait(admission.waitMs)}.`, {
      details: { retryAfterSeconds: Math.ceil(admission.waitMs / 1000) },
    });
  }
  return { succeeded: () => returnSignInAttempt(ctx.deps.db, key, now) };
}
