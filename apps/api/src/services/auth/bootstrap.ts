// First start: make sure a provider administrator exists. With MAI_ADMIN_EMAIL/PASSWORD set they
// are used; otherwise a password is generated and printed once (it is never stored in clear).
import { createUser, findFirstProviderAdmin, type Database } from "@mai/db";
import type { Env } from "../../env";
import type { Logger } from "../../logger";
import { passwordProblem } from "@mai/domain";
import { COMMON_PASSWORDS } from "@mai/domain/common-passwords";
import { generatePassword, hashPassword } from "./passwords";

export async function ensureProviderAdmin(
  db: Database,
  env: Env,
  logger: Logger,
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<{ created: boolean; email: string | null }> {
  const existing = await findFirstProviderAdmin(db);
  if (existing) return { created: false, email: existing.email };
  const email = env.MAI_ADMIN_EMAIL ?? "admin@mai.local";
  const password = env.MAI_ADMIN_PASSWORD ?? generatePassword();
  await createUser(db, { email, name: "Provider administrator", role: "provider_admin", passwordHash: await hashPassword(password) });
  logger.info({ email }, "created the provider administrator");
  // A chosen password is the operator's business (env.ts asks for 12 characters); a weak one is said, not refused.
  const weak = env.MAI_ADMIN_PASSWORD ? passwordProblem(env.MAI_ADMIN_PASSWORD, { email, common: COMMON_PASSWORDS }) : null;
  if (weak) logger.warn({ email, problem: weak }, "MAI_ADMIN_PASSWORD is weak: change it in the dashboard under Account");
  if (!env.MAI_ADMIN_PASSWORD) {
    print("");
    print("  First start: a provider administrator was created.");
    print(`    e-mail:   ${email}`);
    print(`    password: ${password}`);
    print("  This password is shown only now. Change it after signing in: Account (top right), Change password.");
    print(`  Lost it? Stop the stack and run: mai users reset-password ${email}`);
    print("");
  }
  return { created: true, email };
}
