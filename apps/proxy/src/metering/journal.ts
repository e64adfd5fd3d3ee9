// The request journal: how a proxy that crashes still bills what OpenRouter charged.
//
// The usage event of a request exists only once the request ends; a proxy killed mid-stream (or
// mid-answer) loses it, while OpenRouter has charged the generation. So as soon as a request's
// generation id is known (the `X-Generation-Id` response header, or the first chunk's id), the
// handler writes an "open" record: everything the usage event needs except what only OpenRouter
// knows (cost, tokens, provider) — never the key. The usage event closes it once it is *durable*
// (accepted by the API, or fsynced into a spool segment, or dead-lettered: the recorder's onDurable).
// On start, every record a previous process left open is settled from `GET /generation` with the
// organisation's key (internal.resolveOrganization) and recorded through the normal recorder —
// idempotent by generation id, so a record whose event did reach the API is harmless.
//
// Format. Files `journal-<ms>-<seq>.ndjson` in the spool directory (MAI_PROXY_SPOOL_DIR, one per
// proxy process), 0600, one JSON object per line: `{"t":"open", generationId, organizationId,
// userId, externalUserId, model, markupBp, streamed, occurredAt}` or `{"t":"close", generationId}`.
// A record is open when a file holds its open line and no file holds its close line. A torn last
// line (the crash hit a write) is skipped.
//
// Durability: group commit. open()/close() are synchronous: a map update and a queued line, no I/O.
// One writer appends whatever has queued, at most every writeIntervalMs (default 2 ms; one write in
// flight), and one syncer fdatasyncs what was written, at most every syncIntervalMs (default 20 ms;
// one in flight; whatever was written meanwhile shares the next). A *process* crash (SIGKILL, OOM, a
// fatal bug) loses only lines not yet written — queued within the last couple of milliseconds:
// written lines are in the kernel's page cache, which outlives the process. A *machine* crash can
// lose the last unsynced ~20 ms too. Spacing the fsyncs matters: back to back, on a slow virtual
// disk, they cost the machine more than the proxy's whole request path (measured on the benchmark).
//
// Forwarding does NOT wait for the open record to be written (let alone fsynced). Holding the
// answer back would not protect the charge: OpenRouter started generating (and charging) when it
// sent its headers, whether or not the client sees a byte; the only window is between those
// headers and our write, and it is the same with or without a wait. So waiting would only add
// latency. What falls into that window — and a non-streamed request whose headers had not arrived
// (OpenRouter sends a non-streamed answer's headers with the answer, except when it pads a slow
// answer with whitespace keep-alives) — cannot be found again from here: no id, and OpenRouter has
// no lookup by user or time. Key-level reconciliation (the API compares OpenRouter's per-key usage
// with what was recorded) shows it as unmetered usage.
//
// Compaction: when the current file passes maxFileBytes, a new file is started with the records
// still open (a snapshot), fsynced, and the older files are deleted. At a clean shutdown with
// nothing open, the file is deleted.
import { mkdir, open, readdir, readFile, unlink, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { usdToNano, type UsageEvent } from "@mai/domain";
import { pino, type Logger } from "pino";

/** What the usage event of a request needs, known when its generation id is. Never the key. */
export interface JournalEntry {
  generationId: string;
  organizationId: string;
  userId: string;
  externalUserId: string;
  /** The model asked for (the event takes /generation's when it has one). */
  model: string;
  markupBp: number;
  streamed: boolean;
  occurredAt: Date;
}

const FILE_NAME = /^journal-(\d+)-(\d+)\.ndjson$/;

function compareNames(a: string, b: string): number {
  const ma = FILE_NAME.exec(a)!;
  const mb = FILE_NAME.exec(b)!;
  return Number(ma[1]) - Number(mb[1]) || Number(ma[2]) - Number(mb[2]);
}

function openLine(e: JournalEntry): string {
  return (
    JSON.stringify({
      t: "open",
      generationId: e.generationId,
      organizationId: e.organizationId,
      userId: e.userId,
      externalUserId: e.externalUserId,
      model: e.model,
      markupBp: e.markupBp,
      streamed: e.streamed,
      occurredAt: e.occurredAt.toISOString(),
    }) + "\n"
  );
}

function closeLine(generationId: string): string {
  return JSON.stringify({ t: "close", generationId }) + "\n";
}

function parseOpen(record: Record<string, unknown>): JournalEntry | null {
  const { generationId, organizationId, userId, externalUserId, model, markupBp, streamed, occurredAt } = record;
  if (
    typeof generationId !== "string" ||
    typeof organizationId !== "string" ||
    typeof userId !== "string" ||
    typeof externalUserId !== "string" ||
    typeof model !== "string" ||
    typeof markupBp !== "number" ||
    typeof streamed !== "boolean" ||
    typeof occurredAt !== "string"
  )
    return null;
  const at = new Date(occurredAt);
  if (Number.isNaN(at.getTime())) return null;
  return { generationId, organizationId, userId, externalUserId, model, markupBp, streamed, occurredAt: at };
}

/**
 * The records the journal files in `dir` leave open (oldest file first; an id opened twice counts
 * once), and how many lines could not be read. Also what the crash test reads.
 */
export async function readJournal(dir: string): Promise<{ files: string[]; open: Map<string, JournalEntry>; corrupt: number }> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => FILE_NAME.test(n)).sort(compareNames);
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return { files: [], open: new Map(), corrupt: 0 };
    throw error;
  }
  const opened = new Map<string, JournalEntry>();
  const closed = new Set<string>();
  let corrupt = 0;
  for (const name of names) {
    let text: string;
    try {
      text = await readFile(path.join(dir, name), "utf8");
    } catch (error) {
      if ((error as { code?: unknown }).code === "ENOENT") continue; // compacted meanwhile
      throw error;
    }
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        corrupt += 1;
        continue;
      }
      if (typeof record !== "object" || record === null) {
        corrupt += 1;
        continue;
      }
      const r = record as Record<string, unknown>;
      if (r.t === "close" && typeof r.generationId === "string") closed.add(r.generationId);
      else if (r.t === "open") {
        const entry = parseOpen(r);
        if (entry) opened.set(entry.generationId, entry);
        else corrupt += 1;
      } else corrupt += 1;
    }
  }
  for (const id of closed) opened.delete(id);
  return { files: names, open: opened, corrupt };
}

export interface JournalStats {
  /** Records open now (requests in flight, events not yet durable, recovered ones not yet settled). */
  open: number;
  /** Lines written, write calls, fdatasync calls (group commit: many lines per call). */
  lines: number;
  writes: number;
  syncs: number;
  compactions: number;
  /** Write or sync failures (logged; the journal keeps trying). */
  failures: number;
}

export interface RequestJournal {
  /** Synchronous and I/O-free: the record is queued for the next group write. */
  open(entry: JournalEntry): void;
  /** The request's usage event is durable (or the request is settled otherwise). Idempotent. */
  close(generationId: string): void;
  /** Records a previous process left open, read at start (the recovery settles them). */
  readonly recovered: readonly JournalEntry[];
  isOpen(generationId: string): boolean;
  /** Resolves once everything queued before the call is written and fsynced. */
  flush(): Promise<void>;
  /** Final flush; deletes the file when nothing is open. */
  shutdown(): Promise<void>;
  stats(): JournalStats;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 200) : String(error).slice(0, 200);
}

export async function createRequestJournal(options: {
  dir: string;
  logger?: Logger;
  maxFileBytes?: number;
  /** Queued lines are written at most this often (default 2 ms). */
  writeIntervalMs?: number;
  /** Written lines are fdatasynced at most this often (default 20 ms). */
  syncIntervalMs?: number;
}): Promise<RequestJournal> {
  const { dir } = options;
  const log = (options.logger ?? pino({ enabled: false })).child({ component: "request-journal" });
  const maxFileBytes = options.maxFileBytes ?? 8 * 1024 * 1024;
  const writeIntervalMs = options.writeIntervalMs ?? 2;
  const syncIntervalMs = options.syncIntervalMs ?? 20;
  await mkdir(dir, { recursive: true, mode: 0o700 });

  // Start: what the previous process left open becomes the first snapshot of a new file.
  const previous = await readJournal(dir);
  if (previous.corrupt > 0) log.warn({ corrupt: previous.corrupt }, "skipped unreadable journal lines (a write cut by a crash)");
  const entries = new Map(previous.open);
  let seq = 0;

  async function createFile(initial: string): Promise<{ handle: FileHandle; name: string; bytes: number }> {
    for (;;) {
      const name = `journal-${Date.now()}-${seq++}.ndjson`;
      let handle: FileHandle;
      try {
        handle = await open(path.join(dir, name), "ax", 0o600);
      } catch (error) {
        if ((error as { code?: unknown }).code === "EEXIST") continue;
        throw error;
      }
      if (initial.length > 0) await handle.write(initial);
      await handle.datasync();
      await syncDir();
      return { handle, name, bytes: Buffer.byteLength(initial) };
    }
  }

  async function syncDir(): Promise<void> {
    try {
      const d = await open(dir, "r");
      try {
        await d.sync();
      } finally {
        await d.close();
      }
    } catch {
      // best effort (not every platform can fsync a directory)
    }
  }

  const snapshot = () => {
    let text = "";
    for (const entry of entries.values()) text += openLine(entry);
    return text;
  };

  let current = await createFile(snapshot());
  for (const name of previous.files) await unlink(path.join(dir, name)).catch(() => undefined);
  const recovered = [...entries.values()];
  if (recovered.length > 0) log.warn({ open: recovered.length }, "a previous run left generations open in the request journal; settling them from OpenRouter");

  let pending: string[] = [];
  let pendingSeq = 0; // lines queued so far
  let writtenSeq = 0;
  let syncedSeq = 0;
  let writing: Promise<void> | null = null;
  let writeScheduled = false;
  let syncing: Promise<void> | null = null;
  let lastSyncAt = 0;
  let stopped = false;
  const waiters: { seq: number; resolve: () => void }[] = [];
  const stats = { lines: 0, writes: 0, syncs: 0, compactions: 0, failures: 0 };

  function release(): void {
    for (let i = waiters.length - 1; i >= 0; i -= 1) {
      const w = waiters[i]!;
      if (w.seq <= syncedSeq) {
        waiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  function enqueue(line: string): void {
    pending.push(line);
    pendingSeq += 1;
    if (!writing && !writeScheduled) {
      writeScheduled = true;
      setTimeout(startWrite, writeIntervalMs);
    }
  }

  function startWrite(): void {
    writeScheduled = false;
    if (writing || pending.length === 0) return;
    writing = writeLoop().finally(() => {
      writing = null;
      if (pending.length > 0 && !writeScheduled) {
        writeScheduled = true;
        // After a failure, do not spin: try again a little later.
        setTimeout(startWrite, stats.failures > 0 ? 50 : writeIntervalMs);
      }
    });
  }

  async function writeLoop(): Promise<void> {
    while (pending.length > 0) {
      const lines = pending;
      const upTo = pendingSeq;
      pending = [];
      const data = lines.join("");
      try {
        if (current.bytes + data.length > maxFileBytes) await compact(data);
        else {
          await current.handle.write(data);
          current.bytes += Buffer.byteLength(data);
        }
      } catch (error) {
        // Kept in memory and tried again; entries themselves are never lost from the map.
        pending = lines.concat(pending);
        stats.failures += 1;
        log.error({ err: describe(error) }, "cannot write the request journal; retrying");
        return;
      }
      stats.lines += lines.length;
      stats.writes += 1;
      writtenSeq = upTo;
      requestSync();
    }
  }

  /** A new file holding what is open now (plus the queued lines), fsynced before the old one goes. */
  async function compact(queued: string): Promise<void> {
    const old = current;
    const next = await createFile(snapshot() + queued);
    current = next;
    stats.compactions += 1;
    await syncing; // the old file's last sync (its content is in the snapshot anyway)
    await old.handle.close().catch(() => undefined);
    await unlink(path.join(dir, old.name)).catch(() => undefined);
  }

  function requestSync(): void {
    if (syncing) return;
    syncing = (async () => {
      while (syncedSeq < writtenSeq) {
        // Spaced: the lines written meanwhile share this fsync.
        const wait = lastSyncAt + syncIntervalMs - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        lastSyncAt = Date.now();
        const upTo = writtenSeq;
        try {
          await current.handle.datasync();
          stats.syncs += 1;
          syncedSeq = upTo;
          release();
        } catch (error) {
          stats.failures += 1;
          log.error({ err: describe(error) }, "cannot fsync the request journal; retrying");
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    })().finally(() => {
      syncing = null;
      if (syncedSeq < writtenSeq) requestSync();
    });
  }

  function flush(): Promise<void> {
    const target = pendingSeq;
    if (syncedSeq >= target) return Promise.resolve();
    return new Promise((resolve) => waiters.push({ seq: target, resolve }));
  }

  return {
    recovered,
    open(entry) {
      if (stopped) return;
      entries.set(entry.generationId, entry);
      enqueue(openLine(entry));
    },
    close(generationId) {
      if (!entries.delete(generationId)) return;
      if (!stopped) enqueue(closeLine(generationId));
    },
    isOpen: (generationId) => entries.has(generationId),
    flush,
    async shutdown() {
      await flush();
      stopped = true;
      await writing;
      await syncing;
      await current.handle.close().catch(() => undefined);
      if (entries.size === 0) await unlink(path.join(dir, current.name)).catch(() => undefined);
      else log.info({ open: entries.size }, "request journal closed with generations still open; the next start settles them");
    },
    stats: () => ({ open: entries.size, ...stats }),
  };
}

/** What recovery needs from the rest of the proxy. */
export interface RecoveryDeps {
  journal: RequestJournal;
  /** The organisation's OpenRouter key now (internal.resolveOrganization); null when it has none. */
  organizationKey: (organizationId: string) => Promise<string | null>;
  /** GET /generation with that key; throws (404 included) when it cannot answer. */
  generation: (generationId: string, key: string, signal: AbortSignal) => Promise<Record<string, unknown>>;
  /** The normal recorder: the event's durability closes the record (onDurable). */
  record: (event: UsageEvent) => void;
  logger?: Logger;
  now?: () => number;
  /** Lookups at once (default 8). */
  concurrency?: number;
  /** Backoff between attempts on one generation: from initialDelayMs doubling to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** A generation still unknown this long after its request is given up (default 24 h), logged. */
  giveUpAfterMs?: number;
}

export interface Recovery {
  /** Resolves once every recovered record was recorded or given up (or recovery was stopped). */
  done: Promise<void>;
  pending(): number;
  stop(): void;
}

/**
 * Settles the records a previous process left open: each from GET /generation (retried with
 * exponential backoff while OpenRouter does not know it yet — it answers 404 for a while after a
 * generation ends, and a non-streamed generation cut from its client runs to its end first), then
 * recorded as an "incomplete" event (the proxy never saw its end) with no reservation to release:
 * the crashed process's leases expire on their own.
 */
export function settleRecovered(deps: RecoveryDeps): Recovery {
  const log = (deps.logger ?? pino({ enabled: false })).child({ component: "journal-recovery" });
  const now = deps.now ?? Date.now;
  const concurrency = deps.concurrency ?? 8;
  const initialDelayMs = deps.initialDelayMs ?? 500;
  const maxDelayMs = deps.maxDelayMs ?? 5 * 60_000;
  const giveUpAfterMs = deps.giveUpAfterMs ?? 24 * 60 * 60_000;
  const stopper = new AbortController();
  let active = 0;
  const slots: (() => void)[] = [];
  let left = deps.journal.recovered.length;
  const keys = new Map<string, Promise<string | null>>();

  const acquire = async () => {
    if (active < concurrency) {
      active += 1;
      return;
    }
    await new Promise<void>((resolve) => slots.push(resolve));
  };
  const releaseSlot = () => {
    const next = slots.shift();
    if (next) next();
    else active -= 1;
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        stopper.signal.removeEventListener("abort", wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      stopper.signal.addEventListener("abort", wake, { once: true });
    });
  const keyOf = (organizationId: string) => {
    let key = keys.get(organizationId);
    if (!key) {
      key = deps.organizationKey(organizationId);
      keys.set(organizationId, key);
      // A failed or missing key is asked again next time (the API may be away, the key set later).
      key.then((k) => k === null && keys.delete(organizationId), () => keys.delete(organizationId));
    }
    return key;
  };

  async function settleOne(entry: JournalEntry): Promise<void> {
    let delay = initialDelayMs;
    for (let attempt = 1; !stopper.signal.aborted; attempt += 1) {
      if (!deps.journal.isOpen(entry.generationId)) return; // settled meanwhile
      await acquire();
      let reason: string;
      try {
        const key = await keyOf(entry.organizationId);
        if (key === null) reason = "the organisation has no OpenRouter key";
        else {
          const g = await deps.generation(entry.generationId, key, stopper.signal);
          const cost = g.total_cost;
          if (typeof cost === "number") {
            const count = (v: unknown) => (typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : 0);
            deps.record({
              generationId: entry.generationId,
              organizationId: entry.organizationId,
              userId: entry.userId,
              externalUserId: entry.externalUserId,
              model: typeof g.model === "string" && g.model.length > 0 && g.model.length <= 300 ? g.model : entry.model,
              provider: typeof g.provider_name === "string" ? g.provider_name.slice(0, 200) : null,
              promptTokens: count(g.native_tokens_prompt),
              completionTokens: count(g.native_tokens_completion),
              reasoningTokens: count(g.native_tokens_reasoning),
              cachedTokens: count(g.native_tokens_cached),
              rawCostNano: usdToNano(cost),
              markupBp: entry.markupBp,
              status: "incomplete",
              streamed: entry.streamed,
              latencyMs: null,
              ttfbMs: null,
              occurredAt: entry.occurredAt,
              release: null,
            });
            log.info({ generationId: entry.generationId, attempts: attempt }, "journal record settled from /generation");
            return;
          }
          reason = "no total_cost yet";
        }
      } catch (error) {
        reason = describe(error);
      } finally {
        releaseSlot();
      }
      if (now() - entry.occurredAt.getTime() > giveUpAfterMs) {
        log.error({ generationId: entry.generationId, organizationId: entry.organizationId, attempts: attempt, reason }, "gave up settling a journal record: OpenRouter does not know the generation; key-level reconciliation will show its charge as unmetered usage");
        deps.journal.close(entry.generationId);
        return;
      }
      log.debug({ generationId: entry.generationId, attempt, reason, retryInMs: delay }, "journal record not settled yet");
      await sleep(delay);
      delay = Math.min(maxDelayMs, delay * 2);
    }
  }

  const done = Promise.all(
    deps.journal.recovered.map((entry) =>
      settleOne(entry)
        .catch((error: unknown) => log.error({ generationId: entry.generationId, err: describe(error) }, "journal recovery failed unexpectedly"))
        .finally(() => (left -= 1)),
    ),
  ).then(() => undefined);
  return { done, pending: () => left, stop: () => stopper.abort() };
}
