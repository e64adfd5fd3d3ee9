// Why: Open WebUI stores a user's direct connections as three parallel structures (URLs, keys, and
// configs keyed by the stringified index — by URL in older versions). Which entry is "the OpenRouter
// connection" is decided here, in one place, so settings save, org sync and the dashboard agree.
// See openwebui.md §1.2 for the shape.

import { z } from "zod";

import { validateOpenRouterKey, type OpenRouterKey } from "./keys";
import { isOpenRouterUrl, type OpenRouterUrlOptions } from "./urls";

export interface ConnectionConfig {
  enable?: boolean;
  [k: string]: unknown;
}

export interface DirectConnections {
  OPENAI_API_BASE_URLS: string[];
  OPENAI_API_KEYS: string[];
  OPENAI_API_CONFIGS: Record<string, ConnectionConfig>;
}

// Loose objects: Open WebUI adds fields between versions (prefix_id, tags, connection_type…) and
// replaces the whole `ui` object on save, so dropping what we do not know would delete user data.
const connectionConfigSchema = z.looseObject({ enable: z.boolean().optional() });

/** More connections than anyone configures by hand; bounds the work one save can cause. */
const MAX_DIRECT_CONNECTIONS = 100;

export const directConnectionsSchema = z.looseObject({
  OPENAI_API_BASE_URLS: z.array(z.string().max(2_048)).max(MAX_DIRECT_CONNECTIONS).default([]),
  // Other providers' keys are not ours to judge, only to bound.
  OPENAI_API_KEYS: z.array(z.string().max(1_000)).max(MAX_DIRECT_CONNECTIONS).default([]),
  OPENAI_API_CONFIGS: z
    .record(z.string().max(2_048), connectionConfigSchema)
    .refine((configs) => Object.keys(configs).length <= MAX_DIRECT_CONNECTIONS, `At most ${MAX_DIRECT_CONNECTIONS} connection configurations.`)
    .default({}),
});

export interface OpenRouterConnection {
  index: number;
  baseUrl: string;
  /** Validated here: the save path stores and syncs it without checking it again. */
  key: OpenRouterKey;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function configFor(configs: Record<string, unknown>, index: number, url: string): unknown {
  // Own properties only: a URL such as "constructor" must not find Object.prototype's members.
  const byIndex = String(index);
  if (Object.hasOwn(configs, byIndex)) return configs[byIndex];
  if (Object.hasOwn(configs, url)) return configs[url];
  const trimmed = url.trim();
  return Object.hasOwn(configs, trimmed) ? configs[trimmed] : undefined;
}

/**
 * The first enabled connection whose URL is OpenRouter and whose key is a valid OpenRouter key.
 * Tolerant by design: it reads whatever a chat client stored (arrays of different lengths, missing
 * configs, empty strings, null) and answers null rather than throwing.
 */
export function findOpenRouterConnection(
  dc: Partial<DirectConnections> | null | undefined,
  options?: OpenRouterUrlOptions,
): OpenRouterConnection | null {
  if (!isRecord(dc)) return null;
  const urls: unknown[] = Array.isArray(dc.OPENAI_API_BASE_URLS) ? dc.OPENAI_API_BASE_URLS : [];
  const keys: unknown[] = Array.isArray(dc.OPENAI_API_KEYS) ? dc.OPENAI_API_KEYS : [];
  const configs = isRecord(dc.OPENAI_API_CONFIGS) ? dc.OPENAI_API_CONFIGS : {};

  for (let index = 0; index < urls.length; index++) {
    const url = urls[index];
    if (typeof url !== "string") continue;
    const config = configFor(configs, index, url);
    // Open WebUI's default is enabled: only an explicit false disables.
    if (isRecord(config) && config.enable === false) continue;
    const baseUrl = url.trim();
    if (!isOpenRouterUrl(baseUrl, options)) continue;
    const key = validateOpenRouterKey(keys[index]);
    if (!key.ok) continue;
    return { index, baseUrl, key: key.key };
  }
  return null;
}
