// The public contract (design.md): these paths are what the admin SPA, chat clients and the proxy
// call. Each router validates input and calls one service or query function per action.
import { router } from "../trpc/init";
import { alertsRouter } from "./alerts";
import { auditRouter } from "./audit";
import { authRouter } from "./auth";
import { exchangeRatesRouter } from "./exchange-rates";
import { globalSettingsRouter } from "./global-settings";
import { internalRouter } from "./internal";
import { membersRouter } from "./members";
import { organizationsRouter } from "./organizations";
import { settingsRouter } from "./settings";
import { usageRouter } from "./usage";
import { userMappingRouter } from "./user-mapping";

export const appRouter = router({
  auth: authRouter,
  settings: settingsRouter,
  organizations: organizationsRouter,
  members: membersRouter,
  usage: usageRouter,
  userMapping: userMappingRouter,
  globalSettings: globalSettingsRouter,
  exchangeRates: exchangeRatesRouter,
  audit: auditRouter,
  alerts: alertsRouter,
  internal: internalRouter,
});

export type AppRouter = typeof appRouter;
