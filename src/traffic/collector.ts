/**
 * The questions a responder asks first, counted over decoded packets (the same decode replay
 * runs): which conversations took place and who owned each end, which DNS questions were asked
 * and answered (and how fast, and by whom), and who talked most. One aggregation, two views:
 * `netrec stats` summarises and renders it (src/stats/), and the `flows` and `dns_transactions`
 * tables lay it out as rows (src/table/), so the two cannot disagree.
 */
import type { CapturedPacket } from '../core/packet.ts';
import { flowOf } from '../decode/flow.ts';
import type { DecodedPacket } from '../decode/packet.ts';
import { ipString } from '../event/ip-string.ts';
import { ConversationTable } from './conversations.ts';
import { CopyMatcher } from './copies.ts';
import { DnsTransactions } from './dns-transactions.ts';
import { TopCounter } from './top-counter.ts';

export interface StatsLimits {
  /** Conversations listed; packets of later flows are counted as overflow. */
  conversations: number;
  /** DNS transactions listed; later queries are counted as overflow. */
  transactions: number;
}

export const DEFAULT_LIMITS: StatsLimits = { conversations: 200_000, transactions: 200_000 };

export class StatsCollector {
  readonly conversations: ConversationTable;
  readonly dns: DnsTransactions;
  readonly copies = new CopyMatcher();
  /** Attributed packets per process ("comm (pid)"), sent or received. */
  readonly processes = new TopCounter();
  /** Packets per remote address: the destination of what left, the source of what arrived. */
  readonly remotes = new TopCounter();
  packets = 0;
  bytes = 0;
  /** Packets that are not IP (ARP, LLDP...) or whose IP header did not decode. */
  notIp = 0;
  first: bigint | undefined;
  last: bigint | undefined;
  kernelLost = 0n;
  userDropped = 0n;

  constructor(limits: StatsLimits = DEFAULT_LIMITS) {
    this.conversations = new ConversationTable(limits.conversations);
    this.dns = new DnsTransactions(limits.transactions);
  }

  add(p: CapturedPacket, d: DecodedPacket): void {
    const flow = flowOf(d);
    const ip = d.ipv4 ?? d.ipv6;
    // The address strings are made once per packet: the flow's key, its conversation, the
    // remote address and DNS all use them.
    const src = ip === undefined ? '' : ipString(ip.src);
    const dst = ip === undefined ? '' : ipString(ip.dst);
    let counted = true;
    let key = '';
    if (flow !== undefined) {
      key = flow.forward ? `${flow.protocol} ${src} ${flow.aPort} ${dst} ${flow.bPort}` : `${flow.protocol} ${dst} ${flow.aPort} ${src} ${flow.bPort}`;
      counted = !this.copies.isSecondCopy(key, p.direction, p.timestamp, p.originalLength, p.data);
    }
    // Each process that sent or received the packet talked, so both copies count for theirs.
    if (p.task !== undefined) this.processes.add(`${p.task.processName} (${p.task.hostProcessId})`, p.originalLength);
    const ports = d.tcp ?? d.udp;
    const ends = { src, dst };
    if (!counted) {
      if (flow !== undefined && ports !== undefined) this.conversations.add(key, flow, ends, p, d.tcp, false);
      return;
    }
    this.packets++;
    this.bytes += p.originalLength;
    if (this.first === undefined || p.timestamp < this.first) this.first = p.timestamp;
    if (this.last === undefined || p.timestamp > this.last) this.last = p.timestamp;
    if (flow === undefined) {
      this.notIp++;
      return;
    }
    if (p.direction !== 'ingress') this.remotes.add(dst, p.originalLength);
    if (p.direction !== 'egress') this.remotes.add(src, p.originalLength);
    if (ports === undefined) return;
    const conversation = this.conversations.add(key, flow, ends, p, d.tcp, true);
    if (d.dns.length === 0) return;
    const endpoints = { protocol: d.tcp !== undefined ? ('tcp' as const) : ('udp' as const), src, srcPort: ports.srcPort, dst, dstPort: ports.dstPort };
    for (const m of d.dns) this.dns.add(m, p.timestamp, endpoints, conversation);
  }

  lost(kernelLost: bigint, userDropped: bigint): void {
    this.kernelLost += kernelLost;
    this.userDropped += userDropped;
  }
}
