// OpenRouter's model list (public, no key needed), cached. It serves GET /v1/models and gives the
// prices the monthly-limit reservation needs; prices stay decimal strings, never floats.
import type { Model, OpenRouterClient } from "@mai/openrouter";

export interface ModelCatalog {
  list(): Promise<Model[]>;
  /** The model's entry, or undefined (unknown model, or the list is unavailable). */
  find(id: string): Promise<Model | undefined>;
}

export function createModelCatalog(client: OpenRouterClient, options: { ttlMs: number; now?: () => number }): ModelCatalog {
  const now = options.now ?? Date.now;
  let cached: { models: Model[]; byId: Map<string, Model>; expires: number } | undefined;
  let pending: Promise<Model[]> | undefined;

  async function load(): Promise<Model[]> {
    if (cached && cached.expires > now()) return cached.models;
    pending ??= client
      .listModels()
      .then((models) => {
        cached = { models, byId: new Map(models.map((m) => [m.id, m])), expires: now() + options.ttlMs };
        return models;
      })
      .catch((error: unknown) => {
        // A stale list beats none: keep serving it while OpenRouter's list is unavailable.
        if (cached) return cached.models;
        throw error;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  }

  return {
    list: load,
    async find(id) {
      try {
        await load();
      } catch {
        return undefined;
      }
      // Variant suffixes (":free", ":nitro"…) price as listed when listed, else as the base model.
      return cached?.byId.get(id) ?? cached?.byId.get(id.split(":")[0]!);
    },
  };
}
