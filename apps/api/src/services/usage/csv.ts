// RFC 4180 CSV, with a guard against formula injection: a spreadsheet opening the statement must
// never run a cell. Text that starts with = + - @ (or a tab / carriage return, which some
// spreadsheets skip before looking for a formula) is prefixed with a single quote (OWASP).
// Amounts are exact decimal strings and are written as they are: they are never negative, and a
// quote in front of a number would turn it into text.

const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell: injection-guarded, then quoted if it holds a comma, quote or line break. */
export function csvText(value: string | null | undefined): string {
  const text = value ?? "";
  return csvQuote(FORMULA_START.test(text) ? `'${text}` : text);
}

/** A numeric cell (digits and a point): written verbatim, quoted only if it somehow needs it. */
export function csvNumber(value: string | number | bigint): string {
  return csvQuote(String(value));
}

function csvQuote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Records joined with CRLF, the last one terminated too (RFC 4180 §2.1–2.2). */
export function csvDocument(rows: string[][]): string {
  return rows.map((cells) => `${cells.join(",")}\r\n`).join("");
}
