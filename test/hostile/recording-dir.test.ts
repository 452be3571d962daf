/**
 * Hostile recording directories and segment files, through the CLI: every reproducer of issue 12
 * gives one line per problem, the documented exit code, no hang and no stack trace, and nothing
 * outside the recording is read or written.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LinkType } from '../../src/core/packet.ts';
import { listSegments } from '../../src/nev/directory.ts';
import { checkFrame, encodeFrame } from '../../src/nev/framing.ts';
import { encodeTrailer, TRAILER_SIZE } from '../../src/nev/layout.ts';
import { pack, unpack } from '../../src/nev/msgpack.ts';
import { RecordingWriter } from '../../src/nev/recording-writer.ts';
import { decodeFooter, encodeFooter, RecordDecodeError, RecordType, type SegmentFooter } from '../../src/nev/records.ts';
import { foreignStderrLine, netrec, type CliRun } from '../helpers/cli.ts';
import { requireShared } from '../helpers/shared.ts';
import { openIndexed } from '../tui/helpers/store.ts';
import { packet, readAll, scratch, T0 } from '../nev/helpers.ts';

const path = scratch('hostile-dir');

/** dns-udp.pcap as a recording of several segments. */
const base = path('base.nev');
netrec(['convert', 'fixtures/pcap/dns-udp.pcap', '-o', base, '--rotate-size', '4KiB']);
const baseSegments = listSegments(base);
const baseEvents = lines(netrec(['replay', base]).stdout);

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

let copies = 0;
function variant(change: (dir: string) => void): string {
  const dir = path(`v${++copies}.nev`);
  cpSync(base, dir, { recursive: true });
  change(dir);
  return dir;
}

/** The checks every hostile run must pass: it ended, exit 0/1 as said, only netrec's own lines. */
function expectClean(r: CliRun, code: number, what: string): void {
  expect(r.timedOut, `${what} hung`).toBe(false);
  expect(foreignStderrLine(r.stderr), `${what} stderr:\n${r.stderr}`).toBeUndefined();
  expect(r.status, `${what}:\n${r.stderr}${r.stdout}`).toBe(code);
}

describe('entries named like segments that are no segment files', () => {
  const outside = path('elsewhere');
  mkdirSync(outside);
  // An unsealed segment outside the recording: a repair that followed the link would seal it.
  const outsideSegment = join(outside, 'victim.nevseg');
  copyFileSync(baseSegments[0]!.path, outsideSegment);
  truncateSync(outsideSegment, statSync(outsideSegment).size - TRAILER_SIZE);
  const victimBytes = readFileSync(outsideSegment);

  const cases: [string, (dir: string) => void, RegExp][] = [
    ['a directory', (d) => mkdirSync(join(d, '000099.nevseg')), /segment 000099\.nevseg: is a directory, not a segment file; skipped$/m],
    [
      'a symlink loop',
      (d) => symlinkSync('000099.nevseg', join(d, '000099.nevseg')),
      /segment 000099\.nevseg: is a symbolic link, not a segment file; skipped$/m,
    ],
    [
      'a dangling symlink',
      (d) => symlinkSync('gone.nevseg', join(d, '000099.nevseg')),
      /segment 000099\.nevseg: is a symbolic link, not a segment file; skipped$/m,
    ],
    [
      'a symlink out of the recording',
      (d) => symlinkSync(outsideSegment, join(d, '000099.nevseg')),
      /segment 000099\.nevseg: is a symbolic link, not a segment file; skipped$/m,
    ],
    ['a FIFO', (d) => execFileSync('mkfifo', [join(d, '000099.nevseg')]), /segment 000099\.nevseg: is a named pipe \(FIFO\), not a segment file; skipped$/m],
    [
      'a second name for segment 1',
      (d) => copyFileSync(join(d, '000001.nevseg'), join(d, '0000001.nevseg')),
      /segment 0000001\.nevseg: not a valid segment name \(segment 1 is named 000001\.nevseg\); skipped$/m,
    ],
    [
      'a 23-digit segment number',
      (d) => copyFileSync(join(d, '000001.nevseg'), join(d, '12345678901234567890123.nevseg')),
      /segment 12345678901234567890123\.nevseg: not a valid segment name \(segment numbers run from 1 to 999999999999\); skipped$/m,
    ],
    [
      'segment 0',
      (d) => copyFileSync(join(d, '000001.nevseg'), join(d, '000000.nevseg')),
      /segment 000000\.nevseg: not a valid segment name \(segment numbers run from 1 to 999999999999\); skipped$/m,
    ],
  ];

  for (const [what, change, message] of cases) {
    it(`${what}: reported and skipped by replay, info and verify; the segments replay once`, () => {
      const dir = variant(change);
      const replay = netrec(['replay', dir]);
      expectClean(replay, 1, `replay with ${what}`);
      expect(replay.stderr).toMatch(message);
      expect(lines(replay.stdout)).toEqual(baseEvents);
      const info = netrec(['info', dir]);
      expectClean(info, 1, `info with ${what}`);
      expect(info.stderr).toMatch(message);
      expect(info.stdout).toMatch(/^packets +44 /m);
      const verify = netrec(['verify', '--repair', dir]);
      expectClean(verify, 1, `verify with ${what}`);
      expect(verify.stdout.replace(/^(\S+) {2}damaged {2}/m, 'segment $1: ')).toMatch(message);
      expect(readFileSync(outsideSegment).equals(victimBytes)).toBe(true);
    });
  }

  it('a FIFO does not hang the TUI, nor does a FIFO lock', async () => {
    const dir = variant((d) => {
      execFileSync('mkfifo', [join(d, '000099.nevseg')]);
      execFileSync('mkfifo', [join(d, '.lock')]);
    });
    const store = await openIndexed(dir);
    expect(store.index.length).toBe(44);
    expect(store.scan.issues.map((i) => i.message)).toContain('is a named pipe (FIFO), not a segment file; skipped');
    const replay = netrec(['replay', dir]);
    expectClean(replay, 1, 'replay with a FIFO lock');
  });

  it('a directory holding only odd entries is no recording, and says what it holds', () => {
    const dir = path('only-odd.nev');
    mkdirSync(dir);
    execFileSync('mkfifo', [join(dir, '000001.nevseg')]);
    const r = netrec(['info', dir]);
    expectClean(r, 1, 'info');
    expect(r.stderr).toBe(`netrec: error: ${dir}: no .nev segments in this directory (000001.nevseg is a named pipe (FIFO), not a segment file; skipped)\n`);
  });

  it('an unreadable segment: reported and skipped, the others replay', () => {
    const last = baseSegments.at(-1)!;
    const dir = variant((d) => chmodSync(join(d, last.name), 0o000));
    const without = variant((d) => rmSync(join(d, last.name)));
    chmodSync(path(''), 0o755); // the scratch directory, for nobody
    for (const d of [dir, without]) {
      chmodSync(d, 0o755);
      for (const name of readdirSync(d)) if (name !== last.name || d === without) chmodSync(join(d, name), 0o644);
    }
    // Root reads any file: as root, read as nobody.
    const as = process.getuid?.() === 0 ? { uid: 65534 } : {};
    const replay = netrec(['replay', dir], as);
    expectClean(replay, 1, 'replay with an unreadable segment');
    expect(replay.stderr).toContain(`${dir}: segment ${last.name}: permission denied; skipped\n`);
    expect(lines(replay.stdout)).toEqual(lines(netrec(['replay', without], as).stdout));
    const verify = netrec(['verify', dir], as);
    expectClean(verify, 1, 'verify with an unreadable segment');
    expect(verify.stdout).toContain(`${last.name}  damaged  permission denied; skipped`);
  });

  it('the header naming another segment number, and a gap in the numbers, are warnings', () => {
    const dir = variant((d) => {
      const names = readdirSync(d)
        .filter((n) => n.endsWith('.nevseg'))
        .sort();
      rmSync(join(d, names[1]!));
      cpSync(join(d, names[0]!), join(d, '000009.nevseg'));
    });
    const r = netrec(['replay', dir]);
    expectClean(r, 0, 'replay');
    expect(r.stderr).toContain(': segment 000009.nevseg: its header says it is segment 1\n');
    expect(r.stderr).toContain(': segment 000001.nevseg: segment 2 is missing after it\n');
  });
});

describe('-o refuses a symbolic link', () => {
  it('dangling: one line, exit 1, nothing created where it points', () => {
    const link = path('dangling.nev');
    symlinkSync(path('nowhere.nev'), link);
    const r = netrec(['convert', 'fixtures/pcap/udp.pcap', '-o', link]);
    expectClean(r, 1, 'convert -o dangling');
    expect(r.stderr).toBe(`netrec: error: ${link} is a symbolic link; name the recording directory itself\n`);
    expect(() => statSync(path('nowhere.nev'))).toThrow();
  });

  it('to a directory: the directory keeps its mode and stays empty, with or without a trailing slash', () => {
    const target = path('real-dir');
    mkdirSync(target);
    chmodSync(target, 0o755);
    const link = path('dir-link.nev');
    symlinkSync(target, link);
    for (const out of [link, `${link}/`]) {
      const r = netrec(['convert', 'fixtures/pcap/udp.pcap', '-o', out, '--force']);
      expectClean(r, 1, `convert -o ${out}`);
      expect(r.stderr).toMatch(/is a symbolic link; name the recording directory itself\n$/);
    }
    expect(statSync(target).mode & 0o777).toBe(0o755);
    expect(readdirSync(target)).toEqual([]);
  });

  it('a path that cannot be created: one line, exit 1', () => {
    const r = netrec(['convert', 'fixtures/pcap/udp.pcap', '-o', join(baseSegments[0]!.path, 'sub.nev')]);
    expectClean(r, 1, 'convert -o under a file');
    expect(r.stderr).toMatch(/^netrec: error: cannot use .*sub\.nev: not a directory\n$/);
  });
});

describe('footers a reader cannot trust', () => {
  /** One segment of 2500 packets: its footer has index entries. */
  function indexed(name: string): string {
    const dir = path(name);
    const w = new RecordingWriter({ dir, snaplen: 65535, origin: 'test' });
    for (let i = 1; i <= 2500; i++) w.writePacket(packet(i, 40));
    w.close();
    return listSegments(dir)[0]!.path;
  }

  /** Re-encodes the footer after `change`, with valid CRCs: only its content is wrong. */
  function rewriteFooter(file: string, change: (f: SegmentFooter) => void): void {
    const bytes = readFileSync(file);
    const at = Number(bytes.readBigUInt64BE(bytes.length - 12));
    const frame = checkFrame(bytes, at, bytes.length - TRAILER_SIZE);
    if (frame.status !== 'ok') throw new Error('no footer frame');
    const value = unpack(frame.payload);
    const footer = value.ok ? decodeFooter(value.value) : undefined;
    if (footer === undefined || footer instanceof RecordDecodeError) throw new Error('footer does not decode');
    change(footer);
    writeFileSync(file, Buffer.concat([bytes.subarray(0, at), encodeFrame(RecordType.footer, pack(encodeFooter(footer))), encodeTrailer(at)]));
  }

  it('an index entry pointing outside the file: a warning in replay and info, an error in verify; reads ignore the index', async () => {
    const file = indexed('bad-index.nev');
    const size = statSync(file).size;
    rewriteFooter(file, (f) => (f.index[1]!.offset = size + 4096));
    const dir = join(file, '..');
    const warning = `netrec: warning: ${dir}: segment 000001.nevseg offset `;
    const replay = netrec(['replay', dir]);
    expectClean(replay, 0, 'replay');
    expect(replay.stderr).toContain(warning);
    expect(replay.stderr).toContain(`: footer index entry 1 points at offset ${size + 4096}, outside the segment's records (`);
    expect(replay.stderr).toContain('; its index is not used\n');
    const info = netrec(['info', dir]);
    expectClean(info, 0, 'info');
    expect(info.stderr).toContain('footer index entry 1 points at offset');
    expect(info.stdout).toMatch(/^packets +2500 /m);
    expectClean(netrec(['verify', dir]), 1, 'verify');
    // A seek (the TUI's) reads from the start instead of trusting the entry.
    const { packets } = await readAll(dir, { fromPacket: 2100 });
    expect(packets[0]!.number).toBe(2100);
    expect(packets).toHaveLength(401);
  });

  it('an index out of order is a warning too', () => {
    const file = indexed('unordered.nev');
    rewriteFooter(file, (f) => f.index.reverse());
    const r = netrec(['replay', join(file, '..')]);
    expectClean(r, 0, 'replay');
    expect(r.stderr).toContain('footer index entry 1 is out of order; its index is not used');
  });

  it('a first packet time without a last one: info does not crash', () => {
    const file = indexed('one-end.nev');
    rewriteFooter(file, (f) => delete f.lastTimestamp);
    const r = netrec(['info', join(file, '..')]);
    expectClean(r, 0, 'info');
    expect(r.stderr).toContain('footer gives a first packet time but no last; its index is not used');
    expect(r.stdout).toMatch(/^segments +000001\.nevseg .* 2023-11-14T22:13:20\.001000000Z \.\. \?$/m);
  });
});

describe('info prints times Date cannot hold as exact nanoseconds', () => {
  it('past year 275760 and before 1970', () => {
    const dir = path('far.nev');
    const far = (1n << 80n) + 123n;
    const w = new RecordingWriter({ dir, snaplen: 65535, origin: 'test', now: () => T0 });
    w.writePacket({ ...packet(1, 40), timestamp: -1n, linkType: LinkType.RAW });
    w.writePacket({ ...packet(2, 40), timestamp: far, linkType: LinkType.RAW });
    w.close();
    const r = netrec(['info', dir]);
    expectClean(r, 0, 'info');
    expect(r.stdout).toMatch(
      new RegExp(`^time span +1969-12-31T23:59:59\\.999999999Z \\.\\. ${far} ns since the epoch \\(${(far + 1n) / 1_000_000_000n}\\.\\d{3} s\\)$`, 'm'),
    );
  });

  const shared = requireShared('pcaps', 'pcapplusplus__pcapng-example.pcapng');
  it.skipIf(shared === undefined)('the shared pcapng whose timestamps run past 2554 (the issue reproducer)', () => {
    const out = path('pcapng-example.nev');
    expectClean(netrec(['convert', shared!, '-o', out]), 0, 'convert');
    const r = netrec(['info', out]);
    expectClean(r, 0, 'info');
    expect(r.stdout).toMatch(/^time span +2015-01-29T10:39:58\.578402281Z \.\. 18446744073204277451000 ns since the epoch /m);
    // The capture itself, through every command that prints times as dates.
    const capture = netrec(['info', shared!]);
    expectClean(capture, 0, 'info');
    expect(capture.stdout).toMatch(/^time span +2015-01-29T10:39:58\.578402281Z \.\. 18446744073204277451000 ns since the epoch /m);
    const stats = netrec(['stats', shared!]);
    expectClean(stats, 0, 'stats');
    expect(stats.stdout).toMatch(/2015-01-29T10:39:58\.578402281Z \.\. 18446744073204277451000 ns since the epoch/);
  });
});
