/**
 * The investigator's workbench (issue 17), frame by frame: columns that fit the width, colours,
 * search and filter feedback, the time formats.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import chalk from 'chalk';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { showApp } from './helpers/app.tsx';
import { netrec } from '../helpers/cli.ts';
import { openIndexed, until } from './helpers/store.ts';

const KEY = { enter: '\r', escape: '\u001B', up: '\u001B[A', ctrlU: '\u0015' };
const level = chalk.level;
afterEach(() => {
  chalk.level = level;
});

async function show(path: string, columns = 100, color = true) {
  const shown = showApp(await openIndexed(path), { columns, rows: 30 }, '', color);
  // Rows show their number and time at once and the rest when decoded: wait for the first whole one.
  await shown.sees(/^(\u001b\[[0-9;]*m)* +1 .*→/m);
  return shown;
}

const lineOf = (frame: string, number: number) =>
  frame.split('\n').find((l) => l.replace(/\u001b\[[0-9;]*m/g, '').startsWith(`${String(number).padStart(3)} `)) ?? '';

describe('columns', () => {
  it('keeps IPv6 ports whole at 80 columns, cutting inside the addresses', async () => {
    const { frame, press, sees } = await show('fixtures/pcap/dns-udp.pcap', 80);
    await press('G');
    // A row shows its number and time first and the rest once its packet is decoded.
    await sees(/^ 44 22:37:00\.849 dns_resp /m);
    const row = lineOf(frame(), 44);
    expect([...row].length).toBeLessThanOrEqual(80);
    expect(row).toMatch(/^ 44 22:37:00\.849 dns_resp …[0-9a-f:]+::2\]:53 ?→ ?…[0-9a-f:]+::1\]:40916 2143 /);
  });

  it('hides and shows columns from the columns prompt (c)', async () => {
    const { frame, press, sees } = await show('fixtures/pcap/dns-udp.pcap');
    expect(frame()).toContain('No. Time (UTC)');
    await press('c');
    await sees('columns  t:time  p:process  e:event  a:addresses  s:summary');
    await press('t', 'e');
    await sees('t:time (hidden)  p:process  e:event (hidden)');
    await press(KEY.enter);
    await sees(/^No\. Source → Destination/m);
    await sees(/^ {2}1 172\.16\.17\.1:41709 → /m);
    expect(lineOf(frame(), 1)).toMatch(/^ {2}1 172\.16\.17\.1:41709 → 172\.16\.17\.2:53 +29b7 A\? netrec\.test/);
    await press('c', 't', KEY.enter);
    await sees(/^No\. Time \(UTC\) +Source/m);
  });
});

describe('colours', () => {
  it('colours rows by protocol and state, and not at all with color off (NO_COLOR, --no-color)', async () => {
    chalk.level = 1;
    const tcp = await show('fixtures/pcap/tcp.pcap');
    // Packet 2 is a SYN-ACK (gray, 90), packet 4 a data segment (no colour); row 1 is selected (inverse).
    expect(lineOf(tcp.frame(), 1)).toMatch(/^\u001b\[7m\u001b\[90m +1 /);
    expect(lineOf(tcp.frame(), 2)).toMatch(/^\u001b\[90m +2 /);
    expect(lineOf(tcp.frame(), 4)).toMatch(/^ {2}4 /);
    const dns = await show('fixtures/pcap/dns-udp.pcap');
    expect(lineOf(dns.frame(), 2)).toMatch(/^\u001b\[36m +2 /);
    const plain = await show('fixtures/pcap/dns-udp.pcap', 100, false);
    expect(plain.frame()).not.toMatch(/\u001b\[3\dm/);
  });

  it('shows the legend in the key help', async () => {
    const { press, sees } = await show('fixtures/pcap/dns-udp.pcap');
    await press('?', 'G');
    await sees('Row colours (off with --no-color or NO_COLOR), first rule that applies:');
    await sees(/ {2}gray +TCP SYN or FIN/);
  });
});

describe('search and filter feedback', () => {
  it('shows the term, the current match of how many, and highlights it in the row', async () => {
    chalk.level = 1;
    const { press, sees, status, frame } = await show('fixtures/pcap/dns-udp.pcap');
    await press('/', ...'nope', KEY.enter);
    await sees(/"nope" 1\/4 matches {2}25\/44/);
    await press('n');
    await sees(/"nope" 2\/4 matches {2}26\/44/);
    await press('k');
    await until(() => status().includes('"nope" -/4 matches  25/44') || status().includes('"nope" 1/4'), 3000, status());
    // The term is underlined on a yellow background where a row shows it.
    expect(frame()).toMatch(/\u001b\[43m[^\n]*nope/);
  });

  it('recalls earlier filters with ↑ and shows the count while a filter scans', async () => {
    const { press, sees } = await show('fixtures/pcap/dns-udp.pcap');
    await press('f', ...'event=net_packet_dns_response', KEY.enter);
    await sees(/filter: event=net_packet_dns_response +1\/22\n/);
    await press('f', KEY.ctrlU, KEY.enter);
    await sees(/ 1\/44\n/);
    await press('f', KEY.up);
    await sees('filter (--trace, ↑↓ history)> event=net_packet_dns_response█');
    await press(KEY.up);
    await sees('filter (--trace, ↑↓ history)> event=net_packet_dns_response█');
    await press('\u001B[B');
    await sees('filter (--trace, ↑↓ history)> █');
  });
});

describe('time display', () => {
  it('cycles UTC, local, since the first packet and since the previous one with t', async () => {
    const { press, sees, frame } = await show('fixtures/pcap/dns-udp.pcap');
    expect(lineOf(frame(), 2)).toContain(' 22:36:57.377073 ');
    await press('t');
    await sees('Time (local)');
    await press('t');
    await sees('Since first');
    expect(lineOf(frame(), 1)).toMatch(/^ {2}1 0\.000000 /);
    expect(lineOf(frame(), 2)).toMatch(/^ {2}2 0\.000346 /);
    await press('t');
    await sees('Since previous');
    expect(lineOf(frame(), 2)).toMatch(/^ {2}2 0\.000346 /);
    expect(lineOf(frame(), 3)).toMatch(/^ {2}3 \d+\.\d{6} /);
    await press('t');
    await sees('Time (UTC)');
  });
});

describe('follow stream (S)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netrec-tui-stream-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('shows the reassembled payload both ways, hex on x, and saves it to a new file on w', async () => {
    const { press, sees, frame } = await show('fixtures/pcap/tcp.pcap');
    await press('j', 'j', 'j', 'S');
    // Three 31-byte lines from nc's client, three 40-byte replies (fixtures/README.md).
    await sees(/^TCP 172\.16\.17\.1:\d+ ⇄ 172\.16\.17\.2:5000: 93 B →, 120 B ←$/m);
    const lines = frame().split('\n').slice(2, 8);
    expect(lines.filter((l) => l.startsWith('reply to '))).toHaveLength(3);
    expect(lines.filter((l) => !l.startsWith('reply to ') && l.trim() !== '')).toHaveLength(3);
    await press('x');
    await sees(/^> 0000 {2}([0-9a-f]{2} ){8} ([0-9a-f]{2} ?){8}/m);
    await sees(/^< 0000 {2}72 65 70 6c 79 20 74 6f {2}20 /m);
    const path = join(dir, 'stream.txt');
    await press('w', ...path, KEY.enter);
    await sees(`saved 16 lines to ${path}`);
    const saved = readFileSync(path, 'utf8').split('\n');
    expect(saved[0]).toMatch(/^TCP 172\.16\.17\.1:\d+ ⇄ 172\.16\.17\.2:5000: 93 B →, 120 B ←$/);
    expect(saved.filter((l) => l.startsWith('< '))).toHaveLength(9);
    // Never over an existing file.
    await press('w', ...path, KEY.enter);
    await sees(`cannot save to ${path}: `);
    await press(KEY.escape, KEY.escape);
    await sees(/^(\u001b\[[0-9;]*m)* +4 /m);
  });

  it('takes one copy of each packet of a recording of two local ends, and names both processes', async () => {
    const { store, press, sees } = await show('fixtures/recordings/tcp.nev');
    expect(store.index.length).toBe(40);
    await press('S');
    // nc sent "from client\n" and "from server\n" (12 bytes each), recorded at both ends: counted once.
    const screen = await sees(/^TCP 172\.16\.17\.1:\d+ \(nc\/\d+\) ⇄ 172\.16\.17\.2:5000 \(nc\/\d+\): 12 B →, 12 B ←$/m);
    const payload = screen
      .split('\n')
      .slice(2)
      .filter((l) => l.trim() !== '' && !l.includes(':'));
    expect(payload.sort()).toEqual(['from client', 'from server']);
  });
});

describe('processes view', () => {
  it('orders by packets, bytes and start time on o, and names the thread beside its process', async () => {
    const { press, sees, frame } = await show('fixtures/recordings/dns.nev');
    await press('p');
    await sees('as a tree, o: order');
    await press('o');
    await sees('by packets, o: order');
    const rows = frame()
      .split('\n')
      .slice(2)
      .filter((l) => /^\d+ /.test(l));
    const packets = rows.map((l) => Number(l.trim().split(/ +/).at(-4)!.replace(/,/g, '')));
    expect(packets.length).toBeGreaterThan(2);
    expect([...packets].sort((a, b) => b - a)).toEqual(packets);
    // named answers from its isc-net threads: the process and the thread both show.
    expect(rows[0]).toMatch(/^\d+ named \[isc-net-\d+\] uid=/);
    await press('o');
    await sees('by bytes, o: order');
    await press('o');
    await sees('by DNS names, o: order');
    await press('o');
    await sees('by remotes, o: order');
    await press('o');
    await sees('by start time, o: order');
    await press('o');
    await sees('as a tree, o: order');
  });

  it('orders by the DNS names each process asked and the remote addresses it reached, as replay shows them', async () => {
    // The oracle: netrec replay's DNS requests, per host pid, their distinct question names; and
    // the clients that sent named its queries (the only remote ends named has in this recording).
    const replay = netrec(['replay', '-t', 'event=net_packet_dns_request', 'fixtures/recordings/dns.nev']);
    expect(replay.status).toBe(0);
    const names = new Map<number, Set<string>>();
    const named = new Set<string>();
    for (const line of replay.stdout.trim().split('\n')) {
      const event = JSON.parse(line) as { hostProcessId: number; processName: string; args: { name: string; value: unknown }[] };
      const questions = event.args.find((a) => a.name === 'dns_questions')!.value as { query: string }[];
      const set = names.get(event.hostProcessId) ?? new Set();
      for (const q of questions) set.add(q.query);
      names.set(event.hostProcessId, set);
      if (event.processName.startsWith('isc-net')) named.add((event.args[0]!.value as { src_ip: string }).src_ip);
    }
    const { press, sees, frame } = await show('fixtures/recordings/dns.nev');
    await press('p', 'o', 'o', 'o');
    // The counts come from a pass over the packets: wait until it is done.
    await sees(/by DNS names, o: order +Packets +Bytes +DNS names$/m);
    const rows = () =>
      frame()
        .split('\n')
        .filter((l) => /^\d+ /.test(l))
        .map((l) => ({ pid: Number(l.split(' ')[0]), name: l.split(' ')[1]!, last: Number(l.trim().split(/ +/).at(-1)) }));
    const counted = rows();
    expect(counted.length).toBeGreaterThan(2);
    for (const r of counted) expect(r.last, `pid ${r.pid}`).toBe(names.get(r.pid)?.size ?? 0);
    expect(counted[0]!.name).toBe('named');
    expect(counted.map((r) => r.last)).toEqual([...counted.map((r) => r.last)].sort((a, b) => b - a));
    await press('o');
    await sees(/by remotes, o: order +Packets +Bytes +Remotes$/m);
    const remote = rows();
    expect(remote[0]!.name).toBe('named');
    expect(remote[0]!.last).toBe(named.size);
    expect(remote.map((r) => r.last)).toEqual([...remote.map((r) => r.last)].sort((a, b) => b - a));
  });
});

describe('mouse', () => {
  const click = (x: number, y: number) => `\u001b[<0;${x};${y}M`;
  const wheel = (down: boolean, y: number) => `\u001b[<${down ? 65 : 64};10;${y}M`;

  it('selects the clicked row, scrolls with the wheel, and gives a clicked pane the keys', async () => {
    const { press, sees, status, frame } = await show('fixtures/pcap/dns-udp.pcap');
    // Line 1 status, line 2 header: row 5 of the list is on line 7.
    await press(click(20, 7));
    await sees(/ 5\/44\n/);
    await press(wheel(true, 10), wheel(true, 10));
    await sees(/ 11\/44\n/);
    await press(wheel(false, 10));
    await sees(/ 8\/44\n/);
    await press('\r');
    await sees('Detail: packet 8  (Tab to move in it)');
    const detailTitle = frame()
      .split('\n')
      .findIndex((l) => l.startsWith('Detail: packet 8'));
    await press(click(5, detailTitle + 3));
    await sees('Detail: packet 8  (Enter/←/→ open and close)');
    // The click selected the node under it: line 2 of the tree is IPv4, its header after Ethernet's 14 bytes.
    await sees('Bytes: 253, bytes 14-33 marked');
    // Line 1 of the pane is its title, the tree starts on line 2: src_ip is the tree's 8th line.
    await press(click(10, detailTitle + 9));
    await sees(/^ +src_ip: "172\.16\.17\.2"/m);
    await sees('Bytes: 253, bytes 26-29 marked');
    // A release, and a report in a prompt, do nothing; never typed as text.
    await press('/', '\u001b[<0;20;7m', click(20, 4));
    await sees('search (↑↓ history)> █');
    expect(status()).toMatch(/ 8\/44$/);
  });
});

describe('process drill-down', () => {
  it('shows a process its own flows, DNS transactions and names on i, and Esc goes back', async () => {
    const { press, sees, frame } = await show('fixtures/recordings/dns.nev');
    await press('p', 'o');
    await sees(/^\d+ named \[isc-net-\d+\] uid=0 +36 /m);
    await press('i');
    await sees(/^Process named\/\d+: its flows and DNS/m);
    await sees(/^Packets of named\/\d+: 36$/m);
    // named's side of the recording (fixtures/recordings/README.md): 8 queries over UDP, 2 over
    // TCP; it owns the ingress copy of each query and the egress copy of each response.
    await sees(/^Conversations: 2 TCP, 8 UDP/m);
    const screen = frame();
    expect(screen).toMatch(/^ {2}DNS +20 +55\.6%$/m);
    expect(screen).toMatch(/^ {2}UDP +16 +44\.4%$/m);
    expect(screen).not.toContain('Input issues');
    await press('\u001B');
    await sees('by packets, o: order');
  });
});
