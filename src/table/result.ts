/**
 * A query's result, whichever engine ran it (DuckDB here, ClickHouse for a fleet), and its three
 * renderings: an aligned table for a person (every cell through terminalText: names come from
 * the input), CSV (RFC 4180) and JSON lines (64-bit integers exact).
 */
import { terminalText } from '../core/terminal-text.ts';

export type Cell = string | number | bigint | boolean | null | Cell[] | { [key: string]: Cell };

export interface QueryResult {
  columns: string[];
  rows: Cell[][];
}

export const RESULT_FORMATS = ['table', 'csv', 'json'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

/** JSON text of a cell: bigints as exact integers. */
export function jsonCell(c: Cell): string {
  if (typeof c === 'bigint') return c.toString();
  if (c === null || typeof c !== 'object') return JSON.stringify(c);
  if (Array.isArray(c)) return `[${c.map(jsonCell).join(',')}]`;
  return `{${Object.entries(c)
    .map(([k, v]) => `${JSON.stringify(k)}:${jsonCell(v)}`)
    .join(',')}}`;
}

function textCell(c: Cell): string {
  if (c === null) return '';
  if (typeof c === 'object') return jsonCell(c);
  return String(c);
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function renderResult(result: QueryResult, format: ResultFormat): string {
  switch (format) {
    case 'json':
      return result.rows.map((r) => `{${result.columns.map((name, i) => `${JSON.stringify(name)}:${jsonCell(r[i]!)}`).join(',')}}\n`).join('');
    case 'csv':
      return [result.columns, ...result.rows.map((r) => r.map(textCell))].map((cells) => `${cells.map(csvField).join(',')}\r\n`).join('');
    case 'table': {
      const cells = [result.columns, ...result.rows.map((r) => r.map(textCell))].map((line) => line.map((t) => terminalText(t)));
      const widths = result.columns.map((_, i) => Math.max(...cells.map((line) => [...line[i]!].length)));
      return cells
        .map(
          (line) =>
            `${line
              .map((t, i) => (i === line.length - 1 ? t : t + ' '.repeat(widths[i]! - [...t].length)))
              .join('  ')
              .trimEnd()}\n`,
        )
        .join('');
    }
  }
}
