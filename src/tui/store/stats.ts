/**
 * Capture-wide figures for the stats view: packets per protocol, top talkers, top DNS names, and
 * what `netrec stats` reports (conversations, DNS transactions, top processes: the same
 * StatsCollector, src/stats/). Gathered by one background pass (decode only, no events), started
 * the first time the view is opened, in bounded memory (see TopCounter).
 */
import type { CapturedPacket } from '../../core/packet.ts';
import { Depth, type DecodedPacket } from '../../decode/packet.ts';
import { goString } from '../../event/go-string.ts';
import { ipString } from '../../event/ip-string.ts';
import { StatsCollector } from '../../traffic/collector.ts';
import { buildReport, type StatsReport } from '../../stats/report.ts';
import type { Matcher } from './match-pass.ts';
import { TopCounter } from '../../traffic/top-counter.ts';
import { ProcessReach } from './process-reach.ts';

/** Protocol rows of the stats view, in display order. */
export const PROTOCOLS = ['IPv4', 'IPv6', 'TCP', 'UDP', 'ICMP', 'ICMPv6', 'DNS', 'other IP', 'not IP', 'decode problems'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export class CaptureStats {
  readonly protocols = new Map<Protocol, number>(PROTOCOLS.map((p) => [p, 0]));
  /** Addresses, counting each packet for its source and its destination. */
  readonly talkers = new TopCounter();
  /** Names asked in DNS queries. */
  readonly names = new TopCounter();
  /** Conversations, DNS transactions and top processes, as `netrec stats` counts them. */
  readonly collector = new StatsCollector();
  /** Per process: distinct DNS names and remote addresses (the processes screen's orders). */
  readonly reach = new ProcessReach();
  examined = 0;
  /** Packets counted: all those examined, or the ones `only` kept. */
  counted = 0;
  done = false;
  failure: string | undefined;
  #report: StatsReport | undefined;

  /** The `netrec stats` report, built once counting is done (undefined before). */
  report(top: number): StatsReport | undefined {
    if (!this.done) return undefined;
    this.#report ??= buildReport(this.collector, [], top);
    return this.#report;
  }

  /** A matcher that matches nothing and counts every packet (or those `only` keeps). */
  matcher(only?: (packet: CapturedPacket) => boolean): Matcher {
    return {
      depth: Depth.Application,
      events: 0,
      test: (packet, d) => {
        if (only !== undefined && !only(packet)) return false;
        this.counted++;
        this.#count(d, packet.originalLength);
        this.collector.add(packet, d);
        this.reach.add(packet, d);
        return false;
      },
    };
  }

  #count(d: DecodedPacket, bytes: number): void {
    const bump = (p: Protocol): void => void this.protocols.set(p, this.protocols.get(p)! + 1);
    const ip = d.ipv4 ?? d.ipv6;
    if (d.error !== undefined) bump('decode problems');
    if (ip === undefined) {
      if (d.error === undefined) bump('not IP');
      return;
    }
    bump(d.ipv4 !== undefined ? 'IPv4' : 'IPv6');
    if (d.tcp !== undefined) bump('TCP');
    else if (d.udp !== undefined) bump('UDP');
    else if (d.icmp !== undefined) bump('ICMP');
    else if (d.icmpv6 !== undefined) bump('ICMPv6');
    else bump('other IP');
    if (d.dns.length > 0) bump('DNS');
    this.talkers.add(ipString(ip.src), bytes);
    this.talkers.add(ipString(ip.dst), bytes);
    for (const m of d.dns) {
      if (m.qr) continue;
      for (const q of m.questions) this.names.add(goString(q.name), bytes);
    }
  }
}
