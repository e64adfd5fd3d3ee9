// Inputs of auth.*.
import { z } from "zod";
import { TOKEN_SCOPES } from "../api-token";

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

export type LoginInput = z.output<typeof loginInput>;
export type CreateTokenInput = z.output<typeof createTokenInput>;
export type ChangePasswordInput = z.output<typeof changePasswordInput>;
