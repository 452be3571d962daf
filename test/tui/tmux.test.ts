/**
 * `netrec tui` in a real terminal: tmux runs the command as a user would, keys go in through
 * send-keys, and capture-pane shows what a person would see after each step. The tmux server
 * runs on its own socket and is killed afterwards. CI=true stays in the environment on
 * purpose: the TUI must draw in a terminal even on a CI machine.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasTmux, Terminal } from '../helpers/tmux.ts';
import { writeRecording } from './helpers/recording.ts';

const terminal = new Terminal();
const dir = terminal.dir;
afterAll(() => terminal.close());

/** Starts `netrec tui ARGS` in a detached session (from the checkout, as the build). */
function start(session: string, args: string, size: [number, number] = [100, 30]): { rcFile: string } {
  return terminal.start(session, `node bin/netrec.mjs tui ${args}`, size);
}
const sees = terminal.sees.bind(terminal);
const keys = terminal.keys.bind(terminal);
const exitCode = (rcFile: string): Promise<number> => terminal.exitCode(rcFile);
const tmux = terminal.tmux.bind(terminal);

describe.skipIf(!hasTmux)('netrec tui in a real terminal (tmux)', () => {
  it('pages, opens detail and hex, filters, follows a DNS query, follows a resize and quits with 0', async () => {
    const s = 'dns';
    const { rcFile } = start(s, 'fixtures/pcap/dns-udp.pcap');
    let shown = await sees(s, '  1 22:36:57.376727 dns_req  172.16.17.1:41709 → 172.16.17.2:53 29b7 A? netrec.test');
    expect(shown.split('\n')[0]).toMatch(/^netrec fixtures\/pcap\/dns-udp\.pcap {2}44 packets +1\/44$/);

    // Page down: the last rows come into view.
    await keys(s, 'PageDown');
    shown = await sees(s, / 27\/44\n/);
    expect(shown).toContain(' 44 22:37:00.849608 dns_resp');

    // Detail and hex of the first packet; the cursor on src_ip marks its four bytes.
    await keys(s, 'g', 'Enter');
    shown = await sees(s, 'Bytes: 94, bytes 42-93 marked');
    expect(shown).toContain('- net_packet_dns_request (2014)  22:36:57.376727000');
    expect(shown).toContain('0020  11 02 a2 ed 00 35 00 3c  bf 9d 29 b7 01 20 00 01  .....5.<..).. ..');
    await keys(s, 'Tab', 'j', 'j', 'j');
    await sees(s, 'Bytes: 94, bytes 26-29 marked');
    await keys(s, 'Escape');
    await sees(s, /^ 26 22:36:59\.303112/m);

    // A filter, typed into the filter bar.
    await keys(s, 'f', 'C-u', 'event=net_packet_dns_request', 'Enter');
    shown = await sees(s, /filter: event=net_packet_dns_request +1\/22\n/);
    expect(shown).not.toContain('dns_resp');

    // Follow the second query to its response.
    await keys(s, 'j', 'F');
    shown = await sees(s, 'DNS exchange id 59f4: answered in 3.262 ms (no error, 1 answer)');
    expect(shown).toContain('  4 22:36:57.540781 dns_resp');
    await keys(s, 'Escape');
    await sees(s, / 2\/22\n/);

    // The terminal shrinks to 80x24: the app redraws to fit.
    tmux('resize-window', '-t', s, '-x', '80', '-y', '24');
    shown = await sees(s, /^ {2}3 22:36:57\.537 dns_req /m);
    const lines = shown.split('\n');
    expect(lines[0]).toMatch(/ 2\/22$/);
    expect(lines[0]!.length).toBe(80);
    expect(lines[22]).toBe('?:help q:quit Enter:detail f:filter /:search ::jump F:follow p:procs s:stats');

    await keys(s, 'q');
    expect(await exitCode(rcFile)).toBe(0);
  });

  it('shows the process tree of a recording and the process of a packet', async () => {
    const recording = join(dir, 'lab.nev');
    await writeRecording(recording);
    const s = 'rec';
    const { rcFile } = start(s, recording);
    await sees(s, 'dig/4242 dns_req');
    await keys(s, 'p');
    await sees(s, '      4300 curl uid=1000');
    await keys(s, 'j', 'j', 'j', 'j', 'Enter');
    await sees(s, /filter: pid=4300 +1\/14\n/);
    await keys(s, 'Enter');
    await sees(s, '+ process curl/4300 ← bash/4200 ← sshd/900 ← systemd/1');
    await keys(s, 'q');
    expect(await exitCode(rcFile)).toBe(0);
  });
});

describe.skipIf(!hasTmux)('the workbench in a real terminal (tmux)', () => {
  it('pages a 1,000,000-packet capture: first screen, G, search, stream, q; and G on its recording before the index is done', async () => {
    // Generous bounds for a loaded 2-core CI machine; docs/performance.md has the figures.
    const big = join(dir, 'big.pcap');
    const made = spawnSync('npx', ['tsx', 'bench/gen-mixed-pcap.ts', '--packets', '1000000', big], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const s = 'big';
    let t0 = Date.now();
    const { rcFile } = start(s, `--no-color ${big}`);
    // The first screen comes while the index scan still runs, with its progress in the header;
    // a row is whole once decoded (its arrow shows).
    const first = await sees(s, /^ +2 \d\d:\d\d:\d\d\.\d{6} .*→/m);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(first.split('\n')[0]).toMatch(/ packets( \(indexing [▓░]{10} \d+%\))? /);
    await sees(s, /^netrec \S+big\.pcap {2}1,000,000 packets {2}/, 90_000);
    await keys(s, 'G');
    await sees(s, /^1000000 .*→/m);
    await keys(s, 'g', '/', 'AAAA?', 'Enter');
    await sees(s, /"AAAA\?" 1\/≥?[\d,]+ match/);
    await keys(s, 'n');
    await sees(s, /"AAAA\?" 2\/≥?[\d,]+ match/);
    // Packet 92 of the generated mix (seed 1) is the first TCP segment with a payload of an
    // HTTPS flow (tshark: 10.3.145.85:56623 → 198.51.100.205:443, 280 bytes): its conversation.
    await keys(s, 'Escape', ':', '92', 'Enter');
    await sees(s, /^ +92 \S+ tcp +10\.3\.145\.85:56623 → 198\.51\.100\.205:443 /m);
    await keys(s, 'S');
    await sees(s, /^TCP 10\.3\.145\.85:56623 ⇄ 198\.51\.100\.205:443: [\d.,]+ \S*B →, [\d.,]+ \S*B ←$/m, 90_000);
    await keys(s, 'Escape');
    await sees(s, /^ +92 \S+ tcp /m);
    await keys(s, 'q');
    expect(await exitCode(rcFile)).toBe(0);

    // The same packets as a recording: G shows its last packet while the index is still read.
    const recording = join(dir, 'big.nev');
    const converted = spawnSync('node', ['bin/netrec.mjs', 'convert', big, '-o', recording], { encoding: 'utf8' });
    expect(converted.status, converted.stderr).toBe(0);
    rmSync(big);
    t0 = Date.now();
    const rec = start('bignev', `--no-color ${recording}`);
    await sees('bignev', /^ +2 \d\d:\d\d:\d\d\.\d{6} .*→/m);
    await keys('bignev', 'G');
    const end = await sees('bignev', /^1000000 .*→/m);
    expect(Date.now() - t0).toBeLessThan(20_000);
    // Before the scan got there: the view of the last 512 packets, read through the footers.
    if (end.includes('indexing')) expect(end.split('\n')[0]).toMatch(/ \(indexing [▓░]{10} \d+%\) .* 512\/512$/);
    await keys('bignev', 'q');
    expect(await exitCode(rec.rcFile)).toBe(0);
  }, 240_000);

  it('gives the shell its screen back exactly on q and on Ctrl-C', async () => {
    for (const [s, key] of [
      ['quit-q', 'q'],
      ['quit-c', 'C-c'],
    ] as const) {
      terminal.start(s, `printf 'before the tui\\n'; node bin/netrec.mjs tui fixtures/pcap/dns-udp.pcap; printf 'exit %s\\n' $?; sleep 30`);
      await sees(s, /^ +1 /m);
      await keys(s, key);
      const after = await sees(s, /^exit \d+$/m);
      expect(after.split('\n').filter((l) => l !== '')).toEqual(['before the tui', 'exit 0']);
      tmux('kill-session', '-t', s);
    }
  });

  it('reports a bug in one line (exit 70) after giving the terminal back exactly', async () => {
    // NETREC_DEBUG_TUI_CRASH=1 makes Ctrl-X throw where nothing catches it (src/tui/hooks/use-commands.ts).
    const s = 'crash';
    terminal.start(
      s,
      `printf 'before the tui\\n'; NETREC_DEBUG_TUI_CRASH=1 node bin/netrec.mjs tui fixtures/pcap/dns-udp.pcap; printf 'exit %s\\n' $?; sleep 30`,
      [200, 30],
    );
    await sees(s, /^ +1 .*→/m);
    expect(tmux('display', '-p', '-t', s, '#{alternate_on} #{mouse_any_flag}').trim()).toBe('1 1');
    await keys(s, 'C-x');
    const after = await sees(s, /^exit \d+$/m);
    expect(after.split('\n').filter((l) => l !== '')).toEqual([
      'before the tui',
      expect.stringMatching(
        /^netrec: internal error \(a bug in netrec; please report it\): crash asked for with Ctrl-X \(NETREC_DEBUG_TUI_CRASH=1\) at \S+:\d+:\d+$/,
      ),
      'exit 70',
    ]);
    // Off the alternate screen, no mouse reports, the cursor shown.
    expect(tmux('display', '-p', '-t', s, '#{alternate_on} #{mouse_any_flag} #{cursor_flag}').trim()).toBe('0 0 1');
    tmux('kill-session', '-t', s);
  });

  it('says on screen, then in one line on exit (exit 1), that the capture was cut short under it', async () => {
    const cut = join(dir, 'cut.pcap');
    const made = spawnSync('npx', ['tsx', 'bench/gen-mixed-pcap.ts', '--packets', '20000', cut], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const s = 'cut';
    terminal.start(s, `printf 'before the tui\\n'; node bin/netrec.mjs tui --no-color ${cut}; printf 'exit %s\\n' $?; sleep 30`, [200, 30]);
    await sees(s, /^netrec \S+cut\.pcap {2}20,000 packets {2}/m);
    truncateSync(cut, 100_000);
    // The last page was never read: reading it now finds the file shorter than the index says.
    await keys(s, 'G');
    await sees(s, /read error: the file ends at 100000, short of a record the index located at \d+/);
    await keys(s, 'q');
    const after = await sees(s, /^exit \d+$/m);
    expect(after.split('\n').filter((l) => l !== '')).toEqual([
      'before the tui',
      expect.stringMatching(new RegExp(`^netrec: error: ${cut.replace(/[.]/g, '\\.')}: the file ends at 100000, short of a record the index located at \\d+$`)),
      'exit 1',
    ]);
    tmux('kill-session', '-t', s);
  });

  it('asks the terminal for mouse reports unless --no-mouse, and selects the row clicked', async () => {
    const { rcFile } = start('mouse', 'fixtures/pcap/dns-udp.pcap');
    await sees('mouse', /^ +1 /m);
    expect(tmux('display', '-p', '-t', 'mouse', '#{mouse_any_flag} #{mouse_sgr_flag}').trim()).toBe('1 1');
    // What the terminal sends for a left click on column 20, line 7 (the fifth row).
    tmux('send-keys', '-t', 'mouse', '-l', '\u001b[<0;20;7M');
    await sees('mouse', / 5\/44\n/);
    // A click on the detail tree's IPv4 line (its second: the first says there is no process)
    // selects that node: the hex pane marks the IPv4 header, after Ethernet's 14 bytes.
    await keys('mouse', 'Enter');
    const detail = (await sees('mouse', 'Detail: packet 5')).split('\n').findIndex((l) => l.startsWith('Detail: packet 5'));
    tmux('send-keys', '-t', 'mouse', '-l', `\u001b[<0;10;${detail + 3}M`);
    await sees('mouse', /^Bytes: \d+, bytes 14-33 marked/m);
    await sees('mouse', 'Detail: packet 5  (Enter/←/→ open and close)');
    await keys('mouse', 'q');
    expect(await exitCode(rcFile)).toBe(0);
    const off = start('nomouse', '--no-mouse fixtures/pcap/dns-udp.pcap');
    await sees('nomouse', /^ +1 /m);
    expect(tmux('display', '-p', '-t', 'nomouse', '#{mouse_any_flag}').trim()).toBe('0');
    await keys('nomouse', 'q');
    expect(await exitCode(off.rcFile)).toBe(0);
  });

  it('colours DNS rows, and not with NO_COLOR set or --no-color', async () => {
    const coloured = (session: string): string => tmux('capture-pane', '-p', '-e', '-t', session);
    for (const [s, command, colour] of [
      ['colour', 'fixtures/pcap/dns-udp.pcap', true],
      ['nocolour-env', 'fixtures/pcap/dns-udp.pcap', false],
      ['nocolour-flag', '--no-color fixtures/pcap/dns-udp.pcap', false],
    ] as const) {
      const { rcFile } = terminal.start(s, `${s === 'nocolour-env' ? 'NO_COLOR=1 ' : ''}node bin/netrec.mjs tui ${command}`);
      // A row shows its number and time at once and its colour once decoded: wait for the whole row.
      await sees(s, /^ +2 .*→/m);
      // Row 2 (a DNS response, not selected) in cyan, SGR 36 (tmux repeats no unchanged attribute
      // on the following lines); no colour anywhere without.
      if (colour) expect(coloured(s)).toMatch(/\u001b\[36m(\u001b\[[0-9;]*m)* +2 /);
      else expect(coloured(s)).not.toMatch(/\u001b\[3[0-7]m/);
      await keys(s, 'q');
      expect(await exitCode(rcFile)).toBe(0);
    }
  });

  it('follows a TCP stream, shows it in hex and leaves it on Esc', async () => {
    const s = 'stream';
    const { rcFile } = start(s, 'fixtures/pcap/tcp.pcap');
    await sees(s, /^ +1 /m);
    await keys(s, 'j', 'j', 'j', 'S');
    await sees(s, /^TCP 172\.16\.17\.1:\d+ ⇄ 172\.16\.17\.2:5000: 93 B →, 120 B ←$/m);
    await sees(s, /^reply to /m);
    await keys(s, 'x');
    await sees(s, /^< 0000 {2}72 65 70 6c 79/m);
    await keys(s, 'Escape');
    await sees(s, /^ +4 /m);
    await keys(s, 'q');
    expect(await exitCode(rcFile)).toBe(0);
  });
});

describe('netrec tui without a terminal', () => {
  it('says so in one line, points at netrec replay, and is a usage error (exit 2)', () => {
    const run = spawnSync('node', ['bin/netrec.mjs', 'tui', 'fixtures/pcap/dns-udp.pcap'], { encoding: 'utf8' });
    expect(run.stderr).toBe(
      "netrec: tui needs an interactive terminal; to print the events instead: netrec replay fixtures/pcap/dns-udp.pcap; see 'netrec tui --help'\n",
    );
    expect(run.stdout).toBe('');
    expect(run.status).toBe(2);
  });

  it('refuses stdin and a missing file name as usage errors', () => {
    for (const args of [['tui', '-'], ['tui']]) {
      const run = spawnSync('node', ['bin/netrec.mjs', ...args], { encoding: 'utf8' });
      expect(run.status).toBe(2);
      expect(run.stderr.split('\n')[0]).toMatch(/^netrec: tui /);
    }
  });
});
