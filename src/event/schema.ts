/**
 * Tracee v0.10 network events, declared once (../shared/reference/tracee-network-events.md
 * §1–§2): every event's ID and args (name, Tracee type string, value shape), every struct's
 * members, and the envelope's context fields, each in JSON key order. Everything else derives
 * from here: the TypeScript types (src/event/types.ts, by mapped types over these `as const`
 * values), the JSON writer (src/sink/json.ts compiles it once into straight-line code), the
 * filter schema (src/filter/schema.ts) and the envelope the builder fills (src/event/build.ts).
 * Adding a member to a struct here is the one edit; the compiler then points at the builder
 * that must fill it.
 */
import type { TASK_FIELDS, TaskFieldName } from '../core/task-fields.ts';

/** `ip` is a string holding an address as Go prints it (filters also take CIDR values for it). */
export type LeafType = { readonly kind: 'string' } | { readonly kind: 'ip' } | { readonly kind: 'number' };

export interface ArrayType {
  readonly kind: 'array';
  readonly of: FieldType;
  /** A Go slice that Tracee prints as `null` when nil (TXTs, dns_answer); filters walk it as empty. */
  readonly nullable?: true;
}

export interface StructType {
  readonly kind: 'struct';
  readonly fields: Readonly<Record<string, FieldType>>;
}

export type FieldType = LeafType | ArrayType | StructType;

/** The JavaScript value a FieldType describes. */
export type ValueOf<F> = F extends { kind: 'struct'; fields: infer S }
  ? { -readonly [K in keyof S]: ValueOf<S[K]> }
  : F extends { kind: 'array'; of: infer O; nullable: true }
    ? ValueOf<O>[] | null
    : F extends { kind: 'array'; of: infer O }
      ? ValueOf<O>[]
      : F extends { kind: 'number' }
        ? number
        : string;

export const STRING = { kind: 'string' } as const;
export const IP = { kind: 'ip' } as const;
export const NUMBER = { kind: 'number' } as const;

function struct<const S extends Record<string, FieldType>>(fields: S): { readonly kind: 'struct'; readonly fields: S } {
  return { kind: 'struct', fields };
}

function array<const S extends FieldType>(of: S): { readonly kind: 'array'; readonly of: S } {
  return { kind: 'array', of };
}

function nullableArray<const S extends FieldType>(of: S): { readonly kind: 'array'; readonly of: S; readonly nullable: true } {
  return { kind: 'array', of, nullable: true };
}

export const PROTO_IPV4 = struct({
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

export const PROTO_IPV6 = struct({
  version: NUMBER,
  trafficClass: NUMBER,
  flowLabel: NUMBER,
  length: NUMBER,
  nextHeader: STRING,
  hopLimit: NUMBER,
  srcIP: IP,
  dstIP: IP,
});

export const PROTO_TCP = struct({
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

export const PROTO_UDP = struct({ srcPort: NUMBER, dstPort: NUMBER, length: NUMBER, checksum: NUMBER });
export const PROTO_ICMP = struct({ typeCode: STRING, checksum: NUMBER, id: NUMBER, seq: NUMBER });
export const PROTO_ICMPV6 = struct({ typeCode: STRING, checksum: NUMBER });

export const DNS_QUESTION = struct({ name: STRING, type: STRING, class: STRING });
export const DNS_SOA = struct({
  MName: STRING,
  RName: STRING,
  serial: NUMBER,
  refresh: NUMBER,
  retry: NUMBER,
  expire: NUMBER,
  minimum: NUMBER,
});
export const DNS_SRV = struct({ priority: NUMBER, weight: NUMBER, port: NUMBER, name: STRING });
export const DNS_MX = struct({ preference: NUMBER, name: STRING });
export const DNS_URI = struct({ priority: NUMBER, weight: NUMBER, target: STRING });
export const DNS_OPT = struct({ code: STRING, data: STRING });

export const DNS_RESOURCE_RECORD = struct({
  name: STRING,
  type: STRING,
  class: STRING,
  TTL: NUMBER,
  IP: IP,
  NS: STRING,
  CNAME: STRING,
  PTR: STRING,
  /** null for every record that is not TXT or HINFO (Tracee v0.10). */
  TXTs: nullableArray(STRING),
  SOA: DNS_SOA,
  SRV: DNS_SRV,
  MX: DNS_MX,
  OPT: array(DNS_OPT),
  URI: DNS_URI,
  TXT: STRING,
});

export const PROTO_DNS = struct({
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

export const PKT_META = struct({
  src_ip: IP,
  dst_ip: IP,
  src_port: NUMBER,
  dst_port: NUMBER,
  protocol: NUMBER,
  packet_len: NUMBER,
  iface: STRING,
});

export const DNS_QUERY_DATA = struct({ query: STRING, query_type: STRING, query_class: STRING });
export const DNS_ANSWER = struct({ answer_type: STRING, ttl: NUMBER, answer: STRING });
export const DNS_RESPONSE_DATA = struct({
  query_data: DNS_QUERY_DATA,
  /** null when the response has no answers. */
  dns_answer: nullableArray(DNS_ANSWER),
});

export interface ArgSchema {
  readonly name: string;
  /** Tracee's type string, as printed in the arg's `type`. */
  readonly type: string;
  readonly value: FieldType;
}

function arg<const N extends string, const T extends string, const V extends FieldType>(name: N, type: T, value: V) {
  return { name, type, value } as const;
}

const SRC = arg('src', 'const char*', IP);
const DST = arg('dst', 'const char*', IP);
const SRC_PORT = arg('src_port', 'u16', NUMBER);
const DST_PORT = arg('dst_port', 'u16', NUMBER);
const METADATA = arg('metadata', 'trace.PktMeta', PKT_META);

/**
 * Every network event: its Tracee ID and its args in Tracee's order (reference §2.2), which is
 * also their index in `args`. The key order is the order a packet's layers produce them.
 */
export const EVENTS = {
  net_packet_ipv4: { id: 2007, args: [SRC, DST, arg('proto_ipv4', 'trace.ProtoIPv4', PROTO_IPV4)] },
  net_packet_ipv6: { id: 2008, args: [SRC, DST, arg('proto_ipv6', 'trace.ProtoIPv6', PROTO_IPV6)] },
  net_packet_tcp: { id: 2009, args: [SRC, DST, SRC_PORT, DST_PORT, arg('proto_tcp', 'trace.ProtoTCP', PROTO_TCP)] },
  net_packet_udp: { id: 2010, args: [SRC, DST, SRC_PORT, DST_PORT, arg('proto_udp', 'trace.ProtoUDP', PROTO_UDP)] },
  net_packet_icmp: { id: 2011, args: [SRC, DST, arg('proto_icmp', 'trace.ProtoICMP', PROTO_ICMP)] },
  net_packet_icmpv6: { id: 2012, args: [SRC, DST, arg('proto_icmpv6', 'trace.ProtoICMPv6', PROTO_ICMPV6)] },
  net_packet_dns: { id: 2013, args: [SRC, DST, SRC_PORT, DST_PORT, arg('proto_dns', 'trace.ProtoDNS', PROTO_DNS)] },
  net_packet_dns_request: { id: 2014, args: [METADATA, arg('dns_questions', '[]trace.DnsQueryData', array(DNS_QUERY_DATA))] },
  net_packet_dns_response: { id: 2015, args: [METADATA, arg('dns_response', '[]trace.DnsResponseData', array(DNS_RESPONSE_DATA))] },
} as const satisfies Record<string, { id: number; args: readonly ArgSchema[] }>;

export type EventName = keyof typeof EVENTS;

/** All network events, in the order a packet's layers produce them. */
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];

/** Every event's args, by event name. */
export const EVENT_ARGS: Readonly<Record<EventName, readonly ArgSchema[]>> = Object.fromEntries(
  EVENT_NAMES.map((n): [EventName, readonly ArgSchema[]] => [n, EVENTS[n].args]),
) as Record<EventName, readonly ArgSchema[]>;

/** Value shape of every arg name (an arg name means the same thing in every event). */
export const ARG_VALUES: ReadonlyMap<string, FieldType> = new Map(
  EVENT_NAMES.flatMap((n) => EVENTS[n].args.map((a): [string, FieldType] => [a.name, a.value])),
);

/**
 * The envelope's process-context fields (Tracee's JSON order, between `timestamp` and
 * `eventId`), where the builder takes each: a TaskContext field of the same name (`task`), the
 * packet's CPU (`cpu`), or nowhere (`empty`: Tracee's container and pod fields, which netrec
 * has no source for). `u64` fields are bigint.
 */
export const CONTEXT_FIELDS = {
  threadStartTime: { kind: 'u64', from: 'task' },
  processorId: { kind: 'number', from: 'cpu' },
  processId: { kind: 'number', from: 'task' },
  cgroupId: { kind: 'u64', from: 'task' },
  threadId: { kind: 'number', from: 'task' },
  parentProcessId: { kind: 'number', from: 'task' },
  hostProcessId: { kind: 'number', from: 'task' },
  hostThreadId: { kind: 'number', from: 'task' },
  hostParentProcessId: { kind: 'number', from: 'task' },
  userId: { kind: 'number', from: 'task' },
  mountNamespace: { kind: 'number', from: 'task' },
  pidNamespace: { kind: 'number', from: 'task' },
  processName: { kind: 'string', from: 'task' },
  hostName: { kind: 'string', from: 'task' },
  containerId: { kind: 'string', from: 'task' },
  containerImage: { kind: 'string', from: 'empty' },
  containerName: { kind: 'string', from: 'empty' },
  podName: { kind: 'string', from: 'empty' },
  podNamespace: { kind: 'string', from: 'empty' },
  podUID: { kind: 'string', from: 'empty' },
} as const satisfies Record<string, { kind: 'u64' | 'number' | 'string'; from: 'task' | 'cpu' | 'empty' }>;

export type ContextFieldName = keyof typeof CONTEXT_FIELDS;
export const CONTEXT_FIELD_NAMES = Object.keys(CONTEXT_FIELDS) as ContextFieldName[];

type Context = typeof CONTEXT_FIELDS;
/** The context part of an event. */
export type EventContext = {
  -readonly [K in keyof Context]: Context[K]['kind'] extends 'u64' ? bigint : Context[K]['kind'] extends 'number' ? number : string;
};

/** A `task` context field must be a TaskContext field of the same kind. */
type TaskSourced = { [K in keyof Context]: Context[K]['from'] extends 'task' ? K : never }[keyof Context];
type KindMatches = {
  [K in TaskSourced]: K extends TaskFieldName
    ? (typeof TASK_FIELDS)[K]['kind'] extends 'u64'
      ? Context[K]['kind'] extends 'u64'
        ? true
        : false
      : (typeof TASK_FIELDS)[K]['kind'] extends 'string'
        ? Context[K]['kind'] extends 'string'
          ? true
          : false
        : Context[K]['kind'] extends 'number'
          ? true
          : false
    : false;
};
const kindsMatch: { [K in TaskSourced]: true } = null as unknown as KindMatches;
void kindsMatch;
