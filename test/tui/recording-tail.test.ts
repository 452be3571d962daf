/**
 * G on a recording still being indexed: its last packets come through the footers, at the
 * positions the footers' counts give them, and the scan takes over when it gets there. Checked
 * against the scan itself on a recording of three segments made by `netrec convert`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRecording } from '../../src/nev/recording.ts';
import { PacketIndex } from '../../src/tui/store/packet-index.ts';
import { readTail, tailPlan } from '../../src/tui/store/recording-tail.ts';
import { netrec } from '../helpers/cli.ts';
import { openIndexed } from './helpers/store.ts';

const dir = mkdtempSync(join(tmpdir(), 'netrec-tail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the end of a recording through its footers', () => {
  it('finds the last packets of a three-segment recording where the scan finds them', async () => {
    const path = join(dir, 'dns.nev');
    const made = netrec(['convert', 'fixtures/pcap/dns-udp.pcap', '-o', path, '--rotate-size', '4k']);
    expect(made.stderr).toMatch(/44 packets .*\(3 segments\)/);
    const recording = await openRecording(path);
    const plan = tailPlan(recording, 10)!;
    expect(plan).toEqual({ start: 34, fromPacket: 35, count: 10 });
    const tail = (await readTail(recording, plan, new AbortController().signal))!;
    const scanned = await openIndexed(path);
    expect(scanned.index.length).toBe(44);
    expect(tail.map((p) => p.number)).toEqual(Array.from({ length: 10 }, (_, i) => scanned.index.numberAt(34 + i)));
    expect(tail.map((p) => p.timestamp)).toEqual(Array.from({ length: 10 }, (_, i) => scanned.index.timestampAt(34 + i)));
    await scanned.close();

    // The index holds the tail beyond the scanned packets, until the scan reaches it.
    const index = new PacketIndex();
    for (let i = 0; i < 20; i++) index.push(i + 1, i, BigInt(i), 101);
    index.setTail(plan.start, tail);
    expect([index.has(19), index.has(20), index.has(33), index.has(34), index.has(43), index.has(44)]).toEqual([true, false, false, true, true, false]);
    expect([index.numberAt(34), index.numberAt(43), index.timestampAt(43)]).toEqual([35, 44, tail[9]!.timestamp]);
    expect(() => index.timestampAt(25)).toThrow(RangeError);
    for (let i = 20; i < 44; i++) index.push(i + 1, i, BigInt(i), 101);
    expect(index.tail).toBeUndefined();
    expect(index.takeTailMisplaced()).toBe(false);
    expect(index.timestampAt(43)).toBe(43n);
  });

  it('drops a tail the scan finds elsewhere, and says so once', () => {
    const index = new PacketIndex();
    index.push(1, 0, 0n, 101);
    index.setTail(3, [{ number: 4, offset: 3, timestamp: 3n, linkType: 101 }]);
    index.push(2, 1, 1n, 101);
    index.push(3, 2, 2n, 101);
    index.push(5, 3, 3n, 101); // the scan's packet at position 3 is number 5, not 4
    expect(index.tail).toBeUndefined();
    expect(index.takeTailMisplaced()).toBe(true);
    expect(index.takeTailMisplaced()).toBe(false);
    expect(index.numberAt(3)).toBe(5);
  });

  it('has no plan for a recording whose last segment is not sealed', async () => {
    const recording = await openRecording('fixtures/recordings/dns.nev');
    // The committed fixture is sealed: the plan reads its last packets.
    expect(tailPlan(recording, 5)).toEqual({ start: 67, fromPacket: 68, count: 5 });
    recording.segments[recording.segments.length - 1]!.info!.sealed = false;
    expect(tailPlan(recording, 5)).toBeUndefined();
  });
});
