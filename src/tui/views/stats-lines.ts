/** The stats screen's lines: overview, protocols, top talkers, top DNS names, input issues. */
import { formatIssue } from '../../core/errors.ts';
import type { ScanState } from '../store/index-scan.ts';
import type { PacketIndex } from '../store/packet-index.ts';
import { PROTOCOLS, type CaptureStats } from '../store/stats.ts';
import { terminalText } from '../../core/terminal-text.ts';
import { fit } from './columns.ts';
import { bytesText, countText, percentText } from './numbers.ts';
import { clockTime } from '../../format/time.ts';

/** Rows per top list. */
const TOP = 10;

/**
 * `scope`: the stats are of one process's packets (its drill-down), named so; the capture's
 * overview and input issues are then left out.
 */
export function statsLines(stats: CaptureStats, index: PacketIndex, scan: ScanState, width: number, scope?: string): string[] {
  const packets = index.length;
  const lines: string[] = [];
  const progress = stats.done ? '' : ` (counting… ${percentText(stats.examined, packets)} of the packets so far)`;
  if (scope !== undefined) lines.push(`Packets of ${scope}: ${countText(stats.counted)}${progress}`);
  else lines.push(`Packets ${countText(packets)}${scan.done ? '' : ' (indexing…)'}, ${bytesText(scan.wireBytes)} on the wire${progress}`);
  if (stats.failure !== undefined) lines.push(`counting stopped: ${stats.failure}`);
  if (packets > 0 && scope === undefined) {
    const first = index.timestampAt(0);
    const last = index.timestampAt(packets - 1);
    lines.push(`From ${clockTime(first)} to ${clockTime(last)} UTC (${(Number(last - first) / 1e9).toFixed(3)} s)`);
  }
  lines.push('', 'Protocols');
  for (const p of PROTOCOLS) {
    const n = stats.protocols.get(p)!;
    if (n > 0) lines.push(`  ${fit(p, 16)} ${fit(countText(n), 12, 'right')}  ${percentText(n, stats.counted)}`);
  }
  const approximate = (c: { approximate: boolean }): string => (c.approximate ? ' (approximate: too many to count each)' : '');
  lines.push('', `Top talkers (packets sent or received)${approximate(stats.talkers)}`);
  for (const t of stats.talkers.top(TOP, 'packets')) {
    lines.push(`  ${fit(t.key, Math.max(16, Math.min(40, width - 40)))} ${fit(countText(t.packets), 12, 'right')} ${fit(bytesText(t.bytes), 12, 'right')}`);
  }
  lines.push('', `Top DNS names (queries)${approximate(stats.names)}`);
  const names = stats.names.top(TOP, 'packets');
  if (names.length === 0) lines.push('  (no DNS query seen)');
  for (const n of names) lines.push(`  ${fit(n.key, Math.max(16, width - 20))} ${fit(countText(n.packets), 12, 'right')}`);
  lines.push(...collectorLines(stats, width));
  if (scope !== undefined) return lines;
  lines.push('', `Input issues: ${scan.errors} errors, ${scan.warnings} warnings${scan.failure === undefined ? '' : `; reading stopped: ${scan.failure}`}`);
  for (const issue of scan.issues) lines.push(terminalText(`  ${formatIssue(issue).replace(/^netrec: /, '')}`));
  return lines;
}

/** What `netrec stats` reports, in short: the largest conversations, DNS, the busiest processes. */
function collectorLines(stats: CaptureStats, width: number): string[] {
  const report = stats.report(TOP);
  if (report === undefined) return ['', 'Conversations, DNS transactions and processes: when counting is done'];
  const lines: string[] = [];
  const tcp = report.conversations.filter((c) => c.protocol === 'tcp').length;
  const copies = report.duplicates > 0 ? `; ${countText(report.duplicates)} packets recorded at both ends counted once` : '';
  lines.push('', `Conversations: ${countText(tcp)} TCP, ${countText(report.conversations.length - tcp)} UDP${copies} (largest first)`);
  const largest = [...report.conversations].sort((x, y) => y.aToB.bytes + y.bToA.bytes - (x.aToB.bytes + x.bToA.bytes)).slice(0, TOP);
  for (const c of largest) {
    const end = (e: { address: string; port: number; processes: string[] }): string =>
      `${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port}${e.processes.length > 0 ? ` ${e.processes[0]}` : ''}`;
    const traffic = `${countText(c.aToB.packets + c.bToA.packets)} pkts ${bytesText(c.aToB.bytes + c.bToA.bytes)}`;
    lines.push(`  ${fit(`${c.protocol} ${end(c.a)} ↔ ${end(c.b)}`, Math.max(20, width - 36))} ${fit(traffic, 22, 'right')} ${c.tcp?.state ?? ''}`);
  }
  const d = report.dns;
  const latency = d.latency === undefined ? '' : `; latency ${millis(d.latency.min)} to ${millis(d.latency.max)}, mean ${millis(d.latency.mean)}`;
  lines.push('', `DNS transactions: ${countText(d.queries)} queries, ${countText(d.answered)} answered, ${countText(d.unanswered)} unanswered${latency}`);
  lines.push('', 'Top processes (bytes sent or received)');
  if (report.top.processes.length === 0) lines.push('  (no process context)');
  for (const p of report.top.processes)
    lines.push(`  ${fit(p.key, Math.max(16, Math.min(40, width - 40)))} ${fit(countText(p.packets), 12, 'right')} ${fit(bytesText(p.bytes), 12, 'right')}`);
  return lines;
}

function millis(ns: bigint): string {
  return `${(Number(ns) / 1e6).toFixed(3)} ms`;
}
