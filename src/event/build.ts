/**
 * Decoded headers → Tracee v0.10 events, one per selected layer, in layer order:
 * IP, then TCP/UDP/ICMP/ICMPv6, then for each DNS message net_packet_dns, _dns_request,
 * _dns_response. Decoding is not done here; formatting for output is not done here.
 */
import type { CapturedPacket, TaskContext } from '../core/packet.ts';
import type { DecodedPacket } from '../decode/packet.ts';
import type { DNSMessage } from '../decode/dns.ts';
import { ipString } from './ip-string.ts';
import {
  toProtoICMP,
  toProtoICMPv6,
  toProtoIPv4,
  toProtoIPv6,
  toProtoTCP,
  toProtoUDP,
} from './proto-l3l4.ts';
import { dnsRequestQuestions, dnsResponseData, pktMeta, toProtoDNS } from './dns.ts';
import { eventBit, type EventMask } from './selection.ts';
import { EventIds, type EventArg, type EventName, type TraceeEvent } from './types.ts';

const NO_TASK: TaskContext = {
  threadStartTime: 0n,
  processId: 0,
  threadId: 0,
  parentProcessId: 0,
  hostProcessId: 0,
  hostThreadId: 0,
  hostParentProcessId: 0,
  userId: 0,
  mountNamespace: 0,
  pidNamespace: 0,
  processName: '',
  hostName: '',
  cgroupId: 0n,
  containerId: '',
};

const BIT = {
  ipv4: eventBit('net_packet_ipv4'),
  ipv6: eventBit('net_packet_ipv6'),
  tcp: eventBit('net_packet_tcp'),
  udp: eventBit('net_packet_udp'),
  icmp: eventBit('net_packet_icmp'),
  icmpv6: eventBit('net_packet_icmpv6'),
  dns: eventBit('net_packet_dns'),
  request: eventBit('net_packet_dns_request'),
  response: eventBit('net_packet_dns_response'),
};

function envelope(pkt: CapturedPacket, name: EventName, args: EventArg[]): TraceeEvent {
  const t = pkt.task ?? NO_TASK;
  return {
    timestamp: pkt.timestamp,
    threadStartTime: t.threadStartTime,
    processorId: pkt.cpu ?? 0,
    processId: t.processId,
    cgroupId: t.cgroupId,
    threadId: t.threadId,
    parentProcessId: t.parentProcessId,
    hostProcessId: t.hostProcessId,
    hostThreadId: t.hostThreadId,
    hostParentProcessId: t.hostParentProcessId,
    userId: t.userId,
    mountNamespace: t.mountNamespace,
    pidNamespace: t.pidNamespace,
    processName: t.processName,
    // Undefined (and so absent from JSON) unless the process's name differs from the thread's.
    leaderName: t.leaderName !== t.processName ? t.leaderName : undefined,
    hostName: t.hostName,
    containerId: t.containerId,
    containerImage: '',
    containerName: '',
    podName: '',
    podNamespace: '',
    podUID: '',
    eventId: String(EventIds[name]),
    eventName: name,
    argsNum: args.length,
    returnValue: 0,
    stackAddresses: [0],
    contextFlags: { containerStarted: false },
    args,
  };
}

const str = (name: string, value: string): EventArg<string> => ({ name, type: 'const char*', value });
const u16 = (name: string, value: number): EventArg<number> => ({ name, type: 'u16', value });

/** Appends the selected events of one packet to `out`. */
export function buildEvents(
  pkt: CapturedPacket,
  d: DecodedPacket,
  wanted: EventMask,
  out: TraceeEvent[],
): void {
  const ip = d.ipv4 ?? d.ipv6;
  // Address strings cost more than the rest of a packet's decoding: only made for an event.
  if (!ip || (wanted & eventsOf(d)) === 0) return;
  const src = ipString(ip.src);
  const dst = ipString(ip.dst);

  if (d.ipv4 && wanted & BIT.ipv4) {
    out.push(envelope(pkt, 'net_packet_ipv4', [str('src', src), str('dst', dst), { name: 'proto_ipv4', type: 'trace.ProtoIPv4', value: toProtoIPv4(d.ipv4, src, dst) }]));
  }
  if (d.ipv6 && wanted & BIT.ipv6) {
    out.push(envelope(pkt, 'net_packet_ipv6', [str('src', src), str('dst', dst), { name: 'proto_ipv6', type: 'trace.ProtoIPv6', value: toProtoIPv6(d.ipv6, src, dst) }]));
  }

  const ports = d.tcp ?? d.udp;
  if (d.tcp && wanted & BIT.tcp) {
    out.push(envelope(pkt, 'net_packet_tcp', [str('src', src), str('dst', dst), u16('src_port', d.tcp.srcPort), u16('dst_port', d.tcp.dstPort), { name: 'proto_tcp', type: 'trace.ProtoTCP', value: toProtoTCP(d.tcp) }]));
  } else if (d.udp && wanted & BIT.udp) {
    out.push(envelope(pkt, 'net_packet_udp', [str('src', src), str('dst', dst), u16('src_port', d.udp.srcPort), u16('dst_port', d.udp.dstPort), { name: 'proto_udp', type: 'trace.ProtoUDP', value: toProtoUDP(d.udp) }]));
  } else if (d.icmp && wanted & BIT.icmp) {
    out.push(envelope(pkt, 'net_packet_icmp', [str('src', src), str('dst', dst), { name: 'proto_icmp', type: 'trace.ProtoICMP', value: toProtoICMP(d.icmp) }]));
  } else if (d.icmpv6 && wanted & BIT.icmpv6) {
    out.push(envelope(pkt, 'net_packet_icmpv6', [str('src', src), str('dst', dst), { name: 'proto_icmpv6', type: 'trace.ProtoICMPv6', value: toProtoICMPv6(d.icmpv6) }]));
  }

  if (!ports || d.dns.length === 0) return;
  // PktMeta.packet_len is the IP header's length field: IPv4 Total Length, IPv6 Payload Length.
  const meta = pktMeta(src, dst, ports.srcPort, ports.dstPort, d.tcp ? 6 : 17, ip.length);
  for (const m of d.dns) buildDnsEvents(pkt, m, src, dst, ports.srcPort, ports.dstPort, meta, wanted, out);
}

/** The events this packet can produce at all. */
function eventsOf(d: DecodedPacket): EventMask {
  let mask = d.ipv4 ? BIT.ipv4 : BIT.ipv6;
  if (d.tcp) mask |= BIT.tcp;
  else if (d.udp) mask |= BIT.udp;
  else if (d.icmp) mask |= BIT.icmp;
  else if (d.icmpv6) mask |= BIT.icmpv6;
  if (d.dns.length > 0) mask |= BIT.dns | BIT.request | BIT.response;
  return mask;
}

function buildDnsEvents(
  pkt: CapturedPacket,
  m: DNSMessage,
  src: string,
  dst: string,
  srcPort: number,
  dstPort: number,
  meta: ReturnType<typeof pktMeta>,
  wanted: EventMask,
  out: TraceeEvent[],
): void {
  if (wanted & BIT.dns) {
    out.push(envelope(pkt, 'net_packet_dns', [str('src', src), str('dst', dst), u16('src_port', srcPort), u16('dst_port', dstPort), { name: 'proto_dns', type: 'trace.ProtoDNS', value: toProtoDNS(m) }]));
  }
  if (!m.qr && wanted & BIT.request) {
    out.push(envelope(pkt, 'net_packet_dns_request', [{ name: 'metadata', type: 'trace.PktMeta', value: meta }, { name: 'dns_questions', type: '[]trace.DnsQueryData', value: dnsRequestQuestions(m) }]));
  }
  if (m.qr && wanted & BIT.response) {
    out.push(envelope(pkt, 'net_packet_dns_response', [{ name: 'metadata', type: 'trace.PktMeta', value: meta }, { name: 'dns_response', type: '[]trace.DnsResponseData', value: [dnsResponseData(m)] }]));
  }
}
