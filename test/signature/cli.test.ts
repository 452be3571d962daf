/**
 * Signatures from the command line, as a user runs them: `netrec replay --signatures`,
 * `netrec signatures list`, loading user files, and the committed fixture recordings (real
 * traffic recorded by `netrec record --signatures builtin`, test/signature/make-fixtures.ts),
 * all through bin/netrec.mjs (the build).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { netrec, REPO } from '../helpers/cli.ts';
import { CASES } from './scenarios.ts';

const RECORDINGS = join(REPO, 'fixtures/signatures/recordings');
const CONFIG = join(REPO, 'fixtures/signatures/config.json');
const recording = (name: string): string => join(RECORDINGS, `${name}.nev`);

interface FindingJSON {
  Data: Record<string, unknown>;
  Event: { Headers: { Selector: { Name: string; Origin: string; Source: string } }; Payload: Record<string, unknown> & { eventName: string } };
  SigMetadata: { ID: string; Name: string; Properties: Record<string, unknown> | null };
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');
const findingsIn = (text: string): FindingJSON[] => lines(text).map((l) => JSON.parse(l) as FindingJSON);

const work = mkdtempSync(join(tmpdir(), 'netrec-sig-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A directory holding the given files. */
function dir(name: string, files: Record<string, string>): string {
  const d = join(work, name);
  mkdirSync(d, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(d, f), text);
  return d;
}

const USER_SIG = `
import type { Signature, SignatureContext } from 'netrec/signature';
import { prefix } from './_shared.ts';
enum Threshold { Responses = 3 }
let ctx: SignatureContext;
let n = 0;
export const third: Signature = {
  metadata: { id: 'USER-THIRD', version: '1.0.0', name: prefix('third response'), description: 'the third DNS response', tags: ['user'], properties: { Severity: 1 } },
  selectedEvents: ['net_packet_dns_response'],
  init(c) { ctx = c; n = 0; },
  onEvent(event) {
    if (++n !== Threshold.Responses) return;
    const answers = ctx.helpers.getDnsResponseDataByName(event, 'dns_response')[0]!.dns_answer ?? [];
    ctx.emit({ data: { n, answers: answers.length, big: 18446744073709551616n } });
  },
};
`;

describe('netrec signatures list', () => {
  it('lists the builtin set by default, sorted by id, with metadata', () => {
    const r = netrec(['signatures', 'list']);
    expect(r.status, r.stderr).toBe(0);
    const ids = [...r.stdout.matchAll(/^(\S+) \S+$/gm)].map((m) => m[1]);
    expect(ids).toEqual([
      'DNS',
      'NETREC-DNS-NXDOMAIN',
      'NETREC-DNS-RESOLVER',
      'NETREC-DNS-TUNNEL',
      'NETREC-ICMP-TUNNEL',
      'NETREC-SYN-SCAN',
      'NETREC-UNRESOLVED-CONNECT',
    ]);
    expect(r.stdout).toContain('MITRE ATT&CK exfiltration / Exfiltration Over Alternative Protocol (T1048)');
  });

  it("prints JSON with the metadata in Tracee's names, user files included", () => {
    const d = dir('list', { 'third.ts': USER_SIG, '_shared.ts': "export const prefix = (s: string): string => 'user: ' + s;\n" });
    const r = netrec(['signatures', 'list', '--signatures', d, '--signatures', 'builtin', '--output', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const list = JSON.parse(r.stdout) as { ID: string; Name: string; Properties: unknown; SelectedEvents: string[]; Origin: string }[];
    expect(list).toHaveLength(8);
    const user = list.find((s) => s.ID === 'USER-THIRD')!;
    expect(user).toMatchObject({
      Name: 'user: third response',
      Properties: { Severity: 1 },
      SelectedEvents: ['net_packet_dns_response'],
      Origin: join(d, 'third.ts'),
    });
    expect(list.find((s) => s.ID === 'DNS')).toMatchObject({ Name: 'Network DNS Test', Properties: null, Origin: 'builtin' });
  });
});

describe('loading signature files', () => {
  it.each([
    [
      'a syntax error',
      { 'bad.ts': 'export const x = {;\n' },
      /^netrec: cannot load signatures from .*bad\.ts: bad\.ts:1:19: Expected identifier but found ";"$/,
    ],
    ['a file exporting no signature', { 'none.mjs': 'export const x = 1;\n' }, /none\.mjs: exports no signature/],
    [
      'an unknown event',
      {
        'ev.js':
          "export default { metadata: { id: 'A', version: '1', name: 'a', description: '', tags: [] }, selectedEvents: ['net_packet_http'], onEvent() {} };\n",
      },
      /ev\.js: export 'default': selectedEvents: unknown event 'net_packet_http'/,
    ],
    [
      'a bad severity',
      {
        'sev.ts':
          "export const s = { metadata: { id: 'A', version: '1', name: 'a', description: '', tags: [], properties: { Severity: 7 } }, selectedEvents: ['*'], onEvent() {} };\n",
      },
      /sev\.ts: export 's': metadata\.properties\.Severity must be an integer/,
    ],
    ['a throw while loading', { 'boom.ts': "throw new Error('not today');\n" }, /boom\.ts: not today$/],
    [
      'an unresolvable import',
      { 'imp.ts': "import { x } from 'no-such-package';\nexport const s = x;\n" },
      /imp\.ts: imp\.ts:1:19: Could not resolve "no-such-package"/,
    ],
  ])('%s is a usage error naming the file (exit 2)', (name, files, message) => {
    const r = netrec(['replay', join(REPO, 'fixtures/pcap/icmp.pcap'), '--signatures', dir(name.replaceAll(' ', '-'), files)]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    // One line, the file named, and where to read more.
    const [first, ...rest] = lines(r.stderr);
    expect(first!.replace(/; see 'netrec replay --help'$/, '')).toMatch(message);
    expect(first).toMatch(/; see 'netrec replay --help'$/);
    expect(rest).toEqual([]);
  });

  it('refuses two signatures with one id, naming both files', () => {
    const a = dir('dup-a', { 'x.ts': USER_SIG, '_shared.ts': 'export const prefix = (s: string): string => s;\n' });
    const r = netrec(['replay', join(REPO, 'fixtures/pcap/icmp.pcap'), '--signatures', a, '--signatures', a]);
    expect(r.status).toBe(2);
    expect(lines(r.stderr)[0]).toBe(
      `netrec: ${join(a, 'x.ts')}: duplicate signature id 'USER-THIRD' (already loaded from ${join(a, 'x.ts')}); see 'netrec replay --help'`,
    );
    expect(netrec(['signatures', 'list', '--signatures', 'builtin', '--signatures', 'builtin']).stderr).toMatch(
      /^netrec: builtin: duplicate signature id 'DNS'/,
    );
  });

  it('refuses a missing path and flags that need --signatures', () => {
    expect(netrec(['replay', 'x.pcap', '--signatures', join(work, 'nope')]).stderr).toMatch(
      /^netrec: --signatures .*nope: no such file or directory; see 'netrec replay --help'\n/,
    );
    expect(netrec(['replay', 'x.pcap', '--signatures-strict']).status).toBe(2);
    expect(netrec(['replay', 'x.pcap', '--signatures-config', CONFIG]).stderr).toMatch(/--signatures-config needs --signatures/);
    const bad = join(work, 'bad-config.json');
    writeFileSync(bad, '{"NETREC-DNS-RESOLVER": {"allow": ["not an address"]}}');
    const r = netrec(['replay', join(REPO, 'fixtures/pcap/icmp.pcap'), '--signatures', 'builtin', '--signatures-config', bad]);
    expect(r.status).toBe(2);
    expect(lines(r.stderr)[0]).toBe(
      "netrec: builtin: signature NETREC-DNS-RESOLVER: init failed: config allow: 'not an address' is not an address or CIDR; see 'netrec replay --help'",
    );
  });

  it('runs a user TypeScript file (type-only import from netrec, relative import, enum) and prints its finding after the event', () => {
    const d = dir('user', { 'third.ts': USER_SIG, '_shared.ts': "export const prefix = (s: string): string => 'user: ' + s;\n" });
    const r = netrec(['replay', join(REPO, 'fixtures/pcap/dns-udp.pcap'), '--signatures', d]);
    expect(r.status, r.stderr).toBe(0);
    const out = lines(r.stdout);
    const at = out.findIndex((l) => l.startsWith('{"Data":'));
    const finding = JSON.parse(out[at]!) as FindingJSON;
    expect(out.filter((l) => l.startsWith('{"Data":'))).toHaveLength(1);
    // Right after the third response event (netrec.test NS: ns1 and ns2), which it carries.
    expect(out.slice(0, at).filter((l) => l.includes('"eventName":"net_packet_dns_response"'))).toHaveLength(3);
    expect(JSON.parse(out[at - 1]!)).toEqual(finding.Event.Payload);
    expect(finding.Data).toEqual({ answers: 2, big: 18446744073709552000, n: 3 });
    expect(out[at]).toContain('"big":18446744073709551616,');
  });

  it('loads user signatures from compiled JavaScript without tsx', () => {
    // The loader bundled to plain JS, run by plain node: what the compiled package does.
    const d = dir('compiled', { 'third.ts': USER_SIG, '_shared.ts': "export const prefix = (s: string): string => 'user: ' + s;\n" });
    const bundle = join(work, 'loader.mjs');
    const build = spawnSync(
      join(REPO, 'node_modules/.bin/esbuild'),
      [join(REPO, 'src/signature/load.ts'), '--bundle', '--format=esm', '--platform=node', '--external:esbuild', `--outfile=${bundle}`],
      {
        encoding: 'utf8',
        cwd: REPO,
      },
    );
    expect(build.status, build.stderr).toBe(0);
    const script = `import { loadSignatures } from ${JSON.stringify(bundle)}; const l = await loadSignatures([${JSON.stringify(d)}]); console.log(l.map((s) => s.signature.metadata.id + ' ' + s.signature.metadata.name).join());`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: REPO, env: { ...process.env, NODE_OPTIONS: '' } });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('USER-THIRD user: third response');
  });
});

describe('netrec record --signatures (bin/netrec.mjs)', () => {
  const record = (args: string[]) => netrec(['record', '-o', join(work, 'never.nev'), ...args]);

  it.each([
    [['--signatures', '/nonexistent/sigs'], /^netrec: --signatures \/nonexistent\/sigs: no such file or directory; /],
    [['--signatures-strict'], /^netrec: --signatures-strict needs --signatures; /],
    [['--signatures', 'builtin', '--signatures', 'builtin'], /^netrec: builtin: duplicate signature id 'DNS'/],
    [['--output', 'table'], /^netrec: --output sets the format of --print \(and of findings\): add --print or --signatures; /],
  ])('%j is a usage error before anything touches the kernel', (args, message) => {
    const r = record(args);
    expect(r.status).toBe(2);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(message)]);
    expect(r.stderr).toMatch(/; see 'netrec record --help'\n$/);
  });
});

describe('a signature that throws', () => {
  const throwing = `export default { metadata: { id: 'THROWS', version: '1', name: 't', description: '', tags: [] }, selectedEvents: ['net_packet_icmp'], onEvent(e) { throw new TypeError('bad \\u001b[31m input ' + e.args[1].value); } };\n`;

  it('is reported once with its event, counted, and the run goes on (exit 0)', () => {
    const r = netrec([
      'replay',
      join(REPO, 'fixtures/pcap/icmp.pcap'),
      '--signatures',
      dir('throws', { 't.mjs': throwing }),
      '--signatures',
      'builtin',
      '--findings-only',
    ]);
    expect(r.status).toBe(0);
    expect(lines(r.stderr)).toEqual([
      expect.stringMatching(
        /^netrec: warning: signature THROWS \(.*t\.mjs\): onEvent threw on .*icmp\.pcap packet 1 \(net_packet_icmp, timestamp \d+\): TypeError: bad \\x1b\[31m input 172\.16\.17\.2; further errors of this signature are only counted$/,
      ),
      expect.stringMatching(/^netrec: warning: signature THROWS \(.*\) threw 4 times in all/),
    ]);
  });

  it('ends the run with --signatures-strict (exit 1)', () => {
    const r = netrec(['replay', join(REPO, 'fixtures/pcap/icmp.pcap'), '--signatures', dir('throws-strict', { 't.mjs': throwing }), '--signatures-strict']);
    expect(r.status).toBe(1);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^netrec: error: signature THROWS .* packet 1 .*TypeError: bad \\x1b\[31m input 172\.16\.17\.2$/)]);
    expect(lines(r.stdout)).toHaveLength(2); // the first packet's events were printed before it
  });
});

describe('signals', () => {
  it('tells a signature where segments start and where the input ends', () => {
    const rec = join(work, 'segments.nev');
    const conv = netrec(['convert', join(REPO, 'fixtures/pcap/dns-tcp.pcap'), '-o', rec, '--rotate-size', '4KiB']);
    expect(conv.status, conv.stderr).toBe(0);
    const sig = `let ctx; const got = [];
export default { metadata: { id: 'SIG', version: '1', name: 's', description: '', tags: [] }, selectedEvents: ['net_packet_tcp'],
  init(c) { ctx = c; }, onEvent(e, p) { got.push(p.number); this.last = e; },
  onSignal(s) { if (s.kind === 'end-of-input') ctx.emit({ event: this.last, data: { signals: got.signals } }); else (got.signals ??= []).push(s.segment + '@' + s.firstPacket); } };\n`;
    const r = netrec(['replay', rec, '--signatures', dir('signals', { 's.mjs': sig }), '--findings-only']);
    expect(r.status, r.stderr).toBe(0);
    const [f] = findingsIn(r.stdout);
    expect(conv.stderr).toMatch(/5 segments/);
    const signals = f!.Data.signals as string[];
    expect(signals.map((s) => s.split('@')[0])).toEqual(['2', '3', '4', '5']);
    const starts = signals.map((s) => Number(s.split('@')[1]));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(starts[0]).toBeGreaterThan(1);
  });
});

describe('builtin signatures on the fixture recordings (real traffic, recorded with record --signatures builtin)', () => {
  const replayFindings = (name: string, extra: string[] = []): FindingJSON[] => {
    const r = netrec(['replay', recording(name), '--signatures', 'builtin', '--signatures-config', CONFIG, '--findings-only', ...extra]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    return findingsIn(r.stdout);
  };

  it.each(CASES.map((c) => [c.signature, c.name]))('%s fires on the positive recording of %s, not on the negative one', (signature, name) => {
    expect(replayFindings(`${name}-positive`).filter((f) => f.SigMetadata.ID === signature).length).toBeGreaterThan(0);
    expect(replayFindings(`${name}-negative`).filter((f) => f.SigMetadata.ID === signature)).toEqual([]);
  });

  it('finds in each positive what the traffic was', () => {
    const by = (name: string, id: string): FindingJSON[] => replayFindings(name).filter((f) => f.SigMetadata.ID === id);
    // nslookup mx, ns, soa, txt uol.com.br: one finding, on a DNS event carrying the last answer.
    const [dns, ...moreDns] = by('e2e-dns-positive', 'DNS');
    expect(moreDns).toEqual([]);
    expect(dns!.Data).toEqual({});
    expect(dns!.Event.Headers.Selector).toEqual({ Name: 'net_packet_dns', Origin: 'host', Source: 'tracee' });
    expect(JSON.stringify(dns!.Event.Payload)).toContain('spf.uol.com.br');
    // Hex chunks from one dig, 45 short names from another.
    const tunnel = by('dns-tunnel-positive', 'NETREC-DNS-TUNNEL');
    expect(tunnel.map((f) => [f.Data.reason, f.Data.domain])).toEqual([
      ['long encoded label', 'tunnel.test'],
      ['many distinct names', 'tunnel.test'],
    ]);
    expect(tunnel[0]!.Data.labelLength).toBe(48);
    expect(tunnel[0]!.Data.pid).not.toBe(tunnel[1]!.Data.pid);
    // 25 generated names, NXDOMAIN each.
    const [nx] = by('dns-nxdomain-positive', 'NETREC-DNS-NXDOMAIN');
    expect(nx!.Data).toMatchObject({ reason: 'generated-looking names', generatedLooking: 8 });
    expect((nx!.Data.examples as string[]).every((n) => n.endsWith('.sig.test'))).toBe(true);
    // dig over IPv6 to a resolver the config does not allow.
    expect(by('dns-resolver-positive', 'NETREC-DNS-RESOLVER').map((f) => f.Data.resolver)).toEqual(['fd6e:a63d:71f:2f4::2']);
    // nc to 172.16.17.2:5010 by number.
    expect(by('unresolved-connect-positive', 'NETREC-UNRESOLVED-CONNECT').map((f) => [f.Data.comm, f.Data.address, f.Data.port])).toEqual([
      ['nc', '172.16.17.2', 5010],
    ]);
    // ping -p <hex of "exfiltration">, then ping -s 3000.
    const icmp = by('icmp-tunnel-positive', 'NETREC-ICMP-TUNNEL');
    expect(icmp.map((f) => [f.Data.reason, f.Data.dataBytes])).toEqual([
      ['echo data is not a ping pattern', 56],
      ['large echo', 3000],
    ]);
    expect(icmp[0]!.Data.dataHex).toContain(Buffer.from('exfiltra').toString('hex'));
    // nc -z 1-40: fires at the 20th port, only named's 53 would answer (not yet reached).
    const [scan] = by('syn-scan-positive', 'NETREC-SYN-SCAN');
    expect(scan!.Data).toMatchObject({ comm: 'nc', target: '172.16.17.2', ports: 20, open: [] });
  });

  it('prints the same findings the recorder printed and stored, byte for byte', () => {
    for (const c of CASES) {
      for (const kind of ['positive', 'negative']) {
        const name = `${c.name}-${kind}`;
        const printed = readFileSync(join(RECORDINGS, `${name}.stdout.jsonl`), 'utf8');
        const stored = netrec(['replay', recording(name), '--findings-only']);
        expect(stored.status, stored.stderr).toBe(0);
        expect(stored.stdout, `${name}: stored`).toBe(printed);
        const again = netrec(['replay', recording(name), '--signatures', 'builtin', '--signatures-config', CONFIG, '--findings-only']);
        expect(again.stdout, `${name}: replayed`).toBe(printed);
      }
    }
  });

  it('shows stored findings among the events, and as table rows', () => {
    const all = lines(netrec(['replay', recording('unresolved-connect-positive')]).stdout);
    const at = all.findIndex((l) => l.startsWith('{"Data":'));
    expect(at).toBeGreaterThan(0);
    const f = JSON.parse(all[at]!) as FindingJSON;
    // The recorder stored it after the packet that triggered it: that packet's TCP event is before it.
    expect(all.slice(0, at).map((l) => JSON.parse(l) as object)).toContainEqual(f.Event.Payload);
    const table = netrec(['replay', recording('unresolved-connect-positive'), '--findings-only', '--output', 'table']);
    expect(lines(table.stdout)).toEqual([
      expect.stringMatching(/^TIME +UID +COMM/),
      expect.stringMatching(
        /^\d\d:\d\d:\d\d\.\d{9} 0 +nc +\d+ +\d+ +finding:NETREC-UNRESOLVED-CONNECT signature: "Connection to an address the process never resolved", severity: 1 \(low\), trigger: net_packet_tcp, data: \{address: 172\.16\.17\.2, comm: nc, pid: \d+, port: 5010\}$/,
      ),
    ]);
  });

  it('counts them in info', () => {
    const r = netrec(['info', recording('syn-scan-positive')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^findings +2 \(NETREC-SYN-SCAN 1, NETREC-UNRESOLVED-CONNECT 1; /m);
    expect(netrec(['info', recording('syn-scan-negative')]).stdout).not.toMatch(/NETREC-SYN-SCAN/);
  });

  it("applies --trace's scope filters to signatures, but not its event selection", () => {
    expect(replayFindings('syn-scan-positive', ['--trace', 'event=net_packet_ipv4']).map((f) => f.SigMetadata.ID)).toEqual([
      'NETREC-UNRESOLVED-CONNECT',
      'NETREC-SYN-SCAN',
    ]);
    expect(replayFindings('syn-scan-positive', ['--trace', 'comm=dig'])).toEqual([]);
  });
});
