// Output for people (aligned tables, plain sentences) or for scripts (--json: one JSON document on
// stdout; bigint money as decimal strings, dates as ISO-8601), on the current run's stdout.
import { cliIo } from "./io";

function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}

/** Text as it is, e.g. a CSV document. */
export function write(text: string): void {
  cliIo().stdout.write(text);
}

export function printJson(value: unknown): void {
  write(`${toJson(value)}\n`);
}

/** A plain table: a header row, then rows, columns padded to their widest cell. */
export function printTable(headers: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  write(`${line(headers)}\n`);
  for (const row of rows) write(`${line(row)}\n`);
}
