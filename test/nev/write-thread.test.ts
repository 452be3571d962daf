/**
 * The recording writer with its write thread (`writeThread`, as `netrec record` runs it): the
 * thread computes frame and segment checksums and writes. What it writes must read back as the
 * synchronous writer's records, pass `netrec verify` (every frame checksum and the segment
 * checksum), survive frames larger than a chunk, and a full disk must end the recording with
 * the file system's error on the caller's thread.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listSegments } from '../../src/nev/directory.ts';
import { RecordingWriter } from '../../src/nev/recording-writer.ts';
import { OUTPUT_BYTES } from '../../src/nev/segment-writer.ts';
import { requireRoot, tmpfsForBlock } from '../helpers/root.ts';
import { cli, packet, readAll, scratch, T0, task } from './helpers.ts';

const path = scratch('write-thread');

/** Items as text, to compare 30,000 of them quickly. */
const text = (item: unknown): string =>
  JSON.stringify(item, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v));

/**
 * The same records, some packets large, with rotation; returns what reads back. Flushes come
 * from the calls here and the buffer filling, not the clock, so both writers cut compressed
 * blocks at the same places and every offset read back is the same.
 */
async function writeRead(dir: string, writeThread: boolean, compress: boolean): Promise<Awaited<ReturnType<typeof readAll>>> {
  const w = new RecordingWriter({
    dir,
    snaplen: 65535,
    origin: 'netrec record',
    compress,
    rotateSize: 3 << 20,
    writeThread,
    now: () => T0,
    flushIntervalMs: 3_600_000,
  });
  for (let i = 1; i <= 30_000; i++) {
    w.writePacket(packet(i, i % 1000 === 0 ? 60_000 : 40 + (i % 300), task(i % 9)));
    if (i % 5000 === 0) w.writeLoss({ start: T0, end: T0 + BigInt(i), cpu: 1, kernelLost: BigInt(i), userDropped: 0n });
    if (i % 7000 === 0) w.flush();
  }
  expect(w.close()).toMatchObject({ packets: 30_000, flushedPackets: 30_000 });
  return readAll(dir);
}

describe.each([false, true])('the write thread (compress=%s)', (compress) => {
  it('writes what the synchronous writer writes, every checksum right', async () => {
    const threaded = path(`threaded-${compress}.nev`);
    const plain = path(`plain-${compress}.nev`);
    const a = await writeRead(threaded, true, compress);
    const b = await writeRead(plain, false, compress);
    expect(a.issues).toEqual([]);
    expect(a.packets.length).toBe(30_000);
    expect(listSegments(threaded).length).toBeGreaterThan(1);
    // The recording id differs; everything else read back is the same.
    expect(a.items.length).toBe(b.items.length);
    expect(a.items.map(text)).toEqual(b.items.map(text));
    const verified = await cli(['verify', threaded]);
    expect(verified.code).toBe(0);
    expect(
      verified.out
        .trim()
        .split('\n')
        .every((line) => / ok /.test(line)),
    ).toBe(true);
  });
});

it.each([true, false])('writes a frame larger than its buffer (a process table of a big host; write thread: %s)', async (writeThread) => {
  const dir = path(`big-header-${writeThread}.nev`);
  // About 150 bytes a task: a header frame well over one chunk.
  const count = Math.ceil((OUTPUT_BYTES * 1.5) / 150);
  const processes = Array.from({ length: count }, (_, i) => ({ task: task(i, `worker-${i}`), exePath: `/usr/lib/some/long/path/to/a/binary-${i}` }));
  const w = new RecordingWriter({ dir, snaplen: 65535, origin: 'netrec record', processes, writeThread });
  for (let i = 1; i <= 100; i++) w.writePacket(packet(i, 64, task(i % 3)));
  w.close();
  const { packets, issues } = await readAll(dir);
  expect(issues).toEqual([]);
  expect(packets.length).toBe(100);
  expect((await cli(['verify', dir])).code).toBe(0);
});

const root = requireRoot('mounting a tmpfs to fill up');

describe.skipIf(!root)('on a full disk', () => {
  const mount = tmpfsForBlock('2m');

  it("ends the recording with the file system's error, thrown on the writer's thread", () => {
    const w = new RecordingWriter({ dir: join(mount(), 'full.nev'), snaplen: 65535, origin: 'netrec record', writeThread: true });
    let thrown: unknown;
    try {
      for (let i = 1; i <= 100_000; i++) w.writePacket(packet(i, 1000));
      w.close();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as NodeJS.ErrnoException).code).toBe('ENOSPC');
    // Closing after the failure reports it again (and releases the directory).
    expect(() => w.close()).toThrow(/ENOSPC/);
  });
});
