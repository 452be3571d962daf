/**
 * A batch of source items packed for a worker thread: the packets' bytes in one transferable
 * ArrayBuffer and their fields in typed columns, so that handing a few thousand packets to a
 * worker costs one copy of their bytes and no structured clone of a few thousand objects. What
 * is rare or per-recording (process context, socket cookies, interface names, input issues)
 * travels beside them as cloned objects.
 */
import type { InputIssue } from '../../core/errors.ts';
import type { CapturedPacket, Direction, TaskContext } from '../../core/packet.ts';
import type { StreamResult } from '../../decode/tcp-dns-stream.ts';
import type { SourceItem } from '../../core/source.ts';
import { type PcapRecords, recordsToItems } from '../../replay/pcap.ts';

/** Numbers per packet in `meta`. */
const FIELDS = 8;
const DIRECTIONS: readonly (Direction | undefined)[] = [undefined, 'ingress', 'egress', 'unknown'];

/** Fields a packet carries only sometimes; cloned per packet that has any. */
interface Extra {
  interfaceName?: string;
  socketCookie?: bigint;
  task?: TaskContext;
  /** A timestamp outside the signed 64-bit column. */
  timestamp?: bigint;
}

/** Consecutive items of one input (its position among the replay's sources). */
export interface PackedRun {
  source: number;
  items: number;
}

/** What crosses to a worker: everything here is cloned or transferred. */
export interface PackedBatch {
  seq: number;
  runs: PackedRun[];
  /** Per item, in order: >= 0 a packet's index, < 0 the issue at -1 - value. */
  order: Int32Array;
  issues: InputIssue[];
  /** The packets' bytes, one after the other from offset 0 (the buffer may be longer). */
  bytes: ArrayBuffer;
  meta: Float64Array;
  timestamps: BigInt64Array;
  extras: [number, Extra][];
  /** DNS-over-TCP reassembly results, in the order the packets' decodes ask for them. */
  streams: StreamResult[];
  /**
   * Set when the batch is a run of whole pcap records of one input, as they lie in the file
   * (`bytes` from offset 0, `length` bytes): the worker takes them apart, `meta` and the other
   * columns are empty.
   */
  records?: Omit<PcapRecords, 'records'> & { source: number; length: number };
}

/** Collects items into a PackedBatch, straight into typed arrays: no object per packet. */
export class BatchBuilder {
  private readonly issues: InputIssue[] = [];
  private readonly runs: PackedRun[] = [];
  private readonly extras: [number, Extra][] = [];
  private readonly streams: StreamResult[] = [];
  private order: Int32Array;
  private items = 0;
  private readonly meta: Float64Array;
  private readonly timestamps: BigInt64Array;
  private data: Uint8Array;
  private count = 0;
  private size = 0;

  /**
   * `capacity`: packets at most; `bytes`: the buffer for the packets' bytes (it grows when they
   * do not fit): a batch's buffer that came back from a worker, or a new one.
   */
  constructor(
    private readonly capacity: number,
    bytes: ArrayBuffer,
  ) {
    this.order = new Int32Array(capacity);
    this.meta = new Float64Array(capacity * FIELDS);
    this.timestamps = new BigInt64Array(capacity);
    this.data = new Uint8Array(bytes);
  }

  /** Packets so far. */
  get packets(): number {
    return this.count;
  }

  /** Bytes of packet data so far. */
  get bytes(): number {
    return this.size;
  }

  /** No room for another packet; or as many issues as two batches of packets (a damaged file). */
  get full(): boolean {
    return this.count === this.capacity || this.items >= 2 * this.capacity;
  }

  get empty(): boolean {
    return this.items === 0;
  }

  issue(source: number, issue: InputIssue): void {
    this.item(source, -1 - this.issues.length);
    this.issues.push(issue);
  }

  /** Only while not full. */
  packet(source: number, p: CapturedPacket, stream: StreamResult | undefined): void {
    const i = this.count++;
    this.item(source, i);
    const length = p.data.length;
    this.data = append(this.data, this.size, p.data);
    this.size += length;
    const m = this.meta;
    const at = i * FIELDS;
    m[at] = p.linkType;
    m[at + 1] = p.originalLength;
    m[at + 2] = p.number;
    m[at + 3] = p.offset;
    m[at + 4] = length;
    m[at + 5] = p.cpu ?? NaN;
    m[at + 6] = p.ifindex ?? NaN;
    m[at + 7] = DIRECTIONS.indexOf(p.direction);
    const fits = BigInt.asIntN(64, p.timestamp) === p.timestamp;
    this.timestamps[i] = fits ? p.timestamp : 0n;
    if (p.interfaceName !== undefined || p.socketCookie !== undefined || p.task !== undefined || !fits) {
      const extra: Extra = {};
      if (p.interfaceName !== undefined) extra.interfaceName = p.interfaceName;
      if (p.socketCookie !== undefined) extra.socketCookie = p.socketCookie;
      if (p.task !== undefined) extra.task = p.task;
      if (!fits) extra.timestamp = p.timestamp;
      this.extras.push([i, extra]);
    }
    if (stream !== undefined) this.streams.push(stream);
  }

  /** The packed batch; the builder is not used again. */
  finish(seq: number): PackedBatch {
    const n = this.count;
    return {
      seq,
      runs: this.runs,
      order: this.order.slice(0, this.items),
      issues: this.issues,
      // Whole: a transfer copies nothing, and the worker sends the buffer back for reuse.
      bytes: this.data.buffer as ArrayBuffer,
      meta: n === this.capacity ? this.meta : this.meta.slice(0, n * FIELDS),
      timestamps: n === this.capacity ? this.timestamps : this.timestamps.slice(0, n),
      extras: this.extras,
      streams: this.streams,
    };
  }

  private item(source: number, value: number): void {
    if (this.items === this.order.length) {
      const bigger = new Int32Array(2 * this.order.length);
      bigger.set(this.order);
      this.order = bigger;
    }
    this.order[this.items++] = value;
    const last = this.runs[this.runs.length - 1];
    if (last !== undefined && last.source === source) last.items++;
    else this.runs.push({ source, items: 1 });
  }
}

/** Copies `bytes` to `data` at `size`, in a larger buffer when they do not fit (which it returns). */
function append(data: Uint8Array, size: number, bytes: Uint8Array): Uint8Array {
  let into = data;
  if (size + bytes.length > data.length) {
    into = new Uint8Array(Math.max(2 * data.length, size + bytes.length));
    into.set(data.subarray(0, size));
  }
  into.set(bytes, size);
  return into;
}

/**
 * Collects consecutive runs of pcap records of one input into one batch: one copy per run, and
 * the main thread never takes the packets apart (the worker does).
 */
export class RecordBatchBuilder {
  private readonly streams: StreamResult[] = [];
  private first: Omit<PcapRecords, 'records'> | undefined;
  private data: Uint8Array;
  private count = 0;
  private size = 0;

  constructor(
    readonly source: number,
    /** Packets and bytes at most (one run more when a single record is larger). */
    readonly capacity: { packets: number; bytes: number },
    bytes: ArrayBuffer,
  ) {
    this.data = new Uint8Array(bytes);
  }

  get empty(): boolean {
    return this.count === 0;
  }

  /** What the next run may hold. */
  get room(): { packets: number; bytes: number } {
    return { packets: this.capacity.packets - this.count, bytes: this.capacity.bytes - this.size };
  }

  get full(): boolean {
    return this.count >= this.capacity.packets || this.size >= this.capacity.bytes;
  }

  /** `streams`: the pre-pass results of the run's packets. */
  add(run: PcapRecords, streams: readonly StreamResult[]): void {
    this.first ??= run;
    this.data = append(this.data, this.size, run.records);
    this.size += run.records.length;
    this.count += run.packets;
    for (const s of streams) this.streams.push(s);
  }

  finish(seq: number): PackedBatch {
    const { header, number, offset } = this.first!;
    return {
      seq,
      runs: [],
      issues: [],
      bytes: this.data.buffer as ArrayBuffer,
      extras: [],
      streams: this.streams,
      records: { source: this.source, header, number, offset, packets: this.count, length: this.size },
      order: new Int32Array(0),
      meta: new Float64Array(0),
      timestamps: new BigInt64Array(0),
    };
  }
}

/** The items of a packed batch again, run by run, in their order; `names`: the inputs' names, by position. */
export function unpack(batch: PackedBatch, names: readonly string[]): { source: number; items: (CapturedPacket | InputIssue)[] }[] {
  const { records } = batch;
  if (records !== undefined) {
    const items: SourceItem[] = [];
    recordsToItems(names[records.source]!, records, new Uint8Array(batch.bytes, 0, records.length), items);
    return [{ source: records.source, items }];
  }
  const { meta, timestamps, order, issues } = batch;
  const extras = new Map(batch.extras);
  const packets: CapturedPacket[] = [];
  let at = 0;
  for (let i = 0; i < timestamps.length; i++) {
    const m = i * FIELDS;
    const length = meta[m + 4]!;
    const p: CapturedPacket = {
      timestamp: timestamps[i]!,
      linkType: meta[m]!,
      data: Buffer.from(batch.bytes, at, length),
      originalLength: meta[m + 1]!,
      number: meta[m + 2]!,
      offset: meta[m + 3]!,
    };
    at += length;
    // Only the fields the source set, as it set them: the output must not change.
    if (!Number.isNaN(meta[m + 5]!)) p.cpu = meta[m + 5]!;
    const direction = DIRECTIONS[meta[m + 7]!];
    if (direction !== undefined) p.direction = direction;
    if (!Number.isNaN(meta[m + 6]!)) p.ifindex = meta[m + 6]!;
    const extra = extras.get(i);
    if (extra !== undefined) Object.assign(p, extra);
    packets.push(p);
  }
  let next = 0;
  return batch.runs.map(({ source, items }) => {
    const out: (CapturedPacket | InputIssue)[] = [];
    for (let k = 0; k < items; k++) {
      const v = order[next++]!;
      out.push(v >= 0 ? packets[v]! : issues[-1 - v]!);
    }
    return { source, items: out };
  });
}
