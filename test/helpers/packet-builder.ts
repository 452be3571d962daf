/**
 * Small, explicit builders of raw IP packets for tests (bytes start at the L3 header, i.e.
 * LINKTYPE_RAW). Every header field is written exactly as given: lengths, checksums, counts and
 * flags are never "fixed up", so a decoder must report back the very values a test passed in.
 * Only fields left out get a default (noted per field); the one computed default is the IPv4
 * header checksum, and only when no checksum is given.
 *
 * Field names follow Tracee's Proto* JSON names (src/event/types.ts), so a seed event's value can
 * be spread straight into a builder: `ipv4({ ...protoIpv4, payload })`.
 */
import dnsPacket from 'dns-packet';

// ---------------------------------------------------------------------------------------------
// Byte helpers

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function u16(v: number): Uint8Array {
  checkRange(v, 0xffff, 'u16');
  return Uint8Array.of(v >>> 8, v & 0xff);
}

function u32(v: number): Uint8Array {
  checkRange(v, 0xffffffff, 'u32');
  return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

function checkRange(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${what} out of range: ${v}`);
}

function bit(v: number | boolean | undefined): number {
  return v ? 1 : 0;
}

/** UTF-8 bytes of a string (a Go string decoded from JSON goes back to its bytes this way). */
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** `n` bytes of a recognisable filler pattern (0x00, 0x01, ... wrapping). */
export function filler(n: number, start = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (start + i) & 0xff;
  return out;
}

/** The Internet checksum (RFC 1071) of `data`. */
export function internetChecksum(data: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < data.length; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  if (data.length % 2 === 1) sum += data[data.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

// ---------------------------------------------------------------------------------------------
// Addresses

/** Parses dotted IPv4 (4 bytes) or IPv6 text, `::` and an embedded dotted tail included (16 bytes). */
export function ipBytes(text: string): Uint8Array {
  if (!text.includes(':')) return ipv4Bytes(text);
  let head = text;
  let tail4: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail4 = ipv4Bytes(text.slice(lastColon + 1));
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) throw new Error(`bad IPv6 address: ${text}`);
  const groups = (s: string): number[] =>
    s === ''
      ? []
      : s.split(':').map((g) => {
          if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new Error(`bad IPv6 address: ${text}`);
          return parseInt(g, 16);
        });
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = 8 - left.length - right.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) throw new Error(`bad IPv6 address: ${text}`);
  const all = [...left, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...right];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  if (tail4) out.set(tail4, 12);
  return out;
}

function ipv4Bytes(text: string): Uint8Array {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new Error(`bad IPv4 address: ${text}`);
  }
  return Uint8Array.from(parts.map(Number));
}

// ---------------------------------------------------------------------------------------------
// gopacket string tables, reversed (the reference, §1.9)

const IP_PROTOCOLS: Record<string, number> = {
  IPv6HopByHop: 0,
  ICMPv4: 1,
  IGMP: 2,
  IPv4: 4,
  TCP: 6,
  UDP: 17,
  RUDP: 27,
  IPv6: 41,
  IPv6Routing: 43,
  IPv6Fragment: 44,
  GRE: 47,
  IPSecESP: 50,
  IPSecAH: 51,
  ICMPv6: 58,
  NoNextHeader: 59,
  IPv6Destination: 60,
  OSPF: 89,
  EtherIP: 97,
  VRRP: 112,
  SCTP: 132,
  UDPLite: 136,
  MPLS: 137,
};

export function ipProtocolNumber(p: number | string): number {
  if (typeof p === 'number') return p;
  const n = IP_PROTOCOLS[p];
  if (n === undefined) throw new Error(`no single IP protocol number prints as ${JSON.stringify(p)}`);
  return n;
}

const ICMPV4_TYPES: Record<string, number> = {
  EchoReply: 0,
  DestinationUnreachable: 3,
  SourceQuench: 4,
  Redirect: 5,
  EchoRequest: 8,
  RouterAdvertisement: 9,
  RouterSolicitation: 10,
  TimeExceeded: 11,
  ParameterProblem: 12,
  TimestampRequest: 13,
  TimestampReply: 14,
  InfoRequest: 15,
  InfoReply: 16,
  AddressMaskRequest: 17,
  AddressMaskReply: 18,
};
const ICMPV4_CODES: Record<string, string[]> = {
  DestinationUnreachable: [
    'Net',
    'Host',
    'Protocol',
    'Port',
    'FragmentationNeeded',
    'SourceRoutingFailed',
    'NetUnknown',
    'HostUnknown',
    'SourceIsolated',
    'NetAdminProhibited',
    'HostAdminProhibited',
    'NetTOS',
    'HostTOS',
    'CommAdminProhibited',
    'HostPrecedence',
    'PrecedenceCutoff',
  ],
  TimeExceeded: ['TTLExceeded', 'FragmentReassemblyTimeExceeded'],
  ParameterProblem: ['PointerIndicatesError', 'MissingOption', 'BadLength'],
  Redirect: ['Net', 'Host', 'TOS+Net', 'TOS+Host'],
};
const ICMPV6_TYPES: Record<string, number> = {
  DestinationUnreachable: 1,
  PacketTooBig: 2,
  TimeExceeded: 3,
  ParameterProblem: 4,
  EchoRequest: 128,
  EchoReply: 129,
  RouterSolicitation: 133,
  RouterAdvertisement: 134,
  NeighborSolicitation: 135,
  NeighborAdvertisement: 136,
  Redirect: 137,
};
const ICMPV6_CODES: Record<string, string[]> = {
  DestinationUnreachable: [
    'NoRouteToDst',
    'AdminProhibited',
    'BeyondScopeOfSrc',
    'AddressUnreachable',
    'PortUnreachable',
    'SrcAddressFailedPolicy',
    'RejectRouteToDst',
  ],
  TimeExceeded: ['HopLimitExceeded', 'FragmentReassemblyTimeExceeded'],
  ParameterProblem: ['ErroneousHeaderField', 'UnrecognizedNextHeader', 'UnrecognizedIPv6Option'],
};

/**
 * Type and code of a gopacket ICMP typeCode string: "EchoRequest", "DestinationUnreachable(Port)",
 * "Redirect(Code: 9)", "42(3)".
 */
function parseTypeCode(s: string, types: Record<string, number>, codes: Record<string, string[]>): { type: number; code: number } {
  const m = /^([^()]+)(?:\((.*)\))?$/.exec(s);
  if (!m) throw new Error(`bad ICMP typeCode: ${s}`);
  const [, typeName = '', codeText] = m;
  if (/^\d+$/.test(typeName)) return { type: Number(typeName), code: Number(codeText ?? 0) };
  const type = types[typeName];
  if (type === undefined) throw new Error(`unknown ICMP type name: ${typeName}`);
  if (codeText === undefined) return { type, code: 0 };
  const numeric = /^Code: (\d+)$/.exec(codeText);
  if (numeric) return { type, code: Number(numeric[1]) };
  const code = (codes[typeName] ?? []).indexOf(codeText);
  if (code < 0) throw new Error(`unknown ICMP code name: ${s}`);
  return { type, code };
}

export const icmpTypeCode = (s: string): { type: number; code: number } => parseTypeCode(s, ICMPV4_TYPES, ICMPV4_CODES);
export const icmpv6TypeCode = (s: string): { type: number; code: number } => parseTypeCode(s, ICMPV6_TYPES, ICMPV6_CODES);

// ---------------------------------------------------------------------------------------------
// IPv4 / IPv6

export interface IPv4Fields {
  /** Default 4. */
  version?: number;
  /** Header length in 32-bit words. Default 5 + options/4. */
  IHL?: number;
  TOS?: number;
  /** Total Length. Default: header + payload. */
  length?: number;
  id?: number;
  /** Top 3 bits of bytes 6-7: 4 reserved, 2 DF, 1 MF. */
  flags?: number;
  fragOffset?: number;
  /** Default 64. */
  TTL?: number;
  /** Number, or gopacket's name ("TCP", "UDP", "ICMPv4", ...). */
  protocol: number | string;
  /** Header checksum. Default: the correct one. Given: written verbatim. */
  checksum?: number;
  srcIP: string;
  dstIP: string;
  /** Raw option bytes (their length must be a multiple of 4 unless IHL is given). */
  options?: Uint8Array;
  payload?: Uint8Array;
}

export function ipv4(f: IPv4Fields): Uint8Array {
  const options = f.options ?? new Uint8Array(0);
  const ihl = f.IHL ?? 5 + Math.ceil(options.length / 4);
  const headerLen = 20 + options.length;
  const payload = f.payload ?? new Uint8Array(0);
  const h = concat(
    Uint8Array.of(((f.version ?? 4) << 4) | (ihl & 0x0f), f.TOS ?? 0),
    u16(f.length ?? headerLen + payload.length),
    u16(f.id ?? 0),
    u16(((f.flags ?? 0) << 13) | (f.fragOffset ?? 0)),
    Uint8Array.of(f.TTL ?? 64, ipProtocolNumber(f.protocol)),
    u16(0),
    ipv4Bytes(f.srcIP),
    ipv4Bytes(f.dstIP),
    options,
  );
  const checksum = f.checksum ?? internetChecksum(h);
  h.set(u16(checksum), 10);
  return concat(h, payload);
}

export interface IPv6Fields {
  /** Default 6. */
  version?: number;
  trafficClass?: number;
  flowLabel?: number;
  /** Payload Length. Default: payload size. */
  length?: number;
  /** Next Header of the fixed header: number or gopacket name. */
  nextHeader: number | string;
  /** Default 64. */
  hopLimit?: number;
  srcIP: string;
  dstIP: string;
  /** Everything after the 40-byte fixed header (extension headers included). */
  payload?: Uint8Array;
}

export function ipv6(f: IPv6Fields): Uint8Array {
  const payload = f.payload ?? new Uint8Array(0);
  const word0 = (((f.version ?? 6) & 0x0f) << 28) | (((f.trafficClass ?? 0) & 0xff) << 20) | ((f.flowLabel ?? 0) & 0xfffff);
  return concat(
    u32(word0 >>> 0),
    u16(f.length ?? payload.length),
    Uint8Array.of(ipProtocolNumber(f.nextHeader), f.hopLimit ?? 64),
    ipBytes(f.srcIP),
    ipBytes(f.dstIP),
    payload,
  );
}

// ---------------------------------------------------------------------------------------------
// TCP / UDP / ICMP / ICMPv6

export interface TCPFields {
  srcPort: number;
  dstPort: number;
  seq?: number;
  ack?: number;
  /** Header length in 32-bit words. Default 5 + options/4. */
  dataOffset?: number;
  FIN?: number | boolean;
  SYN?: number | boolean;
  RST?: number | boolean;
  PSH?: number | boolean;
  ACK?: number | boolean;
  URG?: number | boolean;
  ECE?: number | boolean;
  CWR?: number | boolean;
  NS?: number | boolean;
  window?: number;
  /** Written verbatim; default 0 (not computed). */
  checksum?: number;
  urgent?: number;
  /** Raw option bytes; when dataOffset is given they are zero-padded (EOL) up to it. */
  options?: Uint8Array;
  payload?: Uint8Array;
}

export function tcp(f: TCPFields): Uint8Array {
  let options = f.options ?? new Uint8Array(0);
  const dataOffset = f.dataOffset ?? 5 + Math.ceil(options.length / 4);
  const optLen = Math.max(0, dataOffset * 4 - 20);
  if (options.length > optLen) throw new Error(`TCP options (${options.length} bytes) exceed dataOffset ${dataOffset}`);
  if (options.length < optLen) options = concat(options, new Uint8Array(optLen - options.length));
  const flags =
    bit(f.FIN) | (bit(f.SYN) << 1) | (bit(f.RST) << 2) | (bit(f.PSH) << 3) | (bit(f.ACK) << 4) | (bit(f.URG) << 5) | (bit(f.ECE) << 6) | (bit(f.CWR) << 7);
  return concat(
    u16(f.srcPort),
    u16(f.dstPort),
    u32(f.seq ?? 0),
    u32(f.ack ?? 0),
    Uint8Array.of(((dataOffset & 0x0f) << 4) | bit(f.NS), flags),
    u16(f.window ?? 0),
    u16(f.checksum ?? 0),
    u16(f.urgent ?? 0),
    options,
    f.payload ?? new Uint8Array(0),
  );
}

/**
 * Plausible TCP option bytes of exactly `len` bytes (a multiple of 4): 20 = a Linux SYN
 * (MSS, SACK-permitted, timestamps, NOP, window scale), 12 = NOP NOP timestamps, otherwise NOPs.
 */
export function tcpOptions(len: number, tsval = 0x01020304, tsecr = 0): Uint8Array {
  const ts = concat(Uint8Array.of(8, 10), u32(tsval), u32(tsecr));
  if (len === 20) return concat(Uint8Array.of(2, 4, 0x05, 0xb4, 4, 2), ts, Uint8Array.of(1, 3, 3, 7));
  if (len === 12) return concat(Uint8Array.of(1, 1), ts);
  return new Uint8Array(len).fill(1);
}

export interface UDPFields {
  srcPort: number;
  dstPort: number;
  /** Length field. Default: 8 + payload. */
  length?: number;
  /** Written verbatim; default 0 ("no checksum"). */
  checksum?: number;
  payload?: Uint8Array;
}

export function udp(f: UDPFields): Uint8Array {
  const payload = f.payload ?? new Uint8Array(0);
  return concat(u16(f.srcPort), u16(f.dstPort), u16(f.length ?? 8 + payload.length), u16(f.checksum ?? 0), payload);
}

export interface ICMPFields {
  /** gopacket typeCode string; or give type/code. */
  typeCode?: string;
  type?: number;
  code?: number;
  /** Written verbatim; default 0. */
  checksum?: number;
  /** Bytes 4-5. */
  id?: number;
  /** Bytes 6-7. */
  seq?: number;
  payload?: Uint8Array;
}

export function icmp(f: ICMPFields): Uint8Array {
  const tc = f.typeCode !== undefined ? icmpTypeCode(f.typeCode) : { type: f.type ?? 0, code: f.code ?? 0 };
  return concat(Uint8Array.of(tc.type, tc.code), u16(f.checksum ?? 0), u16(f.id ?? 0), u16(f.seq ?? 0), f.payload ?? new Uint8Array(0));
}

export interface ICMPv6Fields {
  typeCode?: string;
  type?: number;
  code?: number;
  /** Written verbatim; default 0. */
  checksum?: number;
  /** Everything after the 4-byte ICMPv6 header (for echo: id, seq, data). */
  body?: Uint8Array;
}

export function icmpv6(f: ICMPv6Fields): Uint8Array {
  const tc = f.typeCode !== undefined ? icmpv6TypeCode(f.typeCode) : { type: f.type ?? 0, code: f.code ?? 0 };
  return concat(Uint8Array.of(tc.type, tc.code), u16(f.checksum ?? 0), f.body ?? new Uint8Array(0));
}

/** Echo body for ICMPv6 (and the id/seq-less tail for ICMPv4): id, seq, then data. */
export function echoBody(id: number, seq: number, data: Uint8Array = filler(56, 0x10)): Uint8Array {
  return concat(u16(id), u16(seq), data);
}

// ---------------------------------------------------------------------------------------------
// DNS

const DNS_OPCODES: Record<string, number> = { query: 0, 'inverse query': 1, status: 2, notify: 4, update: 5 };
const DNS_RCODES: Record<string, number> = {
  'no error': 0,
  'format error': 1,
  'server failure ': 2,
  'non-existent domain': 3,
  'not implemented': 4,
  'query refused': 5,
  'name exists when it should not': 6,
  'rr set exists when it should not': 7,
  'rr set that should exist does not': 8,
  'server not authoritative for zone': 9,
  'name not contained in zone': 10,
};
const DNS_TYPES: Record<string, number> = {
  A: 1,
  NS: 2,
  MD: 3,
  MF: 4,
  CNAME: 5,
  SOA: 6,
  MB: 7,
  MG: 8,
  MR: 9,
  NULL: 10,
  WKS: 11,
  PTR: 12,
  HINFO: 13,
  MINFO: 14,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  URI: 256,
};
const DNS_CLASSES: Record<string, number> = { IN: 1, CS: 2, CH: 3, HS: 4, Any: 255 };
const DNS_OPTION_CODES: Record<string, number> = {
  NSID: 3,
  DAU: 5,
  DHU: 6,
  N3U: 7,
  EDNSClientSubnet: 8,
  EDNSExpire: 9,
  Cookie: 10,
  EDNSKeepAlive: 11,
  CodePadding: 12,
  CodeChain: 13,
  CodeEDNSKeyTag: 14,
  EDNSClientTag: 16,
  EDNSServerTag: 17,
  DeviceID: 26946,
};

/** UDP payload size written in an OPT record's class when the spec's class is "Unknown". */
export const DEFAULT_OPT_UDP_SIZE = 512;

export interface DnsQuestionSpec {
  name: string;
  /** gopacket type string, or the number (required for "Unknown"). */
  type: string | number;
  class: string | number;
}

/** A ProtoDNSResourceRecord-like record. Only the fields its type uses are read. */
export interface DnsRecordSpec {
  name: string;
  type: string | number;
  /** For "Unknown": `classCode` is used, or DEFAULT_OPT_UDP_SIZE for OPT. */
  class: string | number;
  TTL: number;
  IP?: string;
  NS?: string;
  CNAME?: string;
  PTR?: string;
  TXTs?: string[] | null;
  SOA?: { MName: string; RName: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };
  SRV?: { priority: number; weight: number; port: number; name: string };
  MX?: { preference: number; name: string };
  OPT?: { code: string; data: string }[];
  URI?: { priority: number; weight: number; target: string };
  TXT?: string;
  /** Numeric type when `type` is "Unknown". */
  typeCode?: number;
  /** Numeric class when `class` is "Unknown". */
  classCode?: number;
  /** Raw RDATA, overriding whatever the typed fields would give. */
  rdata?: Uint8Array;
}

/** A ProtoDNS-like message. Header counts default to the section sizes; given, they are written verbatim. */
export interface DnsMessageSpec {
  ID: number;
  QR: number;
  opCode?: string | number;
  AA?: number;
  TC?: number;
  RD?: number;
  RA?: number;
  Z?: number;
  responseCode?: string | number;
  QDCount?: number;
  ANCount?: number;
  NSCount?: number;
  ARCount?: number;
  questions: DnsQuestionSpec[];
  answers?: DnsRecordSpec[];
  authorities?: DnsRecordSpec[];
  additionals?: DnsRecordSpec[];
}

function lookup(table: Record<string, number>, v: string | number, what: string): number {
  if (typeof v === 'number') return v;
  const n = table[v];
  if (n === undefined) throw new Error(`${what} ${JSON.stringify(v)} has no single wire value: give the number`);
  return n;
}

/** dns-packet's per-type RDATA encoders (`record(type)`), which @types/dns-packet does not declare. */
interface RdataEncoder {
  encode(data: unknown): Uint8Array;
}
const rdataEncoder = (type: string): RdataEncoder => (dnsPacket as unknown as { record(type: string): RdataEncoder }).record(type);

/** RDATA through dns-packet, without its 2-byte RDLENGTH prefix. */
function viaDnsPacket(type: string, data: unknown): Uint8Array {
  return rdataEncoder(type).encode(data).subarray(2);
}

/** The RDATA of one record, and the names it contains (offset within the RDATA → name). */
function rdataOf(rr: DnsRecordSpec, type: number): { bytes: Uint8Array; names: [number, string][] } {
  if (rr.rdata) return { bytes: rr.rdata, names: [] };
  const nameLen = (n: string): number => viaDnsPacket('NS', n).length;
  switch (type) {
    case 1: // A
    case 28: {
      // AAAA
      const ip = rr.IP ?? '';
      if (ip.startsWith('?')) return { bytes: hexBytes(ip.slice(1)), names: [] };
      if (ip === '' || ip === '<nil>') return { bytes: new Uint8Array(0), names: [] };
      // Go prints an IPv4-mapped AAAA as dotted quad: write it back as ::ffff:a.b.c.d.
      if (type === 28 && !ip.includes(':')) return { bytes: ipBytes(`::ffff:${ip}`), names: [] };
      return { bytes: viaDnsPacket(type === 1 ? 'A' : 'AAAA', ip), names: [] };
    }
    case 2:
      return { bytes: viaDnsPacket('NS', rr.NS ?? ''), names: [[0, rr.NS ?? '']] };
    case 5:
      return { bytes: viaDnsPacket('CNAME', rr.CNAME ?? ''), names: [[0, rr.CNAME ?? '']] };
    case 12:
      return { bytes: viaDnsPacket('PTR', rr.PTR ?? ''), names: [[0, rr.PTR ?? '']] };
    case 15: {
      const mx = rr.MX ?? { preference: 0, name: '' };
      return { bytes: viaDnsPacket('MX', { preference: mx.preference, exchange: mx.name }), names: [[2, mx.name]] };
    }
    case 6: {
      const s = rr.SOA ?? { MName: '', RName: '', serial: 0, refresh: 0, retry: 0, expire: 0, minimum: 0 };
      if (s.RName.includes('\\')) throw new Error('SOA RName with a backslash: give rdata');
      const bytes = viaDnsPacket('SOA', {
        mname: s.MName,
        rname: s.RName,
        serial: s.serial,
        refresh: s.refresh,
        retry: s.retry,
        expire: s.expire,
        minimum: s.minimum,
      });
      return {
        bytes,
        names: [
          [0, s.MName],
          [nameLen(s.MName), s.RName],
        ],
      };
    }
    case 33: {
      const s = rr.SRV ?? { priority: 0, weight: 0, port: 0, name: '' };
      return { bytes: viaDnsPacket('SRV', { priority: s.priority, weight: s.weight, port: s.port, target: s.name }), names: [[6, s.name]] };
    }
    case 13: // HINFO
    case 16: {
      // TXT: Tracee's TXT is the raw RDATA, length bytes included.
      if (rr.TXT) return { bytes: utf8(rr.TXT), names: [] };
      const strings = (rr.TXTs ?? []).map((t) => {
        const b = utf8(t);
        if (b.length > 255) throw new Error('TXT string longer than 255 bytes');
        return concat(Uint8Array.of(b.length), b);
      });
      return { bytes: concat(...strings), names: [] };
    }
    case 41: {
      // OPT: options written by hand (code, length, raw data).
      const opts = (rr.OPT ?? []).map((o) => {
        const data = utf8(o.data);
        return concat(u16(lookup(DNS_OPTION_CODES, /^\d+$/.test(o.code) ? Number(o.code) : o.code, 'option code')), u16(data.length), data);
      });
      return { bytes: concat(...opts), names: [] };
    }
    case 256: {
      // URI: priority, weight, raw target bytes.
      const u = rr.URI ?? { priority: 0, weight: 0, target: '' };
      return { bytes: concat(u16(u.priority), u16(u.weight), utf8(u.target)), names: [] };
    }
    default:
      return { bytes: new Uint8Array(0), names: [] };
  }
}

function hexBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) throw new Error(`odd hex: ${hex}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function labelsOf(name: string): Uint8Array[] {
  if (name === '' || name === '.') return [];
  const labels = name.replace(/\.$/, '').split('.').map(utf8);
  for (const l of labels) if (l.length === 0 || l.length > 63) throw new Error(`bad label in ${JSON.stringify(name)}`);
  return labels;
}

/**
 * Writes DNS messages. Owner and question names are compressed against every name written
 * before them (questions, owners, and names inside NS/CNAME/PTR/MX/SOA/SRV RDATA, which is itself
 * written uncompressed by dns-packet), the way real servers shrink a response.
 */
class DnsWriter {
  private parts: Uint8Array[] = [];
  private size = 0;
  private suffixes = new Map<string, number>();

  constructor(private readonly compress: boolean) {}

  get offset(): number {
    return this.size;
  }

  push(b: Uint8Array): void {
    this.parts.push(b);
    this.size += b.length;
  }

  /** Records where each suffix of `name` starts when it is written uncompressed at `at`. */
  remember(name: string, at: number): void {
    this.rememberLabels(labelsOf(name), labelsOf(name).length, at);
  }

  /** Records the suffixes labels[0..], labels[1..], ... labels[count-1..] written from `at`. */
  private rememberLabels(labels: Uint8Array[], count: number, at: number): void {
    let pos = at;
    for (let i = 0; i < count; i++) {
      const key = suffixKey(labels.slice(i));
      if (!this.suffixes.has(key) && pos < 0x4000) this.suffixes.set(key, pos);
      pos += 1 + labels[i]!.length;
    }
  }

  name(name: string): void {
    const labels = labelsOf(name);
    const start = this.offset;
    const out: Uint8Array[] = [];
    let i = 0;
    for (; i < labels.length; i++) {
      const ptr = this.compress ? this.suffixes.get(suffixKey(labels.slice(i))) : undefined;
      if (ptr !== undefined) {
        out.push(u16(0xc000 | ptr));
        break;
      }
      out.push(concat(Uint8Array.of(labels[i]!.length), labels[i]!));
    }
    if (i === labels.length) out.push(Uint8Array.of(0));
    this.push(concat(...out));
    this.rememberLabels(labels, i, start);
  }

  bytes(): Uint8Array {
    return concat(...this.parts);
  }
}

function suffixKey(labels: Uint8Array[]): string {
  return labels.map((l) => Array.from(l, (b) => String.fromCharCode(b)).join('')).join('\u0000');
}

export interface DnsEncodeOptions {
  /** Compress owner and question names (default true). */
  compress?: boolean;
}

/** Encodes a ProtoDNS-like message to its wire bytes (no TCP length prefix). */
export function dnsMessage(m: DnsMessageSpec, opts: DnsEncodeOptions = {}): Uint8Array {
  const answers = m.answers ?? [];
  const authorities = m.authorities ?? [];
  const additionals = m.additionals ?? [];
  const w = new DnsWriter(opts.compress ?? true);
  const opcode = lookup(DNS_OPCODES, m.opCode ?? 'query', 'opCode');
  const rcode = lookup(DNS_RCODES, m.responseCode ?? 'no error', 'responseCode');
  const flags =
    (bit(m.QR) << 15) |
    ((opcode & 0x0f) << 11) |
    (bit(m.AA) << 10) |
    (bit(m.TC) << 9) |
    (bit(m.RD) << 8) |
    (bit(m.RA) << 7) |
    (((m.Z ?? 0) & 0x07) << 4) |
    (rcode & 0x0f);
  w.push(
    concat(
      u16(m.ID),
      u16(flags),
      u16(m.QDCount ?? m.questions.length),
      u16(m.ANCount ?? answers.length),
      u16(m.NSCount ?? authorities.length),
      u16(m.ARCount ?? additionals.length),
    ),
  );
  for (const q of m.questions) {
    w.name(q.name);
    w.push(concat(u16(lookup(DNS_TYPES, q.type, 'type')), u16(lookup(DNS_CLASSES, q.class, 'class'))));
  }
  for (const rr of [...answers, ...authorities, ...additionals]) {
    const type = rr.type === 'Unknown' ? rr.typeCode : lookup(DNS_TYPES, rr.type, 'type');
    if (type === undefined) throw new Error('record type "Unknown" needs typeCode');
    const klass = rr.class === 'Unknown' ? (rr.classCode ?? (type === 41 ? DEFAULT_OPT_UDP_SIZE : undefined)) : lookup(DNS_CLASSES, rr.class, 'class');
    if (klass === undefined) throw new Error('record class "Unknown" needs classCode');
    w.name(rr.name);
    const { bytes, names } = rdataOf(rr, type);
    w.push(concat(u16(type), u16(klass), u32(rr.TTL), u16(bytes.length)));
    const at = w.offset;
    w.push(bytes);
    for (const [off, n] of names) w.remember(n, at + off);
  }
  return w.bytes();
}
