/**
 * A decoded packet's flow: protocol, addresses and ports, with its two endpoints in one order
 * whichever way the packet goes, so that both directions of a conversation share one identity
 * (split exports and stats key on it).
 */
import type { DecodedPacket } from './packet.ts';

export interface Flow {
  /** IP protocol after IPv6 extension headers (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6...). */
  protocol: number;
  /** The lower endpoint (address bytes, then port). */
  a: Uint8Array;
  aPort: number;
  b: Uint8Array;
  bPort: number;
  /** The packet goes from `a` to `b` (for a packet to itself: true). */
  forward: boolean;
}

/** The flow of an IP packet; ports are 0 unless TCP or UDP was decoded. */
export function flowOf(d: DecodedPacket): Flow | undefined {
  const ip = d.ipv4 ?? d.ipv6;
  if (ip === undefined) return undefined;
  const protocol = d.ipv4 !== undefined ? d.ipv4.protocol : d.ipv6!.transportProtocol;
  const ports = d.tcp ?? d.udp;
  const srcPort = ports?.srcPort ?? 0;
  const dstPort = ports?.dstPort ?? 0;
  const order = compareBytes(ip.src, ip.dst) || srcPort - dstPort;
  return order <= 0
    ? { protocol, a: ip.src, aPort: srcPort, b: ip.dst, bPort: dstPort, forward: true }
    : { protocol, a: ip.dst, aPort: dstPort, b: ip.src, bPort: srcPort, forward: false };
}

function compareBytes(x: Uint8Array, y: Uint8Array): number {
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}
