/**
 * The index positions a filtered view holds, ascending, 4 bytes each, in fixed chunks (no
 * transient copy when it grows). Positions are < 2^32: a capture has fewer packets than that.
 */

const CHUNK = 65_536;

export class PositionList {
  readonly #chunks: Uint32Array[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(position: number): void {
    const at = this.#length % CHUNK;
    if (at === 0) this.#chunks.push(new Uint32Array(CHUNK));
    this.#chunks[this.#chunks.length - 1]![at] = position;
    this.#length++;
  }

  at(row: number): number {
    if (row < 0 || row >= this.#length) throw new RangeError(`PositionList: row ${row} outside 0..${this.#length - 1}`);
    return this.#chunks[Math.floor(row / CHUNK)]![row % CHUNK]!;
  }

  /** The first row holding a position >= `position` (length when there is none). */
  rowAtOrAfter(position: number): number {
    let lo = 0;
    let hi = this.#length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid) < position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  bytesUsed(): number {
    return this.#chunks.length * CHUNK * 4;
  }
}
