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
  bytes: ArrayBuffer;
  meta: Float64Array;
  timestamps: BigInt64Array;
  extras: [number, Extra][];
  /** DNS-over-TCP reassembly results, in the order the packets' decodes ask for them. */
  streams: StreamResult[];
}

/** Collects items into a PackedBatch; bytes are copied in as they come. */
export class BatchBuilder {
  private readonly order: number[] = [];
  private readonly issues: InputIssue[] = [];
  private readonly runs: PackedRun[] = [];
  private readonly extras: [number, Extra][] = [];
  private readonly streams: StreamResult[] = [];
  private meta: number[] = [];
  private timestamps: bigint[] = [];
  private chunks: Uint8Array[] = [];
  private size = 0;

  /** Packets so far. */
  get packets(): number {
    return this.timestamps.length;
  }

  /** Bytes of packet data so far. */
  get bytes(): number {
    return this.size;
  }

  get empty(): boolean {
    return this.order.length === 0;
  }

  issue(source: number, issue: InputIssue): void {
    this.item(source, -1 - this.issues.length);
    this.issues.push(issue);
  }

  packet(source: number, p: CapturedPacket, stream: StreamResult | undefined): void {
    const i = this.timestamps.length;
    this.item(source, i);
    this.meta.push(p.linkType, p.originalLength, p.number, p.offset, p.data.length, p.cpu ?? NaN, p.ifindex ?? NaN, DIRECTIONS.indexOf(p.direction));
    this.chunks.push(p.data);
    this.size += p.data.length;
    const fits = BigInt.asIntN(64, p.timestamp) === p.timestamp;
    this.timestamps.push(fits ? p.timestamp : 0n);
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
    const bytes = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      bytes.set(c, at);
      at += c.length;
    }
    return {
      seq,
      runs: this.runs,
      order: Int32Array.from(this.order),
      issues: this.issues,
      bytes: bytes.buffer,
      meta: Float64Array.from(this.meta),
      timestamps: BigInt64Array.from(this.timestamps),
      extras: this.extras,
      streams: this.streams,
    };
  }

  private item(source: number, value: number): void {
    this.order.push(value);
    const last = this.runs[this.runs.length - 1];
    if (last !== undefined && last.source === source) last.items++;
    else this.runs.push({ source, items: 1 });
  }
}

/** The items of a packed batch again, run by run, in their order. */
export function unpack(batch: PackedBatch): { source: number; items: (CapturedPacket | InputIssue)[] }[] {
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
