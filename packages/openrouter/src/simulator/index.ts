// Why: the simulator's entry point (`@mai/openrouter/simulator`), kept apart from the client so
// production code never loads it. Every test, benchmark and demo talks to this instead of
// OpenRouter: `const sim = await startSimulator({ port: 0 })`, then point anything at `sim.url`.
export {
  startSimulator,
  FIXTURE_API_KEY,
  FIXTURE_MANAGEMENT_KEY,
  type Simulator,
  type SimulatorOptions,
  type SimKeyView,
  type LedgerTotals,
} from "./server";
export { type SimFaults, type UsageChunkStyle } from "./faults";
export { SIM_MODELS, type SimModel, type SimModelTier } from "./models";
export { replyTokens } from "./chat";
export { priceToPico, picoToNano } from "./money";
export {
  type LedgerEntry,
  type LedgerFilter,
  type ChargeOutcome,
  type GenerationRecord,
  type SimKeyInput,
} from "./state";
