/**
 * Which bytes of the packet a detail-tree node stands for, to highlight them in the hex pane:
 * a header for an event or a struct arg, the exact bytes for a fixed-position header field
 * (an address, a port, TTL, the TCP flags...). Variable-position data (DNS names, answers) maps
 * to its whole message. Offsets come from the decoded headers (src/decode, through the pipeline), never re-parsed.
 */
import type { CapturedPacket } from '../../core/packet.ts';
import type { DecodedPacket } from '../../decode/packet.ts';
import type { EventName } from '../../event/types.ts';
import { networkOffset } from '../../pipeline/packet-events.ts';

export interface ByteRange {
  start: number;
  /** Exclusive. */
  end: number;
}

/** [offset, length] of fixed fields within their header. */
type FieldTable = Readonly<Record<string, readonly [number, number]>>;

const IPV4_FIELDS: FieldTable = {
  version: [0, 1],
  IHL: [0, 1],
  TOS: [1, 1],
  length: [2, 2],
  id: [4, 2],
  flags: [6, 1],
  fragOffset: [6, 2],
  TTL: [8, 1],
  protocol: [9, 1],
  checksum: [10, 2],
  srcIP: [12, 4],
  dstIP: [16, 4],
};
const IPV6_FIELDS: FieldTable = {
  version: [0, 1],
  trafficClass: [0, 2],
  flowLabel: [1, 3],
  length: [4, 2],
  nextHeader: [6, 1],
  hopLimit: [7, 1],
  srcIP: [8, 16],
  dstIP: [24, 16],
};
const TCP_FIELDS: FieldTable = {
  srcPort: [0, 2],
  dstPort: [2, 2],
  seq: [4, 4],
  ack: [8, 4],
  dataOffset: [12, 1],
  NS: [12, 1],
  FIN: [13, 1],
  SYN: [13, 1],
  RST: [13, 1],
  PSH: [13, 1],
  ACK: [13, 1],
  URG: [13, 1],
  ECE: [13, 1],
  CWR: [13, 1],
  window: [14, 2],
  checksum: [16, 2],
  urgent: [18, 2],
};
const UDP_FIELDS: FieldTable = { srcPort: [0, 2], dstPort: [2, 2], length: [4, 2], checksum: [6, 2] };
const ICMP_FIELDS: FieldTable = { typeCode: [0, 2], checksum: [2, 2], id: [4, 2], seq: [6, 2] };
const DNS_FIELDS: FieldTable = {
  ID: [0, 2],
  QR: [2, 1],
  opCode: [2, 1],
  AA: [2, 1],
  TC: [2, 1],
  RD: [2, 1],
  RA: [3, 1],
  Z: [3, 1],
  responseCode: [3, 1],
  QDCount: [4, 2],
  ANCount: [6, 2],
  NSCount: [8, 2],
  ARCount: [10, 2],
};
const DNS_HEADER = 12;

/** Where each layer of the packet starts and ends. */
interface Layers {
  ip?: ByteRange;
  /** Where the IP header's address fields start (the fixed header, before any option). */
  ipFields: FieldTable;
  transport?: ByteRange;
  transportFields: FieldTable;
  dns?: ByteRange;
}

function layersOf(packet: CapturedPacket, d: DecodedPacket): Layers | undefined {
  const ipStart = networkOffset(packet);
  const ip = d.ipv4 ?? d.ipv6;
  if (ipStart === undefined || ip === undefined) return undefined;
  const transportStart = ipStart + ip.payloadOffset;
  const payloadEnd = ipStart + ip.payloadEnd;
  const layers: Layers = {
    ip: { start: ipStart, end: transportStart },
    ipFields: d.ipv4 !== undefined ? IPV4_FIELDS : IPV6_FIELDS,
    transportFields: d.tcp !== undefined ? TCP_FIELDS : d.udp !== undefined ? UDP_FIELDS : ICMP_FIELDS,
  };
  const headerLength = d.tcp !== undefined ? d.tcp.dataOffset * 4 : d.udp !== undefined || d.icmp !== undefined ? 8 : d.icmpv6 !== undefined ? 4 : 0;
  if (headerLength > 0) layers.transport = { start: transportStart, end: Math.min(transportStart + headerLength, payloadEnd) };
  if (d.dns.length > 0 && layers.transport !== undefined) {
    // Over TCP the message follows its 2-byte length prefix.
    const start = layers.transport.end + (d.tcp !== undefined ? 2 : 0);
    layers.dns = { start, end: Math.max(start, payloadEnd) };
  }
  return layers;
}

/** The bytes to highlight for a node of `event` at `field` (arg name, then keys), if any. */
export function byteRange(packet: CapturedPacket, d: DecodedPacket, event: EventName, field: readonly string[]): ByteRange | undefined {
  const layers = layersOf(packet, d);
  if (layers === undefined) return undefined;
  const [arg, key] = field;
  if (arg === undefined) return layerOfEvent(layers, event);
  switch (arg) {
    case 'src':
    case 'src_ip':
      return within(layers.ip, layers.ipFields, 'srcIP');
    case 'dst':
    case 'dst_ip':
      return within(layers.ip, layers.ipFields, 'dstIP');
    case 'src_port':
      return within(layers.transport, layers.transportFields, 'srcPort');
    case 'dst_port':
      return within(layers.transport, layers.transportFields, 'dstPort');
    case 'proto_ipv4':
    case 'proto_ipv6':
      return within(layers.ip, layers.ipFields, key);
    case 'proto_tcp':
    case 'proto_udp':
    case 'proto_icmp':
    case 'proto_icmpv6':
      return within(layers.transport, layers.transportFields, key);
    case 'proto_dns':
      return within(layers.dns, DNS_FIELDS, key, DNS_HEADER);
    case 'metadata':
      // PktMeta repeats the addresses and ports; its other fields describe the IP packet.
      if (key === 'src_ip' || key === 'dst_ip' || key === 'src_port' || key === 'dst_port') return byteRange(packet, d, event, [key]);
      return layers.ip;
    default:
      return layers.dns;
  }
}

function layerOfEvent(layers: Layers, event: EventName): ByteRange | undefined {
  if (event === 'net_packet_ipv4' || event === 'net_packet_ipv6') return layers.ip;
  if (event.startsWith('net_packet_dns')) return layers.dns;
  return layers.transport;
}

/**
 * `key`'s bytes within `layer` when the table places it; the whole layer otherwise (a struct,
 * or a field past the fixed header). `fixed` bounds where table offsets are valid.
 */
function within(layer: ByteRange | undefined, table: FieldTable, key: string | undefined, fixed = Infinity): ByteRange | undefined {
  if (layer === undefined) return undefined;
  const place = key === undefined ? undefined : table[key];
  if (place === undefined) return layer;
  const [offset, length] = place;
  const start = layer.start + offset;
  if (offset + length > fixed || start + length > layer.end) return layer;
  return { start, end: start + length };
}
