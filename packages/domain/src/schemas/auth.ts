// Inputs of auth.*.
import { z } from "zod";
import { TOKEN_SCOPES } from "../api-token";
import { MAX_INVITATION_CODE_INPUT } from "../invitation";
import { emailInput } from "./common";

export const loginInput = z.object({ email: z.string().trim().min(3).max(320), password: z.string().min(1).max(1024) });
export const createTokenInput = z.object({
  name: z.string().trim().min(1).max(100),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
  /** What the token may do (api-token.ts TOKEN_SCOPES); "manage" only for administrators (tokenScopeProblem). */
  scope: z.enum(TOKEN_SCOPES).default("chat"),
});
export const revokeTokenInput = z.object({ id: z.uuid() });
/** The new password's rule (length, common passwords…) is passwordProblem's, applied by the service with the account's e-mail and name. */
export const changePasswordInput = z.object({
  currentPassword: z.string().min(1, "Enter your current password.").max(1024),
  newPassword: z.string().max(1024),
});

/**
 * auth.acceptInvitation. With the invitation code (public, the /join page): the invitee's e-mail,
 * the code and a password of their own create the account. Signed in (an account of no
 * organisation, on its landing page): the invitation's id alone — the session says who accepts.
 */
export const acceptInvitationInput = z
  .object({
    invitationId: z.uuid().optional(),
    email: emailInput.optional(),
    code: z.string().trim().max(MAX_INVITATION_CODE_INPUT).optional(),
    name: z.string().trim().max(200).optional(),
    /** The new account's password; its rule is passwordProblem's, applied by the service. */
    password: z.string().max(1024).optional(),
  })
  .superRefine((input, ctx) => {
    if (input.invitationId) return;
    if (!input.email) ctx.addIssue({ code: "custom", path: ["email"], message: "Enter the e-mail address the invitation was sent to." });
    if (!input.code) ctx.addIssue({ code: "custom", path: ["code"], message: "Enter the invitation code." });
    if (!input.password) ctx.addIssue({ code: "custom", path: ["password"], message: "Choose a password." });
  });
/** auth.signUpWithKey: "the key is the invitation" — a client administrator's own account, with the OpenRouter key their provider handed over. */
export const signUpWithKeyInput = z.object({
  email: emailInput,
  name: z.string().trim().min(1, "Enter your name.").max(200),
  /** Its rule is passwordProblem's, applied by the service with the e-mail and name. */
  password: z.string().max(1024),
  openRouterKey: z.string().trim().min(1, "Enter the OpenRouter key your provider gave you.").max(300),
});

export type LoginInput = z.output<typeof loginInput>;
export type CreateTokenInput = z.output<typeof createTokenInput>;
export type ChangePasswordInput = z.output<typeof changePasswordInput>;
export type AcceptInvitationInput = z.output<typeof acceptInvitationInput>;
export type SignUpWithKeyInput = z.output<typeof signUpWithKeyInput>;
