/**
 * Hand-built events for the filter tests, shaped as reference §1–§2 describe them (values in
 * the style of the seed examples). Every builder takes overrides for what a test varies.
 */
import { UsageError } from '../../src/core/errors.ts';
import type { TaskContext } from '../../src/core/packet.ts';
import { eventBit } from '../../src/event/selection.ts';
import {
  EventIds,
  type DnsResponseData,
  type EventArg,
  type EventName,
  type PktMeta,
  type ProtoDNS,
  type ProtoDNSResourceRecord,
  type ProtoICMP,
  type ProtoICMPv6,
  type ProtoIPv4,
  type ProtoIPv6,
  type ProtoTCP,
  type ProtoUDP,
  type TraceeEvent,
} from '../../src/event/types.ts';
import { compileFilters, type FilterContext } from '../../src/filter/compile.ts';

/** The nc process of the seed examples. */
export const NC: TaskContext = {
  threadStartTime: 341237880436231n,
  processId: 3120261,
  threadId: 3120261,
  parentProcessId: 3101489,
  hostProcessId: 3120261,
  hostThreadId: 3120261,
  hostParentProcessId: 3101489,
  userId: 1000,
  mountNamespace: 4026531841,
  pidNamespace: 4026531836,
  processName: 'nc',
  hostName: 'fujitsu',
  cgroupId: 20552n,
  containerId: '',
};

export type Envelope = Partial<Omit<TraceeEvent, 'eventId' | 'eventName' | 'argsNum' | 'args'>>;

export function event(name: EventName, args: EventArg[], envelope: Envelope = {}): TraceeEvent {
  return {
    timestamp: 1671041571396216462n,
    processorId: 2,
    ...NC,
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
    ...envelope,
  };
}

const str = (name: string, value: string): EventArg => ({ name, type: 'const char*', value });
const u16 = (name: string, value: number): EventArg => ({ name, type: 'u16', value });

export function ipv4Event(over: Partial<ProtoIPv4> = {}, envelope?: Envelope): TraceeEvent {
  const p: ProtoIPv4 = {
    version: 4,
    IHL: 5,
    TOS: 0,
    length: 60,
    id: 42857,
    flags: 2,
    fragOffset: 0,
    TTL: 64,
    protocol: 'TCP',
    checksum: 33109,
    srcIP: '10.157.254.1',
    dstIP: '10.157.254.193',
    ...over,
  };
  return event('net_packet_ipv4', [str('src', p.srcIP), str('dst', p.dstIP), { name: 'proto_ipv4', type: 'trace.ProtoIPv4', value: p }], envelope);
}

export function ipv6Event(over: Partial<ProtoIPv6> = {}, envelope?: Envelope): TraceeEvent {
  const p: ProtoIPv6 = {
    version: 6,
    trafficClass: 0,
    flowLabel: 0x6a7e1,
    length: 40,
    nextHeader: 'TCP',
    hopLimit: 64,
    srcIP: 'fd6e:a63d:71f:2000::1',
    dstIP: 'fd6e:a63d:71f:2000::2',
    ...over,
  };
  return event('net_packet_ipv6', [str('src', p.srcIP), str('dst', p.dstIP), { name: 'proto_ipv6', type: 'trace.ProtoIPv6', value: p }], envelope);
}

export function tcpEvent(over: Partial<ProtoTCP> = {}, src = '10.157.254.1', dst = '10.157.254.193', envelope?: Envelope): TraceeEvent {
  const p: ProtoTCP = {
    srcPort: 51594,
    dstPort: 8090,
    seq: 1000,
    ack: 0,
    dataOffset: 10,
    FIN: 0,
    SYN: 0,
    RST: 0,
    PSH: 0,
    ACK: 0,
    URG: 0,
    ECE: 0,
    CWR: 0,
    NS: 0,
    window: 64240,
    checksum: 5570,
    urgent: 0,
    ...over,
  };
  return event(
    'net_packet_tcp',
    [str('src', src), str('dst', dst), u16('src_port', p.srcPort), u16('dst_port', p.dstPort), { name: 'proto_tcp', type: 'trace.ProtoTCP', value: p }],
    envelope,
  );
}

export function udpEvent(over: Partial<ProtoUDP> = {}, src = '10.157.254.1', dst = '10.157.254.193'): TraceeEvent {
  const p: ProtoUDP = { srcPort: 54370, dstPort: 8090, length: 10, checksum: 34519, ...over };
  return event('net_packet_udp', [
    str('src', src),
    str('dst', dst),
    u16('src_port', p.srcPort),
    u16('dst_port', p.dstPort),
    { name: 'proto_udp', type: 'trace.ProtoUDP', value: p },
  ]);
}

export function icmpEvent(over: Partial<ProtoICMP> = {}): TraceeEvent {
  const p: ProtoICMP = { typeCode: 'EchoRequest', checksum: 24890, id: 3, seq: 1, ...over };
  return event('net_packet_icmp', [str('src', '10.157.254.1'), str('dst', '10.157.254.193'), { name: 'proto_icmp', type: 'trace.ProtoICMP', value: p }]);
}

export function icmpv6Event(over: Partial<ProtoICMPv6> = {}): TraceeEvent {
  const p: ProtoICMPv6 = { typeCode: 'EchoReply', checksum: 41296, ...over };
  return event('net_packet_icmpv6', [
    str('src', 'fd6e:a63d:71f:2000::2'),
    str('dst', 'fd6e:a63d:71f:2000::1'),
    { name: 'proto_icmpv6', type: 'trace.ProtoICMPv6', value: p },
  ]);
}

/** A resource record with every member present and zeroed, as Tracee prints one (§1.7). */
export function rr(over: Partial<ProtoDNSResourceRecord> = {}): ProtoDNSResourceRecord {
  return {
    name: '',
    type: 'A',
    class: 'IN',
    TTL: 300,
    IP: '',
    NS: '',
    CNAME: '',
    PTR: '',
    TXTs: null,
    SOA: { MName: '', RName: '', serial: 0, refresh: 0, retry: 0, expire: 0, minimum: 0 },
    SRV: { priority: 0, weight: 0, port: 0, name: '' },
    MX: { preference: 0, name: '' },
    OPT: [],
    URI: { priority: 0, weight: 0, target: '' },
    TXT: '',
    ...over,
  };
}

export function dnsEvent(over: Partial<ProtoDNS> = {}, src = '8.8.8.8', dst = '192.168.100.2'): TraceeEvent {
  const questions = over.questions ?? [{ name: 'uol.com.br', type: 'MX', class: 'IN' }];
  const answers = over.answers ?? [];
  const p: ProtoDNS = {
    ID: 4660,
    QR: 1,
    opCode: 'query',
    AA: 0,
    TC: 0,
    RD: 1,
    RA: 1,
    Z: 0,
    responseCode: 'no error',
    QDCount: questions.length,
    ANCount: answers.length,
    NSCount: 0,
    ARCount: 0,
    questions,
    answers,
    authorities: [],
    additionals: [],
    ...over,
  };
  const [srcPort, dstPort] = p.QR === 1 ? [53, 41373] : [41373, 53];
  return event('net_packet_dns', [
    str('src', src),
    str('dst', dst),
    u16('src_port', srcPort),
    u16('dst_port', dstPort),
    { name: 'proto_dns', type: 'trace.ProtoDNS', value: p },
  ]);
}

export function pktMeta(over: Partial<PktMeta> = {}): PktMeta {
  return { src_ip: '127.0.0.1', dst_ip: '127.0.0.53', src_port: 46259, dst_port: 53, protocol: 17, packet_len: 60, iface: 'any', ...over };
}

export function dnsRequestEvent(queries: string[], meta: Partial<PktMeta> = {}): TraceeEvent {
  return event('net_packet_dns_request', [
    { name: 'metadata', type: 'trace.PktMeta', value: pktMeta(meta) },
    { name: 'dns_questions', type: '[]trace.DnsQueryData', value: queries.map((query) => ({ query, query_type: 'A', query_class: 'IN' })) },
  ]);
}

export function dnsResponseEvent(answers: DnsResponseData['dns_answer'], meta: Partial<PktMeta> = {}): TraceeEvent {
  const response: DnsResponseData = { query_data: { query: 'www.uol.com.br', query_type: 'A', query_class: 'IN' }, dns_answer: answers };
  return event('net_packet_dns_response', [
    { name: 'metadata', type: 'trace.PktMeta', value: pktMeta({ src_ip: '127.0.0.53', dst_ip: '127.0.0.1', src_port: 53, dst_port: 41373, ...meta }) },
    { name: 'dns_response', type: '[]trace.DnsResponseData', value: [response] },
  ]);
}

/** What the pipeline does with `events` under `exprs`: an event is printed iff it is built and accepted. */
export function passes(exprs: string[], events: readonly TraceeEvent[], ctx: FilterContext = { hasProcessContext: true }): boolean[] {
  const f = compileFilters(exprs, ctx);
  return events.map((e) => (f.events & eventBit(e.eventName)) !== 0 && (f.accept?.(e) ?? true));
}

/** The UsageError message `exprs` compile to. */
export function errorOf(exprs: string[]): string {
  try {
    compileFilters(exprs, { hasProcessContext: true });
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error(`no error for ${exprs.join(' ')}`);
}
