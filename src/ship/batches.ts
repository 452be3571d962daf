/**
 * Cuts an input's rows into batches by packet number, whatever batches the replay hands them
 * over in. A batch is a range of packet numbers that ends at every multiple of `size` and at
 * every segment start of a recording (so a sealed segment is shipped without waiting for later
 * ones: record --ship), with those packets' events and DNS messages. Its id is the first packet
 * number of its range, so a batch holds the same rows on every run, also of a recording that is
 * still growing or whose first segments a ring deleted: what makes a re-run skip exactly what
 * was shipped. A batch is complete once a packet of a later range arrives (or at the end); the
 * processes rows and the other END_TABLES' (process events, flows, DNS transactions), known only
 * at the end, go with the last batch.
 */
import { lastAtOrBefore } from '../core/sorted.ts';
import { emptyTableRows, type TableRows } from '../table/collector.ts';
import type { Row } from '../table/rows.ts';
import { END_TABLES, TABLE_NAMES } from '../table/schema.ts';

export const BATCH_PACKETS = 50_000;

export interface Batch {
  /** The first packet number of its range (ids grow with the packets). */
  id: number;
  rows: TableRows;
}

export class BatchCutter {
  private pending: TableRows = emptyTableRows();

  constructor(private readonly size = BATCH_PACKETS) {}

  /** The range of packet `n`: from its multiple of `size` or its segment's first packet, the later. */
  private idOf(n: number, segmentStarts: readonly number[]): number {
    const id = Math.floor((n - 1) / this.size) * this.size + 1;
    // Binary search: a recording may have many segments.
    const segment = lastAtOrBefore(segmentStarts, n);
    return segment >= 0 ? Math.max(id, segmentStarts[segment]!) : id;
  }

  /**
   * Adds rows; returns the batches now complete (`final`: everything left, as the last batch).
   * `segmentStarts`: the first packet number of each segment known so far, ascending.
   */
  add(rows: TableRows, final: boolean, segmentStarts: readonly number[] = []): Batch[] {
    for (const name of TABLE_NAMES) for (const r of rows[name]) this.pending[name].push(r);
    const out: Batch[] = [];
    const number = (row: Row): number => Number(row.packetNumber as bigint);
    const packets = this.pending.packets;
    while (packets.length > 0) {
      const id = this.idOf(number(packets[0]!), segmentStarts);
      // Ids grow with packet numbers: when the last is in the first one's range, all are.
      if (this.idOf(number(packets[packets.length - 1]!), segmentStarts) === id) break;
      const end = packets.findIndex((p) => this.idOf(number(p), segmentStarts) !== id);
      if (end < 0) break;
      out.push(this.cut(id, number(packets[end]!)));
    }
    if (final) {
      const first = packets[0];
      // No packets at all (an empty input, or a filter that keeps none): id 1 holds the processes.
      out.push({ id: first === undefined ? 1 : this.idOf(number(first), segmentStarts), rows: this.pending });
      this.pending = emptyTableRows();
    }
    return out;
  }

  /** The pending rows of packets numbered below `next`. */
  private cut(id: number, next: number): Batch {
    const below = BigInt(next);
    const upTo = (rows: Row[]): Row[] => {
      let n = 0;
      while (n < rows.length && (rows[n]!.packetNumber as bigint) < below) n++;
      return rows.splice(0, n);
    };
    const batch = emptyTableRows();
    for (const name of TABLE_NAMES) if (!END_TABLES.includes(name)) batch[name] = upTo(this.pending[name]);
    return { id, rows: batch };
  }
}
