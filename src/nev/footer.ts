/**
 * The accounting behind a segment footer: counts, time span, byte and loss totals, the seek index
 * and the tasks and interfaces defined in the segment. The writer feeds it as it appends; repair
 * and verify feed it from the records they read, so a rebuilt footer is built the same way.
 */
import { hi32, lo32, u64Below, u64Of } from '../core/u64.ts';
import { RecordType, type BodyRecord, type IndexEntry, type InterfaceEntry, type ProcessEntry, type SegmentFooter } from './records.ts';

/** An index entry every this many records (at the next top-level frame). */
export const INDEX_EVERY = 1000;

/**
 * Upper bounds for what sealing adds, so size rotation can keep a segment under its limit:
 * the footer's fixed fields with their frame header plus the trailer, and one index entry
 * (an array of four u64 at most).
 */
const SEAL_FIXED_BOUND = 512;
const INDEX_ENTRY_BOUND = 1 + 4 * 9;
const MAX_U64 = (1n << 64n) - 1n;

export class FooterBuilder {
  private readonly counts = new Map<number, number>();
  private readonly index: IndexEntry[] = [];
  private readonly tasks: ProcessEntry[] = [];
  private readonly interfaces: InterfaceEntry[] = [];
  /**
   * The time span as u32 halves (the in-place path hands timestamps so: a bigint per packet
   * costs). "first" and "last" are the smallest and largest timestamp, meaningful once
   * `packetsSeen`; "max" is the largest so far, 0 before any packet (the index's bound).
   */
  private packetsSeen = false;
  private firstHi = 0;
  private firstLo = 0;
  private lastHi = 0;
  private lastLo = 0;
  private capturedBytes = 0;
  private wireBytes = 0;
  private kernelLost = 0n;
  private userDropped = 0n;
  /** Ordinal of the next record (the header is record 0). */
  private records = 1;
  private sinceEntry = 0;
  private packetNumber: number;
  private sealBound = SEAL_FIXED_BOUND;
  /** Packets counted by addPacket(), added to `counts` by finish() (a map update per packet costs). */
  private inPlacePackets = 0;

  constructor(firstPacketNumber: number) {
    this.packetNumber = firstPacketNumber;
  }

  get recordCount(): number {
    return this.records;
  }

  /** At most how many bytes the footer and trailer will take if sealed now. */
  get sealBytes(): number {
    return this.sealBound;
  }

  /** A top-level frame (record or block) starts at `offset`: a place the index may point at. */
  frameStart(offset: number): void {
    if (this.sinceEntry < INDEX_EVERY) return;
    const maxTimestampBefore = this.packetsSeen ? u64Of(this.lastHi, this.lastLo) : 0n;
    this.index.push({ maxTimestampBefore, packetNumber: this.packetNumber, record: this.records, offset });
    this.sealBound += INDEX_ENTRY_BOUND;
    this.sinceEntry = 0;
  }

  /**
   * Counts a frame of `type`; `rec` is its decoded record when it is one this version knows and
   * `payloadBytes` its encoded size (task and interface records are repeated in the footer).
   */
  add(type: number, rec?: BodyRecord, payloadBytes = 0): void {
    this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
    if (type === RecordType.block) return;
    this.records++;
    this.sinceEntry++;
    switch (rec?.kind) {
      case 'packet': {
        // Summaries are u64: a timestamp outside it (malformed capture) saturates here.
        const t = rec.timestamp;
        const ts = t < 0n ? 0n : t > MAX_U64 ? MAX_U64 : t;
        this.packet(hi32(ts), lo32(ts), rec.data.length, rec.originalLength);
        break;
      }
      case 'task':
        this.tasks.push({ ref: rec.ref, task: rec.task, exePath: rec.exePath });
        this.sealBound += payloadBytes;
        break;
      case 'interface':
        this.interfaces.push({ ifindex: rec.ifindex, name: rec.name, linkType: rec.linkType });
        this.sealBound += payloadBytes;
        break;
      case 'loss':
        this.kernelLost += rec.kernelLost;
        this.userDropped += rec.userDropped;
        break;
    }
  }

  /** add() for a packet record, from its fields (the writer's in-place path): its timestamp as u32 halves. */
  addPacket(timestampHi: number, timestampLo: number, capturedBytes: number, originalLength: number): void {
    // The key goes in at the first packet, as add() would put it (the footer keeps map order).
    if (this.inPlacePackets++ === 0 && !this.counts.has(RecordType.packet)) this.counts.set(RecordType.packet, 0);
    this.records++;
    this.sinceEntry++;
    this.packet(timestampHi, timestampLo, capturedBytes, originalLength);
  }

  private packet(hi: number, lo: number, capturedBytes: number, originalLength: number): void {
    this.packetNumber++;
    if (!this.packetsSeen) {
      this.packetsSeen = true;
      this.firstHi = this.lastHi = hi;
      this.firstLo = this.lastLo = lo;
    } else if (u64Below(hi, lo, this.firstHi, this.firstLo)) {
      this.firstHi = hi;
      this.firstLo = lo;
    } else if (u64Below(this.lastHi, this.lastLo, hi, lo)) {
      this.lastHi = hi;
      this.lastLo = lo;
    }
    this.capturedBytes += capturedBytes;
    this.wireBytes += originalLength;
  }

  finish(checksum: number, sealedBy: string, sealedAt: bigint): SegmentFooter {
    const counts = new Map(this.counts);
    if (this.inPlacePackets > 0) counts.set(RecordType.packet, (counts.get(RecordType.packet) ?? 0) + this.inPlacePackets);
    const footer: SegmentFooter = {
      counts,
      capturedBytes: this.capturedBytes,
      wireBytes: this.wireBytes,
      kernelLost: this.kernelLost,
      userDropped: this.userDropped,
      index: [...this.index],
      tasks: [...this.tasks],
      interfaces: [...this.interfaces],
      sealedAt,
      sealedBy,
      checksum,
    };
    if (this.packetsSeen) {
      footer.firstTimestamp = u64Of(this.firstHi, this.firstLo);
      footer.lastTimestamp = u64Of(this.lastHi, this.lastLo);
    }
    return footer;
  }
}
