// Inputs of auth.*.
import { z } from "zod";

export const loginInput = z.object({ email: z.string().trim().min(3).max(320), password: z.string().min(1).max(1024) });
export const createTokenInput = z.object({
  name: z.string().trim().min(1).max(100),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export const revokeTokenInput = z.object({ id: z.uuid() });

export type LoginInput = z.infer<typeof loginInput>;
export type CreateTokenInput = z.infer<typeof createTokenInput>;
