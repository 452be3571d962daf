/**
 * Counts per key (an address, a DNS name) in bounded memory. Up to twice `capacity` keys are
 * counted exactly; past that the least counted half is dropped, and from then on the figures
 * are marked approximate: a key that became frequent late may be undercounted. A million
 * distinct addresses (a scan) then cost the same as a few thousand.
 */

export interface Counted {
  key: string;
  packets: number;
  bytes: number;
}

export const TOP_CAPACITY = 4096;

export class TopCounter {
  readonly #counts = new Map<string, Counted>();
  #approximate = false;

  constructor(readonly capacity = TOP_CAPACITY) {}

  /** Some keys were dropped: counts are lower bounds. */
  get approximate(): boolean {
    return this.#approximate;
  }

  get size(): number {
    return this.#counts.size;
  }

  add(key: string, bytes: number, packets = 1): void {
    const counted = this.#counts.get(key);
    if (counted !== undefined) {
      counted.packets += packets;
      counted.bytes += bytes;
      return;
    }
    this.#counts.set(key, { key, packets, bytes });
    if (this.#counts.size > 2 * this.capacity) this.#prune();
  }

  /** The `n` largest, by `by`, largest first; ties by key for a stable display. */
  top(n: number, by: 'packets' | 'bytes'): Counted[] {
    return [...this.#counts.values()].sort((x, y) => y[by] - x[by] || (x.key < y.key ? -1 : 1)).slice(0, n);
  }

  #prune(): void {
    const kept = this.top(this.capacity, 'packets');
    this.#counts.clear();
    for (const c of kept) this.#counts.set(c.key, c);
    this.#approximate = true;
  }
}
