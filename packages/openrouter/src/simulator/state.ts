// Why: the simulated account: its keys (inference and management), their limits and usage
// counters, the generations /generation serves, and the ledger of every charge. The ledger is the
// ground truth tests compare the proxy's records against, so it is append-only, holds each
// charge's exact decimal text and its bigint nano value, and totals are bigint sums of entries.
// Usage counters per key are kept incrementally (never by scanning the ledger) so a benchmark run
// with millions of requests stays O(1) per request.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { usdToNano } from "@mai/domain";
import type { LimitReset } from "../schemas";
import { usdText } from "./money";

export interface SimKeyInput {
  /** Plaintext key; default: `sk-or-v1-` + 64 random hex. */
  key?: string;
  name?: string;
  /** USD (number or decimal string); null/absent = no limit. */
  limit?: number | string | null;
  limitReset?: LimitReset | null;
  includeByokInLimit?: boolean;
  disabled?: boolean;
  /** A management ("provisioning") key: can call /keys and /credits, gets 401 on chat. */
  management?: boolean;
  /** ISO-8601 UTC; a key past it answers 401. */
  expiresAt?: string | null;
}

export interface SimKey {
  readonly key: string;
  /** 64 hex: SHA-256 of the key. OpenRouter's real derivation is unknown (it is not SHA-256). */
  readonly hash: string;
  /** `sk-or-v1-` + first 3 hex + `...` + last 3 hex, as OpenRouter shows keys. */
  readonly label: string;
  name: string;
  management: boolean;
  disabled: boolean;
  limitNano: bigint | null;
  limitReset: LimitReset | null;
  includeByokInLimit: boolean;
  createdAt: string;
  updatedAt: string | null;
  expiresAt: string | null;
  creatorUserId: string | null;
  workspaceId: string;
  readonly seq: number;
  usage: UsageCounters;
}

interface UsageCounters {
  totalNano: bigint;
  day: number;
  dayNano: bigint;
  week: number;
  weekNano: bigint;
  month: number;
  monthNano: bigint;
}

export type ChargeOutcome = "completed" | "cancelled" | "dropped" | "error";

export interface LedgerEntry {
  /** 1, 2, 3…: the order charges happened in. */
  seq: number;
  at: string;
  generationId: string;
  keyHash: string;
  keyName: string;
  /** The request's `user` (→ `external_user` on /generation), or null. */
  user: string | null;
  model: string;
  provider: string;
  promptTokens: number;
  completionTokens: number;
  /** What OpenRouter charged: the exact decimal text (= /generation `total_cost`). */
  costUsd: string;
  costNano: bigint;
  /**
   * The `usage.cost` text the client was sent, or null if it was sent none (no-usage fault,
   * mid-stream error, dropped or cancelled stream). Equals `costUsd` unless a low-stream-cost case.
   */
  reportedCostUsd: string | null;
  streamed: boolean;
  /** The generation was stopped early by a client abort (cancellable provider: partial charge). */
  cancelled: boolean;
  /** What happened to the response: completed, cancelled (client left), dropped (fault), error (mid-stream). */
  outcome: ChargeOutcome;
}

type StoredEntry = Omit<LedgerEntry, "at"> & { atMs: number };

export interface LedgerFilter {
  keyHash?: string;
  /** A plaintext key (matched by its hash). */
  key?: string;
  /** The request's `user`; `null` selects charges sent without one. */
  user?: string | null;
  model?: string;
}

export interface GenerationRecord {
  id: string;
  keyHash: string;
  model: string;
  provider: string;
  createdAtMs: number;
  /** /generation answers 404 until this time (ms). */
  availableAtMs: number;
  streamed: boolean;
  cancelled: boolean;
  finishReason: string | null;
  nativeFinishReason: string | null;
  promptTokens: number;
  completionTokens: number;
  costUsd: string;
  latencyMs: number;
  generationTimeMs: number;
  user: string | null;
  sessionId: string | null;
  httpReferer: string | null;
  appTitle: string | null;
  userAgent: string | null;
}

const DAY_MS = 86_400_000;

/** UTC day number, Monday-based week number (1970-01-01 was a Thursday), and year*12+month. */
let cachedDay = -1;
let cachedMonth = 0;
function periodsOf(nowMs: number): { day: number; week: number; month: number } {
  const day = Math.floor(nowMs / DAY_MS);
  if (day !== cachedDay) {
    const date = new Date(day * DAY_MS);
    cachedMonth = date.getUTCFullYear() * 12 + date.getUTCMonth();
    cachedDay = day;
  }
  return { day, week: Math.floor((day + 3) / 7), month: cachedMonth };
}

function maskKey(key: string): string {
  const body = key.startsWith("sk-or-v1-") ? key.slice("sk-or-v1-".length) : key;
  return `sk-or-v1-${body.slice(0, 3)}...${body.slice(-3)}`;
}

function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export class SimState {
  readonly keysByKey = new Map<string, SimKey>();
  readonly keysByHash = new Map<string, SimKey>();
  readonly generations = new Map<string, GenerationRecord>();
  /** Generation ids in the order they were charged (from generationHead on): what to forget first. */
  private generationOrder: string[] = [];
  private generationHead = 0;
  /** Ledger entries as stored (`at` is formatted only when read). */
  readonly entries: StoredEntry[] = [];
  readonly workspaceId = randomUUID();
  creditsNano: bigint;
  accountUsageNano = 0n;
  private seq = 0;
  private charges = 0;

  constructor(
    readonly now: () => number,
    creditsUsd: number | string,
    readonly userId: string,
    readonly maxGenerations: number,
    /** The ledger keeps the latest this many entries (default: all); totals per key stay exact. */
    readonly maxLedgerEntries = Number.POSITIVE_INFINITY,
  ) {
    this.creditsNano = usdToNano(creditsUsd);
  }

  addKey(input: SimKeyInput = {}): SimKey {
    const key = input.key ?? `sk-or-v1-${randomBytes(32).toString("hex")}`;
    if (this.keysByKey.has(key)) throw new Error("That key already exists in the simulator");
    const hash = hashKey(key);
    const at = new Date(this.now()).toISOString();
    const record: SimKey = {
      key,
      hash,
      label: maskKey(key),
      name: input.name ?? (input.management ? "Management key" : "Simulator key"),
      management: input.management ?? false,
      disabled: input.disabled ?? false,
      limitNano: input.limit === undefined || input.limit === null ? null : usdToNano(input.limit),
      limitReset: input.limitReset ?? null,
      includeByokInLimit: input.includeByokInLimit ?? false,
      createdAt: at,
      updatedAt: null,
      expiresAt: input.expiresAt ?? null,
      creatorUserId: this.userId,
      workspaceId: this.workspaceId,
      seq: ++this.seq,
      usage: { totalNano: 0n, day: 0, dayNano: 0n, week: 0, weekNano: 0n, month: 0, monthNano: 0n },
    };
    this.keysByKey.set(key, record);
    this.keysByHash.set(hash, record);
    return record;
  }

  deleteKey(record: SimKey): void {
    this.keysByKey.delete(record.key);
    this.keysByHash.delete(record.hash);
  }

  /** Usage in the current daily/weekly/monthly windows (UTC), rolling counters over lazily. */
  currentUsage(record: SimKey): { total: bigint; daily: bigint; weekly: bigint; monthly: bigint } {
    const p = periodsOf(this.now());
    const u = record.usage;
    return {
      total: u.totalNano,
      daily: u.day === p.day ? u.dayNano : 0n,
      weekly: u.week === p.week ? u.weekNano : 0n,
      monthly: u.month === p.month ? u.monthNano : 0n,
    };
  }

  /**
   * Sets a key's usage in the current UTC day, week and month (what it was charged before this
   * simulator started: it keeps nothing across restarts). The total is at least the month.
   */
  setUsage(record: SimKey, usage: { dailyNano: bigint; weeklyNano: bigint; monthlyNano: bigint }): void {
    const p = periodsOf(this.now());
    const u = record.usage;
    u.day = p.day;
    u.dayNano = usage.dailyNano;
    u.week = p.week;
    u.weekNano = usage.weeklyNano;
    u.month = p.month;
    u.monthNano = usage.monthlyNano;
    if (u.totalNano < usage.monthlyNano) u.totalNano = usage.monthlyNano;
  }

  /** limit − usage in the limit's reset window; null for unlimited keys. */
  limitRemaining(record: SimKey): bigint | null {
    if (record.limitNano === null) return null;
    const usage = this.currentUsage(record);
    const used =
      record.limitReset === "daily"
        ? usage.daily
        : record.limitReset === "weekly"
          ? usage.weekly
          : record.limitReset === "monthly"
            ? usage.monthly
            : usage.total;
    return record.limitNano - used;
  }

  balanceNano(): bigint {
    return this.creditsNano - this.accountUsageNano;
  }

  /**
   * Records one charge: ledger entry, key and account counters, and the generation /generation
   * will serve once `generationDelayMs` has passed. Allocation-light: it runs on every request.
   */
  charge(
    record: SimKey,
    entry: Omit<LedgerEntry, "seq" | "at" | "keyHash" | "keyName" | "costUsd">,
    generation: Omit<GenerationRecord, "costUsd" | "availableAtMs" | "createdAtMs">,
    generationDelayMs: number,
    /** The decimal text of entry.costNano when the caller already has it. */
    costUsd: string = usdText(entry.costNano),
  ): void {
    const nowMs = this.now();
    const cost = entry.costNano;
    this.entries.push({
      seq: ++this.charges,
      atMs: nowMs,
      generationId: entry.generationId,
      keyHash: record.hash,
      keyName: record.name,
      user: entry.user,
      model: entry.model,
      provider: entry.provider,
      promptTokens: entry.promptTokens,
      completionTokens: entry.completionTokens,
      costUsd,
      costNano: cost,
      reportedCostUsd: entry.reportedCostUsd,
      streamed: entry.streamed,
      cancelled: entry.cancelled,
      outcome: entry.outcome,
    });
    // A bounded ledger (a long benchmark): trimmed by half its bound at a time, so the cost per
    // charge stays constant and the heap does not grow with every request served.
    if (this.entries.length >= 2 * this.maxLedgerEntries) this.entries.splice(0, this.entries.length - this.maxLedgerEntries);
    this.accountUsageNano += cost;
    const p = periodsOf(nowMs);
    const u = record.usage;
    u.totalNano += cost;
    if (u.day !== p.day) {
      u.day = p.day;
      u.dayNano = 0n;
    }
    if (u.week !== p.week) {
      u.week = p.week;
      u.weekNano = 0n;
    }
    if (u.month !== p.month) {
      u.month = p.month;
      u.monthNano = 0n;
    }
    u.dayNano += cost;
    u.weekNano += cost;
    u.monthNano += cost;
    const g = generation as GenerationRecord;
    g.costUsd = costUsd;
    g.createdAtMs = nowMs - generation.generationTimeMs;
    g.availableAtMs = nowMs + generationDelayMs;
    this.generations.set(g.id, g);
    // Bounded so a long benchmark cannot exhaust memory, oldest first — from a queue of ids of our
    // own: a Map's keys().next() after many deletions at its front walks past every deleted slot
    // until the table is rebuilt, which made each charge slower than the last (the benchmark's
    // simulator went from 25,000 to 3,500 requests/s over six rounds).
    this.generationOrder.push(g.id);
    while (this.generations.size > this.maxGenerations && this.generationHead < this.generationOrder.length) {
      this.generations.delete(this.generationOrder[this.generationHead++]!);
    }
    if (this.generationHead > 65_536 && this.generationHead * 2 > this.generationOrder.length) {
      this.generationOrder = this.generationOrder.slice(this.generationHead);
      this.generationHead = 0;
    }
  }

  ledger(filter: LedgerFilter = {}): LedgerEntry[] {
    const hash = filter.keyHash ?? (filter.key === undefined ? undefined : hashKey(filter.key));
    return this.entries
      .filter(
        (e) =>
          (hash === undefined || e.keyHash === hash) &&
          (filter.user === undefined || e.user === filter.user) &&
          (filter.model === undefined || e.model === filter.model),
      )
      .map(({ atMs, seq, ...rest }) => ({ seq, at: new Date(atMs).toISOString(), ...rest }));
  }
}

export function sumNano(entries: readonly { costNano: bigint }[]): bigint {
  let total = 0n;
  for (const e of entries) total += e.costNano;
  return total;
}
