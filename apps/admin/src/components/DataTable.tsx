// A table whose columns sort by clicking (or Enter/Space on) their header; aria-sort tells which.
// Sorting compares the column's sort value (numbers, bigints — money — or strings), never the
// formatted text. Every table sits in a TableRegion: a table wider than the screen (a phone's)
// scrolls inside it, not the page, and the keyboard reaches that scroll (axe
// scrollable-region-focusable).
import { useMemo, useState, type ReactNode } from "react";

export interface Column<T> {
  key: string;
  header: string;
  cell: (row: T) => ReactNode;
  sortValue?: (row: T) => string | number | bigint | null;
  align?: "left" | "right";
}

function compare(a: string | number | bigint | null, b: string | number | bigint | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === "string" && typeof b === "string") return a.localeCompare(b);
  return a < b ? -1 : 1;
}

/**
 * The scroll box of a table: focusable (tabIndex 0, so arrow keys scroll it) and a named region,
 * since a focusable element needs a name and a role that says what it is.
 */
export function TableRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}

export interface DataTableProps<T> {
  rows: readonly T[];
  columns: readonly Column<T>[];
  rowKey: (row: T) => string;
  caption: string;
  initialSort?: { key: string; direction: "asc" | "desc" };
  footer?: ReactNode;
}

export function DataTable<T>({ rows, columns, rowKey, caption, initialSort, footer }: DataTableProps<T>) {
  const [sort, setSort] = useState(initialSort ?? null);
  const sorted = useMemo(() => {
    const column = sort && columns.find((c) => c.key === sort.key);
    if (!column?.sortValue || !sort) return rows;
    const value = column.sortValue;
    const out = [...rows].sort((a, b) => compare(value(a), value(b)));
    return sort.direction === "desc" ? out.reverse() : out;
  }, [rows, columns, sort]);

  return (
    <TableRegion label={caption}>
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => {
              const active = sort?.key === c.key;
              const ariaSort = active ? (sort.direction === "asc" ? "ascending" : "descending") : c.sortValue ? "none" : undefined;
              return (
                <th key={c.key} scope="col" aria-sort={ariaSort} className={c.align === "right" ? "num" : undefined}>
                  {c.sortValue ? (
                    <button
                      type="button"
                      className="sort-button"
                      onClick={() => setSort({ key: c.key, direction: active && sort.direction === "desc" ? "asc" : "desc" })}
                    >
                      {c.header}
                      <span aria-hidden="true" className="sort-indicator">
                        {active ? (sort.direction === "asc" ? "▲" : "▼") : "↕"}
                      </span>
                    </button>
                  ) : (
                    c.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {sorted.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((c) => (
                <td key={c.key} className={c.align === "right" ? "num" : undefined}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
        {footer ? <tfoot>{footer}</tfoot> : null}
      </table>
    </TableRegion>
  );
}
