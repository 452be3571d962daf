/**
 * The decoded entries kept in memory: a least-recently-used set of at most `capacity` packets,
 * whatever the size of the capture. A screen needs a few dozen; the rest are neighbours kept so
 * that scrolling back and forth does not decode again.
 */
import type { Entry } from './entry.ts';

/** Entries kept: ten 100-row screens. Each holds its packet's bytes (at most the snaplen). */
export const ENTRY_CACHE_CAPACITY = 1024;

export class EntryCache {
  /** Map iteration order is insertion order: the first key is the least recently used. */
  readonly #entries = new Map<number, Entry>();

  constructor(readonly capacity = ENTRY_CACHE_CAPACITY) {}

  get size(): number {
    return this.#entries.size;
  }

  get(position: number): Entry | undefined {
    const entry = this.#entries.get(position);
    if (entry !== undefined) {
      this.#entries.delete(position);
      this.#entries.set(position, entry);
    }
    return entry;
  }

  has(position: number): boolean {
    return this.#entries.has(position);
  }

  set(entry: Entry): void {
    this.#entries.delete(entry.position);
    this.#entries.set(entry.position, entry);
    while (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value as number;
      this.#entries.delete(oldest);
    }
  }

  /** Forgets the entries from `position` on (they were read at positions that turned out wrong). */
  dropFrom(position: number): void {
    for (const p of [...this.#entries.keys()]) if (p >= position) this.#entries.delete(p);
  }
}
