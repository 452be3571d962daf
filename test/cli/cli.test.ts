/**
 * The command line as tcpdump, tshark and Tracee users drive it, through bin/netrec.mjs (the
 * build): help, versions, one wording for mistakes, -r/-c/--from/--to, several inputs, info on
 * captures (against capinfos), convert's refusal, completion (in a real bash), the man page
 * (through groff), progress on a terminal (through script(1)) and Ctrl-C.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.ts';
import { fullSynopsis } from '../../src/cli/help.ts';
import { events, netrec, NETREC, REPO } from '../helpers/cli.ts';
import { requireTool } from '../helpers/tools.ts';

const DNS = 'fixtures/pcap/dns-udp.pcap';
const TCP = 'fixtures/pcap/tcp.pcap';
const PCAPNG = 'fixtures/pcap/mixed.pcapng';
const RECORDING = 'fixtures/recordings/dns.nev';
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'netrec-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('version and help', () => {
  it.each([['--version'], ['-V'], ['-v']])('%s prints the package version', (flag) => {
    const r = netrec([flag]);
    expect(r).toMatchObject({ status: 0, stdout: `netrec ${VERSION}\n`, stderr: '' });
  });

  it.each(COMMANDS.map((c) => [c.name]))('%s: --help, -h and `netrec help` print the same usage', (name) => {
    const long = netrec([name, '--help']);
    expect(long.status).toBe(0);
    expect(long.stdout).toMatch(new RegExp(`^Usage: netrec ${name}`));
    expect(long.stdout).toContain('-h, --help');
    expect(netrec([name, '-h']).stdout).toBe(long.stdout);
    expect(netrec(['help', name]).stdout).toBe(long.stdout);
  });

  it("replay's help lists its options and examples", () => {
    const help = netrec(['replay', '--help']).stdout;
    for (const label of ['-o, --output FORMAT', '-t, --trace EXPR', '-r, --read FILE', '-c, --count N', '--from TIME', '--to TIME', '--concat', 'Examples:']) {
      expect(help).toContain(label);
    }
    expect(help).toContain('merged by packet timestamp');
    // Text is wrapped for 80 columns (example command lines are left whole, to be copied).
    for (const line of help.split('Examples:')[0]!.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  it("README's usage block names every command and every option of the command table", () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const block = /## Usage\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const expected = COMMANDS.filter((c) => c.name !== 'help').map((c) => fullSynopsis(c));
    expect(block).toBe(`${expected.join('\n')}\nnetrec help <command>          # or netrec <command> --help, -h; netrec --version, -V, -v\n`);
  });

  it('netrec alone prints the command list on stderr and exits 2', () => {
    const r = netrec([]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Commands:');
  });
});

describe('mistakes: one line in the same words for every command, exit 2', () => {
  it.each([
    [['replay', '--trase', 'x', DNS], "netrec: replay: unknown option '--trase' (did you mean '--trace'?); see 'netrec replay --help'\n"],
    [['record', '--duraton', '2s'], "netrec: record: unknown option '--duraton' (did you mean '--duration'?); see 'netrec record --help'\n"],
    [['convert', DNS, '--forse'], "netrec: convert: unknown option '--forse' (did you mean '--force'?); see 'netrec convert --help'\n"],
    [['info', '-x', DNS], "netrec: info: unknown option '-x' (short options here: -h -r); see 'netrec info --help'\n"],
    [['repaly', DNS], "netrec: unknown command 'repaly' (did you mean 'replay'?); see 'netrec --help'\n"],
    [
      ['replay', DNS, '--output', 'xml'],
      "netrec: replay: invalid value 'xml' for '--output' (valid: json, table, format:json, format:table); see 'netrec replay --help'\n",
    ],
    [['replay', DNS, '--count'], "netrec: replay: option '--count' needs a value (N); see 'netrec replay --help'\n"],
    [['replay', DNS, '--count', '0'], "netrec: invalid --count '0': expected an integer from 1 to 9007199254740991; see 'netrec replay --help'\n"],
    [['replay', DNS, '--from', 'yesterday'], expect.stringMatching(/^netrec: invalid --from 'yesterday': expected RFC 3339/)],
    [['verify'], "netrec: verify takes exactly one recording (a .nev directory or segment file); see 'netrec verify --help'\n"],
  ])('%j', (args, stderr) => {
    const r = netrec(args);
    expect(r.stderr).toEqual(stderr);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
  });
});

describe('reading habits', () => {
  it('-r FILE reads like an operand', () => {
    const operand = netrec(['replay', DNS]);
    const read = netrec(['replay', '-r', DNS]);
    expect(read.status).toBe(0);
    expect(read.stdout).toBe(operand.stdout);
    expect(read.stdout.length).toBeGreaterThan(0);
  });

  it('-c N stops after N packets that pass the filters (as tcpdump -c)', () => {
    const all = events(netrec(['replay', DNS, '-t', 'event=net_packet_dns']).stdout);
    const two = events(netrec(['replay', DNS, '-t', 'event=net_packet_dns', '-c', '2']).stdout);
    expect(all.length).toBeGreaterThan(2);
    expect(two).toEqual(all.slice(0, 2));
    // Without a filter a packet gives several events: -c counts packets, not events.
    const packets = new Set(events(netrec(['replay', DNS, '-c', '3']).stdout).map((e) => e.timestamp));
    expect(packets.size).toBeLessThanOrEqual(3);
  });

  it('--from/--to keep the packets of a window, both ends inclusive, in every time form', () => {
    const all = events(netrec(['replay', TCP]).stdout);
    const times = [...new Set(all.map((e) => e.timestamp as bigint))].sort((a, b) => (a < b ? -1 : 1));
    const [from, to] = [times[3]!, times[10]!];
    const inWindow = all.filter((e) => (e.timestamp as bigint) >= from && (e.timestamp as bigint) <= to);
    const nsForm = netrec(['replay', TCP, '--from', String(from), '--to', `${to}ns`]);
    expect(nsForm.status).toBe(0);
    expect(events(nsForm.stdout)).toEqual(inWindow);
    const seconds = (t: bigint): string => `${t / 1_000_000_000n}.${(t % 1_000_000_000n).toString().padStart(9, '0')}`;
    const rfc3339 = (t: bigint): string =>
      `${new Date(Number(t / 1_000_000n)).toISOString().slice(0, 19)}.${(t % 1_000_000_000n).toString().padStart(9, '0')}Z`;
    expect(netrec(['replay', TCP, '--from', seconds(from), '--to', seconds(to)]).stdout).toBe(nsForm.stdout);
    expect(netrec(['replay', TCP, '--from', rfc3339(from), '--to', rfc3339(to)]).stdout).toBe(nsForm.stdout);
    // An offset names the same instant.
    const plusOne = rfc3339(from)
      .replace(/^(\d{4}-\d{2}-\d{2})T(\d{2})/, (_, d: string, h: string) => `${d}T${String(Number(h) + 1).padStart(2, '0')}`)
      .replace('Z', '+01:00');
    if (!rfc3339(from).startsWith(plusOne.slice(0, 10)) || Number(rfc3339(from).slice(11, 13)) < 23) {
      expect(netrec(['replay', TCP, '--from', plusOne, '--to', rfc3339(to)]).stdout).toBe(nsForm.stdout);
    }
  });

  it('--from on a recording seeks and gives the same events as filtering afterwards', () => {
    const all = events(netrec(['replay', RECORDING]).stdout);
    const from = all[Math.floor(all.length / 2)]!.timestamp as bigint;
    const after = netrec(['replay', RECORDING, '--from', `${from}ns`]);
    expect(after.status).toBe(0);
    expect(events(after.stdout)).toEqual(all.filter((e) => (e.timestamp as bigint) >= from));
  });

  it('several inputs are merged by timestamp; --concat keeps argument order', () => {
    const dns = events(netrec(['replay', DNS]).stdout);
    const tcp = events(netrec(['replay', TCP]).stdout);
    const concat = events(netrec(['replay', TCP, DNS, '--concat']).stdout);
    expect(concat).toEqual([...tcp, ...dns]);
    const merged = events(netrec(['replay', TCP, DNS]).stdout);
    expect(merged).toHaveLength(dns.length + tcp.length);
    for (let i = 1; i < merged.length; i++) expect(merged[i]!.timestamp >= merged[i - 1]!.timestamp).toBe(true);
    // Ties keep argument order: a file merged with itself gives each packet's events twice, in turn.
    const twice = events(netrec(['replay', DNS, DNS]).stdout);
    expect(twice).toHaveLength(2 * dns.length);
  });

  it('an input that cannot be opened is one line, exit 1, and the others still replay', () => {
    const r = netrec(['replay', join(dir, 'missing.pcap'), DNS]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^netrec: error: .*missing\.pcap: cannot open: no such file or directory\n$/);
    expect(events(r.stdout).length).toBeGreaterThan(0);
  });
});

describe('info on captures, as capinfos sees them', () => {
  const capinfos = requireTool('capinfos');
  it.skipIf(!capinfos).each([[DNS], [TCP], ['fixtures/pcap/mixed-nano.pcap'], [PCAPNG]])('%s', (file) => {
    const r = netrec(['info', file]);
    expect(r.status).toBe(0);
    // capinfos -T -m: name, type, encapsulation, precision, snaplen, ..., packets (col 8), ... first (12), last (13)
    const fields = execFileSync('capinfos', ['-T', '-m', '-r', file], { encoding: 'utf8' }).trim().split(',');
    const field = (name: string): string =>
      r.stdout
        .split('\n')
        .find((l) => l.startsWith(name))!
        .slice(12);
    expect(field('packets')).toMatch(new RegExp(`^${fields[7]} `));
    expect(field('format')).toMatch(
      fields[1] === 'pcapng' ? /^pcapng$/ : new RegExp(`^pcap \\(${fields[3] === 'nanoseconds' ? 'nanosecond' : 'microsecond'} timestamps`),
    );
    // pcapng keeps the snaplen per interface, where capinfos -m does not look.
    const snaplen = fields[4] === '(not set)' ? /Capture length = (\d+)/.exec(execFileSync('capinfos', [file], { encoding: 'utf8' }))![1] : fields[4];
    expect(field('interfaces')).toContain(`snaplen ${snaplen}`);
    expect(field('link types')).toMatch(/^LINKTYPE_ETHERNET \(1\) \d+$/);
    const first = fields[11]!.replace(' ', 'T');
    expect(field('time span').startsWith(first)).toBe(true);
  });

  it('a recording still gets the recording summary', () => {
    const r = netrec(['info', RECORDING]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^recording +fixtures\/recordings\/dns\.nev \(directory, 1 segment\)/);
  });
});

describe('convert', () => {
  it.each([
    ['x.pcapng', /^format +pcapng$/m],
    ['x.pcap', /^format +pcap \(nanosecond timestamps/m],
  ])('-o %s writes that format, not a .nev directory under that name', (name, format) => {
    const out = join(dir, name);
    const r = netrec(['convert', RECORDING, '-o', out]);
    expect(r.status).toBe(0);
    expect(netrec(['info', out]).stdout).toMatch(format);
  });

  it('a capture name it cannot write is refused unless --format says what to write', () => {
    const out = join(dir, 'x.cap');
    const r = netrec(['convert', DNS, '-o', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/x\.cap names a capture file: give --format nev/);
    expect(existsSync(out)).toBe(false);
    expect(netrec(['convert', DNS, '-o', out, '--format', 'nev']).status).toBe(0);
  });

  it('writes a recording that replays as the capture did', () => {
    const out = join(dir, 'dns.nev');
    const r = netrec(['convert', DNS, '-w', out]);
    expect(r.status).toBe(0);
    expect(netrec(['replay', out]).stdout).toBe(netrec(['replay', DNS]).stdout);
  });

  it('replay -w writes the packets that pass the filters, as export does', () => {
    const out = join(dir, 'dns-only.pcapng');
    const r = netrec(['replay', RECORDING, '-t', 'event=net_packet_dns', '-w', out]);
    expect(r.status).toBe(0);
    // The written file replays to the same DNS events, process context included.
    expect(netrec(['replay', out, '-t', 'event=net_packet_dns']).stdout).toBe(netrec(['replay', RECORDING, '-t', 'event=net_packet_dns']).stdout);
  });
});

describe('completion and man page', () => {
  const complete = (words: string[]): string[] => {
    const script = netrec(['completion', 'bash']).stdout;
    const file = join(dir, 'netrec.bash');
    writeFileSync(file, script);
    const line = words.map((w) => `'${w}'`).join(' ');
    const out = execFileSync(
      'bash',
      ['-c', `source ${file}; COMP_WORDS=(${line}); COMP_CWORD=${words.length - 1}; _netrec; printf '%s\\n' "\${COMPREPLY[@]}"`],
      {
        encoding: 'utf8',
        cwd: REPO,
      },
    );
    return out.split('\n').filter((l) => l.length > 0);
  };

  it('bash completes commands, options and option values from the table', () => {
    expect(complete(['netrec', 're'])).toEqual(['record', 'replay']);
    expect(complete(['netrec', 'replay', '--tr'])).toEqual(['--trace']);
    expect(complete(['netrec', 'replay', '--output', 't'])).toEqual(['table']);
    expect(complete(['netrec', 'completion', ''])).toEqual(['bash', 'zsh']);
    expect(complete(['netrec', 'help', 'con'])).toEqual(['convert']);
    expect(complete(['netrec', 'info', 'fixtures/pcap/dns-u'])).toEqual(['fixtures/pcap/dns-udp.pcap']);
  });

  const zsh = requireTool('zsh');
  it.skipIf(!zsh)('the zsh script parses and defines _netrec', () => {
    const file = join(dir, '_netrec');
    writeFileSync(file, netrec(['completion', 'zsh']).stdout);
    const out = execFileSync('zsh', ['-f', '-c', `autoload -Uz compinit && compinit -u -d ${dir}/zcompdump && source ${file} && whence -w _netrec`], {
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('_netrec: function');
  });

  const groff = requireTool('groff');
  it.skipIf(!groff)('the man page renders without warnings and documents every command and option', () => {
    const page = readFileSync(join(REPO, 'dist', 'netrec.1'), 'utf8');
    const run = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z'], { input: page, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const text = execFileSync('groff', ['-man', '-Tascii', '-P-cbou'], { input: page, encoding: 'utf8' });
    for (const c of COMMANDS) expect(text).toContain(`COMMAND: ${c.name.toUpperCase()}`);
    for (const flag of ['--trace', '--from', '--rotate-size', '--repair', '--concat']) expect(text).toContain(flag);
    expect(text).toContain('EXIT STATUS');
  });
});

describe('progress and Ctrl-C', () => {
  let big: string;
  beforeAll(() => {
    big = join(dir, 'big.pcap');
    execFileSync(process.execPath, ['--import', 'tsx', 'bench/gen-mixed-pcap.ts', '--packets', '150000', big], { cwd: REPO, stdio: 'ignore' });
  }, 120_000);

  const script = requireTool('script');
  it.skipIf(!script)('a progress line on a terminal when the output goes to a file; none with NO_COLOR', () => {
    const run = (env: NodeJS.ProcessEnv): string =>
      execFileSync('script', ['-qfec', `node ${NETREC} replay ${big} > ${join(dir, 'out.json')}`, '/dev/null'], {
        encoding: 'utf8',
        env: { ...process.env, ...env },
      });
    const shown = run({});
    expect(shown).toMatch(/\r\x1b\[Kreplay: [\d,]+ packets, [\d,]+\/s, \d+%/);
    expect(shown.endsWith('\r\x1b[K')).toBe(true); // the line is cleared at the end
    const plain = run({ NO_COLOR: '1' });
    expect(plain).toBe('');
  });

  it('progress never reaches a stderr that is not a terminal', () => {
    const r = netrec(['replay', big, '-t', 'event=net_packet_icmp']);
    expect(r.stderr).not.toContain('packets,');
  });

  it('Ctrl-C stops at a batch boundary: exit 130 and every line written is whole', async () => {
    const child = spawn(process.execPath, [NETREC, 'replay', big], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let signalled = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (!signalled && out.length > 100_000) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(signalled).toBe(true);
    expect(code).toBe(130);
    expect(out.endsWith('\n')).toBe(true);
    const lines = out.trimEnd().split('\n');
    for (const line of lines) JSON.parse(line);
    // It stopped early: not every packet was replayed.
    expect(lines.length).toBeLessThan(150_000);
  });
});
