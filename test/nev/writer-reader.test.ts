import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { listSegments } from '../../src/nev/directory.ts';
import { RecordingWriter } from '../../src/nev/recording-writer.ts';
import { openSegment } from '../../src/nev/segment-reader.ts';
import { encodeRecord, SegmentWriter } from '../../src/nev/segment-writer.ts';
import { NevSource } from '../../src/replay/nev-source.ts';
import { openCapture } from '../../src/replay/open.ts';
import { header, idOf, packet, readAll, scratch, T0, task } from './helpers.ts';

const path = scratch('rw');

function write(dir: string, n: number, opts: { compress?: boolean; rotateSize?: number } = {}): void {
  const w = new RecordingWriter({ dir, snaplen: 65535, origin: 'netrec record', ...opts });
  for (let i = 1; i <= n; i++) w.writePacket(packet(i, 64, task(i % 5)));
  w.close();
}

describe.each([false, true])('write then read (compress=%s)', (compress) => {
  it('gives back every record exactly, tasks resolved', async () => {
    const dir = path(`all-${compress}.nev`);
    const w = new RecordingWriter({ dir, snaplen: 65535, origin: 'netrec record', compress, interfaces: [{ ifindex: 2, name: 'eth0', linkType: 1 }] });
    const parent = task(7, 'bash');
    const ref = w.defineTask(parent, '/usr/bin/bash');
    w.writeLifecycle({
      kind: 'lifecycle',
      event: 'fork',
      timestamp: T0,
      hostProcessId: 1007,
      hostThreadId: 1007,
      childHostProcessId: 1008,
      childHostThreadId: 1008,
      taskRef: ref,
    });
    w.writeInterface({ ifindex: 3, name: 'veth0', linkType: 1 });
    const p1 = packet(1, 100, parent);
    w.writePacket(p1);
    w.writeLoss({ start: T0, end: T0 + 10n, cpu: 2, kernelLost: 2n ** 64n - 1n, userDropped: 0n });
    w.writePacket(packet(2, 30));
    w.close();

    const { items, issues } = await readAll(dir);
    expect(issues).toEqual([]);
    const { task: _task, exePath: _exe, ...fields } = p1;
    expect(items).toEqual([
      { kind: 'task', ref, task: parent, exePath: '/usr/bin/bash' },
      {
        kind: 'lifecycle',
        event: 'fork',
        timestamp: T0,
        hostProcessId: 1007,
        hostThreadId: 1007,
        childHostProcessId: 1008,
        childHostThreadId: 1008,
        taskRef: ref,
      },
      { kind: 'interface', ifindex: 3, name: 'veth0', linkType: 1 },
      expect.objectContaining({ ...fields, task: parent, number: 1 }),
      { kind: 'loss', start: T0, end: T0 + 10n, cpu: 2, kernelLost: 2n ** 64n - 1n, userDropped: 0n },
      expect.objectContaining({ ...packet(2, 30), number: 2 }),
    ]);
    expect((items[3] as { task?: unknown }).task).not.toHaveProperty('exePath');
    const seg = (await NevSource.open(dir)).recording.segments[0]!.info!;
    expect(seg.sealed).toBe(true);
    expect(seg.header?.interfaces).toEqual([{ ifindex: 2, name: 'eth0', linkType: 1 }]);
    expect(seg.footer?.interfaces).toEqual([{ ifindex: 3, name: 'veth0', linkType: 1 }]);
  });

  it('seeks by packet number and by time through the footer index', async () => {
    const dir = path(`seek-${compress}.nev`);
    write(dir, 6000, { compress, rotateSize: compress ? 20_000 : 200_000 });
    expect(listSegments(dir).length).toBeGreaterThan(2);
    for (const n of [1, 999, 1000, 1001, 2345, 4567, 6000]) {
      const { packets } = await readAll(dir, { fromPacket: n });
      expect(packets[0]!.number).toBe(n);
      expect(idOf(packets[0]!)).toBe(n);
      expect(packets.length).toBe(6001 - n);
    }
    for (const n of [1, 4321, 5999]) {
      const { packets } = await readAll(dir, { fromTime: packet(n).timestamp - 1n });
      expect(packets[0]!.number).toBe(n);
    }
    expect((await readAll(dir, { fromPacket: 6001 })).packets).toEqual([]);
  });
});

describe('the process table', () => {
  it('repeats in every segment header, so a single segment file has its tasks', async () => {
    const dir = path('table.nev');
    write(dir, 3000, { rotateSize: 100_000 });
    const segments = listSegments(dir);
    const last = segments.at(-1)!.path;
    const source = await openCapture(last);
    expect(source).toBeInstanceOf(NevSource);
    const { packets, issues } = await readAll(last);
    expect(issues).toEqual([]);
    expect(packets.every((p) => p.task?.processName === `proc${idOf(p) % 5}`)).toBe(true);
    // Each header carries the five tasks; the first segment defines them in task records.
    const header = (await openSegment(last)) as { ok: true; segment: { header: { processes: unknown[] } } };
    expect(header.segment.header.processes).toHaveLength(5);
  });

  it('drops an exited thread from the next segment and gives a changed task a new ref', async () => {
    const dir = path('exit.nev');
    const w = new RecordingWriter({ dir, snaplen: 65535, origin: 'netrec record', rotateSize: 20_000, processes: [{ task: task(1) }, { task: task(2) }] });
    const renamed = { ...task(2), processName: 'renamed' };
    const refs = [w.defineTask(task(1)), w.defineTask(task(2)), w.defineTask(renamed)];
    expect(new Set(refs).size).toBe(3);
    w.writeLifecycle({ kind: 'lifecycle', event: 'exit', timestamp: T0, hostProcessId: 1001, hostThreadId: 1001, exitCode: 0 });
    for (let i = 1; i <= 300; i++) w.writePacket(packet(i, 64, task(2)));
    w.close();
    const [first, second] = listSegments(dir);
    const h1 = await openSegment(first!.path);
    const h2 = await openSegment(second!.path);
    if (!h1.ok || !h2.ok) throw new Error('unreadable');
    expect(h1.segment.header?.processes.map((p) => p.ref)).toEqual([refs[0], refs[1]]);
    expect(h2.segment.header?.processes.map((p) => p.task.processName)).toEqual(['proc2', 'renamed']);
  });

  it('reports a packet whose task ref is not defined, once, and keeps the packet', async () => {
    const dir = path('badref.nev');
    mkdirSync(dir);
    const seg = new SegmentWriter(join(dir, '000001.nevseg'), header(), false);
    for (const i of [1, 2]) seg.append(encodeRecord({ kind: 'packet', ...packet(i), task: 99 }));
    seg.seal(T0);
    const { packets, issues } = await readAll(dir);
    expect(packets).toHaveLength(2);
    expect(issues).toEqual([
      expect.objectContaining({ where: 'packet 1', message: 'refers to task 99, which this segment does not define', severity: 'error' }),
    ]);
  });
});

describe('versions and detection', () => {
  it('refuses a newer major version with a clear message', async () => {
    const dir = path('newer.nev');
    write(dir, 1);
    const seg = listSegments(dir)[0]!.path;
    const bytes = readFileSync(seg);
    bytes[9] = 2; // preamble major 2; the header record still says 1
    writeFileSync(seg, bytes);
    // One damaged version byte is overruled by the header record...
    const { issues } = await readAll(dir);
    expect(issues.map((i) => i.message)).toContain('preamble says format 2.1, header record 1.1; trusting the header');
    // ...a segment that says 2.0 in both places is refused.
    const dir2 = path('newer2.nev');
    mkdirSync(dir2);
    new SegmentWriter(join(dir2, '000001.nevseg'), header({ formatMajor: 2, formatMinor: 0 }), false).seal(T0);
    const again = readFileSync(join(dir2, '000001.nevseg'));
    again[9] = 2;
    writeFileSync(join(dir2, '000001.nevseg'), again);
    const err = await NevSource.open(dir2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(`${join(dir2, '000001.nevseg')}: .nev format 2.0 is newer than this netrec reads (1.x); upgrade netrec`);
  });

  it('opens a recording directory through openCapture, and leaves other directories alone', async () => {
    const dir = path('detect.nev');
    write(dir, 2);
    expect(await openCapture(dir)).toBeInstanceOf(NevSource);
    const plain = path('not-a-recording');
    mkdirSync(plain);
    await expect(openCapture(plain)).rejects.toThrow('is a directory');
  });
});
