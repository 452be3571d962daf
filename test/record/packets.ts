/**
 * Reading captures back for the live tests: packets as L3 bytes with a comparison key, and the
 * flow/side classification the attribution checks use.
 */
import type { CapturedPacket } from '../../src/core/packet.ts';
import { openCapture } from '../../src/replay/open.ts';
import { isIssue } from '../../src/core/source.ts';
import { H4, H6 } from './live-net.ts';

export async function readPackets(path: string): Promise<CapturedPacket[]> {
  const source = await openCapture(path);
  const out: CapturedPacket[] = [];
  for await (const batch of source.batches()) for (const item of batch) if (!isIssue(item)) out.push(item);
  return out;
}

/** The L3 bytes of a packet (pcaps from a veth carry an Ethernet header). */
export function l3(p: CapturedPacket): Uint8Array {
  return p.linkType === 1 ? p.data.subarray(14) : p.data;
}

export interface Summary {
  version: 4 | 6;
  proto: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** ICMP/ICMPv6 type. */
  icmpType: number;
  /** Offset of the L4 header. */
  l4: number;
}

function ip4(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

function ip6(b: Uint8Array, at: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[at + i]! << 8) | b[at + i + 1]!).toString(16));
  // Compress the longest run of zero groups, as the addresses in live-net.ts are written.
  const text = groups.join(':');
  const runs = [...text.matchAll(/(^|:)0(:0)+(:|$)/g)].sort((a, b) => b[0].length - a[0].length);
  return runs.length === 0 ? text : text.replace(runs[0]![0], '::');
}

export function summarize(bytes: Uint8Array): Summary | undefined {
  const version = bytes[0]! >> 4;
  let proto: number, l4: number, src: string, dst: string;
  if (version === 4) {
    proto = bytes[9]!;
    l4 = (bytes[0]! & 0x0f) * 4;
    src = ip4(bytes, 12);
    dst = ip4(bytes, 16);
  } else if (version === 6) {
    proto = bytes[6]!;
    l4 = 40;
    src = ip6(bytes, 8);
    dst = ip6(bytes, 24);
  } else {
    return undefined;
  }
  const u16 = (at: number): number => ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
  const ports = proto === 6 || proto === 17;
  return { version, proto, src, dst, sport: ports ? u16(l4) : 0, dport: ports ? u16(l4 + 2) : 0, icmpType: ports ? -1 : (bytes[l4] ?? -1), l4 };
}

/**
 * A comparison key: the L3 bytes with the TCP/UDP/ICMPv6 checksum blanked. The recorder sees
 * egress packets before the stack or the device fills those in; tcpdump sees them after.
 */
export function packetKey(bytes: Uint8Array): string {
  const s = summarize(bytes);
  const copy = Buffer.from(bytes);
  if (s !== undefined) {
    const at = s.proto === 6 ? s.l4 + 16 : s.proto === 17 ? s.l4 + 6 : s.proto === 58 ? s.l4 + 2 : -1;
    if (at >= 0 && at + 2 <= copy.length) copy.fill(0, at, at + 2);
  }
  return copy.toString('hex');
}

/** Which end of the veth a recorded copy belongs to: the host's sockets or the namespace's. */
export function side(p: CapturedPacket, s: Summary): 'host' | 'ns' {
  const hostAddr = (a: string): boolean => a === H4 || a === H6;
  return (p.direction === 'egress' ? hostAddr(s.src) : hostAddr(s.dst)) ? 'host' : 'ns';
}
