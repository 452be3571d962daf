/**
 * `/` search over the rows of a view, case-insensitive, in the text a row shows: packet number,
 * process, event, endpoints and summary. Rows are read and decoded a chunk at a time, away from
 * the screen's cache, and the search yields between chunks, so a search through a million
 * packets can be cancelled and never freezes the screen.
 */
import { eventLabel, processLabel } from '../views/summary.ts';
import type { ProcessTable } from './process-table.ts';
import { rowEvent, type Entry } from './entry.ts';
import type { PositionList } from './position-list.ts';
import type { PacketView } from './view.ts';

const SEARCH_CHUNK = 256;

export interface SearchSource {
  entries(positions: readonly number[]): Promise<Entry[]>;
  readonly processes: ProcessTable;
}

export interface SearchRequest {
  view: PacketView;
  text: string;
  /** The row the cursor is on: the search starts next to it. */
  from: number;
  direction: 1 | -1;
  signal: AbortSignal;
  /** Rows examined so far, for a progress figure. */
  progress(rows: number): void;
}

/** The row found, `wrapped` when the search went past an end; undefined when no row matches. */
export async function searchRows(source: SearchSource, request: SearchRequest): Promise<{ row: number; wrapped: boolean } | undefined> {
  const { view, direction, signal } = request;
  const needle = request.text.toLowerCase();
  const total = view.length;
  let examined = 0;
  while (examined < total) {
    if (signal.aborted) return undefined;
    const count = Math.min(SEARCH_CHUNK, total - examined);
    // Rows in search order, from the one after the cursor, wrapping around.
    const rows = Array.from({ length: count }, (_, i) => mod(request.from + direction * (examined + i + 1), total));
    const order = rows.map((row) => ({ row, position: view.positionAt(row) }));
    const sorted = [...order].sort((a, b) => a.position - b.position);
    const entries = await source.entries(sorted.map((o) => o.position));
    const byPosition = new Map(entries.map((e) => [e.position, e]));
    for (const { row, position } of order) {
      if (rowText(byPosition.get(position)!, view, source.processes).includes(needle)) {
        return { row, wrapped: direction === 1 ? row <= request.from : row >= request.from };
      }
    }
    examined += count;
    request.progress(examined);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return undefined;
}

/**
 * Every row of `view` whose text holds `text`, pushed into `into` in row order as they are
 * found (4 bytes a match), for "match 3 of 120". Follows a view whose pass is still running.
 */
export async function collectMatches(
  source: SearchSource,
  view: PacketView,
  text: string,
  into: PositionList,
  signal: AbortSignal,
  progress: (rows: number) => void,
): Promise<void> {
  const needle = text.toLowerCase();
  let row = 0;
  while (!signal.aborted) {
    if (row >= view.length) {
      if (view.done) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    const count = Math.min(SEARCH_CHUNK, view.length - row);
    const rows = Array.from({ length: count }, (_, i) => row + i);
    const entries = await source.entries(rows.map((r) => view.positionAt(r)));
    if (signal.aborted) return;
    entries.forEach((entry, i) => {
      if (rowText(entry, view, source.processes).includes(needle)) into.push(rows[i]!);
    });
    row += count;
    progress(row);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** What a row shows, lower-cased, as search sees it; the thread's own name matches too. */
export function rowText(entry: Entry, view: PacketView, processes: ProcessTable): string {
  const event = rowEvent(entry, view.shows);
  const { flow, info } = entry.summary;
  const thread = entry.packet.task?.processName ?? '';
  return `${entry.packet.number} ${processLabel(entry.packet.task, processes)} ${thread} ${event === undefined ? '' : eventLabel(event.eventName)} ${flow} ${info}`.toLowerCase();
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}
