// Every procedure's input schema, one file per entity: the routers validate with them, the db and
// services type their parameters by them, and the dashboard's forms and URL search params parse
// with them — one definition each.
export * from "./common";
export * from "./auth";
export * from "./organizations";
export * from "./members";
export * from "./usage";
export * from "./user-mapping";
export * from "./global-settings";
export * from "./audit";
export * from "./internal";
export * from "./settings";
export * from "./alerts";
export { settingsUpdateSchema as updateSettingsInput, type SettingsUpdate } from "../settings";
export * from "./exchange-rates";
