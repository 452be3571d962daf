/**
 * The event list's columns for a terminal width. Number and event are fixed; the endpoints get
 * the width of the widest flow seen (whole addresses and ports); the process column takes the
 * widest name up to PROCESS_MAX; the summary gets the rest. When the width does not hold them
 * all, the process column shrinks first, then the time's fraction, then the summary down to its
 * minimum, and only then the endpoints, cutting inside the address, never the port. A user can
 * hide any column but the number. Everything here is text in, text out, so a row is one padded
 * string and the list renders one <Text> per row.
 */
import { terminalText } from '../../core/terminal-text.ts';

export const COLUMN_NAMES = ['time', 'process', 'event', 'flow', 'info'] as const;
export type ColumnName = (typeof COLUMN_NAMES)[number];

/** The key that hides or shows each column (the columns prompt, `c`), and its title. */
export const COLUMN_KEYS: Readonly<Record<ColumnName, { key: string; title: string }>> = {
  time: { key: 't', title: 'time' },
  process: { key: 'p', title: 'process' },
  event: { key: 'e', title: 'event' },
  flow: { key: 'a', title: 'addresses' },
  info: { key: 's', title: 'summary' },
};

export interface Columns {
  number: number;
  /** Digits of the second's fraction shown (9 in the detail pane, fewer in the list). */
  timeDigits: number;
  /** 0: hidden (by the user, or the process column of a capture without process context). */
  time: number;
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

export interface ColumnInput {
  width: number;
  hasProcess: boolean;
  /** The largest packet number: the number column's width. */
  lastNumber: number;
  /** The widest endpoints text and process label seen so far (characters). */
  widestFlow: number;
  widestProcess: number;
  /** Room for a one-character mark before the number (rows that triggered a finding). */
  marks?: boolean;
  hidden?: ReadonlySet<ColumnName>;
  /** Time text width for a fraction of `digits` (a relative time is wider than a clock time). */
  timeWidth?: (digits: number) => number;
}

/** "dns_resp" is the longest short event label. */
const EVENT_WIDTH = 8;
/** Below this the flow column would cut every IPv4 endpoint. */
const MIN_FLOW = 20;
/** "172.16.17.1:41709→172.16.17.2:53": kept whole before the time's fraction goes. */
const FLOW_KEPT = 32;
const PROCESS_MAX = 28;
const PROCESS_MIN = 8;
/** The summary's width before it gives way to the other columns, and its least. */
const INFO_MIN = 16;
const INFO_FLOOR = 10;

export function layoutColumns(input: ColumnInput): Columns {
  const { width, hidden = new Set<ColumnName>() } = input;
  const shown = (c: ColumnName): boolean => !hidden.has(c);
  const timeWidth = input.timeWidth ?? ((digits: number) => (digits === 0 ? 8 : 9 + digits));
  const number = Math.max(3, String(input.lastNumber).length) + (input.marks === true ? 1 : 0);
  const event = shown('event') ? EVENT_WIDTH : 0;
  let timeDigits = width >= 160 ? 9 : width >= 100 ? 6 : 3;
  let process = input.hasProcess && shown('process') ? Math.min(PROCESS_MAX, Math.max(PROCESS_MIN, input.widestProcess)) : 0;
  const flowWanted = shown('flow') ? Math.max(MIN_FLOW, input.widestFlow) : 0;
  // fitFlow drops the spaces around the arrow before it cuts anything (2 characters for free),
  // and cuts inside addresses before the time loses its fraction: an IPv4 flow stays whole.
  const flowNeeded = shown('flow') ? Math.max(MIN_FLOW, Math.min(input.widestFlow - 2, FLOW_KEPT)) : 0;
  let infoMin = shown('info') ? INFO_MIN : 0;
  const used = (): number => {
    const time = shown('time') ? timeWidth(timeDigits) : 0;
    return [number, time, process, event, flowNeeded, infoMin].filter((w) => w > 0).reduce((sum, w) => sum + w + 1, -1);
  };
  // Shrink in order while the row is too wide: the process column, the summary's minimum, the
  // endpoints (inside the addresses), the time's fraction.
  while (used() > width && process > PROCESS_MIN) process--;
  while (used() > width && infoMin > INFO_FLOOR) infoMin--;
  while (used() > width && timeDigits > 0 && shown('time')) timeDigits = timeDigits === 9 ? 6 : timeDigits === 6 ? 3 : 0;
  const time = shown('time') ? timeWidth(timeDigits) : 0;
  const fixed = [number, time, process, event].filter((w) => w > 0).reduce((sum, w) => sum + w + 1, 0);
  const rest = Math.max(0, width - fixed);
  const flow = shown('flow') ? Math.max(0, Math.min(flowWanted, shown('info') ? rest - 1 - infoMin : rest)) : 0;
  const info = shown('info') ? Math.max(0, rest - (flow > 0 ? flow + 1 : 0)) : 0;
  return { number, timeDigits, time, process, event, flow, info };
}

export function formatRow(cols: Columns, f: RowFields): string {
  const parts = [fit(f.number, cols.number, 'right')];
  if (cols.time > 0) parts.push(fit(f.time, cols.time));
  if (cols.process > 0) parts.push(fit(f.process, cols.process));
  if (cols.event > 0) parts.push(fit(f.event, cols.event));
  if (cols.flow > 0) parts.push(fitFlow(f.flow, cols.flow));
  if (cols.info > 0) parts.push(fit(f.info, cols.info));
  return parts.join(' ');
}

export function headerRow(cols: Columns, timeTitle = 'Time (UTC)'): string {
  return formatRow(cols, { number: 'No.', time: timeTitle, process: 'Process', event: 'Event', flow: 'Source → Destination', info: 'Summary' });
}

/**
 * "src:port → dst:port" in exactly `width` characters. Too wide, it loses the spaces around the
 * arrow first, then the start of each address (the end of an address tells hosts of one network
 * apart), never a port: "…6e:a63d:71f:2f4::1]:37599→…2f4::2]:53".
 */
export function fitFlow(flow: string, width: number): string {
  if ([...flow].length <= width) return fit(flow, width);
  const ends = flow.split(' → ');
  if (ends.length !== 2) return fit(flow, width);
  const tight = ends.join('→');
  if ([...tight].length <= width) return fit(tight, width);
  const [src, dst] = ends.map(splitPort) as [[string, string], [string, string]];
  // What the two addresses may keep, shared in proportion to their lengths.
  const room = width - 1 - src[1].length - dst[1].length;
  const total = src[0].length + dst[0].length;
  if (room < 4) return fit(tight, width);
  const srcRoom = Math.max(2, Math.round((room * src[0].length) / total));
  const dstRoom = Math.max(2, room - srcRoom);
  return fit(`${cutStart(src[0], srcRoom)}${src[1]}→${cutStart(dst[0], dstRoom)}${dst[1]}`, width);
}

/** ["172.16.17.1", ":41709"], ["[fd6e::1]", ":53"], or [address, ""] without a port. */
function splitPort(end: string): [string, string] {
  const at = end.lastIndexOf(':');
  if (at < 0 || (end.startsWith('[') ? end[at - 1] !== ']' : end.indexOf(':') !== at)) return [end, ''];
  return [end.slice(0, at), end.slice(at)];
}

function cutStart(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `…${chars.slice(chars.length - width + 1).join('')}`;
}

/**
 * `text` cut or padded to exactly `width` characters; a cut ends with "…". Names and TXT strings
 * come from the capture: control and bidi characters are escaped first (core/terminal-text.ts).
 */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const clean = terminalText(text);
  const chars = [...clean];
  if (chars.length > width) return width === 1 ? '…' : `${chars.slice(0, width - 1).join('')}…`;
  const pad = ' '.repeat(width - chars.length);
  return align === 'right' ? pad + clean : clean + pad;
}
