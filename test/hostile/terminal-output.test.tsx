/**
 * Every human-readable output escapes what the input chose: table rows, info, verify, error and
 * warning lines, the TUI. Run through the real CLI (bin/netrec.mjs) where a user would.
 */
import { mkdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/tui/components/App.tsx';
import { scratch } from '../nev/helpers.ts';
import { netrec, type CliRun } from '../helpers/cli.ts';
import { unsafeInLines } from '../helpers/terminal.ts';
import { openIndexed, until } from '../tui/helpers/store.ts';
import { writeHostilePcap, writeHostileRecording } from './hostile-inputs.ts';

const path = scratch('terminal');
const pcap = path('hostile.pcap');
const rec = path('hostile.nev');
writeHostilePcap(pcap);
writeHostileRecording(rec);

const run = (...args: string[]): CliRun => netrec(args);

describe('the table output', () => {
  it('escapes control sequences in DNS names and TXT strings', () => {
    const r = run('replay', pcap, '--output', 'table');
    expect(r.status).toBe(0);
    expect(unsafeInLines(r.stdout)).toBeUndefined();
    expect(r.stdout).toContain('evil\\x1b]0;pwned\\x07');
    expect(r.stdout).toContain('csi\\x9b31m');
    expect(r.stdout).toContain('rlo\\u202egnp');
    expect(r.stdout).toContain('del\\x7f');
    expect(r.stdout).toContain('\\x1bP0;1|17/ab\\x1b\\');
  });

  it('escapes the EDNS cookie bytes of the dns-udp fixture', () => {
    const r = run('replay', 'fixtures/pcap/dns-udp.pcap', '--output', 'table');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').length).toBeGreaterThan(40);
    expect(unsafeInLines(r.stdout)).toBeUndefined();
  });

  it('escapes hostile comms, keeping the columns aligned', () => {
    const r = run('replay', rec, '--output', 'table');
    expect(r.status).toBe(0);
    expect(unsafeInLines(r.stdout)).toBeUndefined();
    const rows = r.stdout.trim().split('\n').slice(1);
    expect(rows.some((row) => row.includes(' \\x1b]0;title\\x07 '))).toBe(true);
    expect(rows.some((row) => row.includes(' x\\u202egnp.exe '))).toBe(true);
    // The PID column starts at the same place on every row: the comm was escaped before padding.
    const pidColumn = new Set(rows.map((row) => row.search(/ 10[0-3] /)));
    expect(pidColumn.size).toBe(1);
  });

  it('leaves the JSON output exact: the names come back byte for byte', () => {
    const r = run('replay', pcap);
    expect(r.status).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { eventName: string; args: { name: string; value: unknown }[] });
    const dns = events.find((e) => e.eventName === 'net_packet_dns_response')!;
    const text = JSON.stringify(dns.args);
    // Parsed back, the strings hold the raw characters the capture holds.
    expect(text).toContain(JSON.stringify('evil\u001b]0;pwned\u0007').slice(1, -1));
    expect(r.stdout).toContain('\u202e'); // JSON escapes only what JSON must: U+202E stays as it is
  });
});

describe('info, verify and the error lines', () => {
  it('info escapes comms, host names and the origin', () => {
    const r = run('info', rec);
    expect(r.status).toBe(0);
    expect(unsafeInLines(r.stdout)).toBeUndefined();
    expect(r.stdout).toContain('\\x1b]0;title\\x07 (pid 1100)');
    expect(r.stdout).toContain('netrec test \\x1b]0;origin\\x07');
    expect(r.stdout).toContain('lab\\u202e');
  });

  it('errors and warnings name a hostile path escaped, on stderr', () => {
    const dir = path('evil\u001b]0;dir\u0007.nev');
    mkdirSync(dir);
    copyFileSync(join(rec, '000001.nevseg'), join(dir, '000001.nevseg'));
    writeFileSync(join(dir, '000002.nevseg'), 'not a segment \u001b[2J');
    for (const args of [
      ['replay', dir, '--output', 'table'],
      ['info', dir],
      ['verify', dir],
    ]) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(unsafeInLines(r.stderr), args.join(' ')).toBeUndefined();
      expect(unsafeInLines(r.stdout), args.join(' ')).toBeUndefined();
    }
    expect(run('replay', dir, '--output', 'table').stderr).toContain(
      'evil\\x1b]0;dir\\x07.nev: segment 000002.nevseg offset 0: not a .nev segment (bad magic)',
    );
    const missing = run('replay', path('gone\u001bc.pcap'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^netrec: error: .*gone\\x1bc\.pcap: cannot open: no such file or directory\n$/);
    const usage = run('replay', pcap, '--trace', 'comm\u001b[2J');
    expect(usage.status).toBe(2);
    expect(unsafeInLines(usage.stderr)).toBeUndefined();
    expect(usage.stderr).toContain('comm\\x1b[2J');
  });
});

describe('the TUI', () => {
  const mounted: ReturnType<typeof render>[] = [];
  afterEach(() => {
    for (const r of mounted.splice(0)) r.unmount();
  });

  it('escapes comms and names in the list, the detail pane, the process, drill-down and stats screens', async () => {
    const store = await openIndexed(rec);
    const app = render(<App store={store} view={store.all} filter="" size={{ columns: 160, rows: 40 }} />);
    mounted.push(app);
    const frame = (): string => app.lastFrame() ?? '';
    await until(() => frame().includes('evil\\x1b]0;pw'), 5000, `the list:\n${frame()}`);
    expect(unsafeInLines(frame())).toBeUndefined();
    const screens: string[] = [];
    for (const [key, shows] of [
      ['\r', 'Detail: packet 1'],
      ['\t', 'Detail: packet 1'],
      ['p', 'Process (host pid, name [thread], uid)'],
      ['i', 'its flows and DNS'],
      ['s', 'Stats'],
    ] as const) {
      app.stdin.write(key);
      await until(() => frame().includes(shows), 5000, `${shows}:\n${frame()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      screens.push(frame());
      expect(unsafeInLines(frame()), shows).toBeUndefined();
    }
    expect(screens[0]).toContain('\\x1b]0;title\\x07');
    expect(screens[0]).toContain('TXT? evil\\x1b]0;pwned\\x07.reset\\x1bc.nul\\x00x.csi\\x9b31m');
  });
});
