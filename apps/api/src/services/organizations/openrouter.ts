// Everything organisation management asks of OpenRouter's management API, with one translation of
// its failures into DomainErrors: a rejected key is the administrator's to fix (INVALID_INPUT), an
// unreachable or failing OpenRouter is UPSTREAM_UNAVAILABLE (BAD_GATEWAY) — never a 500, and never
// a message that contains a key (OpenRouterError redacts them; we add none).
import { getProvisioningKey, restoreOrganization, type Organization } from "@mai/db";
import { domainError, DomainError, nanoToUsdString, validateOpenRouterKey, type OpenRouterKey, type ServerMessageKey } from "@mai/domain";
import { isOpenRouterError, type UpdateKeyInput } from "@mai/openrouter";
import type { Context } from "../../context";

const rejected = (status: number) => status === 401 || status === 403;

/** The refusal of a rejected provisioning key, by what was being done (an action not listed keeps its English). */
const REJECTED_KEYS: Record<string, ServerMessageKey> = {
  "create a key": "organization.provisioningRejectedCreate",
  "update the organisation's key": "organization.provisioningRejectedUpdate",
  "disable the organisation's key": "organization.provisioningRejectedDisable",
};

/** Maps an OpenRouter management-API failure; anything that is not an OpenRouterError is rethrown as is. */
function upstreamFailure(error: unknown, action: string): unknown {
  if (!isOpenRouterError(error)) return error;
  if (rejected(error.status)) {
    const options = { cause: error, details: { status: error.status } };
    const key = REJECTED_KEYS[action];
    return key
      ? domainError("INVALID_INPUT", key, {}, options)
      : new DomainError("INVALID_INPUT", `OpenRouter rejected the provisioning key while trying to ${action}; replace it in the global settings.`, options);
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

const isUpstreamNotFound = (error: unknown) => isOpenRouterError(error) && error.status === 404;

/** The provider's provisioning key from the global settings, or INVALID_INPUT telling where to set it. */
export async function requireProvisioningKey(ctx: Context): Promise<string> {
  const key = await getProvisioningKey(ctx.deps.db, ctx.deps.secrets);
  if (!key) {
    throw domainError("INVALID_INPUT", "organization.noProvisioningKey");
  }
  return key;
}

/** The name an organisation's key carries on OpenRouter, so the provider recognises it there. */
export const upstreamKeyName = (organizationName: string) => `mai:${organizationName}`;

/** USD as the JSON number OpenRouter expects, from exact nano-USD (decimal text, no float arithmetic). */
export const limitUsd = (nano: bigint) => Number(nanoToUsdString(nano));

export interface ProvisionedKey {
  key: OpenRouterKey;
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
 * Deletes a key upstream, best effort (clean-up of a key just minted when what it was for failed;
 * keys an organisation stops using go through the retirement job instead: retire-keys.ts).
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
export function requireValidClientKey(raw: string): OpenRouterKey {
  const valid = validateOpenRouterKey(raw);
  if (!valid.ok) throw domainError("INVALID_INPUT", valid.messageKey, valid.messageParams, { details: { code: valid.code } });
  return valid.key;
}

/**
 * Mirrors a committed local change onto the organisation's provisioned key (`patch`: the upstream
 * fields that follow from it). Never called inside a transaction: the row lock (on PGlite, the
 * whole database — the proxy's admissions included) would be held for as long as OpenRouter takes
 * to answer. So the order is: the database, then OpenRouter, then — if OpenRouter refuses, cannot
 * be reached or no provisioning key is set — the compensating step, which puts the previous values
 * back (`restoreOrganization`), and the failure is thrown: both sides keep agreeing, nothing
 * changed. A key OpenRouter no longer knows (deleted in its dashboard) does not undo the change.
 */
export async function mirrorOntoUpstreamKey(
  ctx: Context,
  change: { before: Organization; after: Organization },
  patch: UpdateKeyInput,
  action: string,
): Promise<"updated" | "missing" | "none"> {
  const { before, after } = change;
  const hash = before.openrouterKeyHash;
  if (!hash || Object.keys(patch).length === 0) return "none";
  try {
    const provisioningKey = await requireProvisioningKey(ctx);
    await ctx.deps.openrouter.updateKey(hash, patch, { key: provisioningKey });
    return "updated";
  } catch (error) {
    if (isUpstreamNotFound(error)) {
      ctx.log.warn(
        { organizationId: before.id, keyHash: hash },
        "the organisation's provisioned key no longer exists on OpenRouter",
      );
      return "missing";
    }
    // Not logged raw: a driver error's message carries the query's parameters.
    const restored = await restoreOrganization(ctx.deps.db, before, after).catch((cause: unknown) => {
      ctx.log.error(
        { organizationId: before.id, err: { name: (cause as Error).name, code: (cause as { code?: unknown }).code } },
        "could not restore the organisation after OpenRouter refused its change",
      );
      return null;
    });
    if (restored === false) {
      ctx.log.warn(
        { organizationId: before.id, keyHash: hash },
        "the organisation changed again before OpenRouter's refusal was undone; what changed since is kept",
      );
    }
    throw upstreamFailure(error, action);
  }
}