import { cpSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { CapturedPacket } from '../../src/core/packet.ts';
import { listSegments } from '../../src/nev/directory.ts';
import { RecordingWriter } from '../../src/nev/recording-writer.ts';
import { NevSource } from '../../src/replay/nev-source.ts';
import { idOf, packet, readAll, scratch, task } from './helpers.ts';

const path = scratch('damage');

/** Where each packet of a clean recording lives: its segment and the bytes its frame (or block) can span. */
interface Layout {
  size: number;
  packets: Map<number, { segment: number; from: number; to: number }>;
  segments: string[];
}

async function layout(dir: string, packetSize: number): Promise<Layout> {
  const source = await NevSource.open(dir);
  const segments = source.recording.segments.map((s) => s.info!);
  const { packets } = await readAll(dir);
  const out: Layout = { size: packetSize, packets: new Map(), segments: segments.map((s) => s.name) };
  const firsts = segments.map((s) => s.header!.firstPacketNumber);
  const bySegment = new Map<number, CapturedPacket[]>();
  for (const p of packets) {
    let seg = firsts.length - 1;
    while (firsts[seg]! > p.number) seg--;
    bySegment.set(seg, [...(bySegment.get(seg) ?? []), p]);
  }
  for (const [seg, list] of bySegment) {
    const offsets = [...new Set(list.map((p) => p.offset)), segments[seg]!.bodyEnd].sort((a, b) => a - b);
    for (const p of list) {
      // From the frame's (or block's) start to the next packet's: an over-estimate of its bytes.
      out.packets.set(idOf(p), { segment: seg, from: p.offset, to: offsets[offsets.indexOf(p.offset) + 1]! });
    }
  }
  return out;
}

function record(dir: string, compress: boolean, packetSize: number): void {
  const w = new RecordingWriter({ dir, snaplen: 65535, origin: 'netrec record', compress, rotateSize: compress ? 300_000 : 40_000 });
  for (let i = 1; i <= 1500; i++) w.writePacket(packet(i, packetSize, task(i % 4)));
  w.close();
}

async function checkAfter(damaged: string, clean: Layout, lost: (p: { segment: number; from: number; to: number }) => boolean): Promise<void> {
  const { packets, issues } = await readAll(damaged);
  expect(issues.length).toBeGreaterThan(0);
  // Plain loops and one assertion each: expect() per packet would dominate the run time.
  const corrupt = packets.filter((p) => Buffer.compare(p.data, packet(idOf(p), clean.size).data) !== 0).map(idOf);
  expect(corrupt).toEqual([]);
  const seen = new Set(packets.map(idOf));
  const missing = [...clean.packets].filter(([id, where]) => !lost(where) && !seen.has(id)).map(([id]) => id);
  expect(missing).toEqual([]);
}

describe.each([
  ['plain', false, 64],
  ['compressed', true, 700],
])('damage to a %s recording', (name, compress, size) => {
  const clean = path(`${name}.nev`);
  record(clean, compress, size);
  const segmentFiles = listSegments(clean);
  let n = 0;
  const copy = (): string => {
    const dir = path(`${name}-${n++}.nev`);
    cpSync(clean, dir, { recursive: true });
    return dir;
  };

  it('has several segments (and blocks) to damage', async () => {
    const l = await layout(clean, size);
    expect(l.segments.length).toBeGreaterThan(2);
    expect(l.packets.size).toBe(1500);
    if (compress) expect(new Set([...l.packets.values()].map((p) => `${p.segment}/${p.from}`)).size).toBeGreaterThan(l.segments.length);
  });

  it('a flipped bit anywhere: reported, never a crash, every other record replays', async () => {
    const l = await layout(clean, size);
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 7 }), async (s, at, bit) => {
        const dir = copy();
        const seg = s % segmentFiles.length;
        const file = listSegments(dir)[seg]!.path;
        const bytes = readFileSync(file);
        const pos = at % bytes.length;
        bytes[pos] = bytes[pos]! ^ (1 << bit);
        writeFileSync(file, bytes);
        await checkAfter(dir, l, (p) => p.segment === seg && p.from <= pos && pos < p.to);
        rmSync(dir, { recursive: true });
      }),
      { numRuns: 40 },
    );
  });

  it('a truncation anywhere: reported, never a crash, every record before the cut replays', async () => {
    const l = await layout(clean, size);
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), async (s, at) => {
        const dir = copy();
        const seg = s % segmentFiles.length;
        const file = listSegments(dir)[seg]!.path;
        const cut = at % readFileSync(file).length;
        truncateSync(file, cut);
        await checkAfter(dir, l, (p) => p.segment === seg && p.to > cut);
        rmSync(dir, { recursive: true });
      }),
      { numRuns: 40 },
    );
  });
});

describe('packet numbers after damage', () => {
  it('are exact again from the next index entry of a sealed segment', async () => {
    const dir = path('numbers.nev');
    const w = new RecordingWriter({ dir, snaplen: 65535, origin: 'netrec record' });
    for (let i = 1; i <= 3000; i++) w.writePacket(packet(i));
    w.close();
    const file = listSegments(dir)[0]!.path;
    const victim = (await readAll(dir)).packets[499]!; // packet 500
    const bytes = readFileSync(file);
    bytes[victim.offset + 20] = bytes[victim.offset + 20]! ^ 1;
    writeFileSync(file, bytes);
    const { packets, issues } = await readAll(dir);
    expect(issues).toEqual([expect.objectContaining({ severity: 'error', message: expect.stringMatching(/^damaged data/) })]);
    expect(packets.map(idOf)).not.toContain(500);
    const off = packets.filter((p) => p.number !== idOf(p)).map(idOf);
    // Shifted by the lost record until the entry at record 1001, right after.
    expect(off).toEqual(Array.from({ length: 500 }, (_, i) => 501 + i));
  });
});
