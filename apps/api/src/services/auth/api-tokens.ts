// Personal API tokens (`Bearer mai_…`, for chat clients): a signed-in user creates (in a dashboard
// session: a token never mints a token), lists and revokes their own. A token is shown once, at
// creation; only its SHA-256 is stored. Its scope is "chat" unless an administrator asks for
// "manage" (@mai/domain tokenScopeProblem; the builders in trpc/procedures.ts enforce the scopes).
import { appendAudit, createApiToken, listApiTokens, revokeApiToken } from "@mai/db";
import { domainError, tokenScopeProblem } from "@mai/domain";
import type { CreateTokenInput } from "@mai/domain/schemas";
import type { AuthedContext } from "../../context";
import { generateApiToken } from "./tokens";

export async function createToken(ctx: AuthedContext, input: CreateTokenInput) {
  const { user } = ctx;
  const scopeProblem = tokenScopeProblem(user.role, input.scope);
  if (scopeProblem) throw domainError("FORBIDDEN", "tokens.manageNeedsAdmin");
  const generated = generateApiToken();
  const now = ctx.deps.now();
  const row = await createApiToken(ctx.deps.db, {
    userId: user.id,
    name: input.name,
    prefix: generated.prefix,
    tokenHash: generated.hash,
    expiresAt: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null,
    scope: input.scope,
  });
  await appendAudit(ctx.deps.db, {
    actorUserId: user.id,
    actorKind: "user",
    action: "token.created",
    organizationId: user.organizationId,
    targetType: "api_token",
    targetId: row.id,
    details: { name: row.name, prefix: row.prefix, scope: row.scope },
  });
  // The only time the token is ever shown.
  return { ...row, token: generated.token };
}

export function listTokens(ctx: AuthedContext) {
  return listApiTokens(ctx.deps.db, ctx.user.id);
}

export async function revokeToken(ctx: AuthedContext, tokenId: string): Promise<{ revoked: true }> {
  const { user } = ctx;
  const revoked = await revokeApiToken(ctx.deps.db, { userId: user.id, tokenId, now: ctx.deps.now() });
  // Someone else's token and a missing one look the same.
  if (!revoked) throw domainError("NOT_FOUND", "tokens.noSuchActive");
  await appendAudit(ctx.deps.db, {
    actorUserId: user.id,
    actorKind: "user",
    action: "token.revoked",
    organizationId: user.organizationId,
    targetType: "api_token",
    targetId: revoked.id,
  });
  return { revoked: true };
}
