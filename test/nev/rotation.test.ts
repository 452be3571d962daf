import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { listSegments, LOCK_NAME } from '../../src/nev/directory.ts';
import { RecordingWriter } from '../../src/nev/recording-writer.ts';
import { openSegment } from '../../src/nev/segment-reader.ts';
import { parseSize } from '../../src/nev/size.ts';
import { idOf, packet, readAll, scratch, T0, task } from './helpers.ts';

const path = scratch('rotate');
const base = { snaplen: 65535, origin: 'netrec record' };

describe('rotation', () => {
  it('by size keeps every segment under the limit, and numbering runs on', async () => {
    const dir = path('size.nev');
    const w = new RecordingWriter({ dir, ...base, rotateSize: 16 * 1024 });
    for (let i = 1; i <= 2000; i++) w.writePacket(packet(i, 40 + (i % 200), task(i % 3)));
    expect(w.close()).toMatchObject({ packets: 2000, flushedPackets: 2000 });
    const segments = listSegments(dir);
    expect(segments.length).toBeGreaterThan(10);
    for (const s of segments) expect(statSync(s.path).size).toBeLessThanOrEqual(16 * 1024);
    const { packets, issues } = await readAll(dir);
    expect(issues).toEqual([]);
    expect(packets.map((p) => p.number)).toEqual(packets.map((_, i) => i + 1));
    expect(packets.map(idOf)).toEqual(packets.map((p) => p.number));
  });

  it('by size defines again, in the new segment, a task that exited whose sockets still send', async () => {
    const dir = path('exited.nev');
    const w = new RecordingWriter({ dir, ...base, rotateSize: 8 * 1024 });
    const t = task(7);
    w.writePacket(packet(1, 100, t));
    // The exit drops the task from the next segment's header; its socket's packets go on.
    w.writeLifecycle({ kind: 'lifecycle', event: 'exit', timestamp: T0, hostProcessId: t.hostProcessId, hostThreadId: t.hostThreadId, exitCode: 0 });
    for (let i = 2; i <= 300; i++) w.writePacket(packet(i, 100, t));
    w.close();
    expect(listSegments(dir).length).toBeGreaterThan(2);
    const { packets, issues } = await readAll(dir);
    expect(issues).toEqual([]);
    expect(packets).toHaveLength(300);
    for (const p of packets) expect(p.task?.hostThreadId).toBe(t.hostThreadId);
  });

  it('by size with compression keeps segments near the limit, estimating the open block', async () => {
    const dir = path('size-lz4.nev');
    const w = new RecordingWriter({ dir, ...base, rotateSize: 200_000, compress: true });
    for (let i = 1; i <= 3000; i++) w.writePacket(packet(i, 200, task(i % 3)));
    w.close();
    const sizes = listSegments(dir).map((s) => statSync(s.path).size);
    expect(sizes.length).toBeGreaterThan(2);
    for (const size of sizes.slice(0, -1)) {
      expect(size).toBeLessThanOrEqual(200_000 * 1.05);
      expect(size).toBeGreaterThan(200_000 * 0.7);
    }
    expect((await readAll(dir)).packets.map(idOf)).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
  });

  it('on wall-clock multiples of --rotate-seconds', async () => {
    const dir = path('time.nev');
    let now = T0 + 3_500_000_000n; // 3.5 s past a multiple of 10 s
    const w = new RecordingWriter({ dir, ...base, rotateSeconds: 10, now: () => now });
    for (let i = 1; i <= 400; i++) {
      now += 100_000_000n; // 0.1 s
      w.writePacket({ ...packet(i), timestamp: now });
    }
    w.close();
    const segments = listSegments(dir);
    // 3.6 s .. 43.5 s: [3.6, 10), [10, 20), [20, 30), [30, 40), [40, 43.5]
    expect(segments.length).toBe(5);
    const tens = 10_000_000_000n;
    for (const s of segments) {
      const opened = await openSegment(s.path);
      if (!opened.ok) throw new Error('unreadable');
      const { footer } = opened.segment;
      expect(footer!.firstTimestamp! / tens).toBe(footer!.lastTimestamp! / tens);
    }
  });

  it('in ring mode keeps only the newest segments', async () => {
    const dir = path('ring.nev');
    const w = new RecordingWriter({ dir, ...base, rotateSize: 8 * 1024, maxSegments: 3 });
    for (let i = 1; i <= 1000; i++) w.writePacket(packet(i));
    const stats = w.close();
    const segments = listSegments(dir);
    expect(segments.length).toBe(3);
    expect(stats.deletedSegments).toBe(stats.segments - 3);
    expect(segments.map((s) => s.number)).toEqual([stats.segments - 2, stats.segments - 1, stats.segments]);
    const { packets, issues } = await readAll(dir);
    expect(issues).toEqual([]);
    expect(packets.at(-1)!.number).toBe(1000);
    expect(packets[0]!.number).toBeGreaterThan(1);
    expect(packets.map((p) => p.number)).toEqual(packets.map((_, i) => packets[0]!.number + i));
  });
});

describe('the target directory', () => {
  it('is created 0700 with 0600 segments, whatever the umask', () => {
    const old = process.umask(0);
    try {
      const dir = path('perm.nev');
      new RecordingWriter({ dir, ...base, rotateSize: 4096 }).close();
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      for (const s of listSegments(dir)) expect(statSync(s.path).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });

  it('refuses an existing non-empty target, and with force replaces only its segments', async () => {
    const dir = path('used.nev');
    const w = new RecordingWriter({ dir, ...base });
    w.writePacket(packet(1));
    w.close();
    writeFileSync(join(dir, 'notes.txt'), 'keep me');
    expect(() => new RecordingWriter({ dir, ...base })).toThrow(new UsageError(`${dir} is not empty; use --force to replace the recording in it`));
    const again = new RecordingWriter({ dir, ...base, force: true });
    again.writePacket(packet(7));
    again.close();
    expect(listSegments(dir).length).toBe(1);
    expect(statSync(join(dir, 'notes.txt')).isFile()).toBe(true);
    expect((await readAll(dir)).packets.map(idOf)).toEqual([7]);
  });

  it('refuses a file, and a directory another writer holds', () => {
    const file = path('file.nev');
    writeFileSync(file, '');
    expect(() => new RecordingWriter({ dir: file, ...base, force: true })).toThrow(`${file} exists and is not a directory`);
    const dir = path('held.nev');
    const w = new RecordingWriter({ dir, ...base });
    expect(statSync(join(dir, LOCK_NAME)).isFile()).toBe(true);
    expect(() => new RecordingWriter({ dir, ...base, force: true })).toThrow(`${dir} is being written by process ${process.pid}`);
    w.close();
    expect(() => statSync(join(dir, LOCK_NAME))).toThrow();
  });

  it('takes over from a writer that died (stale lock)', () => {
    const dir = path('stale.nev');
    mkdirSync(dir);
    writeFileSync(join(dir, LOCK_NAME), '999999999\n');
    new RecordingWriter({ dir, ...base, force: true }).close();
    expect(listSegments(dir).length).toBe(1);
  });
});

describe('parseSize', () => {
  it.each([
    ['4096', 4096],
    ['64MiB', 64 * 2 ** 20],
    ['64mib', 64 * 2 ** 20],
    ['512KiB', 512 * 1024],
    ['1GiB', 2 ** 30],
    ['100M', 100e6],
    ['100MB', 100e6],
    ['500k', 500e3],
    ['2G', 2e9],
    ['1.5MiB', 1.5 * 2 ** 20],
  ])('%s', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });
  it.each(['', '0', '-5M', 'M', '5 parsecs', '1e6'])('refuses %j', (text) => {
    expect(parseSize(text)).toBeUndefined();
  });
});
