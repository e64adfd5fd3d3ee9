// Output for people (aligned tables, plain sentences) or for scripts (--json: one JSON document on
// stdout; bigint money as decimal strings, dates as ISO-8601).
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${toJson(value)}\n`);
}

/** A plain table: a header row, then rows, columns padded to their widest cell. */
export function printTable(headers: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  process.stdout.write(`${line(headers)}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
}
