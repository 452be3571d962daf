/**
 * Cuts an input's rows into batches by packet number, whatever batches the replay hands them
 * over in: batch k holds the packets numbered (k-1)·size+1 to k·size (with their events and DNS
 * messages), so batch k holds the same rows on every run, also of a recording that is still
 * growing (record --ship) or whose first segments a ring deleted: what makes a re-run skip
 * exactly what was shipped. A batch is complete once a later packet arrives (or at the end);
 * the processes rows, known only at the end, go with the last batch.
 */
import type { TableRows } from '../table/collector.ts';
import type { Row } from '../table/rows.ts';

export const BATCH_PACKETS = 50_000;

export interface Batch {
  /** From 1: the packet-number range it covers. */
  number: number;
  rows: TableRows;
}

const empty = (): TableRows => ({ packets: [], events: [], dns: [], processes: [] });

export class BatchCutter {
  private pending: TableRows = empty();

  constructor(private readonly size = BATCH_PACKETS) {}

  private numberOf(row: Row): number {
    return Math.floor((Number(row.packetNumber as bigint) - 1) / this.size) + 1;
  }

  /** Adds rows; returns the batches now complete (`final`: everything left, as the last batch). */
  add(rows: TableRows, final: boolean): Batch[] {
    for (const name of ['packets', 'events', 'dns', 'processes'] as const) for (const r of rows[name]) this.pending[name].push(r);
    const out: Batch[] = [];
    const packets = this.pending.packets;
    while (packets.length > 0 && this.numberOf(packets[0]!) !== this.numberOf(packets[packets.length - 1]!)) out.push(this.cut());
    if (final) {
      const first = packets[0];
      // No packets at all (an empty input, or a filter that keeps none): batch 1 holds the processes.
      out.push({ number: first === undefined ? (out.at(-1)?.number ?? 0) + 1 : this.numberOf(first), rows: this.pending });
      this.pending = empty();
    }
    return out;
  }

  private cut(): Batch {
    const number = this.numberOf(this.pending.packets[0]!);
    const last = BigInt(number * this.size);
    const upTo = (rows: Row[]): Row[] => {
      let n = 0;
      while (n < rows.length && (rows[n]!.packetNumber as bigint) <= last) n++;
      return rows.splice(0, n);
    };
    return { number, rows: { packets: upTo(this.pending.packets), events: upTo(this.pending.events), dns: upTo(this.pending.dns), processes: [] } };
  }
}
