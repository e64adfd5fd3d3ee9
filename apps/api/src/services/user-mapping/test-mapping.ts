// "What would be sent to OpenRouter as `user` for this person, and why?" — answered the way the
// proxy decides (internal.resolveContext): a disabled or unmapped user is refused before anything
// is sent; a mapped user sends the stored external id of their mapping. A client administrator may
// only ask about users of their own organisation: anyone else is NOT_FOUND, not FORBIDDEN, so the
// answer does not reveal whether that user exists.
import { TRPCError } from "@trpc/server";
import { reportUserMapping } from "@mai/db";
import { externalUserId, isValidExternalUserId } from "@mai/domain";
import type { AuthedContext } from "../usage/scope";
import { requireAdministrator } from "./scope";

export async function testMapping(ctx: AuthedContext, input: { userId: string }) {
  requireAdministrator(ctx);
  const detail = await reportUserMapping(ctx.deps.db, input.userId);
  const notFound = () => new TRPCError({ code: "NOT_FOUND", message: "No such user in your organisation." });
  if (!detail) throw notFound();
  if (ctx.user.role !== "provider_admin" && detail.mapping?.organizationId !== ctx.user.organizationId)
    throw notFound();

  const { mapping } = detail;
  const expected = mapping ? externalUserId(mapping.organizationId, detail.userId) : null;
  const warnings: string[] = [];
  if (mapping && !isValidExternalUserId(mapping.externalUserId))
    warnings.push("The stored external id does not have the documented format.");
  else if (mapping && mapping.externalUserId !== expected)
    warnings.push(`The stored external id differs from the derived one (${expected}).`);

  let wouldSend = false;
  let reason: string;
  if (detail.disabled) {
    reason = "The user is disabled: the proxy does not authenticate them, so nothing is sent.";
  } else if (!mapping) {
    reason =
      detail.role === "provider_admin"
        ? "Provider administrators belong to no organisation: the proxy refuses their chat requests."
        : "The user is not mapped to an organisation (their administrator has not saved an OpenRouter connection, or has not added them): the proxy refuses the request before anything is sent.";
  } else if (!mapping.organizationActive) {
    reason = `The organisation "${mapping.organizationName}" is inactive: requests are refused.`;
  } else {
    wouldSend = true;
    reason = `Mapped to "${mapping.organizationName}": requests use its OpenRouter key and carry this external id as \`user\`.`;
  }
  return {
    userId: detail.userId,
    email: detail.email,
    role: detail.role,
    disabled: detail.disabled,
    mapped: mapping !== null,
    organizationId: mapping?.organizationId ?? null,
    organizationName: mapping?.organizationName ?? null,
    organizationActive: mapping?.organizationActive ?? null,
    wouldSend,
    user: wouldSend ? mapping!.externalUserId : null,
    storedExternalUserId: mapping?.externalUserId ?? null,
    expectedExternalUserId: expected,
    reason,
    warnings,
  };
}
