/**
 * One captured frame → its headers, layer by layer, stopping at the first layer that fails or at
 * the depth the caller needs (layers no selected event needs are never decoded).
 */
import type { Direction } from '../core/packet.ts';
import { decodeDNS, splitTCPDNS } from './dns.ts';
import { decodeICMPv4 } from './icmp.ts';
import { decodeICMPv6 } from './icmpv6.ts';
import { decodeIPv4 } from './ipv4.ts';
import { decodeIPv6 } from './ipv6.ts';
import { decodeLink } from './link.ts';
import { decodeTCP } from './tcp.ts';
import type { TcpDnsReassembler } from './tcp-dns-stream.ts';
import { decodeUDP, udpPayloadEnd, UDP_HEADER_LENGTH } from './udp.ts';
import {
  DecodeError,
  type DNSMessage,
  type ICMPv4Header,
  type ICMPv6Header,
  type IPv4Header,
  type IPv6Header,
  type LinkResult,
  type TCPHeader,
  type UDPHeader,
} from './types.ts';

/** How far to decode: each level includes the ones before it. */
export const Depth = { Network: 1, Transport: 2, Application: 3 } as const;
export type Depth = (typeof Depth)[keyof typeof Depth];

/** A protocol layer decodePacket can fill in, named as DecodedPacket's fields are. */
export type LayerName = 'link' | 'ipv4' | 'ipv6' | 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'dns';

export interface DecodedPacket {
  /**
   * The layers that decoded, outermost first: 'link', then the network, transport and
   * application layers as far as the depth and the bytes allowed (the failed one is not listed).
   */
  layers: LayerName[];
  /** Where the link layer leaves the network layer (set once 'link' decoded). */
  link?: LinkResult;
  ipv4?: IPv4Header;
  ipv6?: IPv6Header;
  tcp?: TCPHeader;
  udp?: UDPHeader;
  icmp?: ICMPv4Header;
  icmpv6?: ICMPv6Header;
  /** DNS messages carried by the packet (several when DNS over TCP packs them). */
  dns: DNSMessage[];
  /**
   * Where the bytes after the transport header lie in the frame (TCP/UDP data, ICMPv4 after 8
   * bytes, ICMPv6 after 4): set from Depth.Transport on, for readers that look at payloads.
   */
  payloadStart?: number;
  payloadEnd?: number;
  /** The first layer that failed; the layers before it are still filled in. */
  error?: DecodeError;
}

const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_ICMPV6 = 58;
const DNS_PORT = 53;
const IPV4_MF = 1;
const NO_DNS: DNSMessage[] = [];
const ICMPV4_HEADER_LENGTH = 8;
const ICMPV6_HEADER_LENGTH = 4;

/**
 * `streams`, when given, puts DNS-over-TCP messages split across segments back together; without
 * it each segment is decoded on its own. `copy` says which copy of a packet this is when one
 * capture holds two: a recording of a conversation between two local sockets has each packet
 * twice, as the sender's egress and as the receiver's ingress. Each copy is reassembled on its
 * own, so both ends get their DNS messages (as they do over UDP), where one stream would take
 * the second copy for a retransmission.
 */
export function decodePacket(data: Uint8Array, linkType: number, depth: Depth, streams?: TcpDnsReassembler, copy?: Direction): DecodedPacket {
  const out: DecodedPacket = { layers: [], dns: NO_DNS };
  const link = decodeLink(data, linkType);
  if (link instanceof DecodeError) return fail(out, link);
  out.link = link;
  out.layers.push('link');
  if (link.ipVersion === 0) return out;

  let protocol: number;
  let start: number;
  let end: number;
  let fragmented: boolean;
  if (link.ipVersion === 4) {
    const ip = decodeIPv4(data, link.offset);
    if (ip instanceof DecodeError) return fail(out, ip);
    out.ipv4 = ip;
    out.layers.push('ipv4');
    // A non-first fragment carries the middle of a datagram: it gives the IPv4 event only.
    if (depth < Depth.Transport || ip.fragOffset !== 0) return out;
    protocol = ip.protocol;
    start = link.offset + ip.payloadOffset;
    end = link.offset + ip.payloadEnd;
    fragmented = (ip.flags & IPV4_MF) !== 0;
  } else {
    const ip = decodeIPv6(data, link.offset);
    if (ip instanceof DecodeError) return fail(out, ip);
    out.ipv6 = ip;
    out.layers.push('ipv6');
    if (ip.extError) return fail(out, ip.extError);
    if (depth < Depth.Transport || ip.laterFragment) return out;
    protocol = ip.transportProtocol;
    start = link.offset + ip.payloadOffset;
    end = link.offset + ip.payloadEnd;
    fragmented = ip.moreFragments;
  }

  switch (protocol) {
    case IPPROTO_TCP: {
      const tcp = decodeTCP(data, start, end);
      if (tcp instanceof DecodeError) return fail(out, tcp);
      out.tcp = tcp;
      out.layers.push('tcp');
      setPayload(out, start + tcp.payloadOffset, end);
      if (depth >= Depth.Application && isDNSPort(tcp)) {
        const payload = data.subarray(start + tcp.payloadOffset, end);
        if (fragmented && payload.length > 0) return fail(out, unreassembledFragment());
        if (streams) {
          const ip = (out.ipv4 ?? out.ipv6)!;
          const flow = `${ip.src.join('.')}/${tcp.srcPort}>${ip.dst.join('.')}/${tcp.dstPort}${copy === 'ingress' ? ' in' : copy === 'egress' ? ' out' : ''}`;
          const { messages, notice } = streams.push(flow, tcp, payload);
          for (const m of messages) if (!addDNS(out, decodeDNS(m))) break;
          if (notice) fail(out, notice);
        } else decodeTCPDNS(payload, out);
      }
      return out;
    }
    case IPPROTO_UDP: {
      const udp = decodeUDP(data, start, end);
      if (udp instanceof DecodeError) return fail(out, udp);
      out.udp = udp;
      out.layers.push('udp');
      setPayload(out, start + UDP_HEADER_LENGTH, start + udpPayloadEnd(udp, end - start));
      if (depth >= Depth.Application && isDNSPort(udp)) {
        const payload = data.subarray(start + UDP_HEADER_LENGTH, start + udpPayloadEnd(udp, end - start));
        if (payload.length > 0) {
          if (fragmented) return fail(out, unreassembledFragment());
          addDNS(out, decodeDNS(payload));
        }
      }
      return out;
    }
    case IPPROTO_ICMP: {
      const icmp = decodeICMPv4(data, start, end);
      if (icmp instanceof DecodeError) return fail(out, icmp);
      out.icmp = icmp;
      out.layers.push('icmp');
      setPayload(out, start + ICMPV4_HEADER_LENGTH, end);
      return out;
    }
    case IPPROTO_ICMPV6: {
      const icmpv6 = decodeICMPv6(data, start, end);
      if (icmpv6 instanceof DecodeError) return fail(out, icmpv6);
      out.icmpv6 = icmpv6;
      out.layers.push('icmpv6');
      setPayload(out, start + ICMPV6_HEADER_LENGTH, end);
      return out;
    }
    default:
      return out;
  }
}

function setPayload(out: DecodedPacket, start: number, end: number): void {
  out.payloadStart = start;
  out.payloadEnd = Math.max(start, end);
}

function unreassembledFragment(): DecodeError {
  return new DecodeError('dns', 'message in a fragmented datagram (fragments are not reassembled)', { kind: 'benign' });
}

function isDNSPort(h: { srcPort: number; dstPort: number }): boolean {
  return h.srcPort === DNS_PORT || h.dstPort === DNS_PORT;
}

/** DNS over TCP: each message has a 2-byte length prefix; a segment may carry several. */
function decodeTCPDNS(payload: Uint8Array, out: DecodedPacket): void {
  if (payload.length === 0) return;
  const { messages, rest } = splitTCPDNS(payload);
  for (const m of messages) {
    if (!addDNS(out, decodeDNS(m))) return;
  }
  if (rest > 0) {
    fail(out, new DecodeError('dns', `${rest} trailing bytes do not hold a whole length-prefixed message`, { kind: 'short' }));
  }
}

function addDNS(out: DecodedPacket, m: DNSMessage | DecodeError): boolean {
  if (m instanceof DecodeError) {
    fail(out, m);
    return false;
  }
  if (out.dns === NO_DNS) {
    out.dns = [];
    out.layers.push('dns');
  }
  out.dns.push(m);
  return true;
}

function fail(out: DecodedPacket, error: DecodeError): DecodedPacket {
  out.error ??= error;
  return out;
}
