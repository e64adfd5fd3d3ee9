// Signing in and out, who am I, and personal API tokens: anyone may try to sign in; the rest is the
// signed-in user's own (a token is shown once, by createToken).
import { z } from "zod";
import { createToken, listTokens, revokeToken } from "../services/auth/api-tokens";
import { login, logout } from "../services/auth/login";
import { router } from "../trpc/init";
import { authedProcedure, publicProcedure } from "../trpc/procedures";
import { createTokenInput, loginInput, revokeTokenInput } from "@mai/domain/schemas";

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
    .input(loginInput)
    .output(authUser)
    .mutation(({ ctx, input }) => login(ctx, input)),

  logout: publicProcedure.output(z.object({ ok: z.literal(true) })).mutation(({ ctx }) => logout(ctx)),

  me: publicProcedure.output(authUser.nullable()).query(({ ctx }) => ctx.user),

  createToken: authedProcedure
    .input(createTokenInput)
    .output(tokenSummary.omit({ lastUsedAt: true, revokedAt: true }).extend({ token: z.string() }))
    .mutation(({ ctx, input }) => createToken(ctx, input)),

  listTokens: authedProcedure.output(z.array(tokenSummary)).query(({ ctx }) => listTokens(ctx)),

  revokeToken: authedProcedure
    .input(revokeTokenInput)
    .output(z.object({ revoked: z.literal(true) }))
    .mutation(({ ctx, input }) => revokeToken(ctx, input.id)),
});
