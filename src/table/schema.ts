/**
 * The tables netrec writes (Parquet, ClickHouse): their columns and types, described once. The
 * Parquet writer (src/query/) and the ClickHouse shipper (src/ship/) map these engine-neutral
 * types to their own; docs/tables.md documents them. Changing a column changes SCHEMA_VERSION
 * (test/table/schema.test.ts holds the fingerprint of every version).
 */

/** Bumped on every change of a table's columns (name, type, order). */
export const SCHEMA_VERSION = 2;

export type Scalar = 'bool' | 'u8' | 'u16' | 'u32' | 'i32' | 'u64' | 'i64' | 'string' | 'timestamp_ns' | 'date';
export type ColumnType = Scalar | { list: ColumnType } | { struct: Field[] };

export interface Field {
  name: string;
  type: ColumnType;
}

export interface Column extends Field {
  /** Absent in some rows (an event's args other than its own, a packet's missing layer). */
  nullable?: boolean;
  /**
   * A timestamp_ns column computed by the engine from this i64 column of epoch ns (rows do not
   * carry it: one value, one source).
   */
  derivedFrom?: string;
}

export interface TableSchema {
  name: TableName;
  columns: Column[];
}

export const TABLE_NAMES = ['packets', 'events', 'dns', 'processes', 'process_events', 'flows', 'dns_transactions'] as const;
export type TableName = (typeof TABLE_NAMES)[number];

/**
 * Tables whose rows are known only at the end of an input (aggregated over all its packets): they
 * have no packetNumber, and a shipper sends them with an input's last batch.
 */
export const END_TABLES: readonly TableName[] = ['processes', 'process_events', 'flows', 'dns_transactions'];

const f = (name: string, type: ColumnType): Field => ({ name, type });
const opt = (name: string, type: ColumnType): Column => ({ name, type, nullable: true });
const struct = (...fields: Field[]): ColumnType => ({ struct: fields });
const list = (type: ColumnType): ColumnType => ({ list: type });

/**
 * Where a row comes from: the partition keys (host and UTC day, also the directory names of a
 * Parquet export), the input (recording id or file name) and the packet in it, so that rows of
 * every table join on (recordingId, packetNumber).
 */
const ORIGIN: Column[] = [
  f('host', 'string'),
  f('date', 'date'),
  f('recordingId', 'string'),
  f('packetNumber', 'u64'),
  f('timestamp', 'i64'),
  { name: 'time', type: 'timestamp_ns', derivedFrom: 'timestamp' },
];

/** The ids and name of a task, in Tracee's envelope order (from threadId to processName). */
const TASK_IDS: Column[] = [
  f('threadId', 'u32'),
  f('parentProcessId', 'u32'),
  f('hostProcessId', 'u32'),
  f('hostThreadId', 'u32'),
  f('hostParentProcessId', 'u32'),
  f('userId', 'u32'),
  f('mountNamespace', 'u32'),
  f('pidNamespace', 'u32'),
  f('processName', 'string'),
];

/** The process owning a packet, with Tracee's envelope names. */
const TASK: Column[] = [
  f('hostName', 'string'),
  f('processId', 'u32'),
  ...TASK_IDS,
  f('leaderName', 'string'),
  f('threadStartTime', 'u64'),
  f('cgroupId', 'u64'),
  f('containerId', 'string'),
];

const PROTO_IPV4 = struct(
  f('version', 'u8'),
  f('IHL', 'u8'),
  f('TOS', 'u8'),
  f('length', 'u16'),
  f('id', 'u16'),
  f('flags', 'u8'),
  f('fragOffset', 'u16'),
  f('TTL', 'u8'),
  f('protocol', 'string'),
  f('checksum', 'u16'),
  f('srcIP', 'string'),
  f('dstIP', 'string'),
);
const PROTO_IPV6 = struct(
  f('version', 'u8'),
  f('trafficClass', 'u8'),
  f('flowLabel', 'u32'),
  f('length', 'u16'),
  f('nextHeader', 'string'),
  f('hopLimit', 'u8'),
  f('srcIP', 'string'),
  f('dstIP', 'string'),
);
/**
 * Tracee's `ack` (the acknowledgement number) is `ackNumber` here: DuckDB, like SQL, does not
 * tell `ack` from the flag `ACK` (field names are case-insensitive).
 */
const PROTO_TCP = struct(
  f('srcPort', 'u16'),
  f('dstPort', 'u16'),
  f('seq', 'u32'),
  f('ackNumber', 'u32'),
  f('dataOffset', 'u8'),
  f('FIN', 'u8'),
  f('SYN', 'u8'),
  f('RST', 'u8'),
  f('PSH', 'u8'),
  f('ACK', 'u8'),
  f('URG', 'u8'),
  f('ECE', 'u8'),
  f('CWR', 'u8'),
  f('NS', 'u8'),
  f('window', 'u16'),
  f('checksum', 'u16'),
  f('urgent', 'u16'),
);
const PROTO_UDP = struct(f('srcPort', 'u16'), f('dstPort', 'u16'), f('length', 'u16'), f('checksum', 'u16'));
const PROTO_ICMP = struct(f('typeCode', 'string'), f('checksum', 'u16'), f('id', 'u16'), f('seq', 'u16'));
const PROTO_ICMPV6 = struct(f('typeCode', 'string'), f('checksum', 'u16'));
const DNS_QUESTION = struct(f('name', 'string'), f('type', 'string'), f('class', 'string'));
const DNS_RECORD = struct(
  f('name', 'string'),
  f('type', 'string'),
  f('class', 'string'),
  f('TTL', 'u32'),
  f('IP', 'string'),
  f('NS', 'string'),
  f('CNAME', 'string'),
  f('PTR', 'string'),
  f('TXTs', list('string')),
  f(
    'SOA',
    struct(f('MName', 'string'), f('RName', 'string'), f('serial', 'u32'), f('refresh', 'u32'), f('retry', 'u32'), f('expire', 'u32'), f('minimum', 'u32')),
  ),
  f('SRV', struct(f('priority', 'u16'), f('weight', 'u16'), f('port', 'u16'), f('name', 'string'))),
  f('MX', struct(f('preference', 'u16'), f('name', 'string'))),
  f('OPT', list(struct(f('code', 'string'), f('data', 'string')))),
  f('URI', struct(f('priority', 'u16'), f('weight', 'u16'), f('target', 'string'))),
  f('TXT', 'string'),
);
const DNS_HEADER: Field[] = [
  f('ID', 'u16'),
  f('QR', 'u8'),
  f('opCode', 'string'),
  f('AA', 'u8'),
  f('TC', 'u8'),
  f('RD', 'u8'),
  f('RA', 'u8'),
  f('Z', 'u8'),
  f('responseCode', 'string'),
  f('QDCount', 'u16'),
  f('ANCount', 'u16'),
  f('NSCount', 'u16'),
  f('ARCount', 'u16'),
];
const DNS_SECTIONS: Field[] = [
  f('questions', list(DNS_QUESTION)),
  f('answers', list(DNS_RECORD)),
  f('authorities', list(DNS_RECORD)),
  f('additionals', list(DNS_RECORD)),
];
const PROTO_DNS = struct(...DNS_HEADER, ...DNS_SECTIONS);
const PKT_META = struct(
  f('src_ip', 'string'),
  f('dst_ip', 'string'),
  f('src_port', 'u16'),
  f('dst_port', 'u16'),
  f('protocol', 'u8'),
  f('packet_len', 'u32'),
  f('iface', 'string'),
);
const DNS_QUERY_DATA = struct(f('query', 'string'), f('query_type', 'string'), f('query_class', 'string'));
const DNS_RESPONSE_DATA = struct(
  f('query_data', DNS_QUERY_DATA),
  f('dns_answer', list(struct(f('answer_type', 'string'), f('ttl', 'u32'), f('answer', 'string')))),
);

/**
 * Every argument any network event has, by its Tracee name, as a typed column: an event fills
 * its own and leaves the others null. Tracee's {name, type, value} list is `argsNum` of these,
 * in the order src/event/build.ts gives them (docs/tables.md lists it per event).
 */
export const ARG_COLUMNS: Column[] = [
  opt('src', 'string'),
  opt('dst', 'string'),
  opt('src_port', 'u16'),
  opt('dst_port', 'u16'),
  opt('proto_ipv4', PROTO_IPV4),
  opt('proto_ipv6', PROTO_IPV6),
  opt('proto_tcp', PROTO_TCP),
  opt('proto_udp', PROTO_UDP),
  opt('proto_icmp', PROTO_ICMP),
  opt('proto_icmpv6', PROTO_ICMPV6),
  opt('proto_dns', PROTO_DNS),
  opt('metadata', PKT_META),
  opt('dns_questions', list(DNS_QUERY_DATA)),
  opt('dns_response', list(DNS_RESPONSE_DATA)),
];

/** First and last packet (epoch ns, and as timestamps), packets and bytes: a process's, a flow's. */
const SPAN_AND_TOTALS: Column[] = [
  f('firstSeen', 'i64'),
  f('lastSeen', 'i64'),
  { name: 'firstTime', type: 'timestamp_ns', derivedFrom: 'firstSeen' },
  { name: 'lastTime', type: 'timestamp_ns', derivedFrom: 'lastSeen' },
  f('packets', 'u64'),
  f('bytes', 'u64'),
];

/** A process that owned an endpoint's socket (sent from it or received on it). */
const OWNERS = list(struct(f('hostProcessId', 'u32'), f('processName', 'string')));

/** Where an aggregated row comes from: partition keys, input, host (no packet: it spans many). */
const AGGREGATE_ORIGIN: Column[] = [f('host', 'string'), f('date', 'date'), f('recordingId', 'string'), f('hostName', 'string')];

export const TABLES: Record<TableName, TableSchema> = {
  packets: {
    name: 'packets',
    columns: [
      ...ORIGIN,
      f('segment', 'u32'),
      f('interface', 'string'),
      opt('ifindex', 'u32'),
      f('direction', 'string'),
      f('capturedLength', 'u32'),
      f('originalLength', 'u32'),
      f('linkType', 'u16'),
      // The L3/L4 summary: 0 / '' where the packet has no such layer.
      f('ipVersion', 'u8'),
      f('srcIP', 'string'),
      f('dstIP', 'string'),
      f('protocol', 'u8'),
      opt('srcPort', 'u16'),
      opt('dstPort', 'u16'),
      opt('tcpFlags', 'u16'),
      f('dnsMessages', 'u16'),
      f('decodeError', 'string'),
      f('hasTask', 'bool'),
      ...TASK,
    ],
  },
  events: {
    name: 'events',
    columns: [
      ...ORIGIN,
      // Order of the event among the export's events: replay's output order.
      f('seq', 'u64'),
      // The envelope in Tracee's JSON key order (not TASK's): a row reads as the event it stores.
      f('threadStartTime', 'u64'),
      f('processorId', 'u32'),
      f('processId', 'u32'),
      f('cgroupId', 'u64'),
      ...TASK_IDS,
      opt('leaderName', 'string'),
      f('hostName', 'string'),
      f('containerId', 'string'),
      f('containerImage', 'string'),
      f('containerName', 'string'),
      f('podName', 'string'),
      f('podNamespace', 'string'),
      f('podUID', 'string'),
      f('eventId', 'string'),
      f('eventName', 'string'),
      f('argsNum', 'u8'),
      f('returnValue', 'i32'),
      f('stackAddresses', list('u64')),
      f('contextFlags', struct(f('containerStarted', 'bool'))),
      ...ARG_COLUMNS,
    ],
  },
  dns: {
    name: 'dns',
    columns: [
      ...ORIGIN,
      // Position of the message in its packet (DNS over TCP may carry several).
      f('messageIndex', 'u16'),
      f('transport', 'string'),
      f('srcIP', 'string'),
      f('dstIP', 'string'),
      f('srcPort', 'u16'),
      f('dstPort', 'u16'),
      ...DNS_HEADER,
      ...DNS_SECTIONS,
      // Flat views of the sections for engines and queries that do not unnest structs.
      f('questionNames', list('string')),
      f('answerIPs', list('string')),
      ...TASK,
    ],
  },
  processes: {
    name: 'processes',
    columns: [f('host', 'string'), f('date', 'date'), f('recordingId', 'string'), ...TASK, ...SPAN_AND_TOTALS],
  },
  process_events: {
    name: 'process_events',
    columns: [
      f('host', 'string'),
      f('date', 'date'),
      f('recordingId', 'string'),
      f('timestamp', 'i64'),
      { name: 'time', type: 'timestamp_ns', derivedFrom: 'timestamp' },
      // fork, exec, exit or comm (a thread renamed itself).
      f('event', 'string'),
      // The task after the event (the child of a fork, the new image of an exec) is in the
      // recording's process table; false: only its ids are known (the others are 0 and '').
      f('hasTask', 'bool'),
      ...TASK,
      f('executable', 'string'),
      opt('exitCode', 'i32'),
    ],
  },
  flows: {
    name: 'flows',
    columns: [
      ...AGGREGATE_ORIGIN,
      // 1-based, in the order the flows started in their input.
      f('flowNumber', 'u64'),
      f('transport', 'string'),
      // src is the source of the flow's first packet (the initiator when the capture saw the start).
      f('srcIP', 'string'),
      f('srcPort', 'u16'),
      f('dstIP', 'string'),
      f('dstPort', 'u16'),
      ...SPAN_AND_TOTALS,
      f('packetsFromSrc', 'u64'),
      f('bytesFromSrc', 'u64'),
      f('packetsFromDst', 'u64'),
      f('bytesFromDst', 'u64'),
      f('copies', 'u64'),
      opt('tcpState', 'string'),
      f('srcProcesses', OWNERS),
      f('srcMoreProcesses', 'bool'),
      f('dstProcesses', OWNERS),
      f('dstMoreProcesses', 'bool'),
    ],
  },
  dns_transactions: {
    name: 'dns_transactions',
    columns: [
      ...AGGREGATE_ORIGIN,
      // 1-based, in the order of the queries in their input.
      f('transactionNumber', 'u64'),
      // The query's time.
      f('timestamp', 'i64'),
      { name: 'time', type: 'timestamp_ns', derivedFrom: 'timestamp' },
      f('transport', 'string'),
      f('clientIP', 'string'),
      f('clientPort', 'u16'),
      f('serverIP', 'string'),
      f('serverPort', 'u16'),
      f('ID', 'u16'),
      f('questionName', 'string'),
      f('questionType', 'string'),
      f('questionClass', 'string'),
      f('retransmissions', 'u32'),
      f('answered', 'bool'),
      opt('responseTimestamp', 'i64'),
      opt('latency', 'i64'),
      opt('responseCode', 'string'),
      f('answers', list(struct(f('answer_type', 'string'), f('ttl', 'u32'), f('answer', 'string')))),
      f('clientProcesses', OWNERS),
      f('clientMoreProcesses', 'bool'),
      f('serverProcesses', OWNERS),
      f('serverMoreProcesses', 'bool'),
    ],
  },
};

/** One line per column, nested types spelled out: what the schema test fingerprints. */
export function describeSchema(): string {
  const spell = (t: ColumnType): string =>
    typeof t === 'string' ? t : 'list' in t ? `list<${spell(t.list)}>` : `struct<${t.struct.map((x) => `${x.name}:${spell(x.type)}`).join(',')}>`;
  return TABLE_NAMES.flatMap((n) => TABLES[n].columns.map((c) => `${n}.${c.name} ${spell(c.type)}${c.nullable ? ' null' : ''}`)).join('\n');
}
