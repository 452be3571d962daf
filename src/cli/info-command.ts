import { formatIssue } from '../core/errors.ts';
import { terminalText } from '../core/terminal-text.ts';
import type { CapturedPacket } from '../core/packet.ts';
import { decodePacket, Depth } from '../decode/packet.ts';
import { isPacketItem } from '../nev/recording.ts';
import { RecordType } from '../nev/records.ts';
import { NevSource } from '../replay/nev-source.ts';
import { openCapture } from '../replay/open.ts';
import { captureInfo } from './capture-info.ts';
import { inputPaths } from './inputs.ts';
import { bytes, isoTime, plural, seconds, timeSpan } from './info-format.ts';
import type { ParsedArgs } from './spec.ts';
import { lastAtOrBefore } from '../core/sorted.ts';

/** Layers counted in "packets per protocol", in print order. */
const PROTOCOLS = ['ipv4', 'ipv6', 'tcp', 'udp', 'icmp', 'icmpv6', 'dns', 'other', 'undecodable'] as const;
type Protocol = (typeof PROTOCOLS)[number];

/** Recordings with more segments list the first and last five. */
const SEGMENTS_LISTED = 12;

interface Tally {
  packets: number;
  captured: number;
  wire: number;
  first?: bigint;
  last?: bigint;
  protocols: Record<Protocol, number>;
  /** Packets per owning process, keyed "name (pid N)" or "name (pid N, thread comm)". */
  processes: Map<string, number>;
  kernelLost: Map<number | 'any', bigint>;
  userDropped: bigint;
  lifecycle: Map<string, number>;
  /** Finding records (record --signatures) per signature id. */
  findings: Map<string, number>;
  /** Process-table refs defined anywhere (headers and task records). */
  tasks: Set<number>;
  errors: number;
  warnings: number;
  /**
   * Packets per packet-number range, one range from each segment's first packet number (unsealed
   * segments have no footer to say how many they hold): a count per segment, not per packet.
   */
  ranges: { starts: number[]; counts: number[] };
}

/** `netrec info cap.nev`: what a recording holds, from one pass over it. Issues go to stderr. */
export async function infoCommand(args: ParsedArgs): Promise<number> {
  const [path] = inputPaths(args) as [string];
  const opened = await openCapture(path);
  if (!(opened instanceof NevSource)) return captureInfo(path, opened);
  const source = opened;
  const t = await tally(source);
  process.stdout.write(describe(source, t));
  return t.errors > 0 ? 1 : 0;
}

async function tally(source: NevSource): Promise<Tally> {
  const t: Tally = {
    packets: 0,
    captured: 0,
    wire: 0,
    protocols: Object.fromEntries(PROTOCOLS.map((p) => [p, 0])) as Record<Protocol, number>,
    processes: new Map(),
    kernelLost: new Map(),
    userDropped: 0n,
    lifecycle: new Map(),
    findings: new Map(),
    tasks: new Set(source.recording.segments.flatMap((s) => s.info?.header?.processes.map((p) => p.ref) ?? [])),
    errors: 0,
    warnings: 0,
    ranges: rangesOf(source),
  };
  for await (const items of source.records()) {
    for (const item of items) {
      if (isPacketItem(item)) countPacket(t, item);
      else if (item.kind === 'issue') {
        process.stderr.write(`${formatIssue(item)}\n`);
        if (item.severity === 'error') t.errors++;
        else t.warnings++;
      } else if (item.kind === 'loss') {
        const key = item.cpu ?? 'any';
        t.kernelLost.set(key, (t.kernelLost.get(key) ?? 0n) + item.kernelLost);
        t.userDropped += item.userDropped;
      } else if (item.kind === 'task') {
        t.tasks.add(item.ref);
      } else if (item.kind === 'lifecycle') {
        t.lifecycle.set(item.event, (t.lifecycle.get(item.event) ?? 0) + 1);
      } else if (item.kind === 'finding') {
        t.findings.set(item.signatureId, (t.findings.get(item.signatureId) ?? 0) + 1);
      }
    }
  }
  return t;
}

function countPacket(t: Tally, p: CapturedPacket): void {
  t.packets++;
  countInRange(t.ranges, p.number);
  t.captured += p.data.length;
  t.wire += p.originalLength;
  if (t.first === undefined || p.timestamp < t.first) t.first = p.timestamp;
  if (t.last === undefined || p.timestamp > t.last) t.last = p.timestamp;
  const d = decodePacket(p.data, p.linkType, Depth.Application);
  const layers: Protocol[] = [];
  if (d.ipv4) layers.push('ipv4');
  if (d.ipv6) layers.push('ipv6');
  if (d.tcp) layers.push('tcp');
  if (d.udp) layers.push('udp');
  if (d.icmp) layers.push('icmp');
  if (d.icmpv6) layers.push('icmpv6');
  if (d.dns.length > 0) layers.push('dns');
  if (layers.length === 0) layers.push(d.error ? 'undecodable' : 'other');
  for (const layer of layers) t.protocols[layer]++;
  if (p.task) {
    // The process's name, and the thread's where it differs (dig's packets: isc-net-0000).
    const { processName: thread, leaderName: name = thread, hostProcessId: pid } = p.task;
    const key = name === thread ? `${name} (pid ${pid})` : `${name} (pid ${pid}, thread ${thread})`;
    t.processes.set(key, (t.processes.get(key) ?? 0) + 1);
  }
}

function describe(source: NevSource, t: Tally): string {
  const { recording } = source;
  const segments = recording.segments.flatMap((s) => (s.info ? [s.info] : []));
  const header = segments.find((s) => s.header)?.header;
  const lines: [string, string][] = [];
  const kind = recording.isDirectory ? `directory, ${plural(segments.length, 'segment')}` : 'single segment file';
  lines.push(['recording', `${recording.path} (${kind})`]);
  if (header) {
    lines.push(['written by', `${header.origin}, netrec ${header.netrecVersion}, format ${header.formatMajor}.${header.formatMinor}`]);
    if (header.hostName || header.kernelRelease) lines.push(['host', `${header.hostName || '?'}, kernel ${header.kernelRelease || '?'}`]);
    lines.push(['recording id', header.recordingId]);
  }
  if (recording.writer !== undefined) lines.push(['writer', `still recording (process ${recording.writer})`]);

  // A long recording lists its first and last segments only.
  const shown = segments.length <= SEGMENTS_LISTED ? segments : [...segments.slice(0, 5), undefined, ...segments.slice(-5)];
  shown.forEach((info, k) => {
    if (info === undefined) {
      lines.push(['', `... ${segments.length - 10} more ...`]);
      return;
    }
    const first = info.header?.firstPacketNumber;
    const next = segments[segments.indexOf(info) + 1]?.header?.firstPacketNumber;
    const packets = info.footer ? (info.footer.counts.get(RecordType.packet) ?? 0) : first === undefined ? undefined : countBetween(t.ranges, first, next);
    const state = info.sealed ? `sealed${info.footer?.sealedBy === 'repair' ? ' by repair' : ''}` : 'NOT SEALED';
    const span = timeSpan(info.footer?.firstTimestamp, info.footer?.lastTimestamp);
    const compressed = info.footer?.counts.get(RecordType.block) ? ', compressed' : '';
    lines.push([k === 0 ? 'segments' : '', `${info.name}  ${state}, ${bytes(info.size)}, ${packets ?? '?'} packets${compressed}${span}`]);
  });

  if (t.first !== undefined && t.last !== undefined) {
    lines.push(['time span', `${isoTime(t.first)} .. ${isoTime(t.last)} (${seconds(t.last - t.first)})`]);
  }
  lines.push(['packets', `${t.packets} (${bytes(t.captured)} captured, ${bytes(t.wire)} on the wire)`]);
  lines.push([
    'protocols',
    PROTOCOLS.filter((p) => t.protocols[p] > 0)
      .map((p) => `${p} ${t.protocols[p]}`)
      .join(', ') || 'none',
  ]);
  const kernel = [...t.kernelLost].filter(([, n]) => n > 0n).sort(([a], [b]) => String(a).localeCompare(String(b), undefined, { numeric: true }));
  const kernelTotal = kernel.reduce((sum, [, n]) => sum + n, 0n);
  const perCpu = kernel.length > 0 ? ` (${kernel.map(([cpu, n]) => (cpu === 'any' ? `no CPU ${n}` : `CPU ${cpu} ${n}`)).join(', ')})` : '';
  lines.push(['losses', `kernel ${kernelTotal}${perCpu}, user space ${t.userDropped}`]);
  const top = [...t.processes].sort((a, b) => b[1] - a[1]);
  const busiest = top
    .slice(0, 10)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  const table = t.tasks.size > 0 ? ` (process table: ${plural(t.tasks.size, 'task')})` : '';
  lines.push(['processes', top.length === 0 ? `none with packets${table}` : `${top.length} with packets${table}: ${busiest}${top.length > 10 ? ', ...' : ''}`]);
  if (t.lifecycle.size > 0) lines.push(['lifecycle', [...t.lifecycle].map(([e, n]) => `${e} ${n}`).join(', ')]);
  if (t.findings.size > 0) {
    const total = [...t.findings.values()].reduce((a, b) => a + b, 0);
    const per = [...t.findings].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, n]) => `${terminalText(id)} ${n}`);
    lines.push(['findings', `${total} (${per.join(', ')}; 'netrec replay --findings-only' prints them)`]);
  }
  if (t.errors + t.warnings > 0)
    lines.push(['issues', `${plural(t.errors, 'error')}, ${plural(t.warnings, 'warning')} (above; 'netrec verify' checks in depth)`]);

  const width = Math.max(...lines.map(([k]) => k.length));
  // Paths, host names, origins and comms come from the recording.
  return lines.map(([k, v]) => `${k.padEnd(width)}  ${terminalText(v)}\n`).join('');
}

function rangesOf(source: NevSource): Tally['ranges'] {
  const firsts = source.recording.segments.flatMap((s) => (s.info?.header ? [s.info.header.firstPacketNumber] : []));
  const starts = [...new Set(firsts)].sort((a, b) => a - b);
  return { starts, counts: starts.map(() => 0) };
}

/** Index of the last start at or before `n` (-1 before the first). */
const rangeOf = lastAtOrBefore;

function countInRange(ranges: Tally['ranges'], n: number): void {
  const i = rangeOf(ranges.starts, n);
  if (i >= 0) ranges.counts[i]!++;
}

/** Packets numbered from `from` up to (not including) `to`, both range starts. */
function countBetween(ranges: Tally['ranges'], from: number, to: number | undefined): number {
  let n = 0;
  for (const [i, start] of ranges.starts.entries()) if (start >= from && (to === undefined || start < to)) n += ranges.counts[i]!;
  return n;
}
