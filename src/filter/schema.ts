/**
 * The static shape of every event's args, for resolving and type-checking filter paths.
 * `Shape<T>` ties each struct to its interface in src/event/types.ts at compile time (every
 * field present, no extra ones, leaf types agreeing); test/filter/schema.test.ts checks it
 * against built events at run time, key order included.
 */
import type {
  DnsAnswer,
  DnsQueryData,
  DnsResponseData,
  EventName,
  PktMeta,
  ProtoDNS,
  ProtoDNSMX,
  ProtoDNSOPT,
  ProtoDNSQuestion,
  ProtoDNSResourceRecord,
  ProtoDNSSOA,
  ProtoDNSSRV,
  ProtoDNSURI,
  ProtoICMP,
  ProtoICMPv6,
  ProtoIPv4,
  ProtoIPv6,
  ProtoTCP,
  ProtoUDP,
} from '../event/types.ts';

/** `ip` is a string holding an address as Go prints it; it also takes CIDR values. */
export type LeafType = { readonly kind: 'string' } | { readonly kind: 'ip' } | { readonly kind: 'number' };

export type FieldType =
  | LeafType
  | { readonly kind: 'array'; readonly of: FieldType }
  | { readonly kind: 'struct'; readonly fields: Readonly<Record<string, FieldType>> };

type Shape<T> = [T] extends [string]
  ? { readonly kind: 'string' } | { readonly kind: 'ip' }
  : [T] extends [number]
    ? { readonly kind: 'number' }
    : [T] extends [readonly (infer U)[] | null]
      ? { readonly kind: 'array'; readonly of: Shape<U> }
      : { readonly kind: 'struct'; readonly fields: StructShape<T> };

type StructShape<T> = { readonly [K in keyof T]-?: Shape<T[K]> };

const STRING = { kind: 'string' } as const;
const IP = { kind: 'ip' } as const;
const NUMBER = { kind: 'number' } as const;

function struct<T>(fields: StructShape<T>): { readonly kind: 'struct'; readonly fields: StructShape<T> } {
  return { kind: 'struct', fields };
}

/** A Go slice; JSON `null` (TXTs, dns_answer) is walked as an empty one. */
function array<S extends FieldType>(of: S): { readonly kind: 'array'; readonly of: S } {
  return { kind: 'array', of };
}

const PROTO_IPV4 = struct<ProtoIPv4>({
  version: NUMBER,
  IHL: NUMBER,
  TOS: NUMBER,
  length: NUMBER,
  id: NUMBER,
  flags: NUMBER,
  fragOffset: NUMBER,
  TTL: NUMBER,
  protocol: STRING,
  checksum: NUMBER,
  srcIP: IP,
  dstIP: IP,
});

const PROTO_IPV6 = struct<ProtoIPv6>({
  version: NUMBER,
  trafficClass: NUMBER,
  flowLabel: NUMBER,
  length: NUMBER,
  nextHeader: STRING,
  hopLimit: NUMBER,
  srcIP: IP,
  dstIP: IP,
});

const PROTO_TCP = struct<ProtoTCP>({
  srcPort: NUMBER,
  dstPort: NUMBER,
  seq: NUMBER,
  ack: NUMBER,
  dataOffset: NUMBER,
  FIN: NUMBER,
  SYN: NUMBER,
  RST: NUMBER,
  PSH: NUMBER,
  ACK: NUMBER,
  URG: NUMBER,
  ECE: NUMBER,
  CWR: NUMBER,
  NS: NUMBER,
  window: NUMBER,
  checksum: NUMBER,
  urgent: NUMBER,
});

const PROTO_UDP = struct<ProtoUDP>({ srcPort: NUMBER, dstPort: NUMBER, length: NUMBER, checksum: NUMBER });
const PROTO_ICMP = struct<ProtoICMP>({ typeCode: STRING, checksum: NUMBER, id: NUMBER, seq: NUMBER });
const PROTO_ICMPV6 = struct<ProtoICMPv6>({ typeCode: STRING, checksum: NUMBER });

const DNS_QUESTION = struct<ProtoDNSQuestion>({ name: STRING, type: STRING, class: STRING });

const DNS_RESOURCE_RECORD = struct<ProtoDNSResourceRecord>({
  name: STRING,
  type: STRING,
  class: STRING,
  TTL: NUMBER,
  IP: IP,
  NS: STRING,
  CNAME: STRING,
  PTR: STRING,
  TXTs: array(STRING),
  SOA: struct<ProtoDNSSOA>({
    MName: STRING,
    RName: STRING,
    serial: NUMBER,
    refresh: NUMBER,
    retry: NUMBER,
    expire: NUMBER,
    minimum: NUMBER,
  }),
  SRV: struct<ProtoDNSSRV>({ priority: NUMBER, weight: NUMBER, port: NUMBER, name: STRING }),
  MX: struct<ProtoDNSMX>({ preference: NUMBER, name: STRING }),
  OPT: array(struct<ProtoDNSOPT>({ code: STRING, data: STRING })),
  URI: struct<ProtoDNSURI>({ priority: NUMBER, weight: NUMBER, target: STRING }),
  TXT: STRING,
});

const PROTO_DNS = struct<ProtoDNS>({
  ID: NUMBER,
  QR: NUMBER,
  opCode: STRING,
  AA: NUMBER,
  TC: NUMBER,
  RD: NUMBER,
  RA: NUMBER,
  Z: NUMBER,
  responseCode: STRING,
  QDCount: NUMBER,
  ANCount: NUMBER,
  NSCount: NUMBER,
  ARCount: NUMBER,
  questions: array(DNS_QUESTION),
  answers: array(DNS_RESOURCE_RECORD),
  authorities: array(DNS_RESOURCE_RECORD),
  additionals: array(DNS_RESOURCE_RECORD),
});

const PKT_META = struct<PktMeta>({
  src_ip: IP,
  dst_ip: IP,
  src_port: NUMBER,
  dst_port: NUMBER,
  protocol: NUMBER,
  packet_len: NUMBER,
  iface: STRING,
});

const DNS_QUERY_DATA = struct<DnsQueryData>({ query: STRING, query_type: STRING, query_class: STRING });

const DNS_RESPONSE_DATA = struct<DnsResponseData>({
  query_data: DNS_QUERY_DATA,
  dns_answer: array(struct<DnsAnswer>({ answer_type: STRING, ttl: NUMBER, answer: STRING })),
});

export interface ArgSchema {
  readonly name: string;
  /** Tracee's type string, as printed in the arg's `type`. */
  readonly type: string;
  readonly value: FieldType;
}

const arg = (name: string, type: string, value: FieldType): ArgSchema => ({ name, type, value });
const SRC = arg('src', 'const char*', IP);
const DST = arg('dst', 'const char*', IP);
const SRC_PORT = arg('src_port', 'u16', NUMBER);
const DST_PORT = arg('dst_port', 'u16', NUMBER);
const METADATA = arg('metadata', 'trace.PktMeta', PKT_META);

/** Every event's args, in Tracee's order (reference §2.2), which is also their index in `args`. */
export const EVENT_ARGS: Readonly<Record<EventName, readonly ArgSchema[]>> = {
  net_packet_ipv4: [SRC, DST, arg('proto_ipv4', 'trace.ProtoIPv4', PROTO_IPV4)],
  net_packet_ipv6: [SRC, DST, arg('proto_ipv6', 'trace.ProtoIPv6', PROTO_IPV6)],
  net_packet_tcp: [SRC, DST, SRC_PORT, DST_PORT, arg('proto_tcp', 'trace.ProtoTCP', PROTO_TCP)],
  net_packet_udp: [SRC, DST, SRC_PORT, DST_PORT, arg('proto_udp', 'trace.ProtoUDP', PROTO_UDP)],
  net_packet_icmp: [SRC, DST, arg('proto_icmp', 'trace.ProtoICMP', PROTO_ICMP)],
  net_packet_icmpv6: [SRC, DST, arg('proto_icmpv6', 'trace.ProtoICMPv6', PROTO_ICMPV6)],
  net_packet_dns: [SRC, DST, SRC_PORT, DST_PORT, arg('proto_dns', 'trace.ProtoDNS', PROTO_DNS)],
  net_packet_dns_request: [METADATA, arg('dns_questions', '[]trace.DnsQueryData', array(DNS_QUERY_DATA))],
  net_packet_dns_response: [METADATA, arg('dns_response', '[]trace.DnsResponseData', array(DNS_RESPONSE_DATA))],
};
