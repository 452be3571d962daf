/**
 * `netrec stats` against tshark's own statistics, on the same files: `-z conv,tcp`, `-z conv,udp`
 * (every conversation, frames and bytes each way) and `-z dns,tree` (queries, responses, rcodes,
 * matched request/response pairs with their latency range, unsolicited responses).
 *
 * 1. The real-traffic fixtures (fixtures/pcap), through the CLI as a user runs it: no exceptions.
 * 2. Every capture of ../shared/pcaps, in-process: differences are listed in EXCEPTIONS with the
 *    reason, and asserted exactly, so a new difference fails.
 * 3. The fixture recordings: tshark reads their pcapng export; packets recorded at both ends are
 *    counted once by netrec and twice by tshark (see recordings.test.ts), so tshark is given only
 *    the outbound copies, which on these all-local recordings are every packet once.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Depth } from '../../src/decode/packet.ts';
import { ALL_EVENTS } from '../../src/event/selection.ts';
import { replay } from '../../src/pipeline/replay.ts';
import { openCapture } from '../../src/replay/open.ts';
import { StatsCollector } from '../../src/traffic/collector.ts';
import { buildReport, type StatsReport } from '../../src/stats/report.ts';
import { netrec } from '../helpers/cli.ts';
import { requireShared } from '../helpers/shared.ts';
import { parseTsharkConversations, parseTsharkTree, tsharkAvailable, tsharkStatistics, type TsharkConversation } from '../helpers/tshark.ts';

const noTshark = !(await tsharkAvailable());
if (noTshark && process.env.CI === 'true') throw new Error('tshark is required on CI');
if (noTshark) console.warn('skipping the tshark statistics comparison: tshark not found');

const pcapDir = requireShared('pcaps');

/** netrec decodes DNS on port 53 only; tshark's tree is limited to the same. */
const DNS_TREE = 'dns,tree,udp.port==53 || tcp.port==53';

/** tshark 4.0's names of the rcodes (epan/dissectors/packet-dns.c, rcode_vals). */
const TSHARK_RCODES: Record<number, string> = {
  0: 'No error',
  1: 'Format error',
  2: 'Server failure',
  3: 'No such name',
  4: 'Not implemented',
  5: 'Refused',
  9: 'Not auth',
};

export interface Difference {
  /** Conversations tshark lists that netrec does not, or lists with other counts ("tcp a:1 b:2"). */
  conversations?: string[];
  /** DNS tree rows that differ, by path. */
  dns?: string[];
}

/**
 * Per shared capture, what differs from tshark and why. Files not listed agree exactly.
 */
const EXCEPTIONS: Record<string, Difference> = {
  // IPv6 routing headers: tshark files the datagram under the routing header's final destination,
  // netrec under the IPv6 header's destination address (the packet's next hop, as the event's dst).
  'pcapplusplus__ipv6_options.pcapng': {
    conversations: [
      'udp 2200::244:212:3fff:feae:22f7:5645 2200::210:2:0:0:4:5642: missing',
      'udp 2200::240:2:0:0:4|5642 2200::244:212:3fff:feae:22f7|5645: not in tshark',
    ],
  },
  'tcpdump__ipv6-routing-header.pcap': {
    conversations: [
      'udp 2200::244:212:3fff:feae:22f7:5645 2200::210:2:0:0:4:5642: missing',
      'udp 2200::244:212:3fff:feae:22f7:5645 2200::240:2:0:0:4:5642: netrec 1/86 0/0, tshark 1/102 0/0',
      'udp 2200::211:2:0:0:2|5642 2200::244:212:3fff:feae:22f7|5645: not in tshark',
    ],
  },
  // Packet 3's null/loopback header is no address family (see the tshark oracle's exceptions):
  // netrec does not decode it, tshark reads a DNS response under it.
  'pcapplusplus__null_loopback.pcap': {
    conversations: ['udp 10.0.0.138:53 10.0.0.1:58125: missing'],
    dns: ['responses: netrec 0, tshark 1', 'unsolicited responses: netrec 0, tshark 1'],
  },
  // The first query is junk (a compression pointer past the end): netrec rejects it, so the
  // response to it is unsolicited; tshark pairs them (1.5 s apart).
  'suricata-verify__dns-udp-junkrequest-first.pcap': {
    dns: ['answered: netrec 1, tshark 2', 'max latency (ms): netrec 6.488, tshark 1506.828979', 'unsolicited responses: netrec 1, tshark 0'],
  },
  // BADCOOKIE is the extended rcode 23 (OPT's upper bits with the header's 7): netrec reports the
  // whole rcode, as the events do (gopacket); tshark's tree counts the header's 4 bits.
  'tcpdump__dns-badcookie.pcap': { dns: ['rcode rcode 23: netrec 1, tshark 0'] },
  // The query's name is a compression pointer to itself: netrec rejects the message (see the
  // tshark oracle's exceptions), tshark counts it.
  'zeek__dns__dns-invalid-names.pcap': { dns: ['queries: netrec 0, tshark 1'] },
  // tshark marks the response Malformed (an HTTPS SvcParam runs past its RDATA) and leaves it out
  // of its tree; netrec does not dissect type 65 and counts a well-framed response.
  'zeek__dns__svcb-alpn-malformed-len-too-long.pcap': {
    dns: [
      'responses: netrec 1, tshark 0',
      'answered: netrec 1, tshark 0',
      'min latency (ms): netrec 1.459, tshark undefined',
      'max latency (ms): netrec 1.459, tshark undefined',
    ],
  },
  // Overlapping IPv4 fragments: tshark reassembles them and counts the datagram in the frame that
  // completes it (82 bytes); netrec does not reassemble and counts the first fragment (58 bytes),
  // whose TCP header it can read.
  'zeek__ipv4__fragmented-4.pcap': { conversations: ['tcp 128.32.46.142:7790 10.0.0.1:80: netrec 2/112 0/0, tshark 2/136 0/0'] },
};

async function statsInProcess(path: string): Promise<StatsReport> {
  const collector = new StatsCollector();
  await replay({
    sources: [await openCapture(path)],
    events: ALL_EVENTS,
    packets: { depth: Depth.Application, packet: (p, d) => collector.add(p, d) },
  });
  return buildReport(collector, [path], 10);
}

function statsByCli(...args: string[]): StatsReport {
  const run = netrec(['stats', ...args, '--output', 'json']);
  if (run.status !== 0) throw new Error(`netrec stats ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout) as StatsReport;
}

/** Go prints IPv4-mapped IPv6 addresses as dotted quads, tshark with their ::ffff: prefix. */
function address(text: string): string {
  return text.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
}

function endpointKey(e: { address: string; port: number }): string {
  return `${address(e.address)}|${e.port}`;
}

/** The conversations of both tools, compared; returns one line per difference. */
function conversationDifferences(ours: StatsReport, tshark: Record<'tcp' | 'udp', TsharkConversation[]>): string[] {
  const differences: string[] = [];
  for (const protocol of ['tcp', 'udp'] as const) {
    const mine = new Map<string, StatsReport['conversations'][number][]>();
    for (const c of ours.conversations.filter((c) => c.protocol === protocol)) {
      const key = [endpointKey(c.a), endpointKey(c.b)].sort().join(' ');
      mine.set(key, [...(mine.get(key) ?? []), c]);
    }
    for (const t of tshark[protocol]) {
      const key = [endpointKey(t.a), endpointKey(t.b)].sort().join(' ');
      const label = `${protocol} ${t.a.address}:${t.a.port} ${t.b.address}:${t.b.port}`;
      const c = mine.get(key)?.shift();
      if (c === undefined) {
        differences.push(`${label}: missing`);
        continue;
      }
      const sameA = endpointKey(c.a) === endpointKey(t.a);
      const [aToB, bToA] = sameA ? [c.aToB, c.bToA] : [c.bToA, c.aToB];
      const bytesDiffer = (mine: number, theirs: { value: number; tolerance: number }): boolean => Math.abs(mine - theirs.value) > theirs.tolerance;
      if (aToB.packets !== t.aToB.frames || bToA.packets !== t.bToA.frames || bytesDiffer(aToB.bytes, t.aToB.bytes) || bytesDiffer(bToA.bytes, t.bToA.bytes)) {
        differences.push(
          `${label}: netrec ${aToB.packets}/${aToB.bytes} ${bToA.packets}/${bToA.bytes}, tshark ${t.aToB.frames}/${t.aToB.bytes.value} ${t.bToA.frames}/${t.bToA.bytes.value}`,
        );
      }
    }
    for (const [key, left] of mine) for (const _ of left) differences.push(`${protocol} ${key}: not in tshark`);
  }
  return differences;
}

/** The DNS figures both tools give, compared; one line per difference. */
function dnsDifferences(ours: StatsReport, tree: ReturnType<typeof parseTsharkTree>): string[] {
  const d = ours.dns;
  const differences: string[] = [];
  const check = (what: string, mine: number | string, theirs: number | string | undefined): void => {
    if (mine !== (theirs ?? 0)) differences.push(`${what}: netrec ${mine}, tshark ${theirs ?? 0}`);
  };
  check('queries', d.queryMessages, tree.get('Total Packets / Query/Response / Query')?.count);
  check('responses', d.responseMessages, tree.get('Total Packets / Query/Response / Response')?.count);
  for (const { rcode, count } of d.responseCodes) {
    if (rcode === 0) continue;
    const name = TSHARK_RCODES[rcode] ?? `rcode ${rcode}`;
    check(`rcode ${name}`, count, tree.get(`Total Packets / rcode / ${name}`)?.count);
  }
  const pairs = tree.get('Service Stats / request-response time (msec)');
  check('answered', d.answered, pairs?.count);
  if (d.latency !== undefined && pairs !== undefined) {
    // tshark keeps the times as single-precision floats (45.773998 for 45.774 ms): equal within
    // that precision.
    const near = (what: string, mine: bigint, theirs: number | undefined): void => {
      const ms = Number(mine) / 1e6;
      if (theirs === undefined || Math.abs(ms - theirs) > Math.max(0.0005, theirs * 1e-7)) differences.push(`${what}: netrec ${ms}, tshark ${theirs}`);
    };
    near('min latency (ms)', d.latency.min, pairs.min);
    near('max latency (ms)', d.latency.max, pairs.max);
  }
  check('unsolicited responses', d.unsolicited, tree.get('Service Stats / no. of unsolicited responses')?.count);
  return differences;
}

async function tsharkView(path: string): Promise<{ conversations: Record<'tcp' | 'udp', TsharkConversation[]>; dns: ReturnType<typeof parseTsharkTree> }> {
  const [conv, dns] = await Promise.all([tsharkStatistics(path, ['conv,tcp', 'conv,udp']), tsharkStatistics(path, [DNS_TREE])]);
  return { conversations: { tcp: parseTsharkConversations(conv, 'TCP'), udp: parseTsharkConversations(conv, 'UDP') }, dns: parseTsharkTree(dns) };
}

describe.skipIf(noTshark)('netrec stats (CLI) on the fixture captures agrees with tshark', () => {
  const fixtures = readdirSync('fixtures/pcap').filter((f) => /\.pcap(ng)?$/.test(f));
  it.for(fixtures)('%s', async (file) => {
    const path = join('fixtures/pcap', file);
    const ours = statsByCli(path);
    const tshark = await tsharkView(path);
    expect(conversationDifferences(ours, tshark.conversations)).toEqual([]);
    expect(dnsDifferences(ours, tshark.dns)).toEqual([]);
    expect(ours.packets).toBeGreaterThan(0);
    if (file !== 'icmp.pcap') expect(ours.conversations.length).toBeGreaterThan(0);
  });
});

describe.skipIf(noTshark || pcapDir === undefined)('netrec stats on the shared captures agrees with tshark (exceptions explained)', () => {
  const dir = pcapDir!;
  const files = pcapDir === undefined ? [] : readdirSync(dir).filter((f) => /\.pcap(ng)?$/.test(f));
  it.concurrent.for(files)('%s', async (file, { expect }) => {
    const path = join(dir, file);
    let tshark;
    try {
      tshark = await tsharkView(path);
    } catch {
      return; // tshark refuses the file (broken headers): nothing to compare with
    }
    const ours = await statsInProcess(path);
    const found: Difference = {};
    const conversations = conversationDifferences(ours, tshark.conversations);
    const dns = dnsDifferences(ours, tshark.dns);
    if (conversations.length > 0) found.conversations = conversations;
    if (dns.length > 0) found.dns = dns;
    expect(found).toEqual(EXCEPTIONS[file] ?? {});
  });
});

describe.skipIf(noTshark)('netrec stats on the fixture recordings agrees with tshark on one copy of each packet', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netrec-stats-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const recordings = readdirSync('fixtures/recordings').filter((f) => f.endsWith('.nev'));
  it.for(recordings)('%s', async (name) => {
    const recording = join('fixtures/recordings', name);
    const exported = join(dir, `${name}.pcapng`);
    const outbound = join(dir, `${name}.out.pcapng`);
    expect(netrec(['export', recording, '-w', exported]).status).toBe(0);
    execFileSync('tshark', ['-r', exported, '-Y', 'frame.packet_flags_direction == 2', '-w', outbound], { stdio: 'pipe' });
    const ours = statsByCli(recording);
    const tshark = await tsharkView(outbound);
    expect(conversationDifferences(ours, tshark.conversations)).toEqual([]);
    expect(dnsDifferences(ours, tshark.dns)).toEqual([]);
    // Every TCP and UDP packet of these recordings went between two local sockets, so each has
    // a second copy. The ICMP ones do not: the kernel answers pings without a socket, so only the
    // ping side of each exchange is recorded (the recordings are limited to the fixture's cgroup).
    expect(ours.duplicates).toBe(name.startsWith('icmp') ? 0 : ours.packets);
    expect(ours.conversations.reduce((n, c) => n + c.copies, 0)).toBe(name.startsWith('icmp') ? 0 : ours.packets);
  });
});
