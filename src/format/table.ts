/**
 * format/table — aligned plain-text tables for terminals: every column padded to its widest cell
 * (counted in code points, so "µs" and "→" take one column each), columns joined by a gap, trailing
 * blanks trimmed. Colour, if any, is added by the caller after alignment (see columnWidths).
 */

const width = (s: string) => [...s].length;

/** The width of each column: its widest cell. */
export function columnWidths(rows: readonly (readonly string[])[]): number[] {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  return Array.from({ length: columns }, (_, c) => Math.max(0, ...rows.map((r) => width(r[c] ?? ''))));
}

/** One line per row, cells left-aligned to their column's width, joined by `gap`. */
export function alignColumns(rows: readonly (readonly string[])[], gap = '  '): string[] {
  const widths = columnWidths(rows);
  return rows.map((r) => r.map((cell, c) => cell + ' '.repeat(widths[c] - width(cell))).join(gap).trimEnd());
}
