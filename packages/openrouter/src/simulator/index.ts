// Why: the simulator's entry point (`@mai/openrouter/simulator`), kept apart from the client so
// production code never loads it. Every test, benchmark and demo talks to this instead of
// OpenRouter: `const sim = await startSimulator({ port: 0 })`, then point anything at `sim.url`.
export { startSimulator, FIXTURE_API_KEY, FIXTURE_MANAGEMENT_KEY, type Simulator } from "./server";
export { SIM_MODELS, type SimModel } from "./models";
export { replyTokens } from "./chat";
export { priceToPico, picoToNano } from "./money";
