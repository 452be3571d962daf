/**
 * The process screen's lines: an indented tree with packet and byte counts, or a flat list
 * ordered by packets, bytes or start time. A process goes by its own name (its main thread's);
 * the thread that owned the sockets is named beside it where the two differ (named, isc-net-0000).
 */
import type { ProcessRow } from '../store/process-table.ts';
import { fit } from './columns.ts';
import { bytesText, countText } from './numbers.ts';

export const PROCESS_SORTS = ['tree', 'packets', 'bytes', 'start'] as const;
export type ProcessSort = (typeof PROCESS_SORTS)[number];

const SORT_TITLES: Readonly<Record<ProcessSort, string>> = { tree: 'as a tree', packets: 'by packets', bytes: 'by bytes', start: 'by start time' };

export function nextProcessSort(sort: ProcessSort): ProcessSort {
  return PROCESS_SORTS[(PROCESS_SORTS.indexOf(sort) + 1) % PROCESS_SORTS.length]!;
}

/** The rows in `sort` order; a flat list (depth 0) unless it is the tree. */
export function sortProcessRows(rows: readonly ProcessRow[], sort: ProcessSort): ProcessRow[] {
  if (sort === 'tree') return [...rows];
  const key = (r: ProcessRow): number | bigint => (sort === 'packets' ? r.info.packets : sort === 'bytes' ? r.info.bytes : r.info.task.threadStartTime);
  const flat = rows.map((r) => ({ ...r, depth: 0 }));
  // Most first by counts; earliest first by start time. Ties keep the tree's order.
  return flat.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    const order = x < y ? -1 : x > y ? 1 : 0;
    return sort === 'start' ? order : -order;
  });
}

export function processHeader(width: number, sort: ProcessSort = 'tree'): string {
  return processLine(width, `Process (host pid, name [thread], uid) ${SORT_TITLES[sort]}, o: order`, 'Packets', 'Bytes', 'Subtree pkts');
}

export function processLines(rows: readonly ProcessRow[], width: number): string[] {
  return rows.map(({ info, depth, totalPackets }) => {
    const { task } = info;
    const name = task.leaderName ?? task.processName;
    const threads = new Set(info.threads);
    if (name !== task.processName) threads.add(task.processName);
    const thread = threads.size === 0 ? '' : ` [${[...threads].join(', ')}]`;
    const text = `${'  '.repeat(depth)}${task.hostProcessId} ${name}${thread} uid=${task.userId}${task.containerId === '' ? '' : ` ct=${task.containerId.slice(0, 12)}`}`;
    return processLine(width, text, countText(info.packets), bytesText(info.bytes), countText(totalPackets));
  });
}

function processLine(width: number, name: string, packets: string, bytes: string, subtree: string): string {
  const numbers = `${fit(packets, 10, 'right')} ${fit(bytes, 10, 'right')} ${fit(subtree, 12, 'right')}`;
  return `${fit(name, Math.max(10, width - numbers.length - 1))} ${numbers}`;
}
