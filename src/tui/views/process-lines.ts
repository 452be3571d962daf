/** The process screen's lines: an indented tree with packet and byte counts. */
import type { ProcessRow } from '../store/process-table.ts';
import { fit } from './columns.ts';
import { bytesText, countText } from './numbers.ts';

export function processHeader(width: number): string {
  return processLine(width, 'Process (host pid, comm, uid)', 'Packets', 'Bytes', 'Subtree pkts');
}

export function processLines(rows: readonly ProcessRow[], width: number): string[] {
  return rows.map(({ info, depth, totalPackets }) => {
    const { task } = info;
    const name = `${'  '.repeat(depth)}${task.hostProcessId} ${task.processName} uid=${task.userId}${task.containerId === '' ? '' : ` ct=${task.containerId.slice(0, 12)}`}`;
    return processLine(width, name, countText(info.packets), bytesText(info.bytes), countText(totalPackets));
  });
}

function processLine(width: number, name: string, packets: string, bytes: string, subtree: string): string {
  const numbers = `${fit(packets, 10, 'right')} ${fit(bytes, 10, 'right')} ${fit(subtree, 12, 'right')}`;
  return `${fit(name, Math.max(10, width - numbers.length - 1))} ${numbers}`;
}
