/**
 * The event list's visible rows for a frame: which index positions are on screen, and their
 * text and colour. A packet not decoded yet still gets its number and time from the index, so a
 * page that is being read shows its skeleton rather than blank lines.
 */
import type { ListRow } from '../components/EventList.tsx';
import { rowEvent, type Entry } from '../store/entry.ts';
import type { PacketIndex } from '../store/packet-index.ts';
import type { ProcessTable } from '../store/process-table.ts';
import type { Frame } from '../state/ui-state.ts';
import { formatRow, headerRow, layoutColumns, type ColumnName, type Columns } from './columns.ts';
import { rowTone } from './row-tone.ts';
import { eventLabel, processLabel } from './summary.ts';
import { timeText, timeTitle, type TimeFormat } from './time-format.ts';

/**
 * The widest endpoints and process label seen so far (0 before any): the columns follow them but
 * never narrow, so that they do not jump while paging between IPv4 and IPv6 traffic.
 */
export interface Widest {
  flow: number;
  process: number;
}

export interface ListModel {
  header: string;
  rows: ListRow[];
  /** To carry into the next frame's `widest`. */
  widest: Widest;
  /** Index positions of the rows on screen, ascending: what the store must have decoded. */
  positions: number[];
}

export interface ListInput {
  frame: Frame;
  index: PacketIndex;
  entry: (position: number) => Entry | undefined;
  width: number;
  height: number;
  hasProcess: boolean;
  processes: ProcessTable;
  widest: Widest;
  /** Packets to mark with '!' (they triggered a finding of the recording's signatures). */
  marked?: (packetNumber: number) => boolean;
  timeFormat?: TimeFormat;
  hidden?: ReadonlySet<ColumnName>;
  /** Rows whose text holds this (lower-cased) are the search's matches: highlighted. */
  highlight?: string;
}

export function listModel(input: ListInput): ListModel {
  const { frame, index, entry, width, height, processes, marked, timeFormat = 'utc' } = input;
  const { view, top, cursor } = frame;
  const end = Math.min(view.length, top + height);
  const positions: number[] = [];
  for (let row = top; row < end; row++) positions.push(view.positionAt(row));
  const entries = positions.map(entry);
  const labels = entries.map((e) => (e === undefined ? '' : processLabel(e.packet.task, processes)));
  const widest = {
    flow: Math.max(input.widest.flow, ...entries.map((e) => (e === undefined ? 0 : [...e.summary.flow].length))),
    process: Math.max(input.widest.process, ...labels.map((l) => [...l].length)),
  };
  // The recording's last packets may be in already (read through its footers) ahead of the scan.
  const lastPosition = Math.max(index.length, index.tail?.end ?? 0) - 1;
  const lastNumber = lastPosition < 0 ? 0 : index.numberAt(lastPosition);
  const cols = layoutColumns({
    width,
    hasProcess: input.hasProcess,
    lastNumber,
    widestFlow: widest.flow,
    widestProcess: widest.process,
    marks: marked !== undefined,
    ...(input.hidden ? { hidden: input.hidden } : {}),
  });
  const first = index.length === 0 ? 0n : index.timestampAt(0);
  const rows = positions.map((position, i): ListRow => {
    const e = entries[i];
    const finding = marked?.(index.numberAt(position)) ?? false;
    const number = (finding ? '!' : '') + String(index.numberAt(position));
    const previous = position > 0 && index.has(position - 1) ? index.timestampAt(position - 1) : undefined;
    // The first of the recording's last packets, before the scan has read the one before it.
    const unknown = previous === undefined && position > 0 && timeFormat === 'delta';
    const time = unknown ? '…' : timeText(timeFormat, index.timestampAt(position), cols.timeDigits, first, previous);
    const text =
      e === undefined ? formatRow(cols, { number, time, process: '', event: '', flow: '', info: '' }) : rowText(cols, e, view.shows, number, time, labels[i]!);
    const at = input.highlight === undefined || input.highlight === '' ? -1 : text.toLowerCase().indexOf(input.highlight);
    const row: ListRow = { text, selected: top + i === cursor, pending: e === undefined, tone: e === undefined ? 'plain' : rowTone(e.decoded, finding) };
    return at < 0 ? row : { ...row, match: [at, at + input.highlight!.length] };
  });
  return { header: headerRow(cols, timeTitle(timeFormat)), rows, widest, positions };
}

function rowText(cols: Columns, e: Entry, shows: Frame['view']['shows'], number: string, time: string, process: string): string {
  const event = rowEvent(e, shows);
  return formatRow(cols, { number, time, process, event: event === undefined ? '-' : eventLabel(event.eventName), flow: e.summary.flow, info: e.summary.info });
}
