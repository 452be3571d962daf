/**
 * Tracee v0.10 network event shapes (../shared/reference/tracee-network-events.md §1–§2).
 * Key order in these interfaces is the JSON key order; every field is always present.
 */

export interface ProtoIPv4 {
  version: number;
  IHL: number;
  TOS: number;
  length: number;
  id: number;
  flags: number;
  fragOffset: number;
  TTL: number;
  protocol: string;
  checksum: number;
  srcIP: string;
  dstIP: string;
}

export interface ProtoIPv6 {
  version: number;
  trafficClass: number;
  flowLabel: number;
  length: number;
  nextHeader: string;
  hopLimit: number;
  srcIP: string;
  dstIP: string;
}

export interface ProtoTCP {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  dataOffset: number;
  FIN: number;
  SYN: number;
  RST: number;
  PSH: number;
  ACK: number;
  URG: number;
  ECE: number;
  CWR: number;
  NS: number;
  window: number;
  checksum: number;
  urgent: number;
}

export interface ProtoUDP {
  srcPort: number;
  dstPort: number;
  length: number;
  checksum: number;
}

export interface ProtoICMP {
  typeCode: string;
  checksum: number;
  id: number;
  seq: number;
}

export interface ProtoICMPv6 {
  typeCode: string;
  checksum: number;
}

export interface ProtoDNSQuestion {
  name: string;
  type: string;
  class: string;
}

export interface ProtoDNSSOA {
  MName: string;
  RName: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

export interface ProtoDNSSRV {
  priority: number;
  weight: number;
  port: number;
  name: string;
}

export interface ProtoDNSMX {
  preference: number;
  name: string;
}

export interface ProtoDNSURI {
  priority: number;
  weight: number;
  target: string;
}

export interface ProtoDNSOPT {
  code: string;
  data: string;
}

export interface ProtoDNSResourceRecord {
  name: string;
  type: string;
  class: string;
  TTL: number;
  IP: string;
  NS: string;
  CNAME: string;
  PTR: string;
  /** null for every record that is not TXT or HINFO (Tracee v0.10). */
  TXTs: string[] | null;
  SOA: ProtoDNSSOA;
  SRV: ProtoDNSSRV;
  MX: ProtoDNSMX;
  OPT: ProtoDNSOPT[];
  URI: ProtoDNSURI;
  TXT: string;
}

export interface ProtoDNS {
  ID: number;
  QR: number;
  opCode: string;
  AA: number;
  TC: number;
  RD: number;
  RA: number;
  Z: number;
  responseCode: string;
  QDCount: number;
  ANCount: number;
  NSCount: number;
  ARCount: number;
  questions: ProtoDNSQuestion[];
  answers: ProtoDNSResourceRecord[];
  authorities: ProtoDNSResourceRecord[];
  additionals: ProtoDNSResourceRecord[];
}

export interface PktMeta {
  src_ip: string;
  dst_ip: string;
  src_port: number;
  dst_port: number;
  protocol: number;
  packet_len: number;
  iface: string;
}

export interface DnsQueryData {
  query: string;
  query_type: string;
  query_class: string;
}

export interface DnsAnswer {
  answer_type: string;
  ttl: number;
  answer: string;
}

export interface DnsResponseData {
  query_data: DnsQueryData;
  /** null when the response has no answers. */
  dns_answer: DnsAnswer[] | null;
}

/** One `{name, type, value}` argument, in Tracee's key order. */
export interface EventArg<V = unknown> {
  name: string;
  type: string;
  value: V;
}

export const EventIds = {
  net_packet_ipv4: 2007,
  net_packet_ipv6: 2008,
  net_packet_tcp: 2009,
  net_packet_udp: 2010,
  net_packet_icmp: 2011,
  net_packet_icmpv6: 2012,
  net_packet_dns: 2013,
  net_packet_dns_request: 2014,
  net_packet_dns_response: 2015,
} as const;

export type EventName = keyof typeof EventIds;

/** All network events, in the order a packet's layers produce them. */
export const EVENT_NAMES = Object.keys(EventIds) as EventName[];

/**
 * A Tracee v0.10 event. Key order is the JSON key order. bigint fields are printed as exact
 * JSON integers by the JSON sink.
 */
export interface TraceeEvent {
  timestamp: bigint;
  threadStartTime: bigint;
  processorId: number;
  processId: number;
  cgroupId: bigint;
  threadId: number;
  parentProcessId: number;
  hostProcessId: number;
  hostThreadId: number;
  hostParentProcessId: number;
  userId: number;
  mountNamespace: number;
  pidNamespace: number;
  processName: string;
  /**
   * netrec, not Tracee: the process's (thread-group leader's) name when it differs from the
   * thread's processName. Shown by the table output; never part of the JSON.
   */
  leaderName?: string | undefined;
  hostName: string;
  containerId: string;
  containerImage: string;
  containerName: string;
  podName: string;
  podNamespace: string;
  podUID: string;
  eventId: string;
  eventName: EventName;
  argsNum: number;
  returnValue: number;
  stackAddresses: number[];
  contextFlags: { containerStarted: boolean };
  args: EventArg[];
}

/** One argument with its name and Tracee type string fixed: what the builder puts there. */
export interface TypedArg<N extends string, T extends string, V> extends EventArg<V> {
  name: N;
  type: T;
  value: V;
}

type Src = TypedArg<'src', 'const char*', string>;
type Dst = TypedArg<'dst', 'const char*', string>;
type SrcPort = TypedArg<'src_port', 'u16', number>;
type DstPort = TypedArg<'dst_port', 'u16', number>;

/** The arguments of each event, in order, as src/event/build.ts makes them. */
export interface EventArgsByName {
  net_packet_ipv4: [Src, Dst, TypedArg<'proto_ipv4', 'trace.ProtoIPv4', ProtoIPv4>];
  net_packet_ipv6: [Src, Dst, TypedArg<'proto_ipv6', 'trace.ProtoIPv6', ProtoIPv6>];
  net_packet_tcp: [Src, Dst, SrcPort, DstPort, TypedArg<'proto_tcp', 'trace.ProtoTCP', ProtoTCP>];
  net_packet_udp: [Src, Dst, SrcPort, DstPort, TypedArg<'proto_udp', 'trace.ProtoUDP', ProtoUDP>];
  net_packet_icmp: [Src, Dst, TypedArg<'proto_icmp', 'trace.ProtoICMP', ProtoICMP>];
  net_packet_icmpv6: [Src, Dst, TypedArg<'proto_icmpv6', 'trace.ProtoICMPv6', ProtoICMPv6>];
  net_packet_dns: [Src, Dst, SrcPort, DstPort, TypedArg<'proto_dns', 'trace.ProtoDNS', ProtoDNS>];
  net_packet_dns_request: [TypedArg<'metadata', 'trace.PktMeta', PktMeta>, TypedArg<'dns_questions', '[]trace.DnsQueryData', DnsQueryData[]>];
  net_packet_dns_response: [TypedArg<'metadata', 'trace.PktMeta', PktMeta>, TypedArg<'dns_response', '[]trace.DnsResponseData', DnsResponseData[]>];
}

/** A TraceeEvent whose name fixes its arguments' names, types and values. */
export type TypedEvent<N extends EventName> = Omit<TraceeEvent, 'eventName' | 'args'> & { eventName: N; args: EventArgsByName[N] };

/**
 * Every network event as a union discriminated by eventName: `if (e.eventName ===
 * 'net_packet_dns') e.args[4].value.answers` type-checks. The builder's events have these shapes.
 */
export type NetworkEvent = { [N in EventName]: TypedEvent<N> }[EventName];
