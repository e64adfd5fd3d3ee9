// `mai users create`: accounts, made by the operator on a stopped stack. No procedure creates an
// account for someone else (members.add only invites: the dashboard never moves or maps an existing
// account — issue 14), and the very first provider administrator must be creatable before anyone
// could call one, so accounts are created here with @mai/db's createUser and the API's
// hashPassword; with --org the account is also mapped to the organisation (mapUserToOrganization),
// in the same transaction. Audited with actorKind "cli" (user.created, member.added). Passwords are
// printed once, never stored in clear.
import { assertAcceptablePassword, generatePassword, hashPassword } from "@mai/api";
import { appendAudit, createUser, findUserForMembership, getUserByEmail, mapUserToOrganization, setUserRole, type Database, type User } from "@mai/db";
import { MIN_PASSWORD_LENGTH, type Role } from "@mai/domain";
import { Option, type Command } from "commander";
import { printJson } from "../output";
import { registerResetPassword } from "./reset-password";
import { CliError, findOrganization, printFields, say, valueOrStdin, withJson, withOperator } from "./shared";

const ROLES = ["provider_admin", "org_admin", "member"] as const;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

interface CreateOptions {
  email: string;
  name?: string;
  role: Role;
  org?: string;
  password?: string;
  json?: boolean;
}

/** A new account with a password, and its audit entry, in one transaction. */
async function createAccount(
  db: Database,
  input: { email: string; name: string; role: Role; password: string },
): Promise<User> {
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const user = await createUser(tx, {
      email: input.email,
      name: input.name,
      role: input.role,
      passwordHash,
    });
    await appendAudit(tx, {
      actorKind: "cli",
      action: "user.created",
      targetType: "user",
      targetId: user.id,
      details: { role: user.role },
    });
    return user;
  });
}

/**
 * Maps an account to an organisation with the role asked for, creating it first when the e-mail is
 * new (with `password`), in one transaction: the operator's act (an existing account of no
 * organisation joins; one of an organisation, or a provider administrator, is refused).
 */
async function addToOrganization(
  db: Database,
  input: { email: string; name: string; role: "org_admin" | "member"; password: string | null; organizationId: string },
): Promise<{ user: Pick<User, "id" | "email" | "name" | "role">; externalUserId: string; created: boolean }> {
  const passwordHash = input.password === null ? null : await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const existing = await findUserForMembership(tx, input.email, { lock: true });
    if (existing?.role === "provider_admin") throw new CliError("Provider administrators belong to no organisation.");
    if (existing?.organizationId) {
      throw new CliError(`${input.email} already belongs to another organisation (a user belongs to at most one): remove them from it first.`);
    }
    let userId: string;
    if (existing) {
      if (existing.role !== input.role) await setUserRole(tx, existing.id, input.role);
      userId = existing.id;
    } else {
      if (!passwordHash) throw new CliError(`No user has the e-mail ${input.email}.`);
      const user = await createUser(tx, { email: input.email, name: input.name, role: input.role, passwordHash });
      await appendAudit(tx, { actorKind: "cli", action: "user.created", targetType: "user", targetId: user.id, details: { role: user.role } });
      userId = user.id;
    }
    const { externalUserId } = await mapUserToOrganization(tx, { userId, organizationId: input.organizationId });
    await appendAudit(tx, {
      actorKind: "cli",
      action: "member.added",
      organizationId: input.organizationId,
      targetType: "user",
      targetId: userId,
      details: { role: input.role, created: !existing, externalUserId, ...(existing && existing.role !== input.role ? { previousRole: existing.role } : {}) },
    });
    const user = (await getUserByEmail(tx, input.email))!;
    return { user: { id: user.id, email: user.email, name: user.name, role: user.role }, externalUserId, created: !existing };
  });
}

export function registerUsers(program: Command): void {
  const users = program
    .command("users")
    .description("Accounts: create the provider's administrators and client users; reset a password.");
  registerResetPassword(users);

  withJson(
    users
      .command("create")
      .description(
        "Create an account. With --org, a client administrator or member is added to that organisation (its external user id assigned).",
      )
      .requiredOption("--email <email>", "the sign-in e-mail")
      .option("--name <name>", "display name")
      .addOption(new Option("--role <role>", "the account's role").choices(ROLES).makeOptionMandatory())
      .option("--org <org>", "the client organisation (id or name) an org_admin or member joins")
      .option(
        "--password <password>",
        `at least ${MIN_PASSWORD_LENGTH} characters, not a common or guessable one; '-' reads it from stdin; omitted: a random one is generated and printed once`,
      ),
  )
    .addHelpText(
      "after",
      `
Examples:
  $ mai users create --email admin@mai.example --role provider_admin      # works on an empty database
  $ mai users create --email ola@kowalski.pl --name "Ola Kowalska" --role org_admin --org "Kowalski Consulting"
  $ mai users create --email jan@kowalski.pl --role member --org "Kowalski Consulting" --json
  $ mai users create --email ops@mai.example --role provider_admin --password - < password.txt

An org_admin created without --org belongs to no organisation until they save their OpenRouter
key in Settings → Connections (which creates or joins the organisation). An e-mail that already
exists is refused, except with --org: an existing user of no organisation then joins it.`,
    )
    .action(async (options: CreateOptions) => {
      const email = options.email.trim();
      if (!EMAIL.test(email)) throw new CliError(`"${options.email}" is not an e-mail address.`);
      if (options.role === "provider_admin" && options.org !== undefined) {
        throw new CliError("Provider administrators belong to no organisation: drop --org.");
      }
      const given =
        options.password !== undefined
          ? await valueOrStdin(options.password, "Password (input hidden): ")
          : undefined;
      const name = options.name?.trim() ?? "";
      // The same rule as every password a person chooses (@mai/domain's, with the common-password list).
      if (given !== undefined) {
        try {
          assertAcceptablePassword(given, { email, name });
        } catch (error) {
          throw new CliError((error as Error).message);
        }
      }

      const result = await withOperator(async (session) => {
        const { op } = session; // session.provider only when needed: there may be no provider yet
        const db = op.handle.db;
        const existing = await getUserByEmail(db, email);
        if (options.org === undefined || options.role === "provider_admin") {
          if (existing) throw new CliError(`A user with the e-mail ${email} already exists.`);
          const password = given ?? generatePassword();
          const user = await createAccount(db, { email, name, role: options.role, password });
          return {
            user: { id: user.id, email: user.email, name: user.name, role: user.role },
            organization: null,
            externalUserId: null,
            created: true,
            generatedPassword: given === undefined ? password : null,
          };
        }
        const provider = session.provider;
        const org = await findOrganization(provider, options.org);
        if (existing && given !== undefined) {
          throw new CliError(
            `A user with the e-mail ${email} already exists: --password applies to new users only.`,
          );
        }
        const password = existing ? null : (given ?? generatePassword());
        const added = await addToOrganization(db, { email, name, role: options.role, password, organizationId: org.id });
        return {
          user: added.user,
          organization: { id: org.id, name: org.name },
          externalUserId: added.externalUserId,
          created: added.created,
          generatedPassword: added.created && given === undefined ? password : null,
        };
      });

      if (options.json) return printJson(result);
      say(
        result.created
          ? `Created ${result.user.role} ${result.user.email}.`
          : `Added the existing user ${result.user.email} as ${result.user.role}.`,
      );
      printFields([
        ["Id", result.user.id],
        [
          "Organisation",
          result.organization ? `${result.organization.name} (${result.organization.id})` : "none",
        ],
        ...(result.externalUserId ? [["External user id", result.externalUserId] as const] : []),
      ]);
      if (result.generatedPassword) {
        say();
        say("Password — shown only now, it will NOT be shown again:");
        say();
        say(`  ${result.generatedPassword}`);
        say();
      }
    });
}
