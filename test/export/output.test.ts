/**
 * Where and how `netrec export` writes, through the CLI: refusing to overwrite, --force, classic
 * pcap (nanosecond and --micro), --split-by with its index and safe names, a full disk (a small
 * tmpfs mounted for the test) and Ctrl-C — never a half file under the output name.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netrec, netrecChild } from '../helpers/cli.ts';
import { tsharkAvailable } from '../helpers/tshark.ts';
import { readAll, scratch } from '../nev/helpers.ts';
import { HOSTILE_COMM, writeSyntheticRecording } from './synthetic-recording.ts';

const path = scratch('export-output');
const noTshark = !(await tsharkAvailable());
if (noTshark && process.env.CI === 'true') throw new Error('tshark is required on CI');

/** Files a run left in `dir` besides the expected ones (temporary names start with a dot). */
function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.startsWith('.'));
}

function times(file: string): string[] {
  return execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n')
    .filter((l) => l !== '');
}

describe('netrec export: the output file', () => {
  const dir = path('files');
  mkdirSync(dir);

  it('refuses to overwrite without --force, and replaces with it', () => {
    const out = join(dir, 'taken.pcapng');
    writeFileSync(out, 'precious');
    const refused = netrec(['export', 'fixtures/recordings/udp.nev', '-w', out]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe(`netrec: ${out} exists; use --force to replace it; see 'netrec export --help'\n`);
    expect(readFileSync(out, 'utf8')).toBe('precious');
    const forced = netrec(['export', 'fixtures/recordings/udp.nev', '-w', out, '--force']);
    expect(forced.status).toBe(0);
    expect(readFileSync(out).subarray(0, 4)).toEqual(Buffer.from([0x0a, 0x0d, 0x0d, 0x0a]));
    expect(leftovers(dir)).toEqual([]);
  });

  it('says what is wrong with the command line', () => {
    // The same wording as every other command: the parser checks choices, the command the rest.
    const cases: [string[], string][] = [
      [['fixtures/recordings/udp.nev'], 'export needs an output: -w out.pcapng'],
      [['-w', join(dir, 'x.pcapng')], 'export needs at least one input (a .nev recording, a pcap or pcapng file, or - for stdin)'],
      [['fixtures/recordings/udp.nev', '-w', join(dir, 'x.pcapng'), '--micro'], '--micro is for --format pcap (pcapng keeps nanoseconds)'],
      [
        ['fixtures/recordings/udp.nev', '-w', join(dir, 'x'), '--split-by', 'pid'],
        "export: invalid value 'pid' for '--split-by' (valid: process, comm, container, cgroup, flow)",
      ],
      [['fixtures/recordings/udp.nev', '-w', join(dir, 'x'), '--format', 'erf'], "export: invalid value 'erf' for '--format' (valid: pcapng, pcap, parquet)"],
      [['fixtures/recordings/udp.nev', '-w', '-'], 'export writes a file (renamed into place when complete), not standard output'],
      [['fixtures/recordings/udp.nev', '-w', join(dir, 'x.pcapng'), '--trace', 'bogus=1'], ''],
    ];
    for (const [args, message] of cases) {
      const run = netrec(['export', ...args]);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr.split('\n')[0]).toMatch(
        message === '' ? /^netrec: / : new RegExp(`^netrec: ${message.replace(/[()[\].*+?|\\]/g, '\\$&')}; see 'netrec export --help'$`),
      );
    }
    expect(readdirSync(dir)).toEqual(['taken.pcapng']);
  });

  it('reports an input it cannot open and exports the others (exit 1)', () => {
    const out = join(dir, 'some.pcapng');
    const run = netrec(['export', 'fixtures/recordings/udp.nev', join(dir, 'missing.pcap'), '-w', out]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `netrec: error: ${join(dir, 'missing.pcap')}: cannot open: no such file or directory\nnetrec: exported 4 of 4 packets to ${out} (pcapng)\n`,
    );
    expect(existsSync(out)).toBe(true);
  });

  it('writes nothing when no input opens, as pcapng, pcap or Parquet (exit 1)', () => {
    const missing = join(dir, 'missing.pcap');
    for (const format of ['pcapng', 'pcap', 'parquet']) {
      const out = join(dir, `none-${format}`);
      const run = netrec(['export', missing, '--format', format, '-w', out]);
      expect(run.status, format).toBe(1);
      expect(run.stderr, format).toBe(
        `netrec: error: ${missing}: cannot open: no such file or directory\nnetrec: error: ${out}: no input could be opened; nothing was written\n`,
      );
    }
    expect(readdirSync(dir).filter((f) => f.startsWith('none-') || f.startsWith('.none-'))).toEqual([]);
  });
});

describe('netrec export --from / --to', () => {
  it('keeps the packets of the window, exact to the nanosecond, in both time syntaxes', async () => {
    const { packets } = await readAll('fixtures/recordings/tcp.nev');
    const from = packets[5]!.timestamp;
    const to = packets[24]!.timestamp;
    const inside = packets.filter((p) => p.timestamp >= from && p.timestamp <= to);
    expect(inside.length).toBeGreaterThan(10);
    expect(inside.length).toBeLessThan(packets.length);
    const rfc3339 = (ns: bigint): string =>
      `${new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 19)}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}Z`;
    const epoch = (ns: bigint): string => `${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`;
    for (const [i, [a, b]] of [
      [rfc3339(from), rfc3339(to)],
      [epoch(from), epoch(to)],
    ].entries()) {
      const out = path(`window-${i}.pcapng`);
      const run = netrec(['export', 'fixtures/recordings/tcp.nev', '-w', out, '--from', a!, '--to', b!]);
      expect(run.stderr).toBe(`netrec: exported ${inside.length} of ${inside.length} packets to ${out} (pcapng)\n`);
      const { stdout } = netrec(['replay', out, '--trace', 'event=net_packet_ipv4,net_packet_ipv6']);
      expect(
        stdout
          .trim()
          .split('\n')
          .map((l) => BigInt(/"timestamp":(\d+)/.exec(l)![1]!)),
      ).toEqual(inside.map((p) => p.timestamp));
    }
    const bad = netrec(['export', 'fixtures/recordings/tcp.nev', '-w', path('never.pcapng'), '--from', 'yesterday']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe(
      "netrec: invalid --from 'yesterday': expected RFC 3339 (2026-12-07T10:00:00Z), epoch seconds (1765101600.5) or epoch nanoseconds (1765101600500000000); see 'netrec export --help'",
    );
    const stats = netrec(['stats', 'fixtures/recordings/tcp.nev', '--from', epoch(from), '--to', epoch(to), '--output', 'json']);
    expect(
      (JSON.parse(stats.stdout) as { packets: number; duplicates: number }).packets + (JSON.parse(stats.stdout) as { duplicates: number }).duplicates,
    ).toBe(inside.length);
  });
});

describe.skipIf(noTshark)('netrec export --format pcap', () => {
  it('writes nanosecond pcap by default, microsecond with --micro (and says what it cut)', async () => {
    const recording = path('ns.nev');
    writeSyntheticRecording({ dir: recording });
    const { packets } = await readAll(recording);
    const nano = path('ns.pcap');
    const micro = path('us.pcap');
    expect(netrec(['export', recording, '-w', nano, '-F', 'pcap']).status).toBe(0);
    const cut = netrec(['export', recording, '-w', micro, '-F', 'pcap', '--micro']);
    expect(cut.status).toBe(0);
    const fractional = packets.filter((p) => p.timestamp % 1000n !== 0n).length;
    expect(fractional).toBeGreaterThan(0);
    expect(cut.stderr).toContain(
      `netrec: warning: --micro: timestamps: ${fractional} packets had nanosecond digits that microsecond pcap cannot hold; they were cut (drop --micro to keep them)\n`,
    );
    expect(readFileSync(nano).readUInt32LE(0)).toBe(0xa1b23c4d);
    expect(readFileSync(micro).readUInt32LE(0)).toBe(0xa1b2c3d4);
    const epoch = (ns: bigint): string => `${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`;
    expect(times(nano)).toEqual(packets.map((p) => epoch(p.timestamp)));
    expect(times(micro)).toEqual(packets.map((p) => epoch((p.timestamp / 1000n) * 1000n)));
  });

  it('refuses to mix link types in one pcap and leaves nothing behind', () => {
    const dir = path('mixed');
    mkdirSync(dir);
    // --concat: the recording's packets (raw IP) all come first, then the capture's (Ethernet).
    const run = netrec(['export', 'fixtures/recordings/udp.nev', 'fixtures/pcap/udp.pcap', '--concat', '-w', join(dir, 'mixed.pcap'), '-F', 'pcap']);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      'netrec: error: fixtures/pcap/udp.pcap: packet 1 has link type 1, the packets before it 101: classic pcap holds one link type; export to pcapng (the default) instead\n',
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});

interface IndexRow {
  key: string;
  file: string;
  packets: number;
  bytes: number;
}

function index(dir: string): IndexRow[] {
  const [header, ...rows] = readFileSync(join(dir, 'index.tsv'), 'utf8').trimEnd().split('\n');
  expect(header).toBe('key\tfile\tpackets\tbytes');
  return rows.map((r) => {
    const [key, file, packets, bytes] = r.split('\t') as [string, string, string, string];
    return { key, file, packets: Number(packets), bytes: Number(bytes) };
  });
}

describe('netrec export --split-by', () => {
  it('process: one file per pid holding exactly its packets, listed in the index', async () => {
    const out = path('by-process');
    const run = netrec(['export', 'fixtures/recordings/dns.nev', 'fixtures/recordings/tcp.nev', '-w', out, '--split-by', 'process']);
    expect(run.status).toBe(0);
    const rows = index(out);
    const all = [...(await readAll('fixtures/recordings/dns.nev')).packets, ...(await readAll('fixtures/recordings/tcp.nev')).packets];
    const byPid = new Map<string, number>();
    for (const p of all) byPid.set(p.task ? String(p.task.hostProcessId) : '(none)', (byPid.get(p.task ? String(p.task.hostProcessId) : '(none)') ?? 0) + 1);
    expect(new Map(rows.map((r) => [r.key, r.packets]))).toEqual(byPid);
    expect(rows.reduce((n, r) => n + r.bytes, 0)).toBe(all.reduce((n, p) => n + p.originalLength, 0));
    expect(readdirSync(out).sort()).toEqual(['index.tsv', ...rows.map((r) => r.file)].sort());
    for (const r of rows) {
      const replay = netrec(['replay', join(out, r.file), '--trace', 'event=net_packet_ipv4,net_packet_ipv6']);
      const pids = new Set(
        replay.stdout
          .trim()
          .split('\n')
          .map((l) => String((JSON.parse(l) as { hostProcessId: number }).hostProcessId)),
      );
      expect([...pids], r.file).toEqual([r.key]);
    }
  });

  it('comm: hostile names become safe file names inside the directory; the index escapes them', () => {
    const recording = path('hostile.nev');
    writeSyntheticRecording({ dir: recording });
    const out = path('by-comm');
    expect(netrec(['export', recording, '-w', out, '--split-by', 'comm']).status).toBe(0);
    const rows = index(out);
    expect(rows.map((r) => [r.key, r.file])).toEqual([
      ['curl', 'comm-curl.pcapng'],
      ['nginx', 'comm-nginx.pcapng'],
      ['a b"c=d\\\\e\\n\\u{202e}fdp.exe../../x', 'comm-a_b_c_d_e_fdp.exe.._.._x.pcapng'],
      ['(none)', 'no-process.pcapng'],
    ]);
    expect(HOSTILE_COMM).toContain('../');
    expect(readdirSync(out).every((f) => /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(f))).toBe(true);
    expect(readdirSync(path('.'))).not.toContain('x.pcapng');
  });

  it.skipIf(noTshark)('flow: one conversation per file, as tshark counts them', () => {
    const out = path('by-flow');
    expect(netrec(['export', 'fixtures/pcap/dns-tcp.pcap', '-w', out, '--split-by', 'flow']).status).toBe(0);
    const rows = index(out);
    const conversations = execFileSync('tshark', ['-n', '-q', '-r', 'fixtures/pcap/dns-tcp.pcap', '-z', 'conv,tcp'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).match(/<->/g);
    expect(rows).toHaveLength(conversations!.length);
    expect(rows.reduce((n, r) => n + r.packets, 0)).toBe(106);
    for (const r of rows) {
      const inFile = execFileSync('tshark', ['-n', '-q', '-r', join(out, r.file), '-z', 'conv,tcp'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      expect(inFile.match(/<->/g)).toHaveLength(1);
      expect(r.key).toMatch(/^tcp (172\.16\.17\.1:\d+ 172\.16\.17\.2:53|\[fd6e:a63d:71f:2f4::1\]:\d+ \[fd6e:a63d:71f:2f4::2\]:53)$/);
    }
  });

  it('replaces an earlier split export with --force, never another directory', () => {
    const out = path('by-process');
    expect(netrec(['export', 'fixtures/recordings/udp.nev', '-w', out, '--split-by', 'process']).status).toBe(2);
    expect(netrec(['export', 'fixtures/recordings/udp.nev', '-w', out, '--split-by', 'process', '--force']).status).toBe(0);
    // udp.nev holds 4 packets (dns.nev and tcp.nev were there before).
    expect(index(out).reduce((n, r) => n + r.packets, 0)).toBe(4);
    const mine = path('not-an-export');
    mkdirSync(mine);
    writeFileSync(join(mine, 'notes.txt'), 'keep me');
    const refused = netrec(['export', 'fixtures/recordings/udp.nev', '-w', mine, '--split-by', 'process', '--force']);
    expect(refused.status).toBe(2);
    expect(refused.stderr.split('\n')[0]).toBe(
      `netrec: ${mine} is a directory that an export did not make (no index.tsv, or other files in it); refusing to replace it; see 'netrec export --help'`,
    );
    expect(readdirSync(mine)).toEqual(['notes.txt']);
  });
});

const isRoot = process.getuid?.() === 0;
if (!isRoot && process.env.CI === 'true') throw new Error('the full-disk test needs root on CI (it mounts a tmpfs)');
if (!isRoot) console.warn('skipping the full-disk export test: it mounts a tmpfs and needs root');

describe.skipIf(!isRoot)('netrec export on a full disk', () => {
  const mount = path('tiny');
  beforeAll(() => {
    mkdirSync(mount);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount]);
  });
  afterAll(() => void spawnSync('umount', [mount]));

  it('fails with one line and leaves nothing, for a file and for a split', () => {
    const input = 'fixtures/recordings/dns.nev';
    // The recording exports to about 40 KiB: repeated, it cannot fit in 64 KiB.
    const file = netrec(['export', input, input, input, '-w', join(mount, 'out.pcapng')]);
    expect(file.status).toBe(1);
    expect(file.stderr).toBe(`netrec: error: ${join(mount, 'out.pcapng')}: cannot write: no space left on device; nothing was written\n`);
    const split = netrec(['export', input, input, input, '-w', join(mount, 'split'), '--split-by', 'flow']);
    expect(split.status).toBe(1);
    expect(split.stderr).toBe(`netrec: error: ${join(mount, 'split')}: cannot write: no space left on device; nothing was written\n`);
    expect(readdirSync(mount)).toEqual([]);
  });
});

describe('netrec export interrupted', () => {
  it('by Ctrl-C leaves neither the output nor its temporary file', async () => {
    const dir = path('interrupted');
    mkdirSync(dir);
    const child = netrecChild(['export', '-', '-w', join(dir, 'out.pcapng')]);
    // A pcap on stdin that never ends: the export is still running when the signal comes.
    child.stdin!.write(readFileSync('fixtures/pcap/tcp.pcap'));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 200 && readdirSync(dir).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(dir)).toHaveLength(1);
    expect(readdirSync(dir)[0]).toMatch(/^\.out\.pcapng\.\d+\.[0-9a-f]{8}\.part$/);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(readdirSync(dir)).toEqual([]);
  });
});
