/**
 * Parallel replay (issue 16) prints the same bytes as one thread, in the same order, with the
 * same messages and exit status: every fixture capture, every shared capture, both benchmark
 * mixes (generated small here), stdin, several inputs, DNS-only selection, a time window, a
 * capture cut short. Batches are made tiny (NETREC_PARALLEL_BATCH) so that small captures cross
 * many batch boundaries: DNS-over-TCP messages split over segments in different batches, issues
 * among packets, runs of two inputs in one batch.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayWorkers, SMALL_INPUT_BYTES, type ParallelPlan } from '../../src/pipeline/parallel/plan.ts';
import { NETREC, REPO } from '../helpers/cli.ts';
import { requireShared } from '../helpers/shared.ts';

const work = mkdtempSync(join(tmpdir(), 'netrec-parallel-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

/** `profiles`: a directory for node's CPU profiles, one per thread (--cpu-prof is not allowed in NODE_OPTIONS). */
function replay(args: readonly string[], env: Record<string, string> = {}, input?: Buffer, profiles?: string): Run {
  const node = profiles === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profiles];
  const r = spawnSync(process.execPath, [...node, NETREC, 'replay', ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
    timeout: 120_000,
    maxBuffer: 1 << 30,
    ...(input !== undefined ? { input } : {}),
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

/**
 * One thread against workers (2 and 3, batches of `batch` packets): stdout byte for byte,
 * stderr line for line, the exit status. Returns the one-thread run.
 */
function expectSame(args: readonly string[], batch = 3, input?: Buffer): Run {
  const one = replay([...args, '--threads', '1'], {}, input);
  for (const threads of ['2', '3']) {
    const many = replay([...args, '--threads', threads], { NETREC_PARALLEL_BATCH: String(batch) }, input);
    expect(many.status, `${args.join(' ')} --threads ${threads}: exit status`).toBe(one.status);
    expect(many.stderr, `${args.join(' ')} --threads ${threads}: stderr`).toBe(one.stderr);
    expect(many.stdout.length, `${args.join(' ')} --threads ${threads}: output size`).toBe(one.stdout.length);
    expect(many.stdout.equals(one.stdout), `${args.join(' ')} --threads ${threads}: output bytes`).toBe(true);
  }
  return one;
}

const FIXTURES = join(REPO, 'fixtures/pcap');
const fixtures = readdirSync(FIXTURES).filter((f) => /\.pcap(ng)?$/.test(f));

describe('parallel replay gives the bytes one thread gives', () => {
  it('workers really run: one CPU profile per thread', () => {
    const dir = join(work, 'prof');
    const file = join(FIXTURES, 'dns-tcp.pcap');
    const profiles = (threads: string): number => {
      rmSync(dir, { recursive: true, force: true });
      const r = replay([file, '--threads', threads], {}, undefined, dir);
      expect(r.status).toBe(0);
      return readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).length;
    };
    expect(profiles('1')).toBe(1);
    expect(profiles('2')).toBe(3);
  });

  it.each(fixtures)('fixtures/pcap/%s: all events, DNS only', (file) => {
    const path = join(FIXTURES, file);
    const all = expectSame([path]);
    expect(all.stdout.length).toBeGreaterThan(0);
    expectSame([path, '--trace', 'event=net_packet_dns']);
  });

  it('DNS over TCP, every batch size from one packet up', () => {
    const path = join(FIXTURES, 'dns-tcp.pcap');
    const one = replay([path, '--threads', '1', '--trace', 'event=net_packet_dns']);
    expect(one.stdout.toString().split('\n').filter(Boolean).length).toBeGreaterThan(0);
    for (const batch of [1, 2, 5, 8]) {
      const many = replay([path, '--threads', '2', '--trace', 'event=net_packet_dns'], { NETREC_PARALLEL_BATCH: String(batch) });
      expect(many.stdout.equals(one.stdout), `batches of ${batch}`).toBe(true);
      expect(many.stderr).toBe(one.stderr);
    }
  });

  it('several inputs, merged by time and concatenated; a header-field filter', () => {
    const inputs = ['dns-tcp.pcap', 'dns-udp.pcap', 'mixed.pcapng'].map((f) => join(FIXTURES, f));
    expectSame(inputs);
    expectSame([...inputs, '--concat']);
    expectSame([...inputs, '--trace', 'event=net_packet_tcp', '--trace', 'net_packet_tcp.args.proto_tcp.SYN=1']);
  });

  it('a time window', () => {
    const path = join(FIXTURES, 'dns-tcp.pcap');
    const first = replay([path, '--threads', '1', '--trace', 'event=net_packet_ipv4']).stdout.toString().split('\n').filter(Boolean);
    const at = (i: number): string => /"timestamp":(\d+)/.exec(first[i]!)![1]!;
    const window = ['--from', `${at(2)}ns`, '--to', `${at(first.length - 3)}ns`];
    const r = expectSame([path, ...window]);
    expect(r.stdout.length).toBeGreaterThan(0);
  });

  it('standard input', () => {
    const bytes = readFileSync(join(FIXTURES, 'mixed.pcapng'));
    const r = expectSame(['-'], 3, bytes);
    expect(r.stdout.equals(replay([join(FIXTURES, 'mixed.pcapng'), '--threads', '1']).stdout)).toBe(true);
  });

  it('a capture cut in the middle of a record: the same output, message and exit status 1', () => {
    const bytes = readFileSync(join(FIXTURES, 'dns-tcp.pcap'));
    const cut = join(work, 'cut.pcap');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    const r = expectSame([cut]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cut\.pcap: offset \d+/);
  });

  it('pcap records taken apart by the workers: a bad timestamp fraction (warning) and a corrupt length (error) mid-file', () => {
    const bytes = Buffer.from(readFileSync(join(FIXTURES, 'dns-tcp.pcap')));
    expect(bytes.readUInt32LE(0)).toBe(0xa1b2c3d4); // microseconds, little-endian
    const records: number[] = [];
    for (let at = 24; at + 16 <= bytes.length; at += 16 + bytes.readUInt32LE(at + 8)) records.push(at);
    expect(records.length).toBeGreaterThan(10);
    // Record 4: microseconds out of range; record 9: a captured length nothing can hold.
    bytes.writeUInt32LE(2_000_000, records[3]! + 4);
    bytes.writeUInt32LE(0x7fffffff, records[8]! + 8);
    const bad = join(work, 'bad-records.pcap');
    writeFileSync(bad, bytes);
    for (const batch of [1, 2, 3, 5]) {
      const r = expectSame([bad], batch);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/packet 4\): microsecond field 2000000 is out of range/);
      expect(r.stderr).toMatch(/packet 9\): captured length 2147483647 is larger than/);
    }
  });

  it('a closed pipe ends the run as it does on one thread: no message', () => {
    const status = (threads: string): string =>
      execFileSync(
        'bash',
        [
          '-c',
          `NETREC_PARALLEL_BATCH=2 "${process.execPath}" "${NETREC}" replay fixtures/pcap/mixed.pcapng --threads ${threads} 2>"${work}/err" | head -c 100 > /dev/null; echo \${PIPESTATUS[0]}`,
        ],
        { cwd: REPO, encoding: 'utf8' },
      );
    const one = status('1');
    expect(status('2')).toBe(one);
    expect(readFileSync(join(work, 'err'), 'utf8')).toBe('');
  });
});
const pcapDir = requireShared('pcaps');
describe.skipIf(pcapDir === undefined)('parallel replay of ../shared/pcaps', () => {
  const files = pcapDir === undefined ? [] : readdirSync(pcapDir).filter((f) => /\.(pcap|pcapng|cap)$/.test(f) && statSync(join(pcapDir, f)).isFile());
  it.each(files)('%s', (file) => {
    expectSame([join(pcapDir!, file)]);
  });
});

describe('parallel replay of the benchmark mixes (bench/gen-mixed-pcap.ts)', () => {
  const mixes: Record<string, string> = {};
  beforeAll(() => {
    for (const profile of ['mixed', 'dns']) {
      const path = join(work, `${profile}.pcap`);
      execFileSync('npx', ['tsx', 'bench/gen-mixed-pcap.ts', '--packets', '20000', '--profile', profile, path], { cwd: REPO, stdio: 'ignore' });
      mixes[profile] = path;
    }
  }, 120_000);

  it.each(['mixed', 'dns'])(
    '%s profile, 20,000 packets: all events, DNS only',
    (profile) => {
      const all = expectSame([mixes[profile]!], 500);
      expect(all.stdout.toString().split('\n').length).toBeGreaterThan(20_000);
      expectSame([mixes[profile]!, '--trace', 'event=net_packet_dns'], 500);
    },
    300_000,
  );

  it.each(['mixed', 'dns'])(
    '%s profile on standard input (records straddle the pipe chunks)',
    (profile) => {
      const bytes = readFileSync(mixes[profile]!);
      const r = expectSame(['-'], 500, bytes);
      expect(r.stdout.equals(replay([mixes[profile]!, '--threads', '1']).stdout)).toBe(true);
    },
    300_000,
  );

  it('the default (auto) on an input over the small-input limit gives the same bytes', () => {
    // Two copies of the 20,000-packet mix (10 MB each): over 16 MiB. Whether auto starts workers
    // depends on the load average at the time (replayWorkers, tested below); the bytes do not.
    const path = mixes.mixed!;
    const copy = join(work, 'mixed-copy.pcap');
    copyFileSync(path, copy);
    const args = [path, copy, '--concat', '--trace', 'event=net_packet_dns'];
    const auto = replay(args);
    const one = replay([...args, '--threads', '1']);
    expect(auto.status).toBe(0);
    expect(auto.stdout.equals(one.stdout)).toBe(true);
  }, 300_000);
});

describe('replayWorkers: one thread or several', () => {
  const plan: ParallelPlan = {
    threads: 'auto',
    json: true,
    signatures: false,
    limit: false,
    recordings: false,
    inputBytes: 100 << 20,
    cores: 2,
    load: 0.3,
  };

  it('auto: one worker per core on a large input with a core idle', () => {
    expect(replayWorkers(plan)).toBe(2);
    expect(replayWorkers({ ...plan, cores: 4, load: 2.9 })).toBe(4);
    expect(replayWorkers({ ...plan, cores: 64 })).toBe(8);
    expect(replayWorkers({ ...plan, inputBytes: undefined })).toBe(2);
  });

  it('auto: one thread for a small input, a busy machine, one core', () => {
    expect(replayWorkers({ ...plan, inputBytes: SMALL_INPUT_BYTES - 1 })).toBe(0);
    expect(replayWorkers({ ...plan, load: 1.2 })).toBe(0);
    expect(replayWorkers({ ...plan, cores: 1, load: 0 })).toBe(0);
  });

  it('a count is obeyed, whatever the input and the load; 1 is one thread', () => {
    expect(replayWorkers({ ...plan, threads: 3, inputBytes: 10, load: 30 })).toBe(3);
    expect(replayWorkers({ ...plan, threads: 1 })).toBe(0);
  });

  it('what needs one thread gets one, whatever was asked', () => {
    for (const one of [{ json: false }, { signatures: true }, { limit: true }, { recordings: true }]) {
      expect(replayWorkers({ ...plan, threads: 4, ...one })).toBe(0);
      expect(replayWorkers({ ...plan, ...one })).toBe(0);
    }
  });
});

describe('--threads', () => {
  it('rejects what is not a count or auto (exit 2)', () => {
    const r = replay([join(FIXTURES, 'icmp.pcap'), '--threads', 'many']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--threads/);
    expect(replay([join(FIXTURES, 'icmp.pcap'), '--threads', 'auto']).status).toBe(0);
  });
});
