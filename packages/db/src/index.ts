export { type Database, type DbHandle, type Driver, type Executor, type Transaction } from "./client";
export { countAppliedMigrations, migrate, MIGRATIONS_FOLDER } from "./migrate";
export { DatabaseConfigError, openDatabase, PGLITE_DIR, type DatabaseEnv, type OpenDatabase } from "./open";
export * as schema from "./schema/index";
export { createSecretBox, parseMasterKey, SecretBoxError, SecretContext, type SecretBox } from "./crypto/secret-box";
export { loadOrCreateMasterKey, resolveMasterKey, MASTER_KEY_FILE } from "./crypto/master-key";
export * from "./queries/errors";
export * from "./queries/audit";
export {
  createUser,
  findFirstProviderAdmin,
  getAuthUser,
  getUserByEmail,
  getUserById,
  setUserPassword,
  type AuthUser,
  type User,
} from "./queries/users";
export * from "./queries/global-settings";
export * from "./queries/organizations";
export * from "./queries/org-sync";
export * from "./queries/usage";
export * from "./queries/usage-partitions";
export * from "./queries/limits";
export * from "./queries/sessions";
export * from "./queries/auth-throttle";
export * from "./queries/api-tokens";
export * from "./queries/openwebui-users";
export * from "./queries/user-settings";
export * from "./queries/members";
export * from "./queries/invitations";
export * from "./queries/usage-reports";
export * from "./queries/mapping-reports";
export * from "./queries/reconciliation";
export * from "./queries/key-retirements";
export * from "./queries/key-usage";
export * from "./queries/limit-alerts";
export * from "./queries/refusals";
export * from "./queries/exchange-rates";
