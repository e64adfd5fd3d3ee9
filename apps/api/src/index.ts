// The API exports its router type (for the admin SPA and the proxy: types flow end to end with no
// code generation) and the factory that builds a server, for `npm start`, the demo and tests.
export type { AppRouter } from "./routers/_app";
export { createApiServer, type ApiServer } from "./server";
export { envSchema, loadEnv, type Env } from "./env";
export { createDeps, type AppDeps } from "./deps";
export { createLogger } from "./logger";
export { ensureProviderAdmin } from "./services/auth/bootstrap";
export { assertAcceptablePassword, generatePassword, hashPassword } from "./services/auth/passwords";
export { issueTemporaryPassword, setChosenPassword, type TemporaryPassword } from "./services/auth/reset-password";
export { createLocalCaller, type LocalCaller } from "./local-caller";
export { startApiService, type ApiService } from "./service";
export { scheduleLeaseSweep } from "./services/internal/reserve";
export { generateApiToken } from "./services/auth/tokens";
export { installLastResortHandlers } from "./last-resort";
export { retireDueKeys, scheduleKeyRetirement } from "./services/organizations/retire-keys";
export { reconcileKeyUsage } from "./services/usage/key-reconcile";
