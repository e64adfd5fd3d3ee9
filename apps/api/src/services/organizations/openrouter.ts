// Everything organisation management asks of OpenRouter's management API, with one translation of
// its failures into DomainErrors: a rejected key is the administrator's to fix (INVALID_INPUT), an
// unreachable or failing OpenRouter is UPSTREAM_UNAVAILABLE (BAD_GATEWAY) — never a 500, and never
// a message that contains a key (OpenRouterError redacts them; we add none).
import { getProvisioningKey, type Executor } from "@mai/db";
import { DomainError, nanoToUsdString, validateOpenRouterKey } from "@mai/domain";
import { isOpenRouterError } from "@mai/openrouter";
import type { Context } from "../../context";

const rejected = (status: number) => status === 401 || status === 403;

/** Maps an OpenRouter management-API failure; anything that is not an OpenRouterError is rethrown as is. */
export function upstreamFailure(error: unknown, action: string): unknown {
  if (!isOpenRouterError(error)) return error;
  if (rejected(error.status)) {
    return new DomainError(
      "INVALID_INPUT",
      `OpenRouter rejected the provisioning key while trying to ${action}; replace it in the global settings.`,
      { cause: error, details: { status: error.status } },
    );
  }
  const why =
    error.status === 0
      ? `OpenRouter could not be reached (${String(error.code)})`
      : `OpenRouter answered ${error.status}`;
  return new DomainError(
    "UPSTREAM_UNAVAILABLE",
    `${why} while trying to ${action}. Nothing was changed; try again.`,
    {
      cause: error,
      details: { status: error.status },
    },
  );
}

export const isUpstreamNotFound = (error: unknown) => isOpenRouterError(error) && error.status === 404;

/**
 * The provider's provisioning key from the global settings, or INVALID_INPUT telling where to set
 * it. Inside a transaction pass the transaction: on PGlite a query outside it would wait forever.
 */
export async function requireProvisioningKey(ctx: Context, db: Executor = ctx.deps.db): Promise<string> {
  const key = await getProvisioningKey(db, ctx.deps.secrets);
  if (!key) {
    throw new DomainError(
      "INVALID_INPUT",
      "No provisioning key is configured: set one in the global settings first.",
    );
  }
  return key;
}

/** The name an organisation's key carries on OpenRouter, so the provider recognises it there. */
export const upstreamKeyName = (organizationName: string) => `mai:${organizationName}`;

/** USD as the JSON number OpenRouter expects, from exact nano-USD (decimal text, no float arithmetic). */
export const limitUsd = (nano: bigint) => Number(nanoToUsdString(nano));

export interface ProvisionedKey {
  key: string;
  hash: string;
}

/** Mints an inference key with the organisation's monthly limit, reset monthly. */
export async function provisionKey(
  ctx: Context,
  provisioningKey: string,
  input: { organizationName: string; monthlyLimitNano: bigint },
): Promise<ProvisionedKey> {
  let created;
  try {
    created = await ctx.deps.openrouter.createKey(
      {
        name: upstreamKeyName(input.organizationName),
        limit: limitUsd(input.monthlyLimitNano),
        limitReset: "monthly",
      },
      { key: provisioningKey },
    );
  } catch (error) {
    throw upstreamFailure(error, "create a key");
  }
  const valid = validateOpenRouterKey(created.key);
  if (!valid.ok) {
    // Unusable here; do not leave it live upstream.
    await deleteUpstreamKey(ctx, provisioningKey, created.data.hash);
    throw new DomainError(
      "UPSTREAM_UNAVAILABLE",
      "OpenRouter returned a key in an unexpected format; nothing was changed.",
    );
  }
  return { key: valid.key, hash: created.data.hash };
}

/**
 * Deletes a key upstream, best effort (used for clean-up after a failure and for replaced keys).
 * True when the key is gone (also when OpenRouter no longer knew it); false, logged, otherwise.
 */
export async function deleteUpstreamKey(
  ctx: Context,
  provisioningKey: string,
  hash: string,
): Promise<boolean> {
  try {
    await ctx.deps.openrouter.deleteKey(hash, { key: provisioningKey });
    return true;
  } catch (error) {
    if (isUpstreamNotFound(error)) return true;
    ctx.log.warn(
      { keyHash: hash, status: isOpenRouterError(error) ? error.status : undefined },
      "could not delete an OpenRouter key; delete it in the OpenRouter dashboard",
    );
    return false;
  }
}

/**
 * Checks a client's inference key before it is stored: its format only. Unlike the provisioning
 * key (verified live, because provisioning depends on it), a client key is the client's: the
 * provider may attach it before the client has funded or enabled it.
 */
export function requireValidClientKey(raw: string): string {
  const valid = validateOpenRouterKey(raw);
  if (!valid.ok) throw new DomainError("INVALID_INPUT", valid.message, { details: { code: valid.code } });
  return valid.key;
}
