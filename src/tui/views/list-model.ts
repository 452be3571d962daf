/**
 * The event list's visible rows for a frame: which index positions are on screen, and their
 * text. A packet not decoded yet still gets its number and time from the index, so a page
 * that is being read shows its skeleton rather than blank lines.
 */
import type { ListRow } from '../components/EventList.tsx';
import { rowEvent, type Entry } from '../store/entry.ts';
import type { PacketIndex } from '../store/packet-index.ts';
import type { ProcessTable } from '../store/process-table.ts';
import type { Frame } from '../state/ui-state.ts';
import { formatRow, headerRow, layoutColumns, shortTime, type Columns } from './columns.ts';
import { eventLabel, processLabel } from './summary.ts';

export interface ListModel {
  header: string;
  rows: ListRow[];
  /** The widest endpoints on this screen, to carry into the next `widestFlow`. */
  widestFlow: number;
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
  /**
   * The widest endpoints seen so far (0 before any): the column follows it but never narrows,
   * so that columns do not jump while paging between IPv4 and IPv6 traffic.
   */
  widestFlow: number;
  /** Packets to mark with '!' (they triggered a finding of the recording's signatures). */
  marked?: (packetNumber: number) => boolean;
}

export function listModel({ frame, index, entry, width, height, hasProcess, processes, widestFlow, marked }: ListInput): ListModel {
  const { view, top, cursor } = frame;
  const end = Math.min(view.length, top + height);
  const positions: number[] = [];
  for (let row = top; row < end; row++) positions.push(view.positionAt(row));
  const entries = positions.map(entry);
  const widest = Math.max(widestFlow, ...entries.map((e) => (e === undefined ? 0 : [...e.summary.flow].length)));
  const lastNumber = index.length === 0 ? 0 : index.numberAt(index.length - 1);
  const cols = layoutColumns(width, hasProcess, lastNumber, widest, marked !== undefined);
  const rows = positions.map((position, i) => {
    const e = entries[i];
    const mark = marked?.(index.numberAt(position)) ? '!' : '';
    return { text: rowText(cols, index, processes, position, e, view.shows, mark), selected: top + i === cursor, pending: e === undefined };
  });
  return { header: headerRow(cols), rows, widestFlow: widest, positions };
}

function rowText(cols: Columns, index: PacketIndex, processes: ProcessTable, position: number, e: Entry | undefined, shows: Frame['view']['shows'], mark: string): string {
  const number = mark + String(index.numberAt(position));
  const time = shortTime(index.timestampAt(position), cols.timeDigits);
  if (e === undefined) return formatRow(cols, { number, time, process: '', event: '', flow: '', info: '' });
  const event = rowEvent(e, shows);
  return formatRow(cols, {
    number,
    time,
    process: processLabel(e.packet.task, processes),
    event: event === undefined ? '-' : eventLabel(event.eventName),
    flow: [...e.summary.flow].length > cols.flow ? e.summary.flow.replace(' → ', '→') : e.summary.flow,
    info: e.summary.info,
  });
}
