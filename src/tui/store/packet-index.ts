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

  get length(): number {
    return this.#length;
  }

  /** Appends the next packet in source order. */
  push(number: number, offset: number, timestamp: bigint, linkType: number): void {
    const position = this.#length;
    if (number !== this.#expectedNumber(position)) this.#runs.push({ position, number });
    const at = position % INDEX_CHUNK;
    if (at === 0) this.#chunks.push(newChunk());
    const chunk = this.#chunks[this.#chunks.length - 1]!;
    chunk.offsets[at] = offset;
    chunk.timestamps[at] = timestamp;
    chunk.links[at] = this.#linkSlot(linkType);
    this.#length = position + 1;
  }

  offsetAt(position: number): number {
    return this.#chunk(position).offsets[position % INDEX_CHUNK]!;
  }

  timestampAt(position: number): bigint {
    return this.#chunk(position).timestamps[position % INDEX_CHUNK]!;
  }

  linkTypeAt(position: number): number {
    return this.#linkTypes[this.#chunk(position).links[position % INDEX_CHUNK]!]!;
  }

  /** The packet number the source gave the packet at `position` (1-based). */
  numberAt(position: number): number {
    return this.#expectedNumber(position);
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

  #expectedNumber(position: number): number {
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
