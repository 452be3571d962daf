/**
 * `netrec stats`: the questions a responder asks first, answered from decoded packets (the same
 * decode replay runs): which conversations took place and who owned each end, which DNS
 * questions were asked and answered (and how fast, and by whom), and who talked most.
 * This module counts; report.ts summarises and renders.
 */
import type { CapturedPacket } from '../core/packet.ts';
import { flowOf } from '../decode/flow.ts';
import type { DecodedPacket } from '../decode/packet.ts';
import { ipString } from '../event/ip-string.ts';
import { ConversationTable, type Conversation } from './conversations.ts';
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
    let counted = true;
    let key = '';
    if (flow !== undefined) {
      key = `${flow.protocol}|${flow.a.join('.')}|${flow.aPort}|${flow.b.join('.')}|${flow.bPort}`;
      counted = !this.copies.isSecondCopy(key, p.direction, p.timestamp, p.originalLength, p.data);
    }
    // Each process that sent or received the packet talked, so both copies count for theirs.
    if (p.task !== undefined) this.processes.add(`${p.task.processName} (${p.task.hostProcessId})`, p.originalLength);
    if (!counted) {
      if (flow !== undefined && (d.tcp !== undefined || d.udp !== undefined)) this.conversations.add(key, flow, p, d.tcp, false);
      return;
    }
    this.packets++;
    this.bytes += p.originalLength;
    if (this.first === undefined || p.timestamp < this.first) this.first = p.timestamp;
    if (this.last === undefined || p.timestamp > this.last) this.last = p.timestamp;
    if (flow === undefined || ip === undefined) {
      this.notIp++;
      return;
    }
    if (p.direction === 'egress') this.remotes.add(ipString(ip.dst), p.originalLength);
    else if (p.direction === 'ingress') this.remotes.add(ipString(ip.src), p.originalLength);
    else {
      this.remotes.add(ipString(ip.src), p.originalLength);
      this.remotes.add(ipString(ip.dst), p.originalLength);
    }
    let conversation: Conversation | undefined;
    if (d.tcp !== undefined || d.udp !== undefined) conversation = this.conversations.add(key, flow, p, d.tcp, true);
    const ports = d.tcp ?? d.udp;
    if (ports === undefined || d.dns.length === 0) return;
    const endpoints = {
      protocol: d.tcp !== undefined ? ('tcp' as const) : ('udp' as const),
      src: ipString(ip.src),
      srcPort: ports.srcPort,
      dst: ipString(ip.dst),
      dstPort: ports.dstPort,
    };
    for (const m of d.dns) this.dns.add(m, p.timestamp, endpoints, conversation);
  }

  lost(kernelLost: bigint, userDropped: bigint): void {
    this.kernelLost += kernelLost;
    this.userDropped += userDropped;
  }
}

