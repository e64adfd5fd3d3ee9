// Why: the mutable state one simulator instance shares between its handlers. Handlers get it as
// an argument (no module-level singletons), so any number of simulators can run in one process.
import type { SimFaults } from "./faults";
import type { SimModel } from "./models";
import type { SimState } from "./state";

export interface SimContext {
  state: SimState;
  models: Map<string, SimModel>;
  modelList: SimModel[];
  defaultModel: string;
  generationDelayMs: number;
  /** A `: OPENROUTER PROCESSING` comment after every N content chunks (0: only before the first). */
  keepAliveEvery: number;
  /** While waiting for the first token, a comment every this many ms. */
  keepAliveIntervalMs: number;
  isFreeTier: boolean;
  globalFaults: SimFaults | null;
  /** One-shot faults, consumed one per chat request in order. */
  queuedFaults: SimFaults[];
  /** Aborted by `close()`: every simulated wait ends at once. */
  closing: AbortSignal;
  counters: { requests: number; chatRequests: number; activeStreams: number };
}
