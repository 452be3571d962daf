/**
 * The TUI decodes through the pipeline's decode → events step (issue 11): what a row, the detail
 * pane, a search and a follow say about a packet is what `netrec replay` says about it, even when
 * the packet is read alone, in the middle of a file, by position.
 */
import { describe, expect, it } from 'vitest';
import type { CapturedPacket } from '../../src/core/packet.ts';
import { ALL_EVENTS } from '../../src/event/selection.ts';
import type { EventName, TraceeEvent } from '../../src/event/types.ts';
import { replay } from '../../src/pipeline/replay.ts';
import { openCapture } from '../../src/replay/open.ts';
import { rowEvent } from '../../src/tui/store/entry.ts';
import type { PacketView } from '../../src/tui/store/view.ts';
import { memorySink } from '../helpers/memory-sink.ts';
import { showApp } from './helpers/app.tsx';
import { numbersOf, openIndexed } from './helpers/store.ts';

/** The events `netrec replay` builds for each packet, by packet number. */
async function replayedEvents(path: string): Promise<Map<number, EventName[]>> {
  const byPacket = new Map<number, EventName[]>();
  let pending: EventName[] = [];
  const sink = memorySink((e: TraceeEvent) => void pending.push(e.eventName));
  const packets = {
    depth: 0 as const,
    packet(p: CapturedPacket) {
      byPacket.set(p.number, pending);
      pending = [];
    },
  };
  await replay({ sources: [await openCapture(path)], events: ALL_EVENTS, sink, packets });
  return byPacket;
}

describe('a packet read alone decodes as replay decodes it in file order', () => {
  for (const path of ['fixtures/pcap/dns-tcp.pcap', 'fixtures/recordings/dns.nev', 'fixtures/pcap/mixed.pcapng']) {
    it(`every packet of ${path}, read from the last to the first without a cache, has replay's events`, async () => {
      const expected = await replayedEvents(path);
      const store = await openIndexed(path, { cacheCapacity: 0 });
      expect(store.index.length).toBe(expected.size);
      for (let p = store.index.length - 1; p >= 0; p--) {
        const [entry] = await store.entries([p]);
        expect([entry!.packet.number, entry!.events.map((e) => e.eventName)]).toEqual([entry!.packet.number, expected.get(entry!.packet.number)]);
      }
    });
  }

  it('shows a DNS message split over two TCP segments as DNS on the segment that completes it', async () => {
    const store = await openIndexed('fixtures/pcap/dns-tcp.pcap', { cacheCapacity: 0 });
    // Packet 58 ends the 2312-byte answer for big.netrec.test (1208 + 1106 bytes).
    const [entry] = await store.entries([57]);
    expect(rowEvent(entry!)?.eventName).toBe('net_packet_dns_response');
    expect(entry!.decoded.dns[0]!.answers).toHaveLength(8);
    expect(entry!.summary.info).toMatch(/^d68b TXT\? big\.netrec\.test → TXT "big-0\d-x+", TXT "big-0\d-x+", TXT "big-0\d-x+" \+5 more$/);
    expect(entry!.decoded.error).toBeUndefined();
  });
});

describe('the screen', () => {
  const show = async (path: string) => showApp(await openIndexed(path), { columns: 120, rows: 40 });

  it('lists the DNS answer split over TCP segments as dns_resp after a jump straight to it, and finds it by search', async () => {
    const { sees, press } = await show('fixtures/pcap/dns-tcp.pcap');
    await sees(/^ +1 \S+ tcp/m);
    await press(':', ...'58', '\r');
    await sees(/^ 58 \S+ dns_resp +172\.16\.17\.2:53 → 172\.16\.17\.1:36523 +d68b TXT\? big\.netrec\.test → TXT/m);
    await press('g', '/', ...'big-08', '\r');
    await sees(/ 58\/106\n/);
  });

  it('shows every layer of a TCP packet in the detail pane, IP before TCP, the row event open', async () => {
    const { sees, press, frame } = await show('fixtures/pcap/tcp.pcap');
    await sees(/^ +1 \S+ tcp/m);
    await press('\r');
    await sees('Detail: packet 1');
    const lines = frame().split('\n');
    const ipv4 = lines.findIndex((l) => /│?\+ net_packet_ipv4 \(\d+\) +\S+ +\{2\}/.test(l));
    const tcp = lines.findIndex((l) => /- net_packet_tcp \(\d+\) /.test(l));
    expect(ipv4).toBeGreaterThan(0);
    expect(tcp).toBe(ipv4 + 1);
    expect(lines[tcp + 1]).toMatch(/ {2}- args/);
    // The cursor starts on the row's event, whose header the hex pane marks (TCP: 20 bytes + options).
    expect(frame()).toMatch(/Bytes: 74, bytes 34-73 marked/);
  });

  it('follows a DNS exchange recorded at both ends from any copy of any of its packets, with both copies of each', async () => {
    const { store, sees, press } = await show('fixtures/recordings/dns.nev');
    await sees(/^ +1 \S+ /m);
    // Packets 1-4: the UDP query and its response, each as the sender's egress and the receiver's ingress.
    for (const n of [1, 2, 3, 4]) {
      const [entry] = await store.entries([n - 1]);
      expect(await numbersOf(store, store.follow(entry!) as PacketView)).toEqual([1, 2, 3, 4]);
    }
    // 39/40 the TCP query (MX), 43/44 its response.
    for (const n of [39, 40, 43, 44]) {
      const [entry] = await store.entries([n - 1]);
      expect(await numbersOf(store, store.follow(entry!) as PacketView)).toEqual([39, 40, 43, 44]);
    }
    await press(':', ...'40', '\r', 'F');
    await sees(/DNS exchange id [0-9a-f]{4} +2\/4\n/);
  });
});
