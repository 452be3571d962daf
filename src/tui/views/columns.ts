/**
 * The event list's columns for a terminal width: fixed columns first (number, time, process,
 * event), then the endpoints and the summary share what is left. Everything here is text in,
 * text out, so a row is one padded string and the list renders one <Text> per row.
 */
import { terminalText } from '../../core/terminal-text.ts';
import { clockTime } from '../../format/time.ts';

export interface Columns {
  number: number;
  /** Digits of the second's fraction shown (9 in the detail pane, fewer in the list). */
  timeDigits: number;
  time: number;
  /** 0 when the capture has no process context: the column would be empty. */
  process: number;
  event: number;
  flow: number;
  info: number;
}

export interface RowFields {
  number: string;
  time: string;
  process: string;
  event: string;
  flow: string;
  info: string;
}

/** "dns_resp" is the longest short event label. */
const EVENT_WIDTH = 8;
/** Below this the flow column would cut every IPv4 endpoint. */
const MIN_FLOW = 20;

/** `marks`: room for a one-character mark before the number (rows that triggered a finding). */
export function layoutColumns(width: number, hasProcess: boolean, lastNumber: number, longestFlow: number, marks = false): Columns {
  const number = Math.max(3, String(lastNumber).length) + (marks ? 1 : 0);
  const timeDigits = width >= 100 ? 6 : 3;
  const time = 9 + timeDigits;
  const process = hasProcess ? (width >= 120 ? 20 : width >= 100 ? 14 : 10) : 0;
  const fixed = number + 1 + time + 1 + (process > 0 ? process + 1 : 0) + EVENT_WIDTH + 1;
  const rest = Math.max(0, width - fixed);
  // The endpoints get what they need up to 65% of the rest (a whole IPv4 flow at 80 columns);
  // the summary takes the remainder.
  const flow = Math.min(Math.max(longestFlow, MIN_FLOW), Math.max(MIN_FLOW, Math.floor(rest * 0.65)), rest);
  return { number, timeDigits, time, process, event: EVENT_WIDTH, flow, info: Math.max(0, rest - flow - 1) };
}

/** HH:MM:SS with `digits` of the fraction (UTC, exact: cut from the nanosecond text). */
export function shortTime(ns: bigint, digits: number): string {
  const full = clockTime(ns);
  return full.slice(0, 9 + digits);
}

export function formatRow(cols: Columns, f: RowFields): string {
  const parts = [fit(f.number, cols.number, 'right'), fit(f.time, cols.time)];
  if (cols.process > 0) parts.push(fit(f.process, cols.process));
  parts.push(fit(f.event, cols.event), fit(f.flow, cols.flow), fit(f.info, cols.info));
  return parts.join(' ');
}

export function headerRow(cols: Columns): string {
  return formatRow(cols, { number: 'No.', time: 'Time (UTC)', process: 'Process', event: 'Event', flow: 'Source → Destination', info: 'Summary' });
}

/**
 * `text` cut or padded to exactly `width` characters; a cut ends with "…". Names and TXT strings
 * come from the capture: control and bidi characters are escaped first (core/terminal-text.ts).
 */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const clean = terminalText(text);
  const chars = [...clean];
  if (chars.length > width) return width === 1 ? '…' : chars.slice(0, width - 1).join('') + '…';
  const pad = ' '.repeat(width - chars.length);
  return align === 'right' ? pad + clean : clean + pad;
}
