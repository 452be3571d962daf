import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CapturedPacket } from '../../src/core/packet.ts';
import { openCapture } from '../../src/replay/open.ts';
import { isIssue, type PacketLocations, type PacketReader } from '../../src/core/source.ts';
import { CURL, DIG, DIG_PACKETS, writeRecording } from '../tui/helpers/recording.ts';

const dir = mkdtempSync(join(tmpdir(), 'netrec-random-access-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The packets of one pass over the source's batches, and that source's reader by position. */
async function streamed(path: string): Promise<CapturedPacket[] & { reader: () => Promise<PacketReader> }> {
  const source = await openCapture(path);
  const packets: CapturedPacket[] = [];
  for await (const batch of source.batches()) for (const item of batch) if (!isIssue(item)) packets.push(item);
  expect(source.randomAccess).toBeDefined();
  return Object.assign(packets, { reader: () => source.randomAccess!(locationsOf(packets)) });
}

/** Where a first pass saw the packets: what a paging reader (the TUI's index) learns. */
function locationsOf(packets: readonly CapturedPacket[]): PacketLocations {
  return {
    length: packets.length,
    numberAt: (p) => packets[p]!.number,
    offsetAt: (p) => packets[p]!.offset,
    timestampAt: (p) => packets[p]!.timestamp,
    linkTypeAt: (p) => packets[p]!.linkType,
  };
}

const essentials = (p: CapturedPacket) => ({
  number: p.number,
  offset: p.offset,
  timestamp: p.timestamp,
  linkType: p.linkType,
  originalLength: p.originalLength,
  data: Buffer.from(p.data).toString('hex'),
});

describe('random access to pcap and pcapng by the offsets a first pass saw', () => {
  for (const name of ['dns-udp.pcap', 'dns-tcp.pcap', 'mixed-nano.pcap', 'mixed.pcapng', 'icmp.pcap']) {
    it(`reads back exactly what the streaming reader read: ${name}`, async () => {
      const path = `fixtures/pcap/${name}`;
      const packets = await streamed(path);
      const reader = await packets.reader();
      try {
        // Whole file in one read, then runs that start and end anywhere (the last packet has no
        // next offset: its length comes from its own header).
        expect((await reader.read(0, packets.length)).map(essentials)).toEqual(packets.map(essentials));
        for (const [first, count] of [
          [packets.length - 1, 1],
          [3, 2],
          [0, 1],
          [Math.floor(packets.length / 2), 3],
        ] as const) {
          expect((await reader.read(first, count)).map(essentials)).toEqual(packets.slice(first, first + count).map(essentials));
        }
      } finally {
        await reader.close();
      }
    });
  }

  it('keeps the pcapng direction flag of enhanced packet blocks', async () => {
    const packets = await streamed('fixtures/pcap/mixed.pcapng');
    const reader = await packets.reader();
    const [back] = await reader.read(5, 1);
    await reader.close();
    expect(back!.direction).toBe(packets[5]!.direction);
  });
});

describe('random access to a .nev recording through its footer index', () => {
  it('reads any run of packets with their tasks resolved', async () => {
    const path = join(dir, 'lab.nev');
    await writeRecording(path);
    const packets = await streamed(path);
    expect(packets).toHaveLength(44);
    const reader = await packets.reader();
    const run = await reader.read(28, 4);
    expect(run.map((p) => [p.number, p.task?.processName])).toEqual([
      [29, 'dig'],
      [30, 'dig'],
      [31, 'curl'],
      [32, 'curl'],
    ]);
    expect(run.map(essentials)).toEqual(packets.slice(28, 32).map(essentials));
    expect(run[1]!.task).toEqual(DIG);
    expect(run[2]!.task).toEqual(CURL);
    expect(DIG_PACKETS).toBe(30);
    // Consecutive reads go on from where the last stopped; any other read seeks.
    expect((await reader.read(32, 12)).map(essentials)).toEqual(packets.slice(32).map(essentials));
    expect((await reader.read(0, 44)).map(essentials)).toEqual(packets.map(essentials));
    expect(await reader.read(43, 5)).toHaveLength(1);
    await reader.close();
  });
});

describe('random access where the input cannot be read twice', () => {
  it('is not offered for standard input', async () => {
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync(
      'npx',
      [
        'tsx',
        '-e',
        "import('./src/replay/open.ts').then(async ({ openCapture }) => { const s = await openCapture('-'); process.stdout.write(String(s.randomAccess === undefined)); for await (const _ of s.batches()); })",
      ],
      { input: (await import('node:fs')).readFileSync('fixtures/pcap/udp.pcap') },
    );
    expect(out.toString()).toBe('true');
  });
});
