/**
 * The .nev record types and their positional msgpack schemas (docs/format.md lists every
 * position). Records are msgpack arrays, not maps: a packet record repeats no key names, and a
 * reader of a newer minor version ignores positions it does not know.
 *
 * 64-bit values (timestamps, cgroup ids, socket cookies, counters) are bigint in memory. On disk a
 * value that fits 32 bits is a plain msgpack int (short), anything larger a uint64/int64; the
 * decoder widens both back to bigint, so every value in [0, 2^64) round-trips exactly.
 */
import type { Direction, TaskContext } from '../core/packet.ts';
import { TASK_FIELD_NAMES, TASK_FIELD_SPECS } from '../core/task-fields.ts';

/** Frame type byte. Codes are part of the format: never renumber, only add. */
export const RecordType = {
  header: 1,
  footer: 2,
  packet: 3,
  task: 4,
  lifecycle: 5,
  loss: 6,
  interface: 7,
  /** Not a record: a compressed run of framed records (see block.ts). */
  block: 8,
  finding: 9,
} as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

export interface InterfaceEntry {
  ifindex: number;
  name: string;
  /** LINKTYPE_* of the interface itself (informational; each packet names its own). */
  linkType: number;
}

/**
 * One process-table entry: a task as it was at some moment. Refs are assigned by the writer,
 * unique within a recording and never redefined, so a packet can point at its task with a small
 * integer. A task that changes (exec, comm change) gets a new ref.
 */
export interface ProcessEntry {
  ref: number;
  task: TaskContext;
  /** Executable path ('' when unknown). */
  exePath: string;
}

export interface SegmentHeader {
  formatMajor: number;
  formatMinor: number;
  netrecVersion: string;
  /** Random id shared by every segment of one recording. */
  recordingId: string;
  /** 1-based, as in the file name. */
  segmentNumber: number;
  /** Number of the first packet stored in this segment; numbering runs across the recording. */
  firstPacketNumber: number;
  /** Epoch ns when the segment was opened. */
  createdAt: bigint;
  hostName: string;
  kernelRelease: string;
  /** Epoch ns = CLOCK_BOOTTIME ns + this offset (signed); 0 when unknown (converted input). */
  bootTimeOffset: bigint;
  snaplen: number;
  interfaces: InterfaceEntry[];
  /** Every process and thread known when the segment was opened. */
  processes: ProcessEntry[];
  /** What wrote it: 'netrec record', 'netrec convert <file>'... */
  origin: string;
}

export interface PacketRecord {
  kind: 'packet';
  /** Epoch ns; exact even outside u64 (malformed captures), see encodeBody. */
  timestamp: bigint;
  /** LINKTYPE_* of `data` (recordings store L3: LinkType.RAW). */
  linkType: number;
  cpu?: number;
  ifindex?: number;
  direction?: Direction;
  originalLength: number;
  data: Uint8Array;
  socketCookie?: bigint;
  /** A process-table ref, or the task inline (used for a one-off, e.g. by tools). */
  task?: number | TaskContext;
}

export interface TaskRecord extends ProcessEntry {
  kind: 'task';
}

export interface InterfaceRecord extends InterfaceEntry {
  kind: 'interface';
}

interface LifecycleBase {
  kind: 'lifecycle';
  timestamp: bigint;
  hostProcessId: number;
  hostThreadId: number;
  /** Process-table ref of the task after the event (the child for fork, the new image for exec). */
  taskRef?: number;
}
export type LifecycleRecord =
  | (LifecycleBase & { event: 'fork'; childHostProcessId: number; childHostThreadId: number })
  | (LifecycleBase & { event: 'exec'; path: string })
  | (LifecycleBase & { event: 'exit'; exitCode: number })
  | (LifecycleBase & { event: 'comm'; comm: string });
export type LifecycleEvent = LifecycleRecord['event'];

/** Packets that never reached the recording during [start, end]: counts for that span only. */
export interface LossRecord {
  kind: 'loss';
  start: bigint;
  end: bigint;
  /** CPU whose ring-buffer reservations failed; absent for a loss not tied to a CPU. */
  cpu?: number;
  /** Reservations the kernel side could not make (packets never handed over). */
  kernelLost: bigint;
  /** Packets user space received but dropped (queue overflow, write failure). */
  userDropped: bigint;
}

/**
 * What a signature found while recording (record --signatures). `json` is the finding exactly as
 * it was printed (Tracee's finding JSON, the triggering event inside); the other fields let a
 * reader list and place findings without parsing it.
 */
export interface FindingRecord {
  kind: 'finding';
  /** The triggering event's timestamp (epoch ns). */
  timestamp: bigint;
  /** The packet being analysed when the signature reported it (that of the triggering event). */
  packetNumber: number;
  signatureId: string;
  /** Properties.Severity, when the signature has one (0 info .. 4 critical). */
  severity?: number;
  json: string;
}

export interface IndexEntry {
  /**
   * Largest timestamp of any packet before this point (0 at the start). Records may be slightly
   * out of order across CPUs; this running maximum keeps the index sorted so a binary search for
   * time T finds a point before which no packet is at or after T.
   */
  maxTimestampBefore: bigint;
  /** Number of the next packet from this point. */
  packetNumber: number;
  /** Ordinal of the next record in the segment (the header is record 0). */
  record: number;
  /** Byte offset of the top-level frame where reading resumes. */
  offset: number;
}

export interface SegmentFooter {
  /** Records per frame type code, including codes this version does not know. */
  counts: Map<number, number>;
  /** Smallest and largest packet timestamp; absent without packets. */
  firstTimestamp?: bigint;
  lastTimestamp?: bigint;
  capturedBytes: number;
  wireBytes: number;
  kernelLost: bigint;
  userDropped: bigint;
  index: IndexEntry[];
  /** Every task record of the segment, so a seek needs no scan to resolve refs. */
  tasks: ProcessEntry[];
  /** Every interface record of the segment. */
  interfaces: InterfaceEntry[];
  sealedAt: bigint;
  /** 'writer', or 'repair' when `netrec verify --repair` sealed it. */
  sealedBy: string;
  /** CRC-32C of every segment byte before the footer frame. */
  checksum: number;
}

/** A record that carries recording context rather than a packet. */
export type ContextRecord = TaskRecord | InterfaceRecord | LifecycleRecord | LossRecord | FindingRecord;
/** Everything that can follow the header. */
export type BodyRecord = PacketRecord | ContextRecord;

// ---------------------------------------------------------------------------------------------
// Encoding

/** A u64 as the shortest exact msgpack int: number up to 32 bits, else bigint (int64/uint64). */
function u64(v: bigint): number | bigint {
  return v >= 0n && v <= 0xffffffffn ? Number(v) : v;
}

/** A non-negative safe integer that may exceed 32 bits (byte counts, packet numbers). */
function count(v: number): number | bigint {
  return v <= 0xffffffff ? v : BigInt(v);
}

function opt<T>(v: T | undefined): T | null {
  return v === undefined ? null : v;
}

/**
 * A direction's code in a packet record. Compared, not looked up in an object: a keyed load whose
 * key changes from packet to packet goes megamorphic, and this runs for every packet written.
 */
export function directionCode(d: Direction): number {
  return d === 'egress' ? 2 : d === 'ingress' ? 1 : 0;
}
const DIRECTIONS: readonly Direction[] = ['unknown', 'ingress', 'egress'];

const LIFECYCLE_CODE: Record<LifecycleEvent, number> = { fork: 1, exec: 2, exit: 3, comm: 4 };
const LIFECYCLE_EVENTS: Record<number, LifecycleEvent> = { 1: 'fork', 2: 'exec', 3: 'exit', 4: 'comm' };

/**
 * A task in TASK_FIELDS order. An optional field that is absent ends the record there: it is
 * the last one its format version has (leaderName, format 1.1), and older readers ignore it.
 */
export function encodeTask(t: TaskContext): unknown[] {
  const out: unknown[] = [];
  for (const name of TASK_FIELD_NAMES) {
    const v = t[name];
    if (v === undefined) break;
    out.push(typeof v === 'bigint' ? u64(v) : v);
  }
  return out;
}

const encodeProcess = (p: ProcessEntry): unknown[] => [p.ref, encodeTask(p.task), p.exePath];
const encodeInterface = (i: InterfaceEntry): unknown[] => [i.ifindex, i.name, i.linkType];

export function encodeHeader(h: SegmentHeader): unknown[] {
  return [
    h.formatMajor,
    h.formatMinor,
    h.netrecVersion,
    h.recordingId,
    h.segmentNumber,
    count(h.firstPacketNumber),
    u64(h.createdAt),
    h.hostName,
    h.kernelRelease,
    h.bootTimeOffset,
    h.snaplen,
    h.interfaces.map(encodeInterface),
    h.processes.map(encodeProcess),
    h.origin,
  ];
}

export function encodeFooter(f: SegmentFooter): unknown[] {
  return [
    [...f.counts].sort((a, b) => a[0] - b[0]),
    f.firstTimestamp === undefined ? null : u64(f.firstTimestamp),
    f.lastTimestamp === undefined ? null : u64(f.lastTimestamp),
    count(f.capturedBytes),
    count(f.wireBytes),
    u64(f.kernelLost),
    u64(f.userDropped),
    f.index.map((e) => [u64(e.maxTimestampBefore), count(e.packetNumber), count(e.record), count(e.offset)]),
    f.tasks.map(encodeProcess),
    f.interfaces.map(encodeInterface),
    u64(f.sealedAt),
    f.sealedBy,
    f.checksum,
  ];
}

/** The frame type and msgpack value of a body record. */
export function encodeBody(r: BodyRecord): [RecordType, unknown[]] {
  switch (r.kind) {
    case 'packet':
      return [
        RecordType.packet,
        [
          u64(BigInt.asUintN(64, r.timestamp)),
          r.linkType,
          opt(r.cpu),
          opt(r.ifindex),
          r.direction === undefined ? null : directionCode(r.direction),
          r.originalLength,
          r.data,
          r.socketCookie === undefined ? null : u64(r.socketCookie),
          r.task === undefined ? null : typeof r.task === 'number' ? r.task : encodeTask(r.task),
          // Only malformed captures have a timestamp outside u64 ns (1970..2554): the rest of it.
          ...(r.timestamp >> 64n === 0n ? [] : [r.timestamp >> 64n]),
        ],
      ];
    case 'task':
      return [RecordType.task, encodeProcess(r)];
    case 'interface':
      return [RecordType.interface, encodeInterface(r)];
    case 'lifecycle':
      return [RecordType.lifecycle, encodeLifecycle(r)];
    case 'loss':
      return [RecordType.loss, [u64(r.start), u64(r.end), opt(r.cpu), u64(r.kernelLost), u64(r.userDropped)]];
    case 'finding':
      return [RecordType.finding, [u64(r.timestamp), count(r.packetNumber), r.signatureId, opt(r.severity), r.json]];
  }
}

function encodeLifecycle(r: LifecycleRecord): unknown[] {
  const head = [LIFECYCLE_CODE[r.event], u64(r.timestamp), r.hostProcessId, r.hostThreadId, opt(r.taskRef)];
  switch (r.event) {
    case 'fork':
      return [...head, r.childHostProcessId, r.childHostThreadId];
    case 'exec':
      return [...head, r.path];
    case 'exit':
      return [...head, r.exitCode];
    case 'comm':
      return [...head, r.comm];
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding. Input is hostile (a segment need not have been written by netrec): every position is
// type-checked, and a record that does not match its schema becomes a RecordDecodeError value.

export class RecordDecodeError {
  constructor(readonly message: string) {}
}

/** Thrown inside a decoder only; decodeX() turns it into a RecordDecodeError at the boundary. */
class Mismatch extends Error {}

const MAX_U64 = (1n << 64n) - 1n;

/** Typed access to a positional record; positions past the end read as absent (older minor). */
class Positions {
  constructor(
    private readonly a: readonly unknown[],
    private readonly what: string,
  ) {}

  static of(v: unknown, what: string): Positions {
    if (!Array.isArray(v)) throw new Mismatch(`${what}: expected an array`);
    return new Positions(v, what);
  }

  private fail(i: number, expected: string): never {
    throw new Mismatch(`${this.what}[${i}]: expected ${expected}`);
  }

  has(i: number): boolean {
    return this.a[i] !== undefined && this.a[i] !== null;
  }

  /** A JS-safe non-negative integer (stored as int or, above 32 bits, uint64). */
  uint(i: number): number {
    const v = this.a[i];
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
    if (typeof v === 'bigint' && v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
    return this.fail(i, 'a non-negative integer');
  }

  int(i: number): number {
    const v = this.a[i];
    if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
    return this.fail(i, 'an integer');
  }

  u64(i: number): bigint {
    const v = this.a[i];
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
    if (typeof v === 'bigint' && v >= 0n && v <= MAX_U64) return v;
    return this.fail(i, 'an unsigned 64-bit integer');
  }

  i64(i: number): bigint {
    const v = this.a[i];
    if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
    if (typeof v === 'bigint') return v;
    return this.fail(i, 'a 64-bit integer');
  }

  str(i: number): string {
    const v = this.a[i];
    return typeof v === 'string' ? v : this.fail(i, 'a string');
  }

  bytes(i: number): Uint8Array {
    const v = this.a[i];
    return v instanceof Uint8Array ? v : this.fail(i, 'binary data');
  }

  list<T>(i: number, item: (v: unknown, what: string) => T): T[] {
    const v = this.a[i];
    if (!Array.isArray(v)) return this.fail(i, 'an array');
    return v.map((x, k) => item(x, `${this.what}[${i}][${k}]`));
  }

  raw(i: number): unknown {
    return this.a[i];
  }
}

export function decodeTask(v: unknown, what = 'task'): TaskContext {
  const p = Positions.of(v, what);
  const t: Record<string, unknown> = {};
  for (let i = 0; i < TASK_FIELD_NAMES.length; i++) {
    const name = TASK_FIELD_NAMES[i]!;
    const spec = TASK_FIELD_SPECS[name];
    if (spec.optional && !p.has(i)) continue;
    t[name] = p[spec.kind === 'string' ? 'str' : spec.kind](i);
  }
  return t as TaskContext;
}

function decodeProcess(v: unknown, what: string): ProcessEntry {
  const p = Positions.of(v, what);
  return { ref: p.uint(0), task: decodeTask(p.raw(1), `${what}.task`), exePath: p.str(2) };
}

function decodeInterface(v: unknown, what: string): InterfaceEntry {
  const p = Positions.of(v, what);
  return { ifindex: p.uint(0), name: p.str(1), linkType: p.uint(2) };
}

function decodeIndexEntry(v: unknown, what: string): IndexEntry {
  const p = Positions.of(v, what);
  return { maxTimestampBefore: p.u64(0), packetNumber: p.uint(1), record: p.uint(2), offset: p.uint(3) };
}

function guard<T>(decode: () => T): T | RecordDecodeError {
  try {
    return decode();
  } catch (err) {
    if (err instanceof Mismatch) return new RecordDecodeError(err.message);
    throw err;
  }
}

export function decodeHeader(v: unknown): SegmentHeader | RecordDecodeError {
  return guard(() => {
    const p = Positions.of(v, 'header');
    return {
      formatMajor: p.uint(0),
      formatMinor: p.uint(1),
      netrecVersion: p.str(2),
      recordingId: p.str(3),
      segmentNumber: p.uint(4),
      firstPacketNumber: p.uint(5),
      createdAt: p.u64(6),
      hostName: p.str(7),
      kernelRelease: p.str(8),
      bootTimeOffset: p.i64(9),
      snaplen: p.uint(10),
      interfaces: p.list(11, decodeInterface),
      processes: p.list(12, decodeProcess),
      origin: p.str(13),
    };
  });
}

export function decodeFooter(v: unknown): SegmentFooter | RecordDecodeError {
  return guard(() => {
    const p = Positions.of(v, 'footer');
    const counts = new Map<number, number>();
    for (const pair of p.list(0, (x, what) => Positions.of(x, what))) counts.set(pair.uint(0), pair.uint(1));
    return {
      counts,
      firstTimestamp: p.has(1) ? p.u64(1) : undefined,
      lastTimestamp: p.has(2) ? p.u64(2) : undefined,
      capturedBytes: p.uint(3),
      wireBytes: p.uint(4),
      kernelLost: p.u64(5),
      userDropped: p.u64(6),
      index: p.list(7, decodeIndexEntry),
      tasks: p.list(8, decodeProcess),
      interfaces: p.list(9, decodeInterface),
      sealedAt: p.u64(10),
      sealedBy: p.str(11),
      checksum: p.uint(12),
    };
  });
}

/**
 * Decodes the value of a body frame. Returns undefined for a type code this version does not
 * know (a newer minor version may add record types; readers skip them).
 */
export function decodeBody(type: number, v: unknown): BodyRecord | RecordDecodeError | undefined {
  switch (type) {
    case RecordType.packet:
      return guard(() => decodePacket(v));
    case RecordType.task:
      return guard(() => ({ kind: 'task', ...decodeProcess(v, 'task record') }));
    case RecordType.interface:
      return guard(() => ({ kind: 'interface', ...decodeInterface(v, 'interface record') }));
    case RecordType.lifecycle:
      return guard(() => decodeLifecycle(v));
    case RecordType.loss:
      return guard(() => {
        const p = Positions.of(v, 'loss');
        const rec: LossRecord = { kind: 'loss', start: p.u64(0), end: p.u64(1), kernelLost: p.u64(3), userDropped: p.u64(4) };
        if (p.has(2)) rec.cpu = p.uint(2);
        return rec;
      });
    case RecordType.finding:
      return guard(() => {
        const p = Positions.of(v, 'finding');
        const rec: FindingRecord = { kind: 'finding', timestamp: p.u64(0), packetNumber: p.uint(1), signatureId: p.str(2), json: p.str(4) };
        if (p.has(3)) rec.severity = p.uint(3);
        return rec;
      });
    default:
      return undefined;
  }
}

function decodePacket(v: unknown): PacketRecord {
  const p = Positions.of(v, 'packet');
  const rec: PacketRecord = {
    kind: 'packet',
    timestamp: p.u64(0),
    linkType: p.uint(1),
    originalLength: p.uint(5),
    data: p.bytes(6),
  };
  if (p.has(2)) rec.cpu = p.uint(2);
  if (p.has(3)) rec.ifindex = p.uint(3);
  if (p.has(4)) {
    const direction = DIRECTIONS[p.uint(4)];
    if (direction === undefined) throw new Mismatch('packet[4]: unknown direction code');
    rec.direction = direction;
  }
  if (p.has(7)) rec.socketCookie = p.u64(7);
  if (p.has(8)) rec.task = typeof p.raw(8) === 'number' ? p.uint(8) : decodeTask(p.raw(8), 'packet[8]');
  if (p.has(9)) rec.timestamp += p.i64(9) << 64n;
  return rec;
}

function decodeLifecycle(v: unknown): LifecycleRecord {
  const p = Positions.of(v, 'lifecycle');
  const event = LIFECYCLE_EVENTS[p.uint(0)];
  if (event === undefined) throw new Mismatch('lifecycle[0]: unknown event code');
  const base: LifecycleBase = { kind: 'lifecycle', timestamp: p.u64(1), hostProcessId: p.int(2), hostThreadId: p.int(3) };
  if (p.has(4)) base.taskRef = p.uint(4);
  switch (event) {
    case 'fork':
      return { ...base, event, childHostProcessId: p.int(5), childHostThreadId: p.int(6) };
    case 'exec':
      return { ...base, event, path: p.str(5) };
    case 'exit':
      return { ...base, event, exitCode: p.int(5) };
    case 'comm':
      return { ...base, event, comm: p.str(5) };
  }
}
