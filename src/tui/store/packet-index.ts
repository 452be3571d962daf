/**
 * Where every packet of a capture is, and when it was seen, in 17 bytes a packet: the file offset
 * of its record (8), its exact timestamp (8) and its link type as a palette slot (1). Packet
 * bytes are never kept here; readers fetch them by offset when a row becomes visible.
 *
 * Storage grows in fixed chunks rather than by doubling, so that a million packets never cost a
 * transient copy of the whole index and the bound is exact: ceil(n / CHUNK) * CHUNK * 17 bytes.
 */
import type { PacketLocations } from '../../core/source.ts';

export const INDEX_CHUNK = 65_536;
/** Bytes per indexed packet: offset (Float64), timestamp (BigInt64), link slot (Uint8). */
export const INDEX_BYTES_PER_PACKET = 17;

interface Chunk {
  offsets: Float64Array;
  timestamps: BigInt64Array;
  links: Uint8Array;
}

/**
 * The last packets of a recording, read through its footers before the scan gets there (so that
 * G shows the end at once), at the positions the footers' packet counts give them. Numbers come
 * from the file; the scan checks the position when it reaches the tail and takes over.
 */
export interface IndexedPacket {
  number: number;
  offset: number;
  timestamp: bigint;
  linkType: number;
}

interface Tail {
  start: number;
  packets: readonly IndexedPacket[];
}

/** A run of positions whose packet numbers are consecutive from `number` (sources may skip). */
interface NumberRun {
  position: number;
  number: number;
}

export class PacketIndex implements PacketLocations {
  readonly #chunks: Chunk[] = [];
  readonly #linkTypes: number[] = [];
  /** Only where numbering is not position + 1 (a damaged .nev segment): usually empty. */
  readonly #runs: NumberRun[] = [];
  #length = 0;
  #tail: Tail | undefined;
  /** The scan found the tail somewhere else than the footers said: entries read for it are wrong. */
  #tailMisplaced = false;

  /** Packets indexed by the scan, from position 0 on without a gap. */
  get length(): number {
    return this.#length;
  }

  /**
   * The recording's last packets at positions from `start` (the footers' count of the packets
   * before them), until the scan reaches them. Tiny: at most a screenful or two.
   */
  setTail(start: number, packets: readonly IndexedPacket[]): void {
    if (packets.length === 0 || start <= this.#length) return;
    this.#tail = { start, packets };
  }

  /** Positions of the tail not scanned yet, [start, end), or undefined. */
  get tail(): { start: number; end: number } | undefined {
    const tail = this.#tail;
    return tail === undefined ? undefined : { start: tail.start, end: tail.start + tail.packets.length };
  }

  /** Whether `position` can be read: scanned, or in the tail. */
  has(position: number): boolean {
    if (position >= 0 && position < this.#length) return true;
    const tail = this.#tail;
    return tail !== undefined && position >= tail.start && position < tail.start + tail.packets.length;
  }

  /** True once after the scan found the tail's packets elsewhere (a recording damaged in between). */
  takeTailMisplaced(): boolean {
    const misplaced = this.#tailMisplaced;
    this.#tailMisplaced = false;
    return misplaced;
  }

  /** Appends the next packet in source order. */
  push(number: number, offset: number, timestamp: bigint, linkType: number): void {
    const position = this.#length;
    const tail = this.#tail;
    if (tail !== undefined && position >= tail.start) {
      // The scan has reached the tail: from here on its own figures hold.
      if (tail.packets[position - tail.start]?.number !== number) this.#tailMisplaced = true;
      if (this.#tailMisplaced || position + 1 >= tail.start + tail.packets.length) this.#tail = undefined;
    }
    if (number !== this.#scannedNumber(position)) this.#runs.push({ position, number });
    const at = position % INDEX_CHUNK;
    if (at === 0) this.#chunks.push(newChunk());
    const chunk = this.#chunks[this.#chunks.length - 1]!;
    chunk.offsets[at] = offset;
    chunk.timestamps[at] = timestamp;
    chunk.links[at] = this.#linkSlot(linkType);
    this.#length = position + 1;
  }

  offsetAt(position: number): number {
    return this.#tailAt(position)?.offset ?? this.#chunk(position).offsets[position % INDEX_CHUNK]!;
  }

  timestampAt(position: number): bigint {
    return this.#tailAt(position)?.timestamp ?? this.#chunk(position).timestamps[position % INDEX_CHUNK]!;
  }

  linkTypeAt(position: number): number {
    return this.#tailAt(position)?.linkType ?? this.#linkTypes[this.#chunk(position).links[position % INDEX_CHUNK]!]!;
  }

  /**
   * The packet number the source gave the packet at `position` (1-based). Between the scanned
   * packets and the tail, the number the footers lead to expect: readers seek by it (to gather a
   * DNS-over-TCP flow's earlier segments); no row shows it.
   */
  numberAt(position: number): number {
    const tail = this.#tail;
    if (tail === undefined || position < this.#length) return this.#scannedNumber(position);
    const at = position - tail.start;
    return at >= 0 && at < tail.packets.length ? tail.packets[at]!.number : tail.packets[0]!.number + at;
  }

  /** Position of packet number `number`, or of the first packet after it (numbers only grow). */
  positionOfNumber(number: number): number {
    if (this.#runs.length === 0) return clamp(number - 1, 0, this.#length);
    let lo = 0;
    let hi = this.#length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.numberAt(mid) < number) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The first position whose timestamp is at or after `t`. Captures are time-ordered except for
   * small reorderings across CPUs, so a binary search lands next to the right packet.
   */
  positionAtTime(t: bigint): number {
    let lo = 0;
    let hi = this.#length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestampAt(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Bytes held, for the memory bound (typed arrays only; the palette and runs are tiny). */
  bytesUsed(): number {
    return this.#chunks.length * INDEX_CHUNK * INDEX_BYTES_PER_PACKET;
  }

  #tailAt(position: number): IndexedPacket | undefined {
    const tail = this.#tail;
    return tail === undefined || position < this.#length ? undefined : tail.packets[position - tail.start];
  }

  #scannedNumber(position: number): number {
    const run = lastRunAtOrBefore(this.#runs, position);
    return run === undefined ? position + 1 : run.number + (position - run.position);
  }

  #chunk(position: number): Chunk {
    if (position < 0 || position >= this.#length) {
      throw new RangeError(`PacketIndex: position ${position} outside 0..${this.#length - 1}`);
    }
    return this.#chunks[Math.floor(position / INDEX_CHUNK)]!;
  }

  #linkSlot(linkType: number): number {
    let slot = this.#linkTypes.indexOf(linkType);
    if (slot < 0) {
      // 256 distinct link types in one capture would be a corrupt file; the last slot absorbs them.
      if (this.#linkTypes.length === 256) return 255;
      slot = this.#linkTypes.push(linkType) - 1;
    }
    return slot;
  }
}

function newChunk(): Chunk {
  return {
    offsets: new Float64Array(INDEX_CHUNK),
    timestamps: new BigInt64Array(INDEX_CHUNK),
    links: new Uint8Array(INDEX_CHUNK),
  };
}

function lastRunAtOrBefore(runs: readonly NumberRun[], position: number): NumberRun | undefined {
  let lo = 0;
  let hi = runs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (runs[mid]!.position <= position) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? undefined : runs[lo - 1];
}

function clamp(value: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, value));
}
