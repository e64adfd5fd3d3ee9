// "What would be sent to OpenRouter as `user` for this person, and why?" — answered the way the
// proxy decides (internal.resolveContext): a disabled or unmapped user is refused before anything
// is sent; a mapped user sends the stored external id of their mapping. The tenant scope
// (adminProcedure) filters who can be asked about: a user outside it is NOT_FOUND, not FORBIDDEN,
// so the answer does not reveal whether that user exists.
import { reportUserMapping } from "@mai/db";
import { domainError, externalUserId, isValidExternalUserId } from "@mai/domain";
import type { TestMappingInput } from "@mai/domain/schemas";
import type { Context, TenantScope } from "../../context";

export async function testMapping(ctx: Context, scope: TenantScope, input: TestMappingInput) {
  const detail = await reportUserMapping(ctx.deps.db, input.userId);
  const notFound = () => domainError("NOT_FOUND", "mapping.noSuchUser");
  if (!detail) throw notFound();
  if (!scope.all && detail.mapping?.organizationId !== scope.organizationId) throw notFound();

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
    reason = `Mapped to "${mapping.organizationName}": requests use its OpenRouter key and carry this external id as the “user” field.`;
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
