/**
 * Packets, their decode and their events → rows of the tables in schema.ts. The decoding and the
 * events are the replay pipeline's (src/pipeline/replay.ts); this only lays them out.
 */
import type { CapturedPacket, TaskContext } from '../core/packet.ts';
import type { DecodedPacket } from '../decode/packet.ts';
import { flowOf } from '../decode/flow.ts';
import { toProtoDNS } from '../event/dns.ts';
import { ipString } from '../event/ip-string.ts';
import type { TraceeEvent } from '../event/types.ts';

/** A row: column name → value (bigint for 64-bit columns, null where absent). */
export type Row = Record<string, unknown>;

/** What a row says about the input its packet came from. */
export interface RowOrigin {
  /** The recorded host name, or --host-name; '' for a capture without one. */
  hostName: string | undefined;
  /** Replaces every row's hostName (simulated hosts, a capture shipped for a named host). */
  hostOverride: string | undefined;
  /** The recording's id; a capture's path. */
  recordingId: string;
  /** First packet number of each segment, ascending (empty for a capture). */
  segmentStarts: number[];
  interfaceName(ifindex: number): string | undefined;
}

const NS_PER_DAY = 86_400_000_000_000n;

/**
 * The Hive partition value of a host: its name, '_' for none. Writers escape it in the directory
 * name (DuckDB percent-encodes '/', '%', control and non-ASCII bytes), and readers decode it.
 */
export function hostPartition(hostName: string): string {
  return hostName === '' ? '_' : hostName;
}

/** Days since 1970-01-01 (UTC) of an epoch-ns timestamp, floored (before 1970 is negative). */
export function dayOf(timestamp: bigint): number {
  const q = timestamp / NS_PER_DAY;
  return Number(timestamp < 0n && q * NS_PER_DAY !== timestamp ? q - 1n : q);
}

function hostOf(origin: RowOrigin, task: TaskContext | undefined): string {
  return origin.hostOverride ?? (task !== undefined && task.hostName !== '' ? task.hostName : (origin.hostName ?? ''));
}

function originColumns(origin: RowOrigin, p: CapturedPacket, hostName: string): Row {
  return {
    host: hostPartition(hostName),
    date: dayOf(p.timestamp),
    recordingId: origin.recordingId,
    packetNumber: BigInt(p.number),
    timestamp: p.timestamp,
    time: p.timestamp,
  };
}

function taskColumns(task: TaskContext | undefined, hostName: string): Row {
  return {
    hostName,
    processId: task?.processId ?? 0,
    threadId: task?.threadId ?? 0,
    parentProcessId: task?.parentProcessId ?? 0,
    hostProcessId: task?.hostProcessId ?? 0,
    hostThreadId: task?.hostThreadId ?? 0,
    hostParentProcessId: task?.hostParentProcessId ?? 0,
    userId: task?.userId ?? 0,
    mountNamespace: task?.mountNamespace ?? 0,
    pidNamespace: task?.pidNamespace ?? 0,
    processName: task?.processName ?? '',
    leaderName: task?.leaderName ?? task?.processName ?? '',
    threadStartTime: task?.threadStartTime ?? 0n,
    cgroupId: task?.cgroupId ?? 0n,
    containerId: task?.containerId ?? '',
  };
}

function segmentOf(origin: RowOrigin, number: number): number {
  let segment = 0;
  for (const start of origin.segmentStarts) {
    if (start > number) break;
    segment++;
  }
  return segment;
}

export function packetRow(origin: RowOrigin, p: CapturedPacket, d: DecodedPacket): Row {
  const hostName = hostOf(origin, p.task);
  const ip = d.ipv4 ?? d.ipv6;
  const ports = d.tcp ?? d.udp;
  const flow = flowOf(d);
  return {
    ...originColumns(origin, p, hostName),
    segment: segmentOf(origin, p.number),
    interface: p.interfaceName ?? (p.ifindex !== undefined ? (origin.interfaceName(p.ifindex) ?? '') : ''),
    ifindex: p.ifindex ?? null,
    direction: p.direction ?? 'unknown',
    capturedLength: p.data.length,
    originalLength: p.originalLength,
    linkType: p.linkType,
    ipVersion: d.ipv4 !== undefined ? 4 : d.ipv6 !== undefined ? 6 : 0,
    srcIP: ip !== undefined ? ipString(ip.src) : '',
    dstIP: ip !== undefined ? ipString(ip.dst) : '',
    protocol: flow?.protocol ?? 0,
    srcPort: ports?.srcPort ?? null,
    dstPort: ports?.dstPort ?? null,
    // The 8 flag bits of byte 13 and NS as bit 8.
    tcpFlags: d.tcp !== undefined ? d.tcp.flags | (d.tcp.ns ? 0x100 : 0) : null,
    dnsMessages: d.dns.length,
    decodeError: d.error !== undefined ? `${d.error.layer}: ${d.error.message}` : '',
    hasTask: p.task !== undefined,
    ...taskColumns(p.task, hostName),
  };
}

const NULL_ARGS: Row = {
  src: null,
  dst: null,
  src_port: null,
  dst_port: null,
  proto_ipv4: null,
  proto_ipv6: null,
  proto_tcp: null,
  proto_udp: null,
  proto_icmp: null,
  proto_icmpv6: null,
  proto_dns: null,
  metadata: null,
  dns_questions: null,
  dns_response: null,
};

export function eventRow(origin: RowOrigin, e: TraceeEvent, p: CapturedPacket, seq: bigint): Row {
  const hostName = origin.hostOverride ?? e.hostName;
  const row: Row = {
    ...originColumns(origin, p, hostName),
    seq,
    threadStartTime: e.threadStartTime,
    processorId: e.processorId,
    processId: e.processId,
    cgroupId: e.cgroupId,
    threadId: e.threadId,
    parentProcessId: e.parentProcessId,
    hostProcessId: e.hostProcessId,
    hostThreadId: e.hostThreadId,
    hostParentProcessId: e.hostParentProcessId,
    userId: e.userId,
    mountNamespace: e.mountNamespace,
    pidNamespace: e.pidNamespace,
    processName: e.processName,
    leaderName: e.leaderName ?? null,
    hostName,
    containerId: e.containerId,
    containerImage: e.containerImage,
    containerName: e.containerName,
    podName: e.podName,
    podNamespace: e.podNamespace,
    podUID: e.podUID,
    eventId: e.eventId,
    eventName: e.eventName,
    argsNum: e.argsNum,
    returnValue: e.returnValue,
    stackAddresses: e.stackAddresses.map(BigInt),
    contextFlags: e.contextFlags,
    ...NULL_ARGS,
  };
  for (const arg of e.args) row[arg.name] = arg.value;
  // schema.ts: `ack` is stored as `ackNumber`.
  const tcp = row.proto_tcp as { ack: number } | null;
  if (tcp !== null) row.proto_tcp = { ...tcp, ackNumber: tcp.ack };
  return row;
}

/** One row per DNS message the packet carries. */
export function dnsRows(origin: RowOrigin, p: CapturedPacket, d: DecodedPacket, out: Row[]): void {
  if (d.dns.length === 0) return;
  const hostName = hostOf(origin, p.task);
  const ip = d.ipv4 ?? d.ipv6;
  const ports = d.tcp ?? d.udp;
  const common = {
    ...originColumns(origin, p, hostName),
    transport: d.tcp !== undefined ? 'tcp' : 'udp',
    srcIP: ip !== undefined ? ipString(ip.src) : '',
    dstIP: ip !== undefined ? ipString(ip.dst) : '',
    srcPort: ports?.srcPort ?? 0,
    dstPort: ports?.dstPort ?? 0,
    ...taskColumns(p.task, hostName),
  };
  d.dns.forEach((m, i) => {
    const dns = toProtoDNS(m);
    out.push({
      ...common,
      messageIndex: i,
      ...dns,
      questionNames: dns.questions.map((q) => q.name),
      answerIPs: dns.answers.filter((a) => a.IP !== '').map((a) => a.IP),
    });
  });
}

/** The processes table: one row per task seen owning packets, with its first and last packet. */
export class ProcessRows {
  private readonly rows = new Map<string, Row>();

  add(origin: RowOrigin, p: CapturedPacket): void {
    const task = p.task;
    if (task === undefined) return;
    const hostName = hostOf(origin, task);
    const key = `${origin.recordingId}\0${hostName}\0${task.hostThreadId}\0${task.threadStartTime}\0${task.processName}`;
    const row = this.rows.get(key);
    if (row === undefined) {
      this.rows.set(key, {
        host: hostPartition(hostName),
        date: dayOf(p.timestamp),
        recordingId: origin.recordingId,
        ...taskColumns(task, hostName),
        firstSeen: p.timestamp,
        lastSeen: p.timestamp,
        firstTime: p.timestamp,
        lastTime: p.timestamp,
        packets: 1n,
        bytes: BigInt(p.originalLength),
      });
      return;
    }
    if (p.timestamp < (row.firstSeen as bigint)) row.firstSeen = row.firstTime = p.timestamp;
    if (p.timestamp > (row.lastSeen as bigint)) row.lastSeen = row.lastTime = p.timestamp;
    row.packets = (row.packets as bigint) + 1n;
    row.bytes = (row.bytes as bigint) + BigInt(p.originalLength);
  }

  take(): Row[] {
    const rows = [...this.rows.values()];
    this.rows.clear();
    return rows;
  }
}
