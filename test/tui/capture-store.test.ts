import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { compileFilters } from '../../src/filter/compile.ts';
import { replay } from '../../src/pipeline/replay.ts';
import { openCapture } from '../../src/replay/open.ts';
import { ENTRY_CACHE_CAPACITY } from '../../src/tui/store/entry-cache.ts';
import { splitFilterText } from '../../src/tui/store/filter-text.ts';
import { INDEX_BYTES_PER_PACKET } from '../../src/tui/store/packet-index.ts';
import { searchRows } from '../../src/tui/store/search.ts';
import type { PacketView } from '../../src/tui/store/view.ts';
import { writeRecording } from './helpers/recording.ts';
import { numbersOf, openIndexed, until } from './helpers/store.ts';
import { memorySink } from '../helpers/memory-sink.ts';

const dir = mkdtempSync(join(tmpdir(), 'netrec-tui-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The packets `netrec replay --trace ...` prints an event for, by timestamp (unique in the fixtures). */
async function replayedTimestamps(path: string, trace: string[]): Promise<Set<bigint>> {
  const filter = compileFilters(trace, { hasProcessContext: false });
  const seen = new Set<bigint>();
  const sink = memorySink((e) => void seen.add(e.timestamp));
  await replay({ sources: [await openCapture(path)], events: filter.events, accept: filter.accept, sink });
  return seen;
}

describe('CaptureStore: index and entries', () => {
  it('indexes a capture and decodes its first page at once', async () => {
    const store = await openIndexed('fixtures/pcap/dns-udp.pcap');
    expect(store.index.length).toBe(44);
    expect(store.hasProcessContext).toBe(false);
    await until(() => store.entry(43) !== undefined);
    const first = store.entry(0)!;
    expect(first.packet.number).toBe(1);
    expect(first.summary).toEqual({ flow: '172.16.17.1:41709 → 172.16.17.2:53', info: '29b7 A? netrec.test' });
    expect(first.events.map((e) => e.eventName)).toEqual(['net_packet_ipv4', 'net_packet_udp', 'net_packet_dns', 'net_packet_dns_request']);
    expect(store.entry(1)!.summary.info).toBe('29b7 A? netrec.test → 172.16.17.2');
    // A cached packet owns its bytes: it pins no read buffer and no slab of Buffer's pool.
    expect(first.packet.data.buffer.byteLength).toBe(first.packet.data.length);
  });

  it('keeps at most its cache capacity of decoded packets, and 17 bytes a packet in the index', async () => {
    const store = await openIndexed('fixtures/pcap/dns-tcp.pcap', { cacheCapacity: 8 });
    await until(() => store.entry(7) !== undefined);
    for (let first = 0; first < 106; first += 20) {
      store.want(Array.from({ length: Math.min(20, 106 - first) }, (_, i) => first + i));
      await until(() => store.entry(Math.min(first + 19, 105)) !== undefined);
      expect(store.cachedEntries).toBeLessThanOrEqual(8);
    }
    expect(ENTRY_CACHE_CAPACITY).toBe(1024);
    expect(store.index.bytesUsed()).toBe(65_536 * INDEX_BYTES_PER_PACKET);
    // Entries read for a search do not displace the screen's.
    const screen = store.entry(105)!;
    await store.entries(Array.from({ length: 50 }, (_, i) => i));
    expect(store.entry(105)).toBe(screen);
  });
});

describe('CaptureStore: filters select the packets netrec replay prints events for', () => {
  const cases: [string, string][] = [
    ['fixtures/pcap/dns-udp.pcap', 'event=net_packet_dns_response'],
    ['fixtures/pcap/dns-udp.pcap', "-t 'net_packet_dns.args.proto_dns.responseCode=non-existent domain' -t event=net_packet_dns"],
    ['fixtures/pcap/dns-tcp.pcap', 'event=net_packet_dns'],
    ['fixtures/pcap/tcp.pcap', 'event=net_packet_tcp net_packet_tcp.args.proto_tcp.SYN=1'],
    ['fixtures/pcap/mixed.pcapng', 'event=net_packet_icmpv6,net_packet_udp'],
    ['fixtures/pcap/icmp.pcap', 'event=net_packet_ipv6 net_packet_ipv6.args.proto_ipv6.hopLimit>64'],
  ];
  for (const [path, text] of cases) {
    it(`${path}: ${text}`, async () => {
      const store = await openIndexed(path);
      const { view } = store.filter(text);
      const numbers = await numbersOf(store, view);
      const expected = await replayedTimestamps(path, splitFilterText(text));
      const matched = numbers.map((n) => store.index.timestampAt(store.index.positionOfNumber(n)));
      expect(new Set(matched)).toEqual(expected);
      expect(numbers.length).toBeGreaterThan(0);
      view.close();
    });
  }

  it('reports a filter the engine refuses with its message', async () => {
    const store = await openIndexed('fixtures/pcap/dns-udp.pcap');
    expect(() => store.filter('comm2=x')).toThrow(
      new UsageError(
        `invalid filter 'comm2=x': unknown field 'comm2' (valid: event, set, comm, pid, tid, ppid, uid, mntns, pidns, uts, cgroupId, container, host, follow, !container, <event>.args.<arg>[.<field>...], <event>.context.<field>, <event>.retval)`,
      ),
    );
    expect(() => store.filter("event='x")).toThrow(/unterminated ' quote/);
    expect(store.filter('  ').view).toBe(store.all);
  });

  it('warns that a process filter on a plain pcap matches nothing', async () => {
    const store = await openIndexed('fixtures/pcap/dns-udp.pcap');
    const { view, warnings } = store.filter('comm=dig');
    expect(warnings).toEqual(['process filters (comm=dig) match nothing: the input has no process context (a plain pcap carries none)']);
    expect(await numbersOf(store, view)).toEqual([]);
  });
});

describe('CaptureStore: follow', () => {
  it('follows a TCP flow in both directions', async () => {
    const store = await openIndexed('fixtures/pcap/tcp.pcap');
    const entry = (await store.entries([2]))[0]!;
    const view = store.follow(entry) as PacketView;
    expect(view.title).toBe('TCP flow 172.16.17.1:35866 ↔ 172.16.17.2:5000');
    expect(await numbersOf(store, view)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });

  it('follows a DNS query to its response and gives the latency', async () => {
    const store = await openIndexed('fixtures/pcap/dns-udp.pcap');
    const [query, response] = await store.entries([2, 3]);
    const fromQuery = store.follow(query!) as PacketView;
    expect(await numbersOf(store, fromQuery)).toEqual([3, 4]);
    expect(fromQuery.note).toBe('answered in 3.262 ms (no error, 1 answer)');
    const fromResponse = store.follow(response!) as PacketView;
    expect(await numbersOf(store, fromResponse)).toEqual([3, 4]);
    expect(fromResponse.note).toBe(fromQuery.note);
    expect(fromResponse.title).toBe('DNS exchange id 59f4');
  });

  it('follows a DNS exchange recorded at both ends through both copies of each packet, over UDP and TCP', async () => {
    // dig on the host, named in a namespace: each packet is there as dig's and as named's copy.
    const store = await openIndexed('fixtures/recordings/dns.nev');
    const [udpQuery, tcpQuery, tcpResponseCopy] = await store.entries([0, 38, 43]);
    const udp = store.follow(udpQuery!) as PacketView;
    expect(await numbersOf(store, udp)).toEqual([1, 2, 3, 4]);
    expect(udp.note).toMatch(/^answered in \d+\.\d{3} ms \(no error, 1 answer\)$/);
    const tcp = store.follow(tcpQuery!) as PacketView;
    expect(tcp.title).toBe('DNS exchange id 99fe');
    expect(await numbersOf(store, tcp)).toEqual([39, 40, 43, 44]);
    expect(tcp.note).toMatch(/^answered in \d+\.\d{3} ms \(no error, \d+ answers?\)$/);
    const fromResponse = store.follow(tcpResponseCopy!) as PacketView;
    expect(await numbersOf(store, fromResponse)).toEqual([39, 40, 43, 44]);
  });

  it('says why a packet cannot be followed', async () => {
    const store = await openIndexed('fixtures/pcap/icmp.pcap');
    const [echo] = await store.entries([0]);
    expect(store.follow(echo!)).toEqual({ problem: 'follow needs a TCP, UDP or DNS packet' });
  });
});

describe('CaptureStore: stats', () => {
  it('counts protocols, talkers and DNS names in one background pass (as tshark counts them)', async () => {
    const store = await openIndexed('fixtures/pcap/mixed.pcapng');
    const stats = store.stats();
    await until(() => stats.done);
    expect(Object.fromEntries([...stats.protocols].filter(([, n]) => n > 0))).toEqual({ IPv4: 18, IPv6: 12, TCP: 26, UDP: 2, ICMPv6: 2, DNS: 4 });
    expect(stats.names.top(3, 'packets').map((n) => [n.key, n.packets])).toEqual([['netrec.test', 2]]);
    expect(stats.talkers.top(1, 'packets')[0]!.key).toBe('172.16.17.1');
    expect(store.stats()).toBe(stats);
  });
});

describe('CaptureStore: search', () => {
  it('finds rows by their text, forwards and backwards, wrapping around', async () => {
    const store = await openIndexed('fixtures/pcap/dns-udp.pcap');
    const search = (text: string, from: number, direction: 1 | -1) =>
      searchRows(store, { view: store.all, text, from, direction, signal: new AbortController().signal, progress: () => {} });
    expect(await search('NOPE.netrec', 0, 1)).toEqual({ row: 24, wrapped: false });
    expect(await search('nope.netrec', 25, 1)).toEqual({ row: 42, wrapped: false });
    expect(await search('nope.netrec', 43, 1)).toEqual({ row: 24, wrapped: true });
    expect(await search('nope.netrec', 24, -1)).toEqual({ row: 43, wrapped: true });
    expect(await search('dns_resp', 0, 1)).toEqual({ row: 1, wrapped: false });
    expect(await search('no such text', 0, 1)).toBeUndefined();
  });
});

describe('CaptureStore on a recording with process context', () => {
  it('builds the process tree with counts, and filters by process and descendants', async () => {
    const path = join(dir, 'lab.nev');
    await writeRecording(path);
    const store = await openIndexed(path);
    expect(store.hasProcessContext).toBe(true);
    const rows = store.processes.rows(true).map((r) => [r.depth, r.info.task.processName, r.info.packets, r.totalPackets]);
    expect(rows).toEqual([
      [0, 'systemd', 0, 44],
      [1, 'sshd', 0, 44],
      [2, 'bash', 0, 44],
      [3, 'dig', 30, 30],
      [3, 'curl', 14, 14],
    ]);
    expect(store.processes.get(4242)!.exePath).toBe('/usr/bin/dig');
    expect(store.processes.ancestors(store.processes.get(4300)!.task).map((p) => p.task.processName)).toEqual(['bash', 'sshd', 'systemd']);
    expect(store.processes.descendants(900)).toEqual([4200, 4242, 4300]);
    expect(await numbersOf(store, store.filter('comm=curl').view)).toEqual(Array.from({ length: 14 }, (_, i) => i + 31));
    expect((await numbersOf(store, store.filter('comm=bash follow').view)).length).toBe(44);
    expect(await numbersOf(store, store.filter('comm=bash').view)).toEqual([]);
  });
});

const RECORDED = 'fixtures/recordings/process-tree.nev';

describe('CaptureStore on a recording made by netrec record', () => {
  it.skipIf(!existsSync(RECORDED))('shows each packet under the process that owns it, in the process tree', async () => {
    const pids = JSON.parse(readFileSync('fixtures/recordings/process-tree.json', 'utf8')) as { parent: number; subshell: number; nc: number };
    const store = await openIndexed(RECORDED);
    expect(store.hasProcessContext).toBe(true);
    const parent = store.processes.rows(true).find((r) => r.info.task.hostProcessId === pids.parent)!;
    expect(parent.info.packets).toBe(0);
    expect(store.processes.descendants(pids.parent)).toEqual(expect.arrayContaining([pids.subshell, pids.nc]));
    const owned = await numbersOf(store, store.filter(`pid=${[pids.parent, ...store.processes.descendants(pids.parent)].join(',')}`).view);
    expect(owned.length).toBe(parent.totalPackets);
    expect(owned.length).toBeGreaterThan(0);
  });
});
