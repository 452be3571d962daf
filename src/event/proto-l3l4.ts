/**
 * Decoded L3/L4 headers → Tracee's proto_* argument values. Object literals list the keys in
 * the interfaces' order because that order is the JSON key order.
 */
import type { ICMPv4Header, ICMPv6Header, IPv4Header, IPv6Header, TCPHeader, UDPHeader } from '../decode/types.ts';
import { ipString } from './ip-string.ts';
import { icmpv4TypeCode, icmpv6TypeCode, ipProtocolName } from './strings.ts';
import type { ProtoICMP, ProtoICMPv6, ProtoIPv4, ProtoIPv6, ProtoTCP, ProtoUDP } from './types.ts';

/** `src`/`dst`: the address strings when the caller already has them. */
export function toProtoIPv4(h: IPv4Header, src = ipString(h.src), dst = ipString(h.dst)): ProtoIPv4 {
  return {
    version: h.version,
    IHL: h.ihl,
    TOS: h.tos,
    length: h.length,
    id: h.id,
    flags: h.flags,
    fragOffset: h.fragOffset,
    TTL: h.ttl,
    protocol: ipProtocolName(h.protocol),
    checksum: h.checksum,
    srcIP: src,
    dstIP: dst,
  };
}

/** nextHeader is the fixed header's Next Header, not the transport found past extensions. */
export function toProtoIPv6(h: IPv6Header, src = ipString(h.src), dst = ipString(h.dst)): ProtoIPv6 {
  return {
    version: h.version,
    trafficClass: h.trafficClass,
    flowLabel: h.flowLabel,
    length: h.length,
    nextHeader: ipProtocolName(h.nextHeader),
    hopLimit: h.hopLimit,
    srcIP: src,
    dstIP: dst,
  };
}

/** CWR carries the real bit; Tracee always printed 0 there (a bug netrec does not copy). */
export function toProtoTCP(h: TCPHeader): ProtoTCP {
  const f = h.flags;
  return {
    srcPort: h.srcPort,
    dstPort: h.dstPort,
    seq: h.seq,
    ack: h.ack,
    dataOffset: h.dataOffset,
    FIN: f & 0x01,
    SYN: (f >> 1) & 1,
    RST: (f >> 2) & 1,
    PSH: (f >> 3) & 1,
    ACK: (f >> 4) & 1,
    URG: (f >> 5) & 1,
    ECE: (f >> 6) & 1,
    CWR: (f >> 7) & 1,
    NS: h.ns ? 1 : 0,
    window: h.window,
    checksum: h.checksum,
    urgent: h.urgent,
  };
}

export function toProtoUDP(h: UDPHeader): ProtoUDP {
  return { srcPort: h.srcPort, dstPort: h.dstPort, length: h.length, checksum: h.checksum };
}

export function toProtoICMP(h: ICMPv4Header): ProtoICMP {
  return { typeCode: icmpv4TypeCode(h.type, h.code), checksum: h.checksum, id: h.id, seq: h.seq };
}

export function toProtoICMPv6(h: ICMPv6Header): ProtoICMPv6 {
  return { typeCode: icmpv6TypeCode(h.type, h.code), checksum: h.checksum };
}
