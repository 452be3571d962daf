import { describe, expect, it } from 'vitest';
import { splitFilterText } from '../../src/tui/store/filter-text.ts';
import { jumpTarget } from '../../src/tui/store/jump.ts';
import { PacketIndex } from '../../src/tui/store/packet-index.ts';
import { ProcessTable } from '../../src/tui/store/process-table.ts';
import { TopCounter } from '../../src/traffic/top-counter.ts';
import { byteRange } from '../../src/tui/views/byte-ranges.ts';
import { detailLines } from '../../src/tui/views/detail-model.ts';
import { fit, fitFlow, formatRow, layoutColumns, type ColumnInput } from '../../src/tui/views/columns.ts';
import { shortTime, timeText } from '../../src/tui/views/time-format.ts';
import { eventTree, homeLine, initiallyClosed, lineText, processNode, visibleLines } from '../../src/tui/views/event-tree.ts';
import { hexLine } from '../../src/tui/views/hex.ts';
import { layoutFor, wrapLines } from '../../src/tui/views/layout.ts';
import { task } from './helpers/recording.ts';
import { openIndexed } from './helpers/store.ts';

describe('row text', () => {
  it('cuts and pads to a column, with an ellipsis', () => {
    expect(fit('abcdef', 4)).toBe('abc…');
    expect(fit('ab', 4)).toBe('ab  ');
    expect(fit('7', 3, 'right')).toBe('  7');
    expect(fit('x', 0)).toBe('');
  });

  it('never lets a control character from the capture reach the terminal', () => {
    expect(fit('evil\u001b]0;pwned\u0007.example', 40).trimEnd()).toBe('evil\\x1b]0;pwned\\x07.example');
    expect(fit('a\u009bb', 10)).toBe('a\\x9bb    ');
    expect(fit('\u202egnp.exe', 13)).toBe('\\u202egnp.exe');
  });

  const cols = (over: Partial<ColumnInput>) => layoutColumns({ width: 80, hasProcess: false, lastNumber: 44, widestFlow: 34, widestProcess: 0, ...over });
  const FLOW = '172.16.17.1:41709 → 172.16.17.2:53';

  it('fits the columns into 80 terminal columns, dropping the process column without context', () => {
    const c = cols({});
    const row = formatRow(c, { number: '44', time: '22:36:57.376', process: 'x', event: 'dns_resp', flow: FLOW, info: 'a very long summary that will be cut' });
    expect([...row].length).toBe(80);
    expect(c.process).toBe(0);
    expect(row).toContain(FLOW);
  });

  it('keeps whole endpoints at 80 columns with a process column: the process shrinks first, then the summary', () => {
    const c = cols({ hasProcess: true, widestFlow: 34, widestProcess: 22 });
    const row = formatRow(c, {
      number: '44',
      time: '22:36:57.376',
      process: 'isc-net-0000/4242',
      event: 'dns_resp',
      flow: '172.16.17.1:38573 → 172.16.17.2:53',
      info: 'a summary',
    });
    expect([...row].length).toBe(80);
    // Whole (the spaces around the arrow may go), milliseconds kept, the summary shortened.
    expect(row).toMatch(/ 22:36:57\.376 isc-net… dns_resp 172\.16\.17\.1:38573 ?→ ?172\.16\.17\.2:53 a summary/);
    expect(c).toMatchObject({ process: 8, timeDigits: 3 });
    expect(c.info).toBeGreaterThanOrEqual(10);
  });

  it('gives a wide terminal to whole process names, nanoseconds and the summary', () => {
    const c = cols({ width: 200, hasProcess: true, lastNumber: 1_000_000, widestFlow: 54, widestProcess: 22 });
    expect(c).toMatchObject({ number: 7, process: 22, timeDigits: 9, flow: 54 });
    expect(c.number + c.time + c.process + c.event + c.flow + c.info + 5).toBe(200);
  });

  it('hides the columns the user hid, and gives their room to the rest', () => {
    const c = cols({ hidden: new Set(['time', 'event']) });
    expect([c.time, c.event]).toEqual([0, 0]);
    const row = formatRow(c, { number: '44', time: 'T', process: '', event: 'E', flow: FLOW, info: 'summary' });
    expect(row).toMatch(/^ 44 172\.16\.17\.1:41709 → 172\.16\.17\.2:53 summary +$/);
  });

  it('cuts endpoints inside the addresses, never inside a port', () => {
    const v6 = '[fd6e:a63d:71f:2f4::1]:37599 → [fd6e:a63d:71f:2f4::2]:53';
    expect(fitFlow(FLOW, 33)).toBe('172.16.17.1:41709→172.16.17.2:53 ');
    const cut = fitFlow(v6, 40);
    expect([...cut].length).toBe(40);
    expect(cut).toMatch(/^…[0-9a-f:]*::1\]:37599→…[0-9a-f:]*::2\]:53 *$/);
    expect(fitFlow('172.16.17.1:41709 → 172.16.17.2:53', 20)).toMatch(/:41709→…\d*\.2:53$/);
  });

  it('prints list times cut from the exact nanosecond time, in each time format', () => {
    expect(shortTime(1_700_000_000_123_456_789n, 6)).toBe('22:13:20.123456');
    expect(shortTime(1_700_000_000_123_456_789n, 3)).toBe('22:13:20.123');
    const first = 1_700_000_000_000_000_001n;
    expect(timeText('relative', 1_700_000_012_345_678_901n, 9, first, undefined)).toBe('12.345678900');
    expect(timeText('delta', 1_700_000_000_000_000_001n, 6, first, 1_700_000_000_000_012_001n)).toBe('-0.000012');
    expect(timeText('delta', first, 3, first, undefined)).toBe('0.000');
    // TZ is set for this process by the test below only through Date: UTC when unset.
    expect(timeText('local', 1_700_000_000_123_456_789n, 9, first, undefined)).toMatch(/^\d\d:\d\d:20\.123456789$/);
  });
});

describe('summaries', () => {
  it('reads like tcpdump for DNS, TCP, UDP and ICMP', async () => {
    const dns = await openIndexed('fixtures/pcap/dns-udp.pcap');
    const infos = (await dns.entries([1, 7, 25, 29, 41])).map((e) => e.summary.info);
    expect(infos).toEqual([
      '29b7 A? netrec.test → 172.16.17.2',
      '6950 SOA? netrec.test → SOA ns1.netrec.test',
      '7e80 [non-existent domain] A? nope.netrec.test (no answer)',
      '7c0c [query refused] A? outside.example (no answer)',
      'd537 PTR? 1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.4.f.2.0.f.1.7.0.d.3.6.a.e.6.d.f.ip6.arpa → PTR host.netrec.test',
    ]);
    const tcp = await openIndexed('fixtures/pcap/tcp.pcap');
    expect((await tcp.entries([0, 3])).map((e) => e.summary.info)).toEqual([
      expect.stringMatching(/^\[SYN\] len=0 seq=\d+ ack=0 win=\d+$/),
      expect.stringMatching(/^\[PSH ACK\] len=\d+ seq=\d+ ack=\d+ win=\d+$/),
    ]);
    const icmp = await openIndexed('fixtures/pcap/icmp.pcap');
    const [echo] = await icmp.entries([0]);
    expect(echo!.summary.flow).toBe('172.16.17.1 → 172.16.17.2');
    expect(echo!.summary.info).toMatch(/^EchoRequest id=\d+ seq=1$/);
    const udp = await openIndexed('fixtures/pcap/udp.pcap');
    expect((await udp.entries([0]))[0]!.summary.info).toBe('len=31');
  });
});

describe('byte ranges for the hex pane', () => {
  it('marks headers for events and exact bytes for fixed fields', async () => {
    const store = await openIndexed('fixtures/pcap/dns-udp.pcap');
    const [e] = await store.entries([0]);
    const range = (event: Parameters<typeof byteRange>[2], ...field: string[]) => byteRange(e!.packet, e!.decoded, event, field);
    // Ethernet (14) + IPv4 (20) + UDP (8): the DNS message starts at 42.
    expect(range('net_packet_ipv4')).toEqual({ start: 14, end: 34 });
    expect(range('net_packet_ipv4', 'proto_ipv4', 'TTL')).toEqual({ start: 22, end: 23 });
    expect(range('net_packet_ipv4', 'src')).toEqual({ start: 26, end: 30 });
    expect(range('net_packet_udp', 'dst_port')).toEqual({ start: 36, end: 38 });
    expect(range('net_packet_udp', 'proto_udp')).toEqual({ start: 34, end: 42 });
    expect(range('net_packet_dns', 'proto_dns', 'ID')).toEqual({ start: 42, end: 44 });
    expect(range('net_packet_dns', 'proto_dns', 'questions', '[0]', 'name')).toEqual({ start: 42, end: 94 });
    expect(range('net_packet_dns_request', 'metadata', 'dst_ip')).toEqual({ start: 30, end: 34 });
    expect(range('net_packet_dns_request')).toEqual({ start: 42, end: 94 });
  });

  it('places TCP flags and DNS over TCP after the length prefix', async () => {
    const store = await openIndexed('fixtures/pcap/dns-tcp.pcap');
    const e = (await store.entries(Array.from({ length: 10 }, (_, i) => i))).find((x) => x.decoded.dns.length > 0)!;
    const tcpStart = 14 + 20;
    const header = e.decoded.tcp!.dataOffset * 4;
    expect(byteRange(e.packet, e.decoded, 'net_packet_tcp', ['proto_tcp', 'SYN'])).toEqual({ start: tcpStart + 13, end: tcpStart + 14 });
    expect(byteRange(e.packet, e.decoded, 'net_packet_dns', ['proto_dns', 'ID'])).toEqual({ start: tcpStart + header + 2, end: tcpStart + header + 4 });
  });
});

describe('hex lines', () => {
  it('draws offset, hex and ASCII, with the marked bytes as separate segments', () => {
    const data = Uint8Array.from({ length: 20 }, (_, i) => 0x41 + i);
    const line = hexLine(data, 0, { start: 2, end: 4 });
    expect(line.offset).toBe('0000');
    expect(line.hex.map((s) => [s.text, s.highlighted])).toEqual([
      ['41 42 ', false],
      ['43 44', true],
      [' 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50 ', false],
    ]);
    expect(line.ascii.map((s) => s.text).join('')).toBe('ABCDEFGHIJKLMNOP');
    expect(line.ascii[1]).toEqual({ text: 'CD', highlighted: true });
    const last = hexLine(data, 1, undefined);
    expect(last.hex.map((s) => s.text).join('')).toBe(`51 52 53 54 ${'   '.repeat(4)} ${'   '.repeat(8)}`);
    expect(last.ascii[0]!.text).toBe('QRST');
  });
});

describe('the detail tree', () => {
  it('lists the layers in order, the row event open with its args first, the envelope and the other layers closed', async () => {
    const store = await openIndexed('fixtures/pcap/dns-udp.pcap');
    const [e] = await store.entries([0]);
    const primary = e!.events[3]!;
    const roots = [processNode(undefined, undefined, [], false), ...eventTree(e!.events, primary)];
    const lines = visibleLines(roots, initiallyClosed(roots));
    expect(lines.slice(0, 9).map(lineText)).toEqual([
      '  process: none (this capture carries no process context)',
      '+ net_packet_ipv4 (2007)  22:36:57.376727000  {2}',
      '+ net_packet_udp (2010)  22:36:57.376727000  {2}',
      '+ net_packet_dns (2013)  22:36:57.376727000  {2}',
      '- net_packet_dns_request (2014)  22:36:57.376727000',
      '  - args',
      '    - metadata (trace.PktMeta)',
      '        src_ip: "172.16.17.1"',
      '        dst_ip: "172.16.17.2"',
    ]);
    expect(homeLine(lines)).toBe(4);
    expect(lines.slice(-1).map(lineText)).toEqual(['  + context  {27}']);
    const open = visibleLines(roots, new Set()).map(lineText);
    expect(open).toContain('      timestamp: 1795905417376727000');
    expect(open).toContain('      cgroupId: 0');
  });

  it('escapes control characters of names from the capture', () => {
    const evil = task(66, 'x\u001b[2Jy', 1);
    const lines = detailLines(
      { lines: visibleLines([processNode(evil, undefined, [], true)], new Set()), closed: new Set(), home: 0 },
      { cursor: 0, top: 0 },
      3,
    );
    expect(lines[0]!.text).toBe('- process x\\x1b[2Jy/66');
  });

  it('shows the process and its parent chain', () => {
    const table = new ProcessTable();
    const bash = task(4200, 'bash', 900);
    table.learn(task(900, 'sshd', 1));
    table.learn(bash);
    const dig = table.learn(task(4242, 'dig', 4200), '/usr/bin/dig');
    // A packet of one of dig's threads: the process goes by dig's name.
    const thread = task(4242, 'isc-net-0000', 4200, { hostThreadId: 4245, threadId: 4245 });
    const node = processNode(thread, dig, table.ancestors(thread), true);
    expect(node.label).toBe('process dig/4242 ← bash/4200 ← sshd/900');
    expect(visibleLines([node], new Set()).map(lineText).slice(1, 4)).toEqual([
      '    parents: dig/4242 ← bash/4200 ← sshd/900',
      '    exe: "/usr/bin/dig"',
      '    thread: "isc-net-0000" tid 4245',
    ]);
  });
});

describe('prompts', () => {
  it('splits filter text into --trace expressions, as a command line would', () => {
    expect(splitFilterText(`event=net_packet_dns*  comm=curl`)).toEqual(['event=net_packet_dns*', 'comm=curl']);
    expect(splitFilterText(`-t 'net_packet_dns.args.proto_dns.responseCode=server failure ' --trace=follow`)).toEqual([
      'net_packet_dns.args.proto_dns.responseCode=server failure ',
      'follow',
    ]);
    expect(splitFilterText('')).toEqual([]);
  });

  it('jumps to a packet number, a time of day or an offset', () => {
    const index = new PacketIndex();
    const t0 = 1_700_000_000_000_000_000n; // 22:13:20 UTC
    for (let i = 0; i < 100; i++) index.push(i + 1, i, t0 + BigInt(i) * 100_000_000n, 1);
    expect(jumpTarget('50', index)).toEqual({ position: 49 });
    expect(jumpTarget('#1000', index)).toEqual({ position: 99 });
    expect(jumpTarget('22:13:21.05', index)).toEqual({ position: 11 });
    expect(jumpTarget('+2.5s', index)).toEqual({ position: 25 });
    expect(jumpTarget('+300ms', index)).toEqual({ position: 3 });
    expect(jumpTarget('yesterday', index)).toEqual({ problem: expect.stringContaining("cannot jump to 'yesterday'") });
  });
});

describe('layout', () => {
  it('shares 24 lines between the list, the detail and the hex dump', () => {
    expect(layoutFor(24, false, 0)).toEqual({ height: 23, list: 20, detail: 0, hex: 0, body: 21 });
    const open = layoutFor(24, true, 0);
    expect(1 + (1 + open.list) + (1 + open.detail) + (1 + open.hex) + 1).toBe(23);
  });

  it('wraps a long problem into at most a few lines', () => {
    expect(wrapLines('one two three four', 9, 3)).toEqual(['one two', 'three', 'four']);
    expect(wrapLines('one two three four five six', 9, 2)).toEqual(['one two', 'three…']);
  });
});

describe('TopCounter', () => {
  it('counts exactly up to twice its capacity, then keeps the largest and says so', () => {
    const counter = new TopCounter(2);
    for (const key of ['a', 'a', 'a', 'b', 'b', 'c', 'd']) counter.add(key, 10);
    expect(counter.approximate).toBe(false);
    counter.add('e', 10);
    expect(counter.approximate).toBe(true);
    expect(counter.size).toBeLessThanOrEqual(4);
    expect(counter.top(2, 'packets').map((c) => [c.key, c.packets, c.bytes])).toEqual([
      ['a', 3, 30],
      ['b', 2, 20],
    ]);
  });
});

describe('the indexing progress', () => {
  it('draws ten cells and the percentage, or an ellipsis when the source cannot tell', async () => {
    const { progressBar } = await import('../../src/tui/views/status.ts');
    expect(progressBar(0.42)).toBe(' ▓▓▓▓░░░░░░ 42%');
    expect(progressBar(1)).toBe(' ▓▓▓▓▓▓▓▓▓▓ 100%');
    expect(progressBar(undefined)).toBe('…');
  });
});
