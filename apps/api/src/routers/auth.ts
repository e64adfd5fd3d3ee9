import { TRPCError } from "@trpc/server";
import { appendAudit, createApiToken, deleteSession, listApiTokens, revokeApiToken } from "@mai/db";
import { z } from "zod";
import { clearSessionCookie, login } from "../services/auth/login";
import { generateApiToken } from "../services/auth/tokens";
import { authedProcedure, publicProcedure, router } from "../trpc";

const authUser = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(["provider_admin", "org_admin", "member"]),
  organizationId: z.string().nullable(),
  externalUserId: z.string().nullable(),
});

const tokenSummary = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.date(),
  lastUsedAt: z.date().nullable(),
  expiresAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
});

export const authRouter = router({
  login: publicProcedure
    .input(z.object({ email: z.string().trim().min(3).max(320), password: z.string().min(1).max(1024) }))
    .output(authUser)
    .mutation(({ ctx, input }) => login(ctx, input)),

  logout: publicProcedure.output(z.object({ ok: z.literal(true) })).mutation(async ({ ctx }) => {
    if (ctx.auth?.kind === "session") await deleteSession(ctx.deps.db, ctx.auth.sessionHash);
    clearSessionCookie(ctx);
    return { ok: true as const };
  }),

  me: publicProcedure.output(authUser.nullable()).query(({ ctx }) => ctx.user),

  createToken: authedProcedure
    .input(z.object({ name: z.string().trim().min(1).max(100), expiresInDays: z.number().int().min(1).max(3650).optional() }))
    .output(tokenSummary.omit({ lastUsedAt: true, revokedAt: true }).extend({ token: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const generated = generateApiToken();
      const now = ctx.deps.now();
      const row = await createApiToken(ctx.deps.db, {
        userId: ctx.user.id,
        name: input.name,
        prefix: generated.prefix,
        tokenHash: generated.hash,
        expiresAt: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null,
      });
      await appendAudit(ctx.deps.db, {
        actorUserId: ctx.user.id,
        actorKind: "user",
        action: "token.created",
        organizationId: ctx.user.organizationId,
        targetType: "api_token",
        targetId: row.id,
        details: { name: row.name, prefix: row.prefix },
      });
      // The only time the token is ever shown.
      return { ...row, token: generated.token };
    }),

  listTokens: authedProcedure.output(z.array(tokenSummary)).query(({ ctx }) => listApiTokens(ctx.deps.db, ctx.user.id)),

  revokeToken: authedProcedure
    .input(z.object({ id: z.uuid() }))
    .output(z.object({ revoked: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      const revoked = await revokeApiToken(ctx.deps.db, { userId: ctx.user.id, tokenId: input.id, now: ctx.deps.now() });
      // Someone else's token and a missing one look the same.
      if (!revoked) throw new TRPCError({ code: "NOT_FOUND", message: "No such active token." });
      await appendAudit(ctx.deps.db, {
        actorUserId: ctx.user.id,
        actorKind: "user",
        action: "token.revoked",
        organizationId: ctx.user.organizationId,
        targetType: "api_token",
        targetId: revoked.id,
      });
      return { revoked: true as const };
    }),
});
