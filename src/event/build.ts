/**
 * Decoded headers → Tracee v0.10 events, one per selected layer, in layer order:
 * IP, then TCP/UDP/ICMP/ICMPv6, then for each DNS message net_packet_dns, _dns_request,
 * _dns_response. Decoding is not done here; formatting for output is not done here.
 */
import type { CapturedPacket, TaskContext } from '../core/packet.ts';
import { TASK_FIELD_NAMES, TASK_FIELD_SPECS, type TaskFieldKind } from '../core/task-fields.ts';
import type { DecodedPacket } from '../decode/packet.ts';
import type { DNSMessage } from '../decode/dns.ts';
import { ipString } from './ip-string.ts';
import { toProtoICMP, toProtoICMPv6, toProtoIPv4, toProtoIPv6, toProtoTCP, toProtoUDP } from './proto-l3l4.ts';
import { dnsRequestQuestions, dnsResponseData, pktMeta, toProtoDNS } from './dns.ts';
import { eventBit, type EventMask } from './selection.ts';
import { CONTEXT_FIELD_NAMES, CONTEXT_FIELDS, EVENT_NAMES } from './schema.ts';
import { EventIds, type EventArg, type EventName, type TraceeEvent } from './types.ts';

/** What an event without a recorded task shows: every task field zero or empty. */
const NO_TASK = Object.fromEntries(
  TASK_FIELD_NAMES.filter((n) => !TASK_FIELD_SPECS[n].optional).map((n) => [n, zeroOf(TASK_FIELD_SPECS[n].kind)]),
) as TaskContext;

function zeroOf(kind: TaskFieldKind): bigint | number | string {
  return kind === 'u64' ? 0n : kind === 'string' ? '' : 0;
}

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

const EVENT_IDS = Object.fromEntries(EVENT_NAMES.map((n) => [n, String(EventIds[n])])) as Record<EventName, string>;

type Envelope = (pkt: CapturedPacket, t: TaskContext, name: EventName, eventId: string, args: EventArg[]) => TraceeEvent;

/**
 * The envelope as one object literal with the schema's context fields in JSON order, generated
 * once from CONTEXT_FIELDS (so a context field is added there only) and as fast as a literal
 * written by hand: every event has the same shape. The source holds only the schema's own
 * identifiers, never input.
 */
function compileEnvelope(): Envelope {
  const fields = CONTEXT_FIELD_NAMES.map((name) => {
    const { kind, from } = CONTEXT_FIELDS[name];
    const value = from === 'task' ? `t.${name}` : from === 'cpu' ? 'pkt.cpu ?? 0' : kind === 'string' ? "''" : '0';
    const field = `${name}: ${value},`;
    // Undefined (and so absent from JSON) unless the process's name differs from the thread's.
    return name === 'processName' ? `${field} leaderName: t.leaderName !== t.processName ? t.leaderName : undefined,` : field;
  });
  const body = `return {
    timestamp: pkt.timestamp,
    ${fields.join('\n    ')}
    eventId,
    eventName: name,
    argsNum: args.length,
    returnValue: 0,
    stackAddresses: [0],
    contextFlags: { containerStarted: false },
    args,
  };`;
  return new Function('pkt', 't', 'name', 'eventId', 'args', body) as Envelope;
}

const makeEnvelope = compileEnvelope();

function envelope(pkt: CapturedPacket, name: EventName, args: EventArg[]): TraceeEvent {
  return makeEnvelope(pkt, pkt.task ?? NO_TASK, name, EVENT_IDS[name], args);
}

const str = (name: string, value: string): EventArg<string> => ({ name, type: 'const char*', value });
const u16 = (name: string, value: number): EventArg<number> => ({ name, type: 'u16', value });

/** Appends the selected events of one packet to `out`. */
export function buildEvents(pkt: CapturedPacket, d: DecodedPacket, wanted: EventMask, out: TraceeEvent[]): void {
  const ip = d.ipv4 ?? d.ipv6;
  // Address strings cost more than the rest of a packet's decoding: only made for an event.
  if (!ip || (wanted & eventsOf(d)) === 0) return;
  const src = ipString(ip.src);
  const dst = ipString(ip.dst);

  if (d.ipv4 && wanted & BIT.ipv4) {
    out.push(
      envelope(pkt, 'net_packet_ipv4', [
        str('src', src),
        str('dst', dst),
        { name: 'proto_ipv4', type: 'trace.ProtoIPv4', value: toProtoIPv4(d.ipv4, src, dst) },
      ]),
    );
  }
  if (d.ipv6 && wanted & BIT.ipv6) {
    out.push(
      envelope(pkt, 'net_packet_ipv6', [
        str('src', src),
        str('dst', dst),
        { name: 'proto_ipv6', type: 'trace.ProtoIPv6', value: toProtoIPv6(d.ipv6, src, dst) },
      ]),
    );
  }

  const ports = d.tcp ?? d.udp;
  if (d.tcp && wanted & BIT.tcp) {
    out.push(
      envelope(pkt, 'net_packet_tcp', [
        str('src', src),
        str('dst', dst),
        u16('src_port', d.tcp.srcPort),
        u16('dst_port', d.tcp.dstPort),
        { name: 'proto_tcp', type: 'trace.ProtoTCP', value: toProtoTCP(d.tcp) },
      ]),
    );
  } else if (d.udp && wanted & BIT.udp) {
    out.push(
      envelope(pkt, 'net_packet_udp', [
        str('src', src),
        str('dst', dst),
        u16('src_port', d.udp.srcPort),
        u16('dst_port', d.udp.dstPort),
        { name: 'proto_udp', type: 'trace.ProtoUDP', value: toProtoUDP(d.udp) },
      ]),
    );
  } else if (d.icmp && wanted & BIT.icmp) {
    out.push(envelope(pkt, 'net_packet_icmp', [str('src', src), str('dst', dst), { name: 'proto_icmp', type: 'trace.ProtoICMP', value: toProtoICMP(d.icmp) }]));
  } else if (d.icmpv6 && wanted & BIT.icmpv6) {
    out.push(
      envelope(pkt, 'net_packet_icmpv6', [
        str('src', src),
        str('dst', dst),
        { name: 'proto_icmpv6', type: 'trace.ProtoICMPv6', value: toProtoICMPv6(d.icmpv6) },
      ]),
    );
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
    out.push(
      envelope(pkt, 'net_packet_dns', [
        str('src', src),
        str('dst', dst),
        u16('src_port', srcPort),
        u16('dst_port', dstPort),
        { name: 'proto_dns', type: 'trace.ProtoDNS', value: toProtoDNS(m) },
      ]),
    );
  }
  if (!m.qr && wanted & BIT.request) {
    out.push(
      envelope(pkt, 'net_packet_dns_request', [
        { name: 'metadata', type: 'trace.PktMeta', value: meta },
        { name: 'dns_questions', type: '[]trace.DnsQueryData', value: dnsRequestQuestions(m) },
      ]),
    );
  }
  if (m.qr && wanted & BIT.response) {
    out.push(
      envelope(pkt, 'net_packet_dns_response', [
        { name: 'metadata', type: 'trace.PktMeta', value: meta },
        { name: 'dns_response', type: '[]trace.DnsResponseData', value: [dnsResponseData(m)] },
      ]),
    );
  }
}
