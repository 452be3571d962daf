/**
 * PcapSource.records() (parallel replay's reader: runs of whole records, taken apart later by
 * recordsToItems) yields exactly the items batches() yields: the same packets, numbers, offsets,
 * timestamps and bytes, the same issues at the same places, whatever the run limits and however
 * the stream is chunked (records and record headers straddling chunks).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SourceItem } from '../../src/core/source.ts';
import { pcapSource, recordsToItems } from '../../src/replay/pcap.ts';
import { REPO } from '../helpers/cli.ts';
import { chunkedReader, payload, pcapFile, readAll, type Order } from './capture-bytes.ts';

async function viaRecords(bytes: Buffer, chunkSize: number, maxPackets: number, maxBytes: number): Promise<SourceItem[]> {
  const runs = pcapSource('test.pcap', chunkedReader(bytes, chunkSize)).records();
  const items: SourceItem[] = [];
  for (;;) {
    const run = await runs.next(maxPackets, maxBytes);
    if (run === undefined) return items;
    if ('kind' in run) {
      items.push(run);
      expect(await runs.next(maxPackets, maxBytes)).toBeUndefined(); // nothing follows an issue
      return items;
    }
    expect(run.packets).toBeLessThanOrEqual(maxPackets);
    if (run.packets > 1) expect(run.records.length).toBeLessThanOrEqual(maxBytes);
    // The run's bytes are only valid until the next call: taken apart now, from a copy.
    recordsToItems('test.pcap', run, Uint8Array.from(run.records), items);
  }
}

/** Packets with their bytes as plain arrays, so that toEqual compares contents. */
function comparable(items: SourceItem[]): unknown[] {
  return items.map((i) => ('data' in i ? { ...i, data: [...i.data] } : i));
}

async function expectSameItems(bytes: Buffer): Promise<void> {
  const expected = comparable(await readAll(pcapSource('test.pcap', chunkedReader(bytes))));
  for (const chunk of [1, 7, 16, 17, 100, 4096, bytes.length]) {
    for (const [packets, size] of [
      [1, 1],
      [3, 200],
      [1000, 1 << 20],
    ] as const) {
      expect(comparable(await viaRecords(bytes, chunk, packets, size)), `chunks of ${chunk}, runs of ${packets}/${size}`).toEqual(expected);
    }
  }
}

const records = (order: Order) =>
  pcapFile({ order }, [
    { seconds: 1_700_000_000, fraction: 123_456, data: payload(60) },
    { seconds: 1_700_000_001, fraction: 2_000_000, data: payload(42, 7), originalLength: 1514 },
    { seconds: 1_700_000_001, fraction: 5, data: Buffer.alloc(0) },
    { seconds: 1_700_000_002, fraction: 999_999, data: payload(300, 3) },
  ]);

describe('pcap records(): the items batches() gives', () => {
  it.each(['le', 'be'] as const)('%s records, an out-of-range fraction, an empty record', async (order) => {
    await expectSameItems(records(order));
  });

  it('a file cut in a record header and in a record body', async () => {
    const bytes = records('le');
    await expectSameItems(bytes.subarray(0, bytes.length - 10));
    await expectSameItems(bytes.subarray(0, 24 + 76 + 9));
  });

  it('a corrupt captured length after good records', async () => {
    const bytes = Buffer.from(records('be'));
    bytes.writeUInt32BE(0x7fffffff, 24 + 76 + 58 + 8);
    await expectSameItems(bytes);
  });

  it('a bad file header; an empty file', async () => {
    await expectSameItems(Buffer.from('not a pcap file at all, just text'));
    await expectSameItems(records('le').subarray(0, 24));
  });

  it.each(['dns-tcp.pcap', 'mixed-nano.pcap', 'icmp.pcap'])('fixtures/pcap/%s', async (file) => {
    await expectSameItems(readFileSync(join(REPO, 'fixtures/pcap', file)));
  });
});
