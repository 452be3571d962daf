import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { App } from '../../src/tui/components/App.tsx';
import type { TerminalSize } from '../../src/tui/hooks/use-terminal-size.ts';
import { writeRecording } from './helpers/recording.ts';
import { showApp } from './helpers/app.tsx';
import { openIndexed, until } from './helpers/store.ts';

const KEY = {
  down: '\u001B[B',
  up: '\u001B[A',
  pageDown: '\u001B[6~',
  enter: '\r',
  tab: '\t',
  escape: '\u001B',
  backspace: '\u007F',
  ctrlU: '\u0015',
};

const dir = mkdtempSync(join(tmpdir(), 'netrec-tui-app-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function show(path: string, size: TerminalSize = { columns: 100, rows: 30 }, filter = '') {
  const shown = showApp(await openIndexed(path), size, filter);
  await shown.sees('29b7 A? netrec.test');
  return shown;
}

describe('the event list', () => {
  it('shows the first screen, numbered, timed and summarised, in exactly the terminal size', async () => {
    const { frame, status } = await show('fixtures/pcap/dns-udp.pcap', { columns: 80, rows: 24 });
    const lines = frame().split('\n');
    expect(lines).toHaveLength(23);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
    expect(status()).toMatch(/^netrec fixtures\/pcap\/dns-udp\.pcap {2}44 packets +1\/44$/);
    // Ink drops the spaces that end a line.
    expect(lines[1]).toBe('No. Time (UTC)   Event    Source → Destination               Summary');
    expect(lines[2]).toBe('  1 22:36:57.376 dns_req  172.16.17.1:41709 → 172.16.17.2:53 29b7 A? netrec.test');
    expect(lines[3]).toBe('  2 22:36:57.377 dns_resp 172.16.17.2:53 → 172.16.17.1:41709 29b7 A? netrec.tes…');
    expect(lines[22]).toBe('?:help q:quit Enter:detail f:filter /:search ::jump F:follow p:procs s:stats');
  });

  it('moves with arrows, j/k, PgDn, g and G, and takes a held key as several presses', async () => {
    const { press, status, app, sees } = await show('fixtures/pcap/dns-udp.pcap', { columns: 80, rows: 24 });
    await press('j', 'j', KEY.down, 'k');
    expect(status()).toMatch(/ 3\/44$/);
    await press(KEY.pageDown);
    expect(status()).toMatch(/ 23\/44$/);
    await press('G');
    expect(status()).toMatch(/ 44\/44$/);
    await sees(' 44 22:37:00.849');
    await press('g', KEY.up);
    expect(status()).toMatch(/ 1\/44$/);
    app.stdin.write('jjjj');
    await sees(/ 5\/44\n/);
  });

  it('follows a change of terminal size', async () => {
    const { app, store, frame, sees } = await show('fixtures/pcap/dns-udp.pcap', { columns: 80, rows: 24 });
    app.rerender(<App store={store} view={store.all} filter="" size={{ columns: 120, rows: 40 }} />);
    await sees('22:36:57.376727 dns_req');
    expect(frame().split('\n')).toHaveLength(39);
  });
});

describe('detail and hex panes', () => {
  it('opens on Enter with the event tree and the bytes, and marks the field under the cursor', async () => {
    const { press, sees, frame } = await show('fixtures/pcap/dns-udp.pcap');
    await press(KEY.enter);
    await sees('Detail: packet 1');
    expect(frame()).toContain('- net_packet_dns_request (2014)  22:36:57.376727000');
    expect(frame()).toContain('Bytes: 94, bytes 42-93 marked');
    expect(frame()).toContain('0020  11 02 a2 ed 00 35 00 3c  bf 9d 29 b7 01 20 00 01  .....5.<..).. ..');
    await press(KEY.tab, 'j', 'j', 'j');
    await sees('Bytes: 94, bytes 26-29 marked');
    await press('h');
    await sees('Bytes: 94, bytes 14-33 marked');
    await press(KEY.enter);
    await until(() => !frame().includes('src_ip:'), 3000, `metadata to close:\n${frame()}`);
    expect(frame()).toContain('    + metadata (trace.PktMeta)  {7}');
    await press(KEY.tab, KEY.tab, 'j');
    await sees(/^ {2}2 22:36:57\.377073/m);
    await sees('Detail: packet 2');
    await press(KEY.escape);
    await until(() => !frame().includes('Detail:'));
  });
});

describe('filter bar', () => {
  it('applies a --trace expression, shows a bad one inline and keeps its prompt open', async () => {
    const { press, sees, frame, status } = await show('fixtures/pcap/dns-udp.pcap');
    await press('f', ...'comm2=x', KEY.enter);
    await sees("invalid filter 'comm2=x': unknown field 'comm2'");
    expect(frame()).toContain('filter (--trace, ↑↓ history)> comm2=x█');
    await press(KEY.ctrlU, ...'event=net_packet_dns_response', KEY.enter);
    await sees(/filter: event=net_packet_dns_response +1\/22\n/);
    expect(frame()).not.toContain('dns_req ');
    await press('f', KEY.ctrlU, KEY.enter);
    await sees(/ 1\/44\n/);
    expect(status()).not.toContain('filter:');
  });
});

describe('search and jump', () => {
  it('finds a row by its text and jumps to a packet number', async () => {
    const { press, sees, status } = await show('fixtures/pcap/dns-udp.pcap');
    await press('/', ...'nope', KEY.enter);
    await sees(/ 25\/44\n/);
    await press('n');
    await sees(/ 26\/44\n/);
    await press('n');
    await sees(/ 43\/44\n/);
    await press('N');
    await sees(/ 26\/44\n/);
    await press(':', ...'40', KEY.enter);
    await sees(/ 40\/44\n/);
    await press(':', ...'soon', KEY.enter);
    await sees("cannot jump to 'soon'");
    await press(KEY.escape);
    expect(status()).toMatch(/ 40\/44$/);
  });
});

describe('follow', () => {
  it('shows a DNS query with its response and the latency, and Esc comes back', async () => {
    const { press, sees, status } = await show('fixtures/pcap/dns-udp.pcap');
    await press('j', 'j', 'F');
    await sees('DNS exchange id 59f4: answered in 3.262 ms (no error, 1 answer)');
    expect(status()).toMatch(/DNS exchange id 59f4 +1\/2$/);
    await press(KEY.escape);
    await sees(/ 3\/44\n/);
  });
});

describe('process and stats screens', () => {
  it('says that a plain pcap has no process context', async () => {
    const { press, sees } = await show('fixtures/pcap/dns-udp.pcap');
    await press('p');
    await sees('This capture carries no process context (a plain pcap or pcapng).');
  });

  it('shows the process tree of a recording and filters to a process and its descendants', async () => {
    const path = join(dir, 'lab.nev');
    await writeRecording(path);
    const { press, sees, frame } = await show(path);
    expect(frame()).toContain('dig/4242 dns_req');
    await press('p');
    await sees('      4300 curl uid=1000');
    expect(frame()).toMatch(/^1 systemd uid=0 +0 +0 B +44$/m);
    expect(frame()).toMatch(/^ {6}4242 dig uid=1000 +30 +4\.8 KiB +30$/m);
    await press('j', 'j', 'd');
    await sees(/filter: pid=4200,4242,4300 +1\/44\n/);
    await press('p', 'j', 'j', 'j', 'j', KEY.enter);
    await sees(/filter: pid=4300 +1\/14\n/);
    await press(KEY.enter);
    await sees('+ process curl/4300 ← bash/4200 ← sshd/900 ← systemd/1');
  });

  it('shows protocols, talkers, DNS names, and what netrec stats counts', async () => {
    const { press, sees } = await show('fixtures/pcap/dns-udp.pcap');
    await press('s');
    await sees(/ {2}DNS +44 +100\.0%/);
    await sees('Top DNS names (queries)');
    // The same figures as `netrec stats` and tshark: 22 UDP conversations, 22 answered queries.
    await press('G');
    await sees('Conversations: 0 TCP, 22 UDP (largest first)');
    await sees(/DNS transactions: 22 queries, 22 answered, 0 unanswered; latency 0\.248 ms to 8\.057 ms/);
    await press(KEY.escape);
    await sees('29b7 A? netrec.test');
  });

  it('lists the keys on ?', async () => {
    const { press, sees } = await show('fixtures/pcap/dns-udp.pcap');
    await press('?');
    await sees('F            follow: the TCP/UDP flow, or the DNS query and its response');
    await press('x');
    await sees('29b7 A? netrec.test');
  });
});
