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
import { runNetrec, type NetrecRun } from '../helpers/run-netrec.ts';
import { unsafeInLines } from '../helpers/terminal.ts';
import { openIndexed, until } from '../tui/helpers/store.ts';
import { writeHostilePcap, writeHostileRecording } from './hostile-inputs.ts';

const path = scratch('terminal');
const pcap = path('hostile.pcap');
const rec = path('hostile.nev');
writeHostilePcap(pcap);
writeHostileRecording(rec);

const netrec = (...args: string[]): NetrecRun => runNetrec(args);

describe('the table output', () => {
  it('escapes control sequences in DNS names and TXT strings', () => {
    const r = netrec('replay', pcap, '--output', 'table');
    expect(r.code).toBe(0);
    expect(unsafeInLines(r.out)).toBeUndefined();
    expect(r.out).toContain('evil\\x1b]0;pwned\\x07');
    expect(r.out).toContain('csi\\x9b31m');
    expect(r.out).toContain('rlo\\u202egnp');
    expect(r.out).toContain('del\\x7f');
    expect(r.out).toContain('\\x1bP0;1|17/ab\\x1b\\');
  });

  it('escapes the EDNS cookie bytes of the dns-udp fixture', () => {
    const r = netrec('replay', 'fixtures/pcap/dns-udp.pcap', '--output', 'table');
    expect(r.code).toBe(0);
    expect(r.out.split('\n').length).toBeGreaterThan(40);
    expect(unsafeInLines(r.out)).toBeUndefined();
  });

  it('escapes hostile comms, keeping the columns aligned', () => {
    const r = netrec('replay', rec, '--output', 'table');
    expect(r.code).toBe(0);
    expect(unsafeInLines(r.out)).toBeUndefined();
    const rows = r.out.trim().split('\n').slice(1);
    expect(rows.some((row) => row.includes(' \\x1b]0;title\\x07 '))).toBe(true);
    expect(rows.some((row) => row.includes(' x\\u202egnp.exe '))).toBe(true);
    // The PID column starts at the same place on every row: the comm was escaped before padding.
    const pidColumn = new Set(rows.map((row) => row.search(/ 10[0-3] /)));
    expect(pidColumn.size).toBe(1);
  });

  it('leaves the JSON output exact: the names come back byte for byte', () => {
    const r = netrec('replay', pcap);
    expect(r.code).toBe(0);
    const events = r.out.trim().split('\n').map((line) => JSON.parse(line) as { eventName: string; args: { name: string; value: unknown }[] });
    const dns = events.find((e) => e.eventName === 'net_packet_dns_response')!;
    const text = JSON.stringify(dns.args);
    // Parsed back, the strings hold the raw characters the capture holds.
    expect(text).toContain(JSON.stringify('evil\u001b]0;pwned\u0007').slice(1, -1));
    expect(r.out).toContain('\u202e'); // JSON escapes only what JSON must: U+202E stays as it is
  });
});

describe('info, verify and the error lines', () => {
  it('info escapes comms, host names and the origin', () => {
    const r = netrec('info', rec);
    expect(r.code).toBe(0);
    expect(unsafeInLines(r.out)).toBeUndefined();
    expect(r.out).toContain('\\x1b]0;title\\x07 (pid 1100)');
    expect(r.out).toContain('netrec test \\x1b]0;origin\\x07');
    expect(r.out).toContain('lab\\u202e');
  });

  it('errors and warnings name a hostile path escaped, on stderr', () => {
    const dir = path('evil\u001b]0;dir\u0007.nev');
    mkdirSync(dir);
    copyFileSync(join(rec, '000001.nevseg'), join(dir, '000001.nevseg'));
    writeFileSync(join(dir, '000002.nevseg'), 'not a segment \u001b[2J');
    for (const args of [['replay', dir, '--output', 'table'], ['info', dir], ['verify', dir]]) {
      const r = netrec(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(unsafeInLines(r.err), args.join(' ')).toBeUndefined();
      expect(unsafeInLines(r.out), args.join(' ')).toBeUndefined();
    }
    expect(netrec('replay', dir, '--output', 'table').err).toContain('evil\\x1b]0;dir\\x07.nev: segment 000002.nevseg offset 0: not a .nev segment (bad magic)');
    const missing = netrec('replay', path('gone\u001bc.pcap'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^netrec: error: .*gone\\x1bc\.pcap: cannot open: no such file or directory\n$/);
    const usage = netrec('replay', pcap, '--trace', 'comm\u001b[2J');
    expect(usage.code).toBe(2);
    expect(unsafeInLines(usage.err)).toBeUndefined();
    expect(usage.err).toContain('comm\\x1b[2J');
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
    for (const [key, shows] of [['\r', 'Detail: packet 1'], ['\t', 'Detail: packet 1'], ['p', 'Process (host pid, name [thread], uid)'], ['i', 'its flows and DNS'], ['s', 'Stats']] as const) {
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
