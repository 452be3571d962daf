import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32c } from '../../src/nev/crc32c.ts';
import { listSegments } from '../../src/nev/directory.ts';
import { FRAME_HEADER_SIZE } from '../../src/nev/framing.ts';
import { RecordingWriter } from '../../src/nev/recording-writer.ts';
import { cli, idOf, packet, readAll, scratch, T0, task } from './helpers.ts';

const path = scratch('verify');

function record(name: string, n = 300, compress = false): string {
  const dir = path(name);
  const w = new RecordingWriter({ dir, snaplen: 65535, origin: 'netrec record', rotateSize: 16 * 1024, compress });
  w.writeLoss({ start: T0, end: T0 + 5n, cpu: 1, kernelLost: 3n, userDropped: 0n });
  w.writeLifecycle({ kind: 'lifecycle', event: 'exec', timestamp: T0, hostProcessId: 1001, hostThreadId: 1001, path: '/usr/bin/dig' });
  for (let i = 1; i <= n; i++) w.writePacket(packet(i, 64, task(i % 3)));
  w.close();
  return dir;
}

function flip(bytes: Buffer, at: number, mask: number): void {
  bytes[at] = bytes[at]! ^ mask;
}

function edit(file: string, change: (bytes: Buffer) => void): void {
  const bytes = readFileSync(file);
  change(bytes);
  writeFileSync(file, bytes);
}

describe('netrec verify', () => {
  it('passes an intact recording, plain or compressed', async () => {
    for (const compress of [false, true]) {
      const r = await cli(['verify', record(`ok-${compress}.nev`, 300, compress)]);
      expect(r.code).toBe(0);
      expect(
        r.out
          .trim()
          .split('\n')
          .every((l) => /^\d{6}\.nevseg {2}ok {2}\d+ records, \d+ packets, sealed by writer, checksum [0-9a-f]{8}$/.test(l)),
      ).toBe(true);
    }
  });

  it('finds a damaged record and names segment and offset', async () => {
    const dir = record('flip.nev');
    const seg = listSegments(dir)[1]!;
    edit(seg.path, (b) => flip(b, 500, 0x20));
    const r = await cli(['verify', dir]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`${seg.name} {2}damaged {2}`));
    expect(r.out).toMatch(/ {2}error: offset \d+: damaged data, \d+ bytes skipped: record checksum mismatch/);
  });

  it('catches bytes changed under a recomputed frame CRC through the segment checksum', async () => {
    const dir = record('forged.nev');
    const seg = listSegments(dir)[0]!;
    const { packets } = await readAll(seg.path);
    const at = packets[3]!.offset; // a plain frame: header, then payload
    edit(seg.path, (b) => {
      const length = b.readUInt32BE(at + 4);
      flip(b, at + FRAME_HEADER_SIZE + length - 20, 0xff); // inside the packet's data
      const crc = crc32c(b, crc32c(b, 0, at + 4, at + 9), at + FRAME_HEADER_SIZE, at + FRAME_HEADER_SIZE + length);
      b.writeUInt32BE(crc, at + 9);
    });
    const r = await cli(['verify', dir]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/error: offset \d+: segment checksum mismatch \(footer [0-9a-f]{8}, bytes [0-9a-f]{8}\)/);
  });

  it('repairs a segment whose trailer is damaged, keeping every record', async () => {
    const dir = record('trailer.nev');
    const seg = listSegments(dir).at(-1)!;
    edit(seg.path, (b) => flip(b, b.length - 3, 1));
    const before = await cli(['verify', dir]);
    expect(before.code).toBe(1);
    expect(before.out).toContain('footer record found, but the trailer after it is damaged');
    const repaired = await cli(['verify', dir, '--repair']);
    expect(repaired.code).toBe(0);
    expect(repaired.out).toMatch(new RegExp(`${seg.name} {2}repaired {2}`));
    const after = await readAll(dir);
    expect(after.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(after.packets.map(idOf)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });

  it('will not repair a recording a live writer holds', async () => {
    const dir = path('live.nev');
    const w = new RecordingWriter({ dir, snaplen: 65535, origin: 'netrec record' });
    w.writePacket(packet(1));
    w.flush();
    const r = await cli(['verify', dir, '--repair']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`netrec: error: ${dir}: being written by process ${process.pid}; stop it before --repair\n`);
    const read = await readAll(dir);
    expect(read.packets.map(idOf)).toEqual([1]);
    expect(read.issues).toEqual([expect.objectContaining({ message: `still being written by process ${process.pid}; records so far`, severity: 'warning' })]);
    w.close();
  });
});

describe('netrec info', () => {
  it('summarises segments, span, protocols, losses and processes', async () => {
    const dir = record('info.nev', 300);
    const r = await cli(['info', dir]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^recording +.*info\.nev \(directory, \d+ segments\)$/m);
    expect(r.out).toMatch(/^written by +netrec record, netrec \d+\.\d+\.\d+, format 1\.1$/m);
    expect(r.out).toMatch(/^segments +000001\.nevseg {2}sealed, [\d.]+ KiB, \d+ packets {2}2023-11-14T22:13:20\.001000000Z \.\. /m);
    expect(r.out).toMatch(/^time span +2023-11-14T22:13:20\.001000000Z \.\. 2023-11-14T22:13:20\.300000000Z \(0\.299 s\)$/m);
    expect(r.out).toMatch(/^packets +300 \(/m);
    expect(r.out).toMatch(/^losses +kernel 3 \(CPU 1 3\), user space 0$/m);
    expect(r.out).toMatch(/^processes +3 with packets \(process table: 3 tasks\): proc[012] \(pid 100[012]\) 100/m);
    expect(r.out).toMatch(/^lifecycle +exec 1$/m);
  });

  it('counts packets per protocol, and says when a segment is not sealed', async () => {
    const capture = join(import.meta.dirname, '../../fixtures/pcap/dns-udp.pcap');
    const out = path('dns.nev');
    expect((await cli(['convert', capture, '-o', out])).code).toBe(0);
    const seg = listSegments(out)[0]!;
    edit(seg.path, (b) => flip(b, b.length - 1, 1));
    const r = await cli(['info', out]);
    expect(r.out).toMatch(/^protocols +ipv4 \d+, (ipv6 \d+, )?udp \d+, dns \d+$/m);
    expect(r.out).toMatch(/000001\.nevseg {2}NOT SEALED, /);
    expect(r.err).toContain('not sealed (the writer stopped before closing it)');
  });
});

describe('a writer stopped as it created a segment', () => {
  it('leaves an empty last file: a warning, and --repair removes it', async () => {
    const dir = record('empty-last.nev', 50);
    const last = listSegments(dir).at(-1)!;
    writeFileSync(join(dir, `${String(last.number + 1).padStart(6, '0')}.nevseg`), '');
    const read = await readAll(dir);
    expect(read.packets).toHaveLength(50);
    expect(read.issues).toEqual([expect.objectContaining({ message: 'empty (the writer stopped as it created it)', severity: 'warning' })]);
    expect((await cli(['verify', dir])).code).toBe(1);
    const repaired = await cli(['verify', dir, '--repair']);
    expect(repaired.out).toContain('repaired  removed: empty (the writer stopped as it created it)');
    expect(repaired.code).toBe(0);
    expect(listSegments(dir).at(-1)!.number).toBe(last.number);
  });
});
