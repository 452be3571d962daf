/**
 * Row colours by protocol and state, after Wireshark's default colouring rules: packets with
 * findings and packets that did not decode first, then TCP resets, SYN/FIN, ICMP errors, DNS,
 * ICMP, UDP. Only the 8 basic foreground colours, which every terminal theme maps to something
 * readable on its own background (dark or light); NO_COLOR and --no-color turn them off.
 */
import type { DecodedPacket } from '../../decode/packet.ts';
import { TcpFlag } from '../../decode/types.ts';

export type RowTone = 'finding' | 'issue' | 'rst' | 'syn-fin' | 'icmp-error' | 'dns' | 'icmp' | 'udp' | 'plain';

/** Ink colour names, and the legend the help screen shows, in rule order. */
export const TONES: readonly { tone: RowTone; color: string | undefined; legend: string }[] = [
  { tone: 'finding', color: 'red', legend: 'a finding of the recording (marked !)' },
  { tone: 'issue', color: 'yellow', legend: 'an input issue: a packet that does not decode whole (the summary says why)' },
  { tone: 'rst', color: 'red', legend: 'TCP reset' },
  { tone: 'syn-fin', color: 'gray', legend: 'TCP SYN or FIN (connection set-up and tear-down)' },
  { tone: 'icmp-error', color: 'magenta', legend: 'ICMP / ICMPv6 error (unreachable, time exceeded...)' },
  { tone: 'dns', color: 'cyan', legend: 'DNS' },
  { tone: 'icmp', color: 'blue', legend: 'ICMP / ICMPv6 echo and other messages' },
  { tone: 'udp', color: 'green', legend: 'UDP' },
  { tone: 'plain', color: undefined, legend: 'other TCP, other IP, not IP' },
];

const COLOR = new Map(TONES.map((t) => [t.tone, t.color]));

export function toneColor(tone: RowTone): string | undefined {
  return COLOR.get(tone);
}

/** ICMPv4 error types (RFC 792, 1812): unreachable, source quench, redirect, time exceeded, parameter problem. */
const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);

export function rowTone(d: DecodedPacket, finding: boolean): RowTone {
  if (finding) return 'finding';
  if (d.error !== undefined) return 'issue';
  if (d.tcp !== undefined) {
    if (d.tcp.flags & TcpFlag.RST) return 'rst';
    if (d.tcp.flags & (TcpFlag.SYN | TcpFlag.FIN)) return 'syn-fin';
  }
  if (d.icmp !== undefined && ICMP_ERRORS.has(d.icmp.type)) return 'icmp-error';
  // ICMPv6 types below 128 are errors (RFC 4443).
  if (d.icmpv6 !== undefined && d.icmpv6.type < 128) return 'icmp-error';
  if (d.dns.length > 0) return 'dns';
  if (d.icmp !== undefined || d.icmpv6 !== undefined) return 'icmp';
  if (d.udp !== undefined) return 'udp';
  return 'plain';
}
