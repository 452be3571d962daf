/**
 * BatchCutter: batches are packet-number ranges that end at multiples of the size and at segment
 * starts, named by their first packet number, the same however the rows are handed over (what a
 * re-run of ship, or ship after record --ship, relies on to skip exactly what is in).
 */
import { describe, expect, it } from 'vitest';
import { BatchCutter, type Batch } from '../../src/ship/batches.ts';
import { emptyTableRows, type TableRows } from '../../src/table/collector.ts';

/** Rows of packets `numbers`, each with one event and, for even numbers, a DNS message. */
function rows(numbers: number[], processes = 0): TableRows {
  const n = (k: number) => ({ packetNumber: BigInt(k) });
  return {
    ...emptyTableRows(),
    packets: numbers.map(n),
    events: numbers.map(n),
    dns: numbers.filter((k) => k % 2 === 0).map(n),
    processes: Array.from({ length: processes }, () => ({ packetNumber: 0n })),
  };
}

const shape = (batches: Batch[]) =>
  batches.map((b) => ({
    id: b.id,
    packets: b.rows.packets.map((r) => Number(r.packetNumber)),
    events: b.rows.events.length,
    dns: b.rows.dns.length,
    processes: b.rows.processes.length,
  }));

function cutAll(numbers: number[], handOver: number, starts: number[] = [], size = 10): Batch[] {
  const cutter = new BatchCutter(size);
  const out: Batch[] = [];
  for (let i = 0; i < numbers.length; i += handOver) out.push(...cutter.add(rows(numbers.slice(i, i + handOver)), false, starts));
  out.push(...cutter.add(rows([], 3), true, starts));
  return out;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('BatchCutter', () => {
  it('cuts at multiples of the size and gives the processes to the last batch', () => {
    expect(shape(cutAll(range(1, 25), 7))).toEqual([
      { id: 1, packets: range(1, 10), events: 10, dns: 5, processes: 0 },
      { id: 11, packets: range(11, 20), events: 10, dns: 5, processes: 0 },
      { id: 21, packets: range(21, 25), events: 5, dns: 2, processes: 3 },
    ]);
  });

  it('also cuts where a segment starts', () => {
    expect(shape(cutAll(range(1, 25), 4, [1, 6, 18])).map((b) => [b.id, b.packets[0], b.packets.at(-1)])).toEqual([
      [1, 1, 5],
      [6, 6, 10],
      [11, 11, 17],
      [18, 18, 20],
      [21, 21, 25],
    ]);
  });

  it('the same batches however the rows are handed over', () => {
    const starts = [1, 9, 14, 33];
    const reference = shape(cutAll(range(1, 40), 40, starts));
    for (const handOver of [1, 3, 10, 17]) expect(shape(cutAll(range(1, 40), handOver, starts))).toEqual(reference);
  });

  it('filtered packets and a pruned ring: ids are still the ranges', () => {
    // Packets 1-30 were deleted with their segments; the filter kept a few of the rest.
    expect(shape(cutAll([31, 35, 52, 53, 71], 2, [31, 50])).map((b) => [b.id, b.packets])).toEqual([
      [31, [31, 35]],
      [51, [52, 53]],
      [71, [71]],
    ]);
  });

  it('no packets: one batch, id 1, with the processes', () => {
    expect(shape(cutAll([], 5))).toEqual([{ id: 1, packets: [], events: 0, dns: 0, processes: 3 }]);
  });
});
