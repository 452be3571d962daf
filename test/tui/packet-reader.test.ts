import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CapturedPacket } from '../../src/core/packet.ts';
import { openRecording } from '../../src/nev/recording.ts';
import { openCapture } from '../../src/replay/open.ts';
import { isIssue } from '../../src/replay/source.ts';
import { NevReader } from '../../src/tui/store/nev-reader.ts';
import { PacketIndex } from '../../src/tui/store/packet-index.ts';
import { openOffsetReader } from '../../src/tui/store/packet-reader.ts';
import { CURL, DIG, DIG_PACKETS, writeRecording } from './helpers/recording.ts';

const dir = mkdtempSync(join(tmpdir(), 'netrec-tui-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function streamed(path: string): Promise<CapturedPacket[]> {
  const packets: CapturedPacket[] = [];
  for await (const batch of (await openCapture(path)).batches()) for (const item of batch) if (!isIssue(item)) packets.push(item);
  return packets;
}

function indexOf(packets: readonly CapturedPacket[]): PacketIndex {
  const index = new PacketIndex();
  for (const p of packets) index.push(p.number, p.offset, p.timestamp, p.linkType);
  return index;
}

const essentials = (p: CapturedPacket) => ({
  number: p.number,
  offset: p.offset,
  timestamp: p.timestamp,
  linkType: p.linkType,
  originalLength: p.originalLength,
  data: Buffer.from(p.data).toString('hex'),
});

describe('random access by the offsets of the index scan', () => {
  for (const name of ['dns-udp.pcap', 'dns-tcp.pcap', 'mixed-nano.pcap', 'mixed.pcapng', 'icmp.pcap']) {
    it(`reads back exactly what the streaming reader read: ${name}`, async () => {
      const path = `fixtures/pcap/${name}`;
      const packets = await streamed(path);
      const reader = await openOffsetReader(path, indexOf(packets));
      try {
        // Whole file in one read, then runs that start and end anywhere (the last packet has no
        // next offset: its length comes from its own header).
        expect((await reader.read(0, packets.length)).map(essentials)).toEqual(packets.map(essentials));
        for (const [first, count] of [[packets.length - 1, 1], [3, 2], [0, 1], [Math.floor(packets.length / 2), 3]] as const) {
          expect((await reader.read(first, count)).map(essentials)).toEqual(packets.slice(first, first + count).map(essentials));
        }
      } finally {
        await reader.close();
      }
    });
  }

  it('keeps the pcapng direction flag of enhanced packet blocks', async () => {
    const packets = await streamed('fixtures/pcap/mixed.pcapng');
    const reader = await openOffsetReader('fixtures/pcap/mixed.pcapng', indexOf(packets));
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
    const reader = new NevReader(await openRecording(path), indexOf(packets));
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
