/**
 * Cuts an input's rows into batches of a fixed number of packets, whatever batches the replay
 * hands them over in, so that batch k holds the same rows on every run (what makes a re-run
 * skip exactly what was shipped). A packet's events and DNS messages go with it; the processes
 * rows, and the other END_TABLES' (flows, DNS transactions), known only at the end, go with the
 * last batch.
 */
import { emptyTableRows, type TableRows } from '../table/collector.ts';
import type { Row } from '../table/rows.ts';
import { END_TABLES, TABLE_NAMES } from '../table/schema.ts';

export const BATCH_PACKETS = 50_000;

export class BatchCutter {
  private pending: TableRows = emptyTableRows();

  constructor(private readonly size = BATCH_PACKETS) {}

  /** Adds rows; returns the batches now complete (`final`: everything left, as one last batch). */
  add(rows: TableRows, final: boolean): TableRows[] {
    for (const name of TABLE_NAMES) for (const r of rows[name]) this.pending[name].push(r);
    const out: TableRows[] = [];
    while (this.pending.packets.length >= this.size && !(final && this.pending.packets.length === this.size)) out.push(this.cut());
    if (final) {
      out.push(this.pending);
      this.pending = emptyTableRows();
    }
    return out;
  }

  private cut(): TableRows {
    const packets = this.pending.packets.splice(0, this.size);
    const last = packets[packets.length - 1]!.packetNumber as bigint;
    const upTo = (rows: Row[]): Row[] => {
      let n = 0;
      while (n < rows.length && (rows[n]!.packetNumber as bigint) <= last) n++;
      return rows.splice(0, n);
    };
    const batch = emptyTableRows();
    for (const name of TABLE_NAMES) if (name !== 'packets' && !END_TABLES.includes(name)) batch[name] = upTo(this.pending[name]);
    batch.packets = packets;
    return batch;
  }
}
