/**
 * netrec as a user gets it: `npm pack`, `npm install -g --prefix` of the tarball, and every
 * command run from a directory outside the checkout — the TUI in a real terminal (tmux), and as
 * root a real two-second recording that is then replayed.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netrec, REPO } from '../helpers/cli.ts';
import { hasTmux, Terminal } from '../helpers/tmux.ts';
import { liveUnavailable } from '../record/live-net.ts';

const work = mkdtempSync(join(tmpdir(), 'netrec-package-'));
const prefix = join(work, 'prefix');
/** Where the user stands: no package.json, no tsconfig, nothing of the checkout. */
const home = join(work, 'home');
const bin = join(prefix, 'bin', 'netrec');
let tarball = '';
let files: string[] = [];

function run(args: string[], options: { input?: string } = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(bin, args, {
    cwd: home,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH}` },
    ...options,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const [info] = JSON.parse(packed.slice(packed.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, info!.filename);
  files = info!.files.map((f) => f.path).sort();
  execFileSync('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', tarball], {
    cwd: work,
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 300_000,
  });
  execFileSync('mkdir', ['-p', home]);
  for (const f of ['dns-udp.pcap', 'mixed.pcapng']) copyFileSync(join(REPO, 'fixtures/pcap', f), join(home, f));
  cpSync(join(REPO, 'fixtures/recordings/dns.nev'), join(home, 'dns.nev'), { recursive: true });
  cpSync(join(REPO, 'fixtures/signatures/recordings/syn-scan-positive.nev'), join(home, 'scan.nev'), { recursive: true });
}, 600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the tarball', () => {
  it('ships the build, the BPF object and sources, docs, man page, licence; nothing else', () => {
    for (const f of [
      'bin/netrec.mjs',
      'dist/main.js',
      'dist/replay-worker.js',
      'dist/netrec.1',
      'dist/completion/netrec.bash',
      'dist/completion/_netrec',
      'bpf/netrec.bpf.o',
      'bpf/netrec.bpf.c',
      'native/frame-crc.c',
      // Built on x86-64 Linux (scripts/build.mjs), as on CI: the recorder's frame checksums.
      ...(process.platform === 'linux' && process.arch === 'x64' ? ['dist/native/frame-crc-linux-x64.so'] : []),
      'README.md',
      'LICENSE',
      'package.json',
      'docs/filters.md',
    ]) {
      expect(files).toContain(f);
    }
    const allowed =
      /^(bin\/netrec\.mjs|dist\/.*\.(js|1)|dist\/native\/frame-crc-[a-z0-9]+-[a-z0-9]+\.so|native\/frame-crc\.c|dist\/types\/.*\.d\.ts|dist\/completion\/(netrec\.bash|_netrec)|bpf\/[^/]+|docs\/[^/]+\.md|README\.md|LICENSE|package\.json)$/;
    expect(files.filter((f) => !allowed.test(f))).toEqual([]);
    for (const f of files) expect(f).not.toMatch(/^(src|test|bench|fixtures|\.ci|node_modules)\/|\.nev(\/|$)|\.pcap/);
  });

  it('installs the command and the man page', () => {
    expect(existsSync(bin)).toBe(true);
    expect(readdirSync(join(prefix, 'share', 'man', 'man1'))).toContain('netrec.1');
  });
});

describe('the installed command, from a directory outside the checkout', () => {
  it('--version answers without TypeScript at run time', () => {
    const r = run(['--version']);
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^netrec \d+\.\d+\.\d+\n$/);
    expect(existsSync(join(prefix, 'lib', 'node_modules', 'netrec', 'node_modules', 'tsx'))).toBe(false);
  });

  it('replay: JSON and table', () => {
    const json = run(['replay', 'dns-udp.pcap']);
    expect(json.status).toBe(0);
    // The same events as the checkout's build gives.
    expect(json.stdout).toBe(netrec(['replay', 'fixtures/pcap/dns-udp.pcap']).stdout);
    const lines = json.stdout.trim().split('\n');
    expect(lines).toHaveLength(176);
    expect(JSON.parse(lines[0]!)).toMatchObject({ eventName: 'net_packet_ipv4', eventId: '2007' });
    const table = run(['replay', 'dns-udp.pcap', '--output', 'table', '-t', 'event=net_packet_dns_request']);
    expect(table.status).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^TIME +UID +COMM +PID +TID +RET +EVENT +ARGS$/);
    expect(table.stdout).toContain('net_packet_dns_request    metadata: {src_ip: 172.16.17.1');
  });

  it('replay on worker threads: the workers load from the installed dist/, the same bytes as one thread', () => {
    const env = { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH}`, NETREC_PARALLEL_BATCH: '5' };
    const one = spawnSync(bin, ['replay', 'mixed.pcapng', '--threads', '1'], { cwd: home, encoding: 'utf8', env });
    const two = spawnSync(bin, ['replay', 'mixed.pcapng', '--threads', '2'], { cwd: home, encoding: 'utf8', env });
    expect(two.status).toBe(0);
    expect(two.stderr).toBe('');
    expect(two.stdout.length).toBeGreaterThan(0);
    expect(two.stdout).toBe(one.stdout);
  });

  it('info, convert, verify', () => {
    expect(run(['info', 'mixed.pcapng']).stdout).toMatch(/^format +pcapng$/m);
    expect(run(['info', 'dns.nev']).stdout).toMatch(/^packets +72 /m);
    const converted = run(['convert', 'dns-udp.pcap', '-o', 'converted.nev']);
    expect(converted.status).toBe(0);
    const verified = run(['verify', 'converted.nev']);
    expect(verified.status).toBe(0);
    expect(verified.stdout).toMatch(/^000001\.nevseg {2}ok {2}\d+ records, 44 packets, sealed by/);
    expect(run(['replay', 'converted.nev']).stdout).toBe(run(['replay', 'dns-udp.pcap']).stdout);
  });

  it('export to pcapng with process context, and back', () => {
    const exported = run(['export', 'dns.nev', '-w', 'dns.pcapng']);
    expect(exported.status, exported.stderr).toBe(0);
    expect(run(['info', 'dns.pcapng']).stdout).toMatch(/^format +pcapng$/m);
    // The export replays to the same events, process context included.
    expect(run(['replay', 'dns.pcapng']).stdout).toBe(run(['replay', 'dns.nev']).stdout);
  });

  it('export to Parquet and query it with the embedded DuckDB', () => {
    const exported = run(['export', 'dns.nev', '--format', 'parquet', '-w', 'tables']);
    expect(exported.status, exported.stderr).toBe(0);
    expect(existsSync(join(home, 'tables', 'netrec-tables.json'))).toBe(true);
    const events = run(['replay', 'dns.nev']).stdout.trim().split('\n').length;
    const counted = run(['query', 'SELECT count(*) AS n FROM events', 'tables', '-o', 'csv']);
    expect(counted.status, counted.stderr).toBe(0);
    expect(counted.stdout).toBe(`n\r\n${events}\r\n`);
    // A recording queried directly (exported into the cache on the way), a ready-made query.
    const names = spawnSync(bin, ['query', '--run', 'dns-names-by-process', 'dns.nev', '-o', 'json'], {
      cwd: home,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, XDG_CACHE_HOME: join(work, 'cache') },
    });
    expect(names.status, names.stderr).toBe(0);
    expect(names.stdout).toMatch(/"name":"netrec\.test"/);
    const bad = run(['query', 'SELEC 1', 'tables']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.split('\n')).toHaveLength(2);
  });

  it('stats: conversations and DNS transactions', () => {
    const r = run(['stats', 'dns.nev', '--output', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const stats = JSON.parse(r.stdout) as { conversations: unknown[]; dns: { transactions: unknown[] } };
    expect(stats.conversations.length).toBeGreaterThan(0);
    expect(stats.dns.transactions.length).toBeGreaterThan(0);
  });

  it('signatures: the builtin set, and a user TypeScript file without tsx', () => {
    expect(run(['signatures', 'list']).stdout).toMatch(/^NETREC-SYN-SCAN /m);
    const found = run(['replay', 'scan.nev', '--signatures', 'builtin', '--findings-only']);
    expect(found.status, found.stderr).toBe(0);
    expect(found.stdout).toContain('"ID":"NETREC-SYN-SCAN"');
    mkdirSync(join(home, 'rules'), { recursive: true });
    writeFileSync(
      join(home, 'rules', 'first-syn.ts'),
      `import type { Signature } from 'netrec/signature';
let ctx: Parameters<NonNullable<Signature['init']>>[0];
let fired = false;
export const firstSyn: Signature = {
  metadata: { id: 'USER-FIRST-SYN', version: '1', name: 'first SYN', description: 'the first TCP SYN', tags: [] },
  selectedEvents: ['net_packet_tcp'],
  init(c) { ctx = c; },
  onEvent(event) {
    if (fired) return;
    fired = true;
    ctx.emit({ data: { pid: event.processId } });
  },
};
`,
    );
    const user = run(['replay', 'scan.nev', '--signatures', 'rules', '--findings-only']);
    expect(user.status, user.stderr).toBe(0);
    expect(user.stdout.trim().split('\n')).toHaveLength(1);
    expect(user.stdout).toContain('"ID":"USER-FIRST-SYN"');

    // An author's editor checks the file against the installed package's types ('netrec/signature').
    mkdirSync(join(home, 'rules', 'node_modules'), { recursive: true });
    symlinkSync(join(prefix, 'lib', 'node_modules', 'netrec'), join(home, 'rules', 'node_modules', 'netrec'));
    const tsconfig = {
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, types: [] },
      files: ['first-syn.ts'],
    };
    writeFileSync(join(home, 'rules', 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = (): ReturnType<typeof spawnSync> =>
      spawnSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], {
        cwd: join(home, 'rules'),
        encoding: 'utf8',
      });
    const typed = tsc();
    expect(typed.status, String(typed.stdout)).toBe(0);
    // ...and catches a mistake: an event netrec does not emit.
    writeFileSync(
      join(home, 'rules', 'first-syn.ts'),
      readFileSync(join(home, 'rules', 'first-syn.ts'), 'utf8').replace("'net_packet_tcp'", "'net_packet_http'"),
    );
    const wrong = tsc();
    expect(wrong.status).not.toBe(0);
    expect(String(wrong.stdout)).toMatch(/first-syn\.ts\(\d+,\d+\): error TS\d+: .*net_packet_http/);
  });

  it.skipIf(!hasTmux)('tui in a real terminal: first screen, ?, Enter, q', async () => {
    const terminal = new Terminal();
    try {
      const s = 'pkg';
      const { rcFile } = terminal.start(s, `${bin} tui dns-udp.pcap`, [100, 30], home);
      await terminal.sees(s, '  1 22:36:57.376727 dns_req  172.16.17.1:41709 → 172.16.17.2:53 29b7 A? netrec.test');
      await terminal.keys(s, '?');
      await terminal.sees(s, /^Help \(↑↓ scroll, any other key closes\)\nKeys\n/m);
      await terminal.keys(s, 'Escape', 'Enter');
      await terminal.sees(s, '- net_packet_dns_request (2014)');
      await terminal.keys(s, 'q');
      expect(await terminal.exitCode(rcFile)).toBe(0);
    } finally {
      terminal.close();
    }
  });

  const live = liveUnavailable();
  it.skipIf(live !== undefined)(
    'record --duration 2s, then replay what it wrote (root)',
    async () => {
      const recorder = spawn(bin, ['record', '-o', 'live.nev', '--duration', '2s'], { cwd: home, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      recorder.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      // Traffic once it records: loopback pings from a process the test knows.
      const deadline = Date.now() + 20_000;
      while (!stderr.includes('recording to') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(stderr).toContain('recording to live.nev');
      const ping = spawnSync('ping', ['-c', '3', '-i', '0.2', '127.0.0.1'], { encoding: 'utf8' });
      expect(ping.status).toBe(0);
      const code = await new Promise<number | null>((resolve) => recorder.on('close', resolve));
      expect(code, stderr).toBe(0);
      const replayed = run(['replay', 'live.nev', '-t', 'event=net_packet_icmp', '-t', 'comm=ping']);
      expect(replayed.status).toBe(0);
      const icmp = replayed.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { processName: string; args: { name: string; value: unknown }[] });
      // Three echo requests and three replies, each recorded leaving and arriving on loopback.
      expect(icmp.length).toBeGreaterThanOrEqual(6);
      for (const e of icmp) expect(e.processName).toBe('ping');
    },
    60_000,
  );
});

if (liveUnavailable() !== undefined && process.env.CI === 'true') throw new Error(`${liveUnavailable()} (required on CI)`);
