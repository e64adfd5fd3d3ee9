// Signing in and out, who am I, and personal API tokens: anyone may try to sign in; the rest is the
// signed-in user's own (a token is shown once, by createToken).
import { z } from "zod";
import { createToken, listTokens, revokeToken } from "../services/auth/api-tokens";
import { changePassword, signOutEverywhere } from "../services/auth/change-password";
import { login, logout } from "../services/auth/login";
import { acceptInvitation, listMyInvitations } from "../services/auth/accept-invitation";
import { signUpEnabled, signUpWithKey } from "../services/auth/sign-up";
import { router } from "../trpc/init";
import { authedProcedure, fullSessionWhenNamed, passwordChangeProcedure, publicProcedure, sessionProcedure } from "../trpc/procedures";
import { changePasswordInput, createTokenInput, loginInput, revokeTokenInput } from "@mai/domain/schemas";
import { acceptInvitationInput, signUpWithKeyInput } from "@mai/domain/schemas";
import { TOKEN_SCOPES } from "@mai/domain";

const authUser = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(["provider_admin", "org_admin", "member"]),
  organizationId: z.string().nullable(),
  externalUserId: z.string().nullable(),
  /** Signed in with a temporary password: only choosing a new one (auth.changePassword) is open. */
  mustChangePassword: z.boolean(),
});

const tokenSummary = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.date(),
  lastUsedAt: z.date().nullable(),
  expiresAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  scope: z.enum(TOKEN_SCOPES),
});

export const authRouter = router({
  login: publicProcedure
    .input(loginInput)
    .output(authUser)
    .mutation(({ ctx, input }) => login(ctx, input)),

  logout: publicProcedure.output(z.object({ ok: z.literal(true) })).mutation(({ ctx }) => logout(ctx)),

  /** "The key is the invitation": an administrator's own account with the OpenRouter key their provider handed over; signed in. */
  signUpWithKey: publicProcedure
    .input(signUpWithKeyInput)
    .output(
      z.object({
        status: z.enum(["claimed", "created"]),
        organization: z.object({ id: z.string(), name: z.string() }),
        message: z.string(),
        me: authUser,
      }),
    )
    .mutation(({ ctx, input }) => signUpWithKey(ctx, input)),

  /** Whether the provider lets client administrators sign up with their key (the sign-in page's link). */
  signUpEnabled: publicProcedure.output(z.object({ enabled: z.boolean() })).query(({ ctx }) => signUpEnabled(ctx)),

  /** With the code: creates the invited account (public). With an invitation id: a signed-in account of no organisation joins. */
  acceptInvitation: publicProcedure
    .input(acceptInvitationInput)
    .use(fullSessionWhenNamed("invitationId"))
    .output(authUser)
    .mutation(({ ctx, input }) => acceptInvitation(ctx, input)),

  /** The signed-in account's pending invitations (none once it belongs to an organisation). */
  invitations: authedProcedure
    .output(
      z.array(
        z.object({
          id: z.string(),
          organizationName: z.string(),
          role: z.enum(["org_admin", "member"]),
          name: z.string(),
          createdAt: z.date(),
          expiresAt: z.date(),
        }),
      ),
    )
    .query(({ ctx }) => listMyInvitations(ctx, ctx.user)),

  me: publicProcedure
    .output(authUser.nullable())
    .query(({ ctx }) =>
      ctx.user ? { ...ctx.user, mustChangePassword: ctx.auth?.kind === "session" && ctx.auth.purpose === "password_change" } : null,
    ),

  /** One's own password: the current one required; every session of the account ends, this browser gets a new one. */
  changePassword: passwordChangeProcedure
    .input(changePasswordInput)
    .output(authUser)
    .mutation(({ ctx, input }) => changePassword(ctx, input)),

  /** Ends every session of the account, this one too. */
  signOutEverywhere: sessionProcedure
    .output(z.object({ sessionsEnded: z.number().int() }))
    .mutation(({ ctx }) => signOutEverywhere(ctx)),

  /** A dashboard session only: a token never mints a token. "manage" only for administrators. */
  createToken: sessionProcedure
    .input(createTokenInput)
    .output(tokenSummary.omit({ lastUsedAt: true, revokedAt: true }).extend({ token: z.string() }))
    .mutation(({ ctx, input }) => createToken(ctx, input)),

  /** One's own tokens: a full session or a manage token (a chat token cannot see or revoke any). */
  listTokens: authedProcedure.output(z.array(tokenSummary)).query(({ ctx }) => listTokens(ctx)),

  revokeToken: authedProcedure
    .input(revokeTokenInput)
    .output(z.object({ revoked: z.literal(true) }))
    .mutation(({ ctx, input }) => revokeToken(ctx, input.id)),
});
