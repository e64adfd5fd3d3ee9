// The usage spool: where a usage event waits when the API cannot take it, so that it is never lost.
//
// Format. A spool directory (mode 0700) holds append-only segment files named
// `usage-<ms>-<seq>.ndjson` (<ms> = creation time, <seq> = a per-process counter; created with the
// exclusive flag, so two writers never share a file). Each line is one event in @mai/domain's
// usage-event line format — also internal.recordUsage's wire format: JSON, bigints as decimal strings
// (9007199254740993n must survive exactly), `occurredAt` as ISO-8601, optional fields absent when
// they were absent. Files are 0600.
//
// Durability. A segment is written once — `appendFile` of the whole batch, then `fsync` of the file
// and of the directory (so the new name survives a crash too) — and only then is the batch
// considered safe and dropped from memory. A failed live batch always goes to a new segment; a
// segment is never appended to after it was written, so its lines never move.
//
// Replay. Segments are read oldest first and sent in chunks; a segment is deleted only after every
// one of its events was accepted. A partially replayed segment is resent from its start after a
// restart (harmless: the API records idempotently by generation id).
//
// Corruption. A line that is not a JSON object with a string `generationId` (typically the torn last
// line of a segment being written when the process died) is skipped and counted, never thrown.
// Everything else is passed through as written: the API, not the spool, decides what is valid, and a
// malformed-but-parseable event is better rejected loudly (and dead-lettered) than silently dropped.
//
// Dead letters. Events the API refused as invalid are written to `rejected-<ms>-<seq>.ndjson` in the
// same format; those files are never replayed and are left for an operator.
import { mkdir, open, readdir, readFile, unlink } from "node:fs/promises";
import path from "node:path";
import { decodeUsageEventLine, encodeUsageEvent, encodeUsageEvents, type UsageEvent } from "@mai/domain";

type SegmentKind = "usage" | "rejected";

const SEGMENT_NAME = /^usage-(\d+)-(\d+)\.ndjson$/;

/** Oldest first: by creation time, then by sequence number (numerically, not as text). */
function compareSegmentNames(a: string, b: string): number {
  const ma = SEGMENT_NAME.exec(a);
  const mb = SEGMENT_NAME.exec(b);
  if (!ma || !mb) return a < b ? -1 : a > b ? 1 : 0;
  return Number(ma[1]) - Number(mb[1]) || Number(ma[2]) - Number(mb[2]);
}

function isSegmentName(name: string): boolean {
  return SEGMENT_NAME.test(name);
}

/** One event as one JSON line (no trailing newline): @mai/domain's usage-event line format. */
export const encodeEvent = encodeUsageEvent;
/** The inverse of encodeEvent; null for a corrupt line. */
export const decodeEvent = decodeUsageEventLine;
export const encodeEvents = encodeUsageEvents;

export function decodeEvents(text: string): { events: UsageEvent[]; corrupt: number } {
  const events: UsageEvent[] = [];
  let corrupt = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const event = decodeEvent(line);
    if (event) events.push(event);
    else corrupt += 1;
  }
  return { events, corrupt };
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}

/** File operations on one spool directory. Holds no events: the recorder owns all state. */
export class Spool {
  private seq = 0;

  constructor(readonly dir: string) {}

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  /** Replayable segments, oldest first. */
  async list(): Promise<string[]> {
    const names = await readdir(this.dir);
    return names.filter(isSegmentName).sort(compareSegmentNames);
  }

  /**
   * Writes a new segment and fsyncs it; resolves with its name only once the events are durable.
   * On failure nothing is left behind that could be replayed as a partial batch.
   */
  async write(kind: SegmentKind, events: readonly UsageEvent[]): Promise<string> {
    const data = encodeEvents(events);
    for (;;) {
      const name = `${kind}-${Date.now()}-${this.seq++}.ndjson`;
      const file = path.join(this.dir, name);
      let handle;
      try {
        handle = await open(file, "ax", 0o600);
      } catch (error) {
        if (isErrno(error, "EEXIST")) continue; // a previous run used this ms and seq
        throw error;
      }
      try {
        await handle.appendFile(data, "utf8");
        await handle.sync();
      } catch (error) {
        await handle.close().catch(() => undefined);
        // A half-written segment must not be replayed as if it were the batch: the batch stays in
        // memory and will be written whole again.
        await unlink(file).catch(() => undefined);
        throw error;
      }
      await handle.close();
      await this.syncDir();
      return name;
    }
  }

  async read(name: string): Promise<{ events: UsageEvent[]; corrupt: number }> {
    return decodeEvents(await readFile(path.join(this.dir, name), "utf8"));
  }

  /** Cheap count for statistics at start-up (non-empty lines; corrupt ones are found on replay). */
  async countLines(name: string): Promise<number> {
    const text = await readFile(path.join(this.dir, name), "utf8");
    let count = 0;
    for (const line of text.split("\n")) if (line.trim() !== "") count += 1;
    return count;
  }

  /** Deleting an already deleted segment is fine. No directory fsync: a resurrected segment is only resent. */
  async remove(name: string): Promise<void> {
    try {
      await unlink(path.join(this.dir, name));
    } catch (error) {
      if (!isErrno(error, "ENOENT")) throw error;
    }
  }

  private async syncDir(): Promise<void> {
    // Makes the new file's directory entry durable. Not every platform lets a directory be fsynced;
    // the file's own fsync already happened, so this is best effort.
    try {
      const dir = await open(this.dir, "r");
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch {
      // best effort
    }
  }
}
