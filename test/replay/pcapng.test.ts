import { describe, expect, it } from 'vitest';
import { pcapngSource } from '../../src/replay/pcapng.ts';
import { block, chunkedReader, epb, idb, issuesOf, option, packetsOf, payload, pb, readAll, shb, spb } from './capture-bytes.ts';

function read(bytes: Buffer, chunkSize?: number) {
  return readAll(pcapngSource('test.pcapng', chunkedReader(bytes, chunkSize)));
}

const SHB_LENGTH = 28;
/** An IDB without options. */
const IDB_LENGTH = 20;

describe('pcapng reader: sections and interfaces', () => {
  it.each(['le', 'be'] as const)('reads a %s section', async (order) => {
    const file = Buffer.concat([
      shb(order),
      idb({ linkType: 1, snaplen: 65535 }, order),
      epb({ interfaceId: 0, ticks: 1_700_000_000_123_456n, data: payload(60), originalLength: 1514 }, order),
      epb({ interfaceId: 0, ticks: 1n, data: payload(61) }, order),
    ]);
    const items = await read(file);
    expect(issuesOf(items)).toEqual([]);
    const packets = packetsOf(items);
    // Default resolution: microseconds.
    expect(packets.map((p) => p.timestamp)).toEqual([1_700_000_000_123_456_000n, 1_000n]);
    expect(packets.map((p) => p.data.length)).toEqual([60, 61]);
    expect(packets.map((p) => p.originalLength)).toEqual([1514, 61]);
    expect(packets.map((p) => p.number)).toEqual([1, 2]);
    // EPB of 32 + 60 bytes after the SHB and the IDB.
    expect(packets.map((p) => p.offset)).toEqual([48, 140]);
    expect(Buffer.from(packets[1]!.data)).toEqual(payload(61));
  });

  it('gives every interface its own link type and resolution', async () => {
    const file = Buffer.concat([
      shb(),
      idb({ linkType: 1, tsresol: 9 }),
      idb({ linkType: 113, tsresol: 3 }),
      idb({ linkType: 276 }),
      epb({ interfaceId: 0, ticks: 1_700_000_000_123_456_789n, data: payload(4) }),
      epb({ interfaceId: 1, ticks: 1_700_000_000_123n, data: payload(4) }),
      epb({ interfaceId: 2, ticks: 1_700_000_000_123_456n, data: payload(4) }),
    ]);
    const packets = packetsOf(await read(file));
    expect(packets.map((p) => [p.linkType, p.timestamp])).toEqual([
      [1, 1_700_000_000_123_456_789n],
      [113, 1_700_000_000_123_000_000n],
      [276, 1_700_000_000_123_456_000n],
    ]);
  });

  it('starts a new interface list and byte order at every section', async () => {
    const file = Buffer.concat([
      shb('le'),
      idb({ linkType: 1 }, 'le'),
      idb({ linkType: 0 }, 'le'),
      epb({ interfaceId: 1, ticks: 5n, data: payload(4) }, 'le'),
      shb('be'),
      idb({ linkType: 101, tsresol: 9 }, 'be'),
      epb({ interfaceId: 0, ticks: 7n, data: payload(4) }, 'be'),
      epb({ interfaceId: 1, ticks: 8n, data: payload(4) }, 'be'),
      shb('le'),
      idb({ linkType: 228 }, 'le'),
      epb({ interfaceId: 0, ticks: 9n, data: payload(4) }, 'le'),
    ]);
    const items = await read(file);
    expect(packetsOf(items).map((p) => [p.number, p.linkType, p.timestamp])).toEqual([
      [1, 0, 5_000n],
      [2, 101, 7n],
      [4, 228, 9_000n],
    ]);
    // Interface 1 existed in the first section only.
    expect(issuesOf(items)).toMatchObject([
      { severity: 'error', where: expect.stringMatching(/\(packet 3\)$/), message: expect.stringMatching(/interface 1 is not defined \(the section has 1\)/) },
    ]);
  });

  it('skips the blocks that carry no packet', async () => {
    const file = Buffer.concat([
      shb(),
      block(0x0000000a, payload(16)), // decryption secrets
      idb({ linkType: 1 }),
      block(4, payload(12)), // name resolution
      epb({ interfaceId: 0, ticks: 1n, data: payload(4) }),
      block(5, payload(20)), // interface statistics
      block(0x00000bad, payload(8)), // custom
      block(0x40000bad, payload(8)), // custom, not to be copied
      block(0x12345678, Buffer.alloc(0)), // unknown
      epb({ interfaceId: 0, ticks: 2n, data: payload(4) }),
    ]);
    const items = await read(file);
    expect(issuesOf(items)).toEqual([]);
    expect(packetsOf(items).map((p) => p.timestamp)).toEqual([1_000n, 2_000n]);
  });

  it.each([
    ['1.2', [1, 2] as [number, number]],
    ['1.0', [1, 0] as [number, number]],
  ])('reads version %s (as tshark does)', async (_, version) => {
    const file = Buffer.concat([shb('le', version), idb({ linkType: 1 }), epb({ interfaceId: 0, ticks: 1n, data: payload(4) })]);
    expect(packetsOf(await read(file))).toHaveLength(1);
  });

  it('reads an empty section', async () => {
    expect(await read(Buffer.concat([shb(), idb({ linkType: 1 })]))).toEqual([]);
  });
});

describe('pcapng reader: timestamps', () => {
  const oneInterface = (fields: Parameters<typeof idb>[0], ticks: bigint) =>
    Buffer.concat([shb(), idb(fields), epb({ interfaceId: 0, ticks, data: payload(4) })]);
  const timestampOf = async (fields: Parameters<typeof idb>[0], ticks: bigint) => packetsOf(await read(oneInterface(fields, ticks)))[0]!.timestamp;

  it('converts binary resolutions exactly, rounding down', async () => {
    // 2^-30 s per tick: 1700000000 s, then 12345 ticks = 12345e9 / 2^30 ns = 11497.28 ns -> 11497.
    expect(await timestampOf({ linkType: 1, tsresol: 0x80 | 30 }, (1n << 30n) * 1_700_000_000n + 12_345n)).toBe(1_700_000_000_000_011_497n);
    // 5 s, then 1 tick of 2^-30 s = 0.93 ns: rounds down to 0, not to the nearest 1.
    expect(await timestampOf({ linkType: 1, tsresol: 0x80 | 30 }, (1n << 30n) * 5n + 1n)).toBe(5_000_000_000n);
    // 2^-8 s per tick: 1 tick = 3906250 ns exactly.
    expect(await timestampOf({ linkType: 1, tsresol: 0x88 }, 257n)).toBe(1_003_906_250n);
  });

  it('converts resolutions finer than a nanosecond exactly, rounding down', async () => {
    // Picoseconds: 1234567890123456789 ps = 1234567890123456.789 ns. (tshark 4.0 prints
    // 1234567.004679741 here: its 64-bit intermediate product overflows.)
    expect(await timestampOf({ linkType: 1, tsresol: 12 }, 1_234_567_890_123_456_789n)).toBe(1_234_567_890_123_456n);
  });

  it('converts coarse decimal resolutions exactly', async () => {
    expect(await timestampOf({ linkType: 1, tsresol: 0 }, 1_700_000_000n)).toBe(1_700_000_000_000_000_000n);
    expect(await timestampOf({ linkType: 1, tsresol: 2 }, 170_000_000_001n)).toBe(1_700_000_000_010_000_000n);
  });

  it('uses all 64 bits of the timestamp', async () => {
    // 2^64 - 1 ns.
    expect(await timestampOf({ linkType: 1, tsresol: 9 }, 0xffff_ffff_ffff_ffffn)).toBe(18_446_744_073_709_551_615n);
  });

  it('adds if_tsoffset seconds, negative ones too', async () => {
    expect(await timestampOf({ linkType: 1, tsoffset: 100n }, 1_500_000n)).toBe(101_500_000_000n);
    expect(await timestampOf({ linkType: 1, tsoffset: -100n }, 1_500_000_000n)).toBe(1_400_000_000_000n);
    expect(await timestampOf({ linkType: 1, tsresol: 9, tsoffset: 1_700_000_000n }, 5n)).toBe(1_700_000_000_000_000_005n);
  });
});

describe('pcapng reader: simple and obsolete packet blocks, flags', () => {
  it('reads simple packet blocks on interface 0, cut to its snaplen, with timestamp 0', async () => {
    const file = Buffer.concat([shb(), idb({ linkType: 1, snaplen: 40 }), idb({ linkType: 113 }), spb(100, payload(40)), spb(30, payload(30))]);
    const items = await read(file);
    expect(issuesOf(items)).toEqual([]);
    expect(packetsOf(items).map((p) => [p.timestamp, p.linkType, p.data.length, p.originalLength])).toEqual([
      [0n, 1, 40, 100],
      [0n, 1, 30, 30],
    ]);
    expect(Buffer.from(packetsOf(items)[1]!.data)).toEqual(payload(30));
  });

  it('refuses a simple packet block too short for its packet and goes on', async () => {
    const file = Buffer.concat([shb(), idb({ linkType: 1 }), spb(100, payload(40)), spb(8, payload(8))]);
    const items = await read(file);
    expect(issuesOf(items)).toMatchObject([
      { where: 'offset 48 (packet 1)', message: 'simple packet block: block length 56 is too small for 100 bytes of packet data' },
    ]);
    expect(packetsOf(items).map((p) => p.number)).toEqual([2]);
  });

  it('refuses a simple packet block in a section without interface', async () => {
    const items = await read(Buffer.concat([shb(), spb(8, payload(8))]));
    expect(items).toMatchObject([{ severity: 'error', message: expect.stringMatching(/interface 0 is not defined/) }]);
  });

  it('reads the obsolete packet block', async () => {
    const file = Buffer.concat([
      shb(),
      idb({ linkType: 1 }),
      idb({ linkType: 0, tsresol: 9 }),
      pb({ interfaceId: 1, ticks: 1_500_000_000n, data: payload(10), originalLength: 20 }),
    ]);
    expect(packetsOf(await read(file)).map((p) => [p.linkType, p.timestamp, p.data.length, p.originalLength])).toEqual([[0, 1_500_000_000n, 10, 20]]);
  });

  it('takes the direction from epb_flags', async () => {
    const file = Buffer.concat([
      shb(),
      idb({ linkType: 1 }),
      ...[1, 2, 0, 3 | 0x100, undefined].map((flags, i) =>
        epb({ interfaceId: 0, ticks: BigInt(i), data: payload(4), ...(flags === undefined ? {} : { flags }) }),
      ),
    ]);
    expect(packetsOf(await read(file)).map((p) => p.direction)).toEqual(['ingress', 'egress', 'unknown', 'unknown', undefined]);
  });
});

describe('pcapng reader: damage', () => {
  const start = Buffer.concat([shb(), idb({ linkType: 1 })]);
  const good = (ticks: bigint) => epb({ interfaceId: 0, ticks, data: payload(8) });
  const goodEnd = good(9n);
  const firstBlockAt = SHB_LENGTH + IDB_LENGTH;

  it.each([
    ['an unknown interface', epb({ interfaceId: 3, ticks: 1n, data: payload(8) }), /interface 3 is not defined/],
    [
      'a captured length larger than the block',
      epb({ interfaceId: 0, ticks: 1n, data: payload(8), capturedLength: 400 }),
      /block length 40 is too small for 400 bytes/,
    ],
    [
      'an option running past the block',
      // Interface 0, timestamp 0, captured and original length 4, 4 data bytes, then option 1
      // claiming 200 bytes at block byte 8 + 20 + 4 = 32.
      block(6, Buffer.concat([Buffer.alloc(12), Buffer.from([4, 0, 0, 0, 4, 0, 0, 0]), payload(4), Buffer.from([1, 0, 200, 0])])),
      /option 1 of length 200 at byte 32 runs past the end of the block/,
    ],
    ['a body shorter than an EPB', block(6, Buffer.alloc(8)), /block length 20 is less than the minimum of 32/],
  ])('skips an enhanced packet block with %s and goes on', async (_, damaged, message) => {
    const items = await read(Buffer.concat([start, good(1n), damaged, goodEnd]));
    expect(issuesOf(items)).toMatchObject([{ severity: 'error', where: `offset ${firstBlockAt + 40} (packet 2)`, message: expect.stringMatching(message) }]);
    expect(packetsOf(items).map((p) => p.number)).toEqual([1, 3]);
  });

  it('keeps the numbering of interfaces after a damaged interface description', async () => {
    const damagedIdb = block(1, Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([9, 0, 200, 0])]));
    const file = Buffer.concat([
      shb(),
      damagedIdb,
      idb({ linkType: 113 }),
      epb({ interfaceId: 0, ticks: 1n, data: payload(4) }),
      epb({ interfaceId: 1, ticks: 2n, data: payload(4) }),
    ]);
    const items = await read(file);
    expect(issuesOf(items)).toMatchObject([
      { where: 'offset 28 (interface description block)', message: expect.stringMatching(/^interface 0: option 9 of length 200/) },
      { where: expect.stringMatching(/\(packet 1\)$/), message: expect.stringMatching(/interface 0 is unusable/) },
    ]);
    expect(packetsOf(items).map((p) => [p.number, p.linkType])).toEqual([[2, 113]]);
  });

  it('refuses an if_tsoffset of the wrong size', async () => {
    const body = Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]), option(14, Buffer.alloc(4))]);
    const items = await read(Buffer.concat([shb(), block(1, body), good(1n)]));
    expect(issuesOf(items)[0]).toMatchObject({ message: expect.stringMatching(/if_tsoffset option has length 4, not 8/) });
  });

  const lengthField = (bytes: Buffer, value: number) => {
    const copy = Buffer.from(bytes);
    copy.writeUInt32LE(value, 4);
    return copy;
  };
  const trailerField = (bytes: Buffer, value: number) => {
    const copy = Buffer.from(bytes);
    copy.writeUInt32LE(value, copy.length - 4);
    return copy;
  };
  it.each([
    ['smaller than 12', lengthField(good(2n), 8), /block length 8 is less than the minimum of 12/],
    ['not a multiple of 4', lengthField(good(2n), 42), /block length 42 is not a multiple of 4/],
    ['larger than Wireshark believes', lengthField(good(2n), 0x7fff_fff0), /is larger than the maximum of 134348832/],
    ['unlike the trailing length', trailerField(good(2n), 44), /block lengths differ: 40 at the start, 44 at the end/],
  ])('stops at a block length %s', async (_, damaged, message) => {
    const items = await read(Buffer.concat([start, good(1n), damaged, goodEnd]));
    expect(items).toHaveLength(2);
    expect(issuesOf(items)).toMatchObject([{ severity: 'error', where: `offset ${firstBlockAt + 40} (packet 2)`, message: expect.stringMatching(message) }]);
  });

  it('stops at a block longer than the rest of the file', async () => {
    const items = await read(Buffer.concat([start, good(1n), lengthField(good(2n), 400)]));
    expect(issuesOf(items)).toMatchObject([{ message: 'enhanced packet block: truncated block: needs 400 bytes, 40 present' }]);
  });

  it('stops at a section header whose option runs past the block, keeping earlier packets', async () => {
    const badShb = block(0x0a0d0d0a, Buffer.concat([shb().subarray(8, 24), Buffer.from([1, 0, 0x30, 0x30])]));
    const items = await read(Buffer.concat([start, good(1n), badShb, idb({ linkType: 1 }), good(2n)]));
    expect(packetsOf(items)).toHaveLength(1);
    expect(issuesOf(items)).toMatchObject([
      { where: `offset ${firstBlockAt + 40} (section header block)`, message: expect.stringMatching(/option 1 of length 12336/) },
    ]);
  });

  it('stops at an unknown section version, keeping earlier packets', async () => {
    const items = await read(Buffer.concat([start, good(1n), shb('le', [2, 0]), idb({ linkType: 1 }), good(2n)]));
    expect(packetsOf(items)).toHaveLength(1);
    expect(issuesOf(items)).toMatchObject([{ message: 'unsupported pcapng version 2.0 (1.0 and 1.2 are read, as by tshark)' }]);
  });

  it('refuses version 1.1', async () => {
    expect(await read(Buffer.concat([shb('le', [1, 1]), idb({ linkType: 1 }), good(1n)]))).toMatchObject([
      { severity: 'error', where: 'offset 0 (section header block)' },
    ]);
  });

  it('stops at a section header with a bad byte-order magic', async () => {
    const badMagic = Buffer.from(shb());
    badMagic.writeUInt32LE(0x11223344, 8);
    const items = await read(Buffer.concat([start, badMagic]));
    expect(items).toMatchObject([{ message: 'byte-order magic 0x11223344 is not 0x1a2b3c4d in either byte order' }]);
  });

  it('refuses a stream that does not start with a section header', async () => {
    expect(await read(Buffer.concat([idb({ linkType: 1 }), good(1n)]))).toMatchObject([
      { where: 'offset 0', message: 'the file does not start with a section header block' },
    ]);
  });

  it('never throws nor hangs on a file cut at any offset, and says what is missing', async () => {
    const blocks = [shb(), idb({ linkType: 1 }), good(1n), spb(8, payload(8)), block(4, payload(4)), good(2n)];
    const file = Buffer.concat(blocks);
    const ends: number[] = [];
    let end = 0;
    for (const b of blocks) {
      end += b.length;
      ends.push(end);
    }
    const packetEnds = [ends[2]!, ends[3]!, ends[5]!];
    for (let cut = 0; cut < file.length; cut++) {
      for (const chunkSize of [undefined, 3]) {
        const items = await read(file.subarray(0, cut), chunkSize);
        expect(packetsOf(items), `cut at ${cut}`).toHaveLength(packetEnds.filter((end) => end <= cut).length);
        const issues = issuesOf(items);
        if (cut === 0 || ends.includes(cut)) {
          expect(issues, `cut at ${cut}`).toEqual([]);
          continue;
        }
        const blockStart = [0, ...ends].filter((end) => end <= cut).pop()!;
        const present = cut - blockStart;
        const blockLength = blocks[[0, ...ends].indexOf(blockStart)]!.length;
        const needed = present < 12 ? 12 : blockLength;
        expect(issues, `cut at ${cut}`).toMatchObject([
          {
            severity: 'error',
            where: expect.stringMatching(new RegExp(`^offset ${blockStart}\\b`)),
            message: expect.stringMatching(new RegExp(`truncated block: needs ${needed} bytes, ${present} present$`)),
          },
        ]);
      }
    }
  });
});
