/**
 * Packets, their decode and their events → rows of the tables in schema.ts. The decoding and the
 * events are the replay pipeline's (src/pipeline/replay.ts); this only lays them out.
 */
import type { CapturedPacket, TaskContext } from '../core/packet.ts';
import type { DecodedPacket } from '../decode/packet.ts';
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

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

/**
 * Tables keep timestamps as int64 ns (Parquet's TIMESTAMP_NS, ClickHouse's Int64): a packet
 * outside that range (a damaged capture's year 3000) cannot be a row, and is counted instead.
 */
export function fitsTables(timestamp: bigint): boolean {
  return timestamp >= I64_MIN && timestamp <= I64_MAX;
}

let lastDay = NaN;
let lastDate = '';

/** The UTC day of an epoch-ns timestamp, YYYY-MM-DD (floored: 1 ns before 1970 is 1969-12-31). */
export function dayOf(timestamp: bigint): string {
  const q = timestamp / NS_PER_DAY;
  const day = Number(timestamp < 0n && q * NS_PER_DAY !== timestamp ? q - 1n : q);
  if (day !== lastDay) {
    // Within int64 ns (rowsFit), years 1677 to 2262: always four digits.
    lastDate = new Date(day * 86_400_000).toISOString().slice(0, 10);
    lastDay = day;
  }
  return lastDate;
}

/** The host of a packet's rows: --host-name, else the task's, else the input's. */
export function hostOf(origin: RowOrigin, task: TaskContext | undefined): string {
  return origin.hostOverride ?? (task !== undefined && task.hostName !== '' ? task.hostName : (origin.hostName ?? ''));
}

/*
 * Rows are filled by assignment, never by spreading objects: V8 clones a spread object through a
 * slow generic path (tens of µs a row), which made the export ten times slower than replay.
 */
function setOrigin(row: Row, origin: RowOrigin, p: CapturedPacket, hostName: string): Row {
  row.host = hostPartition(hostName);
  row.date = dayOf(p.timestamp);
  row.recordingId = origin.recordingId;
  row.packetNumber = BigInt(p.number);
  row.timestamp = p.timestamp;
  return row;
}

export function setTask(row: Row, task: TaskContext | undefined, hostName: string): Row {
  row.hostName = hostName;
  row.processId = task?.processId ?? 0;
  row.threadId = task?.threadId ?? 0;
  row.parentProcessId = task?.parentProcessId ?? 0;
  row.hostProcessId = task?.hostProcessId ?? 0;
  row.hostThreadId = task?.hostThreadId ?? 0;
  row.hostParentProcessId = task?.hostParentProcessId ?? 0;
  row.userId = task?.userId ?? 0;
  row.mountNamespace = task?.mountNamespace ?? 0;
  row.pidNamespace = task?.pidNamespace ?? 0;
  row.processName = task?.processName ?? '';
  row.leaderName = task?.leaderName ?? task?.processName ?? '';
  row.threadStartTime = task?.threadStartTime ?? 0n;
  row.cgroupId = task?.cgroupId ?? 0n;
  row.containerId = task?.containerId ?? '';
  return row;
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
  const row = setOrigin({}, origin, p, hostName);
  row.segment = segmentOf(origin, p.number);
  row.interface = p.interfaceName ?? (p.ifindex !== undefined ? (origin.interfaceName(p.ifindex) ?? '') : '');
  row.ifindex = p.ifindex ?? null;
  row.direction = p.direction ?? 'unknown';
  row.capturedLength = p.data.length;
  row.originalLength = p.originalLength;
  row.linkType = p.linkType;
  row.ipVersion = d.ipv4 !== undefined ? 4 : d.ipv6 !== undefined ? 6 : 0;
  row.srcIP = ip !== undefined ? ipString(ip.src) : '';
  row.dstIP = ip !== undefined ? ipString(ip.dst) : '';
  row.protocol = d.ipv4 !== undefined ? d.ipv4.protocol : d.ipv6 !== undefined ? d.ipv6.transportProtocol : 0;
  row.srcPort = ports?.srcPort ?? null;
  row.dstPort = ports?.dstPort ?? null;
  // The 8 flag bits of byte 13 and NS as bit 8.
  row.tcpFlags = d.tcp !== undefined ? d.tcp.flags | (d.tcp.ns ? 0x100 : 0) : null;
  row.dnsMessages = d.dns.length;
  row.decodeError = d.error !== undefined ? `${d.error.layer}: ${d.error.message}` : '';
  row.hasTask = p.task !== undefined;
  return setTask(row, p.task, hostName);
}

export function eventRow(origin: RowOrigin, e: TraceeEvent, p: CapturedPacket, seq: bigint): Row {
  const hostName = origin.hostOverride ?? e.hostName;
  // One literal: a row of a fixed shape is built far faster than one grown key by key.
  const row: Row = {
    host: hostPartition(hostName),
    date: dayOf(p.timestamp),
    recordingId: origin.recordingId,
    packetNumber: BigInt(p.number),
    timestamp: p.timestamp,
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
    stackAddresses: e.stackAddresses,
    contextFlags: e.contextFlags,
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
  for (const arg of e.args) {
    // schema.ts: Tracee's `ack` is stored as `ackNumber`.
    row[arg.name] = arg.name === 'proto_tcp' ? withAckNumber(arg.value as { ack: number }) : arg.value;
  }
  return row;
}

function withAckNumber(tcp: { ack: number }): object {
  return Object.assign({ ackNumber: tcp.ack }, tcp);
}

/** One row per DNS message the packet carries. */
export function dnsRows(origin: RowOrigin, p: CapturedPacket, d: DecodedPacket, out: Row[]): void {
  if (d.dns.length === 0) return;
  const hostName = hostOf(origin, p.task);
  const ip = d.ipv4 ?? d.ipv6;
  const ports = d.tcp ?? d.udp;
  d.dns.forEach((m, i) => {
    const dns = toProtoDNS(m);
    const row = setOrigin({}, origin, p, hostName);
    row.messageIndex = i;
    row.transport = d.tcp !== undefined ? 'tcp' : 'udp';
    row.srcIP = ip !== undefined ? ipString(ip.src) : '';
    row.dstIP = ip !== undefined ? ipString(ip.dst) : '';
    row.srcPort = ports?.srcPort ?? 0;
    row.dstPort = ports?.dstPort ?? 0;
    // The header fields and sections, by the names the schema shares with Tracee's ProtoDNS.
    Object.assign(row, dns);
    row.questionNames = dns.questions.map((q) => q.name);
    row.answerIPs = dns.answers.filter((a) => a.IP !== '').map((a) => a.IP);
    out.push(setTask(row, p.task, hostName));
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
      const row = setTask({ host: hostPartition(hostName), date: dayOf(p.timestamp), recordingId: origin.recordingId }, task, hostName);
      row.firstSeen = p.timestamp;
      row.lastSeen = p.timestamp;
      row.packets = 1n;
      row.bytes = BigInt(p.originalLength);
      this.rows.set(key, row);
      return;
    }
    if (p.timestamp < (row.firstSeen as bigint)) row.firstSeen = p.timestamp;
    if (p.timestamp > (row.lastSeen as bigint)) row.lastSeen = p.timestamp;
    row.packets = (row.packets as bigint) + 1n;
    row.bytes = (row.bytes as bigint) + BigInt(p.originalLength);
  }

  take(): Row[] {
    const rows = [...this.rows.values()];
    this.rows.clear();
    return rows;
  }
}
