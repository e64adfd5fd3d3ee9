// Why: a real HTTP server (node:http), not a fetch mock, so the proxy, the openai SDK and a browser
// all exercise their actual network code against it. It listens on loopback, port 0 by default,
// and exposes a small control surface (in-process methods, and `/__sim/*` over HTTP for demos).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { nanoToUsdString, usdToNano } from "@mai/domain";
import { handleCredits, handleGeneration, handleKeyInfo, handleKeys, handleModels } from "./account";
import { handleChat } from "./chat";
import type { SimContext } from "./context";
import { FaultSyntaxError, parseFaults, type SimFaults } from "./faults";
import { HttpError, isRecord, readJson, sendError, sendJson } from "./http";
import { usdText } from "./money";
import { DEFAULT_MODEL, SIM_MODELS, type SimModel } from "./models";
import {
  type GenerationRecord,
  type LedgerEntry,
  type LedgerFilter,
  type SimKey,
  type SimKeyInput,
  SimState,
  sumNano,
} from "./state";

/** Obviously fake fixture keys: the simulator creates them unless `fixtures: false`. */
export const FIXTURE_API_KEY = `sk-or-v1-${"ab".repeat(32)}`;
export const FIXTURE_MANAGEMENT_KEY = `sk-or-v1-${"0123456789abcdef".repeat(4)}`;

interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Create FIXTURE_API_KEY and FIXTURE_MANAGEMENT_KEY (default true). */
  fixtures?: boolean;
  /** More keys to create at start. */
  keys?: SimKeyInput[];
  /** The account's credits in USD (default 1000); the balance is credits − all charges. */
  credits?: number | string;
  /** `is_free_tier` on /key (default false). */
  isFreeTier?: boolean;
  /** Global faults applied to every chat request (default none: zero latency, no failures). */
  faults?: SimFaults | string | null;
  /** /generation answers 404 for this long after a completion (default 500 ms, as seen live). */
  generationDelayMs?: number;
  /** A keep-alive comment after every N content chunks (default 4; 0 = only before the first). */
  keepAliveEvery?: number;
  /** While waiting for the first token, a keep-alive comment every N ms (default 1000). */
  keepAliveIntervalMs?: number;
  /** Replaces the built-in price table. */
  models?: SimModel[];
  /** Used when a request names no model (default openai/gpt-4o-mini). */
  defaultModel?: string;
  /** The clock (ms since epoch); inject one to test daily/weekly/monthly limit resets. */
  now?: () => number;
  /** The account's `user_id` in error envelopes. */
  userId?: string;
  /** /generation keeps at most this many generations, oldest dropped first (default 200 000). */
  maxGenerations?: number;
  /**
   * The ledger keeps at most about this many entries, oldest dropped first (default: every one —
   * tests compare against it). A benchmark sets it: a ledger of millions of charges made the
   * simulator slower round after round (its heap, and every collection, grew with it).
   */
  maxLedgerEntries?: number;
}

/** A key as the simulator holds it (a snapshot; mutate through the API or `updateKey`). */
interface SimKeyView {
  key: string;
  hash: string;
  label: string;
  name: string;
  management: boolean;
  disabled: boolean;
  limitNano: bigint | null;
  limitReset: SimKey["limitReset"];
  usageNano: bigint;
  limitRemainingNano: bigint | null;
}

interface LedgerTotals {
  count: number;
  costNano: bigint;
  costUsd: string;
}

export interface Simulator {
  /** Base URL ending in /api/v1: give it to the client, the proxy or the openai SDK as-is. */
  readonly url: string;
  /** http://host:port (the control endpoints live under /__sim). */
  readonly origin: string;
  readonly port: number;
  /** FIXTURE_API_KEY / FIXTURE_MANAGEMENT_KEY, or "" with `fixtures: false`. */
  readonly apiKey: string;
  readonly managementKey: string;
  addKey(input?: SimKeyInput): SimKeyView;
  addManagementKey(input?: Omit<SimKeyInput, "management">): SimKeyView;
  /** Look a key up by plaintext or hash. */
  getKey(keyOrHash: string): SimKeyView | undefined;
  /** Change a key directly (e.g. disable it, or set its limit in USD). */
  updateKey(
    keyOrHash: string,
    patch: {
      disabled?: boolean;
      limit?: number | string | null;
      limitReset?: SimKey["limitReset"];
      name?: string;
    },
  ): SimKeyView;
  /** Global faults for every chat request; null clears. A string uses the header syntax. */
  setFaults(faults: SimFaults | string | null): void;
  /** Faults for the next `count` chat requests only (queued after any already pushed). */
  pushFaults(faults: SimFaults | string, count?: number): void;
  setGenerationDelay(ms: number): void;
  setCredits(usd: number | string): void;
  /** Every charge so far (copies), optionally filtered by key, user or model. */
  ledger(filter?: LedgerFilter): LedgerEntry[];
  /** Exact bigint sum of the charges matching the filter. */
  totalNano(filter?: LedgerFilter): bigint;
  /** Totals per key hash and per `user` ("" for requests without one). */
  totals(): { all: LedgerTotals; byKey: Map<string, LedgerTotals>; byUser: Map<string, LedgerTotals> };
  generation(id: string): GenerationRecord | undefined;
  /**
   * A generation charged before this simulator started (it keeps nothing across restarts; the demo
   * tells it what an earlier run charged): /generation answers for it from now on, with this cost.
   * Nothing is charged and the ledger is unchanged.
   */
  rememberGeneration(input: RememberedGeneration): void;
  /**
   * A key's usage in the current UTC day and month (and week: default the day's), as charged before
   * this simulator started: /key's and /keys/:hash's usage_daily, _weekly, _monthly from now on.
   * Nothing is charged and the ledger is unchanged.
   */
  rememberUsage(keyOrHash: string, usage: { dailyNano: bigint; monthlyNano: bigint; weeklyNano?: bigint }): void;
  stats(): { requests: number; chatRequests: number; activeStreams: number };
  close(): Promise<void>;
}

interface RememberedGeneration {
  id: string;
  /** The key it was charged to (plaintext or hash); it must exist here. */
  key: string;
  costNano: bigint;
  createdAt: Date;
  model?: string;
  user?: string | null;
}

function view(state: SimState, key: SimKey): SimKeyView {
  return {
    key: key.key,
    hash: key.hash,
    label: key.label,
    name: key.name,
    management: key.management,
    disabled: key.disabled,
    limitNano: key.limitNano,
    limitReset: key.limitReset,
    usageNano: key.usage.totalNano,
    limitRemainingNano: state.limitRemaining(key),
  };
}

function toFaults(input: SimFaults | string): SimFaults {
  return typeof input === "string" ? parseFaults(input) : { ...input };
}

type Chargeable = Pick<LedgerEntry, "costNano" | "keyHash" | "user">;

function totalsOf(entries: readonly Chargeable[]) {
  const make = (): LedgerTotals => ({ count: 0, costNano: 0n, costUsd: "0" });
  const all = make();
  const byKey = new Map<string, LedgerTotals>();
  const byUser = new Map<string, LedgerTotals>();
  const add = (t: LedgerTotals, e: Chargeable): void => {
    t.count += 1;
    t.costNano += e.costNano;
    t.costUsd = nanoToUsdString(t.costNano);
  };
  for (const e of entries) {
    add(all, e);
    const k = byKey.get(e.keyHash) ?? make();
    byKey.set(e.keyHash, k);
    add(k, e);
    const u = byUser.get(e.user ?? "") ?? make();
    byUser.set(e.user ?? "", u);
    add(u, e);
  }
  return { all, byKey, byUser };
}

function jsonTotals(t: LedgerTotals) {
  return { count: t.count, costNano: t.costNano.toString(), costUsd: t.costUsd };
}

async function control(
  ctx: SimContext,
  sim: () => Simulator,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
) {
  const method = req.method ?? "GET";
  if (path === "/__sim/health") {
    sendJson(res, 200, { ok: true });
  } else if (path === "/__sim/ledger" && method === "GET") {
    const filter: LedgerFilter = {};
    const keyHash = query.get("key_hash");
    if (keyHash) filter.keyHash = keyHash;
    if (query.has("user")) filter.user = query.get("user") || null;
    const model = query.get("model");
    if (model) filter.model = model;
    const entries = ctx.state.ledger(filter);
    const totals = totalsOf(entries);
    sendJson(res, 200, {
      entries: entries.map((e) => ({ ...e, costNano: e.costNano.toString() })),
      totals: {
        ...jsonTotals(totals.all),
        byKey: Object.fromEntries([...totals.byKey].map(([k, t]) => [k, jsonTotals(t)])),
        byUser: Object.fromEntries([...totals.byUser].map(([k, t]) => [k, jsonTotals(t)])),
      },
    });
  } else if (path === "/__sim/faults" && method === "GET") {
    sendJson(res, 200, { faults: ctx.globalFaults, queued: ctx.queuedFaults.length });
  } else if (path === "/__sim/faults" && (method === "PUT" || method === "POST")) {
    const body = await readJson(req);
    const faults =
      isRecord(body) && typeof body.spec === "string" ? body.spec : body === undefined ? null : body;
    if (faults !== null && typeof faults !== "string" && !isRecord(faults))
      throw new HttpError(400, "Send SimFaults JSON, { spec } or null");
    sim().setFaults(faults);
    sendJson(res, 200, { faults: ctx.globalFaults });
  } else if (path === "/__sim/keys" && method === "POST") {
    const body = (await readJson(req)) ?? {};
    if (!isRecord(body)) throw new HttpError(400, "Send a JSON object");
    const key = sim().addKey(body);
    sendJson(res, 201, {
      key: key.key,
      hash: key.hash,
      label: key.label,
      name: key.name,
      management: key.management,
    });
  } else if (path === "/__sim/keys" && method === "GET") {
    sendJson(res, 200, {
      data: [...ctx.state.keysByHash.values()].map((k) => ({
        hash: k.hash,
        label: k.label,
        name: k.name,
        management: k.management,
        disabled: k.disabled,
        usageNano: k.usage.totalNano.toString(),
      })),
    });
  } else {
    sendError(res, 404, "Not Found");
  }
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const closing = new AbortController();
  const now = options.now ?? Date.now;
  const userId = options.userId ?? "user_2simulatoraccount000000000";
  const state = new SimState(now, options.credits ?? 1000, userId, options.maxGenerations ?? 200_000, options.maxLedgerEntries);
  const modelList = [...(options.models ?? SIM_MODELS)];
  const ctx: SimContext = {
    state,
    models: new Map(modelList.map((m) => [m.id, m])),
    modelList,
    defaultModel: options.defaultModel ?? DEFAULT_MODEL,
    generationDelayMs: options.generationDelayMs ?? 500,
    keepAliveEvery: options.keepAliveEvery ?? 4,
    keepAliveIntervalMs: Math.max(1, options.keepAliveIntervalMs ?? 1000),
    isFreeTier: options.isFreeTier ?? false,
    globalFaults: options.faults ? toFaults(options.faults) : null,
    queuedFaults: [],
    closing: closing.signal,
    counters: { requests: 0, chatRequests: 0, activeStreams: 0 },
  };
  const fixtures = options.fixtures ?? true;
  if (fixtures) {
    state.addKey({ key: FIXTURE_API_KEY, name: "Fixture API key" });
    state.addKey({ key: FIXTURE_MANAGEMENT_KEY, name: "Fixture management key", management: true });
  }
  for (const key of options.keys ?? []) state.addKey(key);

  const find = (keyOrHash: string): SimKey | undefined =>
    state.keysByKey.get(keyOrHash) ?? state.keysByHash.get(keyOrHash);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    ctx.counters.requests += 1;
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    const query = new URLSearchParams(q === -1 ? "" : url.slice(q + 1));
    const method = req.method ?? "GET";
    if (path === "/api/v1/chat/completions" && method === "POST") return handleChat(ctx, req, res);
    if ((path === "/api/v1/key" || path === "/api/v1/auth/key") && method === "GET")
      return handleKeyInfo(ctx, req, res);
    if (path === "/api/v1/credits" && method === "GET") return handleCredits(ctx, req, res);
    if (path === "/api/v1/generation" && method === "GET") return handleGeneration(ctx, req, res, query);
    if (path === "/api/v1/models" && method === "GET") return handleModels(ctx, res, query);
    if (path === "/api/v1/keys") return handleKeys(ctx, req, res, null, query);
    if (path.startsWith("/api/v1/keys/"))
      return handleKeys(ctx, req, res, decodeURIComponent(path.slice(13)), query);
    if (path.startsWith("/__sim/")) return control(ctx, () => sim, req, res, path, query);
    sendError(res, 404, "Not Found");
  }

  const server: Server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError)
        sendError(res, error.status, error.message, { metadata: error.metadata });
      else if (error instanceof FaultSyntaxError) sendError(res, 400, error.message);
      else sendError(res, 500, "Internal Server Error");
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const origin = `http://${host}:${address.port}`;

  const sim: Simulator = {
    url: `${origin}/api/v1`,
    origin,
    port: address.port,
    apiKey: fixtures ? FIXTURE_API_KEY : "",
    managementKey: fixtures ? FIXTURE_MANAGEMENT_KEY : "",
    addKey: (input) => view(state, state.addKey(input)),
    addManagementKey: (input) => view(state, state.addKey({ ...input, management: true })),
    getKey(keyOrHash) {
      const key = find(keyOrHash);
      return key && view(state, key);
    },
    updateKey(keyOrHash, patch) {
      const key = find(keyOrHash);
      if (!key) throw new Error("No such key in the simulator");
      if (patch.disabled !== undefined) key.disabled = patch.disabled;
      if (patch.name !== undefined) key.name = patch.name;
      if (patch.limitReset !== undefined) key.limitReset = patch.limitReset;
      if (patch.limit !== undefined) key.limitNano = patch.limit === null ? null : usdToNano(patch.limit);
      return view(state, key);
    },
    setFaults(faults) {
      ctx.globalFaults = faults === null ? null : toFaults(faults);
    },
    pushFaults(faults, count = 1) {
      const parsed = toFaults(faults);
      for (let i = 0; i < count; i += 1) ctx.queuedFaults.push(parsed);
    },
    setGenerationDelay(ms) {
      ctx.generationDelayMs = ms;
    },
    setCredits(usd) {
      state.creditsNano = usdToNano(usd);
    },
    ledger: (filter) => state.ledger(filter),
    totalNano: (filter) => sumNano(state.ledger(filter)),
    totals: () => totalsOf(state.entries),
    generation: (id) => state.generations.get(id),
    rememberGeneration(input) {
      const key = find(input.key);
      if (!key) throw new Error("No such key in the simulator");
      if (input.costNano < 0n) throw new Error("A generation's cost cannot be negative");
      const model = ctx.models.get(input.model ?? "");
      const createdAtMs = input.createdAt.getTime();
      state.generations.set(input.id, {
        id: input.id,
        keyHash: key.hash,
        model: model?.id ?? input.model ?? "unknown",
        provider: model?.provider ?? "unknown",
        createdAtMs,
        availableAtMs: createdAtMs,
        streamed: false,
        cancelled: false,
        finishReason: "stop",
        nativeFinishReason: "stop",
        promptTokens: 0,
        completionTokens: 0,
        costUsd: usdText(input.costNano),
        latencyMs: 0,
        generationTimeMs: 0,
        user: input.user ?? null,
        sessionId: null,
        httpReferer: null,
        appTitle: null,
        userAgent: null,
      });
    },
    rememberUsage(keyOrHash, usage) {
      const key = find(keyOrHash);
      if (!key) throw new Error("No such key in the simulator");
      const weeklyNano = usage.weeklyNano ?? usage.dailyNano;
      if (usage.dailyNano < 0n || usage.monthlyNano < 0n || weeklyNano < 0n) throw new Error("Usage cannot be negative");
      state.setUsage(key, { dailyNano: usage.dailyNano, weeklyNano, monthlyNano: usage.monthlyNano });
    },
    stats: () => ({ ...ctx.counters }),
    async close() {
      closing.abort();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return sim;
}
