/**
 * The process screen's lines: an indented tree with packet and byte counts, or a flat list
 * ordered by packets, bytes, DNS names asked, remote addresses or start time. A process goes by
 * its own name (its main thread's); the thread that owned the sockets is named beside it where
 * the two differ (named, isc-net-0000).
 */
import type { ProcessReach, ReachCount } from '../store/process-reach.ts';
import type { ProcessRow } from '../store/process-table.ts';
import { fit } from './columns.ts';
import { bytesText, countText, percentText } from './numbers.ts';

export const PROCESS_SORTS = ['tree', 'packets', 'bytes', 'names', 'remotes', 'start'] as const;
export type ProcessSort = (typeof PROCESS_SORTS)[number];

const SORT_TITLES: Readonly<Record<ProcessSort, string>> = {
  tree: 'as a tree',
  packets: 'by packets',
  bytes: 'by bytes',
  names: 'by DNS names',
  remotes: 'by remotes',
  start: 'by start time',
};

/** Orders counted by the stats pass (the others come from the index scan). */
export function sortNeedsReach(sort: ProcessSort): sort is 'names' | 'remotes' {
  return sort === 'names' || sort === 'remotes';
}

/** The count an order by reach shows and sorts by. */
function reachOf(reach: ProcessReach, sort: 'names' | 'remotes', row: ProcessRow): ReachCount {
  const pid = row.info.task.hostProcessId;
  return sort === 'names' ? reach.names(pid) : reach.remotes(pid);
}

export function nextProcessSort(sort: ProcessSort): ProcessSort {
  return PROCESS_SORTS[(PROCESS_SORTS.indexOf(sort) + 1) % PROCESS_SORTS.length]!;
}

/** The rows in `sort` order; a flat list (depth 0) unless it is the tree. `reach` for the orders by reach. */
export function sortProcessRows(rows: readonly ProcessRow[], sort: ProcessSort, reach?: ProcessReach): ProcessRow[] {
  if (sort === 'tree') return [...rows];
  const key = (r: ProcessRow): number | bigint => {
    if (sortNeedsReach(sort)) return reach === undefined ? 0 : reachOf(reach, sort, r).count;
    return sort === 'packets' ? r.info.packets : sort === 'bytes' ? r.info.bytes : r.info.task.threadStartTime;
  };
  const flat = rows.map((r) => ({ ...r, depth: 0 }));
  // Most first by counts; earliest first by start time. Ties keep the tree's order.
  return flat.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    const order = x < y ? -1 : x > y ? 1 : 0;
    return sort === 'start' ? order : -order;
  });
}

/** The stats pass's progress, for an order by reach while it counts. */
export interface ReachProgress {
  examined: number;
  packets: number;
  done: boolean;
}

export function processHeader(width: number, sort: ProcessSort = 'tree', progress?: ReachProgress): string {
  const counting = progress === undefined || progress.done ? '' : ` (counting… ${percentText(progress.examined, progress.packets)})`;
  const last = sort === 'names' ? 'DNS names' : sort === 'remotes' ? 'Remotes' : 'Subtree pkts';
  return processLine(width, `Process (host pid, name [thread], uid) ${SORT_TITLES[sort]}${counting}, o: order`, 'Packets', 'Bytes', last);
}

/**
 * One line a row; the last column is the subtree's packets, or with an order by reach what it
 * orders by (`≥` where a process reached more than is counted one by one).
 */
export function processLines(rows: readonly ProcessRow[], width: number, sort: ProcessSort = 'tree', reach?: ProcessReach): string[] {
  return rows.map((row) => {
    const { info, depth, totalPackets } = row;
    const { task } = info;
    const name = task.leaderName ?? task.processName;
    const threads = new Set(info.threads);
    if (name !== task.processName) threads.add(task.processName);
    const thread = threads.size === 0 ? '' : ` [${[...threads].join(', ')}]`;
    const text = `${'  '.repeat(depth)}${task.hostProcessId} ${name}${thread} uid=${task.userId}${task.containerId === '' ? '' : ` ct=${task.containerId.slice(0, 12)}`}`;
    let last = countText(totalPackets);
    if (sortNeedsReach(sort) && reach !== undefined) {
      const r = reachOf(reach, sort, row);
      last = `${r.capped ? '≥' : ''}${countText(r.count)}`;
    }
    return processLine(width, text, countText(info.packets), bytesText(info.bytes), last);
  });
}

function processLine(width: number, name: string, packets: string, bytes: string, subtree: string): string {
  const numbers = `${fit(packets, 10, 'right')} ${fit(bytes, 10, 'right')} ${fit(subtree, 12, 'right')}`;
  return `${fit(name, Math.max(10, width - numbers.length - 1))} ${numbers}`;
}
