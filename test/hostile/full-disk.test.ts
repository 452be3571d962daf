/**
 * A full disk: a small tmpfs of our own, filled up. `verify --repair` must fail in one line,
 * exit 1, and leave the segment byte for byte as it was (no half-written footer, the cut tail
 * still there); with space again, the same command seals it. `convert` fails in one line too.
 */
import { closeSync, cpSync, openSync, readFileSync, statSync, truncateSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listSegments } from '../../src/nev/directory.ts';
import { SYNC } from '../../src/nev/framing.ts';
import { TRAILER_SIZE } from '../../src/nev/layout.ts';
import { RecordingWriter } from '../../src/nev/recording-writer.ts';
import { packet, scratch } from '../nev/helpers.ts';
import { requireRoot, tmpfsForBlock } from '../helpers/root.ts';
import { foreignStderrLine, netrec } from '../helpers/cli.ts';

const PAGE = 4096;
const root = requireRoot('mounting a tmpfs to fill up');
const path = scratch('full-disk');

/**
 * A stopped writer's segment: records, then a record cut short, ending `slack` bytes before a page
 * boundary (so the first `slack` bytes of an append still fit in the file's last page).
 */
function unsealed(name: string, slack: number): string {
  const dir = path(name);
  const w = new RecordingWriter({ dir, snaplen: 65535, origin: 'test' });
  for (let i = 1; i <= 300; i++) w.writePacket(packet(i, 100));
  w.close();
  const file = listSegments(dir)[0]!.path;
  const bytes = readFileSync(file);
  const footerAt = Number(bytes.readBigUInt64BE(bytes.length - 12));
  truncateSync(file, footerAt);
  const end = Math.ceil((footerAt + 100) / PAGE) * PAGE - slack;
  const cut = Buffer.alloc(end - footerAt, 0x5a);
  cut.set(SYNC, 0);
  cut.writeUInt32BE(60_000, 4); // a record longer than what follows: cut off
  writeFileSync(file, cut, { flag: 'a' });
  expect(statSync(file).size % PAGE).toBe((PAGE - slack) % PAGE);
  return dir;
}

describe.skipIf(!root)('verify --repair on a full disk', () => {
  const mounted = tmpfsForBlock('1m');
  let mount: string;
  beforeAll(() => {
    mount = mounted();
  });

  /** Fills the file system to the last byte; returns the filler's path. */
  function fill(): string {
    const filler = join(mount, 'filler');
    const fd = openSync(filler, 'w');
    try {
      for (const chunk of [65_536, PAGE, 1]) {
        const buf = Buffer.alloc(chunk);
        for (;;) {
          try {
            if (writeSync(fd, buf) < chunk) break;
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
            break;
          }
        }
      }
    } finally {
      closeSync(fd);
    }
    return filler;
  }

  for (const slack of [0, 50]) {
    it(`fails in one line and leaves the segment as it was (${slack === 0 ? 'no byte fits' : 'a partial write'}), then seals it once there is space`, () => {
      const dir = join(mount, `rec-${slack}.nev`);
      cpSync(unsealed(`src-${slack}.nev`, slack), dir, { recursive: true });
      const file = listSegments(dir)[0]!.path;
      const before = readFileSync(file);
      const filler = fill();

      const failed = netrec(['verify', '--repair', dir]);
      expect(failed.timedOut).toBe(false);
      expect(foreignStderrLine(failed.stderr)).toBeUndefined();
      expect(failed.status).toBe(1);
      expect(failed.stdout).toContain('error: offset');
      expect(failed.stdout).toContain('repair failed: writing the footer failed: no space left on device; the segment is as it was');
      expect(readFileSync(file).equals(before)).toBe(true);
      expect(netrec(['replay', dir]).status).toBe(0); // still the stopped writer's segment, not damaged

      unlinkSync(filler);
      const repaired = netrec(['verify', '--repair', dir]);
      expect(repaired.status).toBe(0);
      expect(repaired.stdout).toMatch(
        /^000001\.nevseg {2}repaired {2}300 records, 300 packets; sealed by repair, \d+ trailing bytes without a complete record removed$/m,
      );
      const verified = netrec(['verify', dir]);
      expect(verified.status).toBe(0);
      expect(statSync(file).size).toBeLessThan(before.length + TRAILER_SIZE + 512);
    });
  }

  it('convert into a full disk: one line, exit 1', () => {
    const filler = fill();
    try {
      const r = netrec(['convert', 'fixtures/pcap/dns-tcp.pcap', '-o', join(mount, 'full.nev')]);
      expect(foreignStderrLine(r.stderr)).toBeUndefined();
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^netrec: error: (writing|cannot create) .*full\.nev: no space left on device\n$/);
    } finally {
      unlinkSync(filler);
    }
  });
});
