import { describe, expect, it } from 'vitest';
import { pcapSource } from '../../src/replay/pcap.ts';
import { ByteReader } from '../../src/replay/byte-reader.ts';
import { chunkedReader, issuesOf, packetsOf, payload, pcapFile, readAll, type PcapFileOptions, type PcapRecordFields } from './capture-bytes.ts';

function read(bytes: Buffer, chunkSize?: number) {
  return readAll(pcapSource('test.pcap', chunkedReader(bytes, chunkSize)));
}

const threeRecords: PcapRecordFields[] = [
  { seconds: 1_700_000_000, fraction: 123_456, data: payload(60) },
  { seconds: 1_700_000_001, fraction: 0, data: payload(42, 7), originalLength: 1514 },
  { seconds: 1_700_000_002, fraction: 999_999, data: payload(1) },
];
// Offsets: header 24; records of 16 + 60, 16 + 42, 16 + 1 bytes.
const threeRecordOffsets = [24, 100, 158];
const threeRecordsEnd = 175;

describe('pcap reader: byte orders and precisions', () => {
  it.each(['le', 'be'] as const)('reads a %s microsecond file', async (order) => {
    const items = await read(pcapFile({ order, linkTypeField: 113 }, threeRecords));
    expect(issuesOf(items)).toEqual([]);
    const packets = packetsOf(items);
    expect(packets.map((p) => p.timestamp)).toEqual([1_700_000_000_123_456_000n, 1_700_000_001_000_000_000n, 1_700_000_002_999_999_000n]);
    expect(packets.map((p) => p.number)).toEqual([1, 2, 3]);
    expect(packets.map((p) => p.offset)).toEqual(threeRecordOffsets);
    expect(packets.map((p) => p.originalLength)).toEqual([60, 1514, 1]);
    expect(packets.map((p) => p.linkType)).toEqual([113, 113, 113]);
    expect(Buffer.from(packets[1]!.data)).toEqual(payload(42, 7));
  });

  it.each(['le', 'be'] as const)('reads a %s nanosecond file exactly', async (order) => {
    const records = [
      { seconds: 0xffff_ffff, fraction: 999_999_999, data: payload(20) },
      { seconds: 1, fraction: 1, data: payload(20) },
    ];
    const packets = packetsOf(await read(pcapFile({ order, nanosecond: true }, records)));
    // 4294967295 s * 1e9 + 999999999 ns: beyond 2^53, so only exact integer arithmetic gets it.
    expect(packets.map((p) => p.timestamp)).toEqual([4_294_967_295_999_999_999n, 1_000_000_001n]);
  });

  it('takes the link type from the low 16 bits and ignores the FCS bits', async () => {
    const fcsBits = 0x3000_0000 | 229;
    const packets = packetsOf(await read(pcapFile({ linkTypeField: fcsBits }, threeRecords)));
    expect(packets.map((p) => p.linkType)).toEqual([229, 229, 229]);
  });

  it('gives the same result whatever the chunking of the stream', async () => {
    const bytes = pcapFile({}, threeRecords);
    const whole = await read(bytes);
    for (const chunkSize of [1, 3, 7, 16, 17]) {
      expect(await read(bytes, chunkSize)).toEqual(whole);
    }
  });
});

describe('pcap reader: header validation', () => {
  const refusals: [string, PcapFileOptions, RegExp][] = [
    ['version 2.3', { minor: 3 }, /unsupported pcap version 2\.3/],
    ['version 1.4', { major: 1 }, /unsupported pcap version 1\.4/],
    ['reserved link-type bits', { linkTypeField: 0x0030_0000 }, /0x00300000 has reserved bits 16-25/],
    ['a reserved bit with a link type', { linkTypeField: 0x0001_0001 }, /reserved bits/],
  ];
  it.each(refusals)('refuses %s with one error issue and no packet', async (_, options, message) => {
    const items = await read(pcapFile(options, threeRecords));
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'issue', severity: 'error', where: 'offset 0', file: 'test.pcap' });
    expect((items[0] as { message: string }).message).toMatch(message);
  });

  it('reports a file shorter than its header', async () => {
    const items = await read(pcapFile({}, []).subarray(0, 10));
    expect(issuesOf(items)).toMatchObject([{ severity: 'error', message: 'truncated file header: needs 24 bytes, 10 present' }]);
  });

  it('reads a file with a header and no record as empty', async () => {
    expect(await read(pcapFile({}, []))).toEqual([]);
  });
});

describe('pcap reader: damaged records', () => {
  it('keeps an out-of-range microsecond field exactly and warns about it', async () => {
    const records = [
      { seconds: 10, fraction: 1_000_000, data: payload(4) },
      { seconds: 10, fraction: 2_147_483_648, data: payload(4) },
    ];
    const items = await read(pcapFile({}, records));
    expect(packetsOf(items).map((p) => p.timestamp)).toEqual([
      11_000_000_000n, // 10 s + 1 000 000 µs
      2_157_483_648_000n, // 10 s + 2 147 483 648 µs (2147.483648 s)
    ]);
    expect(issuesOf(items)).toMatchObject([
      { severity: 'warning', where: 'offset 24 (packet 1)', message: expect.stringMatching(/microsecond field 1000000 is out of range/) },
      { severity: 'warning', where: 'offset 44 (packet 2)', message: expect.stringMatching(/2147483648/) },
    ]);
  });

  it('warns about an out-of-range nanosecond field', async () => {
    const items = await read(pcapFile({ nanosecond: true }, [{ seconds: 1, fraction: 1_000_000_000, data: payload(4) }]));
    expect(packetsOf(items)[0]!.timestamp).toBe(2_000_000_000n);
    expect(issuesOf(items)).toMatchObject([{ severity: 'warning', message: expect.stringMatching(/nanosecond field/) }]);
  });

  it('stops at a captured length larger than 262144 when the snaplen is smaller', async () => {
    const records = [threeRecords[0]!, { seconds: 1, fraction: 0, data: payload(8), capturedLength: 262_145 }, threeRecords[2]!];
    const items = await read(pcapFile({ snaplen: 65535 }, records));
    expect(packetsOf(items)).toHaveLength(1);
    expect(issuesOf(items)).toMatchObject([
      { severity: 'error', where: 'offset 100 (packet 2)', message: expect.stringMatching(/captured length 262145 is larger than 262144/) },
    ]);
  });

  it('accepts captured lengths up to the larger of the snaplen and 262144', async () => {
    const records = [
      { seconds: 1, fraction: 0, data: payload(262_144) },
      { seconds: 2, fraction: 0, data: payload(300_000) },
    ];
    const items = await read(pcapFile({ snaplen: 300_000 }, records));
    expect(issuesOf(items)).toEqual([]);
    expect(packetsOf(items).map((p) => p.data.length)).toEqual([262_144, 300_000]);
  });

  it('stops at a captured length above the snaplen when the snaplen is above 262144', async () => {
    const records = [{ seconds: 2, fraction: 0, data: payload(8), capturedLength: 300_001 }];
    const items = await read(pcapFile({ snaplen: 300_000 }, records));
    expect(items).toMatchObject([{ severity: 'error', where: 'offset 24 (packet 1)' }]);
  });

  it('never throws nor hangs on a file cut at any offset, and says what is missing', async () => {
    const bytes = pcapFile({}, threeRecords);
    expect(bytes.length).toBe(threeRecordsEnd);
    const recordEnds = [100, 158, 175];
    for (let cut = 0; cut < bytes.length; cut++) {
      for (const chunkSize of [undefined, 5]) {
        const items = await read(bytes.subarray(0, cut), chunkSize);
        const complete = recordEnds.filter((end) => end <= cut).length;
        expect(packetsOf(items), `cut at ${cut}`).toHaveLength(complete);
        const issues = issuesOf(items);
        if (cut < 24) {
          expect(issues).toMatchObject([{ message: `truncated file header: needs 24 bytes, ${cut} present` }]);
        } else if (cut === 24 || recordEnds.includes(cut)) {
          expect(issues, `cut at ${cut}`).toEqual([]);
        } else {
          const start = threeRecordOffsets[complete]!;
          const present = cut - start;
          const needed = present < 16 ? 16 : 16 + threeRecords[complete]!.data.length;
          expect(issues, `cut at ${cut}`).toEqual([
            {
              kind: 'issue',
              file: 'test.pcap',
              where: `offset ${start} (packet ${complete + 1})`,
              message: `truncated record: needs ${needed} bytes, ${present} present`,
              severity: 'error',
            },
          ]);
        }
      }
    }
  });
});

describe('pcap reader: batches', () => {
  const many = Array.from({ length: 3000 }, (_, i) => ({ seconds: i, fraction: 0, data: payload(10, i) }));

  it('hands packets over in batches of at most 1024, in file order', async () => {
    const source = pcapSource('many.pcap', chunkedReader(pcapFile({}, many), 4096));
    const sizes: number[] = [];
    const numbers: number[] = [];
    for await (const batch of source.batches()) {
      sizes.push(batch.length);
      for (const item of batch) numbers.push((item as { number: number }).number);
    }
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1024);
    expect(numbers).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
  });

  it('closes the stream when the consumer stops early', async () => {
    let closed = false;
    const bytes = pcapFile({}, many);
    async function* chunks() {
      try {
        for (let at = 0; at < bytes.length; at += 1000) yield bytes.subarray(at, at + 1000);
      } finally {
        closed = true;
      }
    }
    const source = pcapSource('many.pcap', new ByteReader(chunks()));
    for await (const batch of source.batches()) {
      expect(batch.length).toBeGreaterThan(0);
      break;
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(true);
  });

  it('can be iterated once only', () => {
    const source = pcapSource('x.pcap', chunkedReader(pcapFile({}, [])));
    source.batches();
    expect(() => source.batches()).toThrow(/only once/);
  });
});
