/**
 * Decoded DNS messages → Tracee v0.10's DNS argument values: ProtoDNS for net_packet_dns, the
 * question list for net_packet_dns_request and the single DnsResponseData for
 * net_packet_dns_response (../shared/reference/tracee-network-events.md §1.1, §1.7–§1.9).
 * Every byte string goes through goString, which is what Go's string([]byte) + json.Marshal
 * gives; strings that depend only on a number come from tables built once.
 */
import type { DNSMessage, DNSOption, DNSQuestion, DNSResourceRecord } from '../decode/types.ts';
import { goString } from './go-string.ts';
import { ipString } from './ip-string.ts';
import type {
  DnsAnswer,
  DnsQueryData,
  DnsResponseData,
  PktMeta,
  ProtoDNS,
  ProtoDNSMX,
  ProtoDNSOPT,
  ProtoDNSQuestion,
  ProtoDNSResourceRecord,
  ProtoDNSSOA,
  ProtoDNSSRV,
  ProtoDNSURI,
} from './types.ts';

const UNKNOWN = 'Unknown';
const TYPE_A = 1;
const TYPE_NS = 2;
const TYPE_CNAME = 5;
const TYPE_PTR = 12;
const TYPE_MX = 15;
const TYPE_TXT = 16;
const TYPE_AAAA = 28;

/** DNSType.String(); ANY (255) and everything past URI are "Unknown". */
const TYPE_NAMES: readonly string[] = table(257, UNKNOWN, [
  [1, 'A'],
  [2, 'NS'],
  [3, 'MD'],
  [4, 'MF'],
  [5, 'CNAME'],
  [6, 'SOA'],
  [7, 'MB'],
  [8, 'MG'],
  [9, 'MR'],
  [10, 'NULL'],
  [11, 'WKS'],
  [12, 'PTR'],
  [13, 'HINFO'],
  [14, 'MINFO'],
  [15, 'MX'],
  [16, 'TXT'],
  [28, 'AAAA'],
  [33, 'SRV'],
  [41, 'OPT'],
  [256, 'URI'],
]);

/** DNSClass.String(). */
const CLASS_NAMES: readonly string[] = table(256, UNKNOWN, [
  [1, 'IN'],
  [2, 'CS'],
  [3, 'CH'],
  [4, 'HS'],
  [255, 'Any'],
]);

/** DNSOpCode.String(), lower-cased by Tracee. */
const OPCODE_NAMES: readonly string[] = table(16, 'unknown', [
  [0, 'query'],
  [1, 'inverse query'],
  [2, 'status'],
  [4, 'notify'],
  [5, 'update'],
]);

/**
 * DNSResponseCode.String(), lower-cased by Tracee. The trailing space of "Server Failure " is
 * gopacket's and stays. The code is gopacket's uint8, extended RCODE bits included.
 */
const RCODE_NAMES: readonly string[] = table(256, 'unknown', [
  [0, 'no error'],
  [1, 'format error'],
  [2, 'server failure '],
  [3, 'non-existent domain'],
  [4, 'not implemented'],
  [5, 'query refused'],
  [6, 'name exists when it should not'],
  [7, 'rr set exists when it should not'],
  [8, 'rr set that should exist does not'],
  [9, 'server not authoritative for zone'],
  [10, 'name not contained in zone'],
  [16, 'bad opt version'],
  [17, 'key not recognized'],
  [18, 'signature out of time window'],
  [19, 'bad tkey mode'],
  [20, 'duplicate key name'],
  [21, 'algorithm not supported'],
  [22, 'bad truncation'],
  [23, 'bad cookie'],
]);

/** DNSOptionCode.String(). */
const OPTION_NAMES: ReadonlyMap<number, string> = new Map([
  [3, 'NSID'],
  [5, 'DAU'],
  [6, 'DHU'],
  [7, 'N3U'],
  [8, 'EDNSClientSubnet'],
  [9, 'EDNSExpire'],
  [10, 'Cookie'],
  [11, 'EDNSKeepAlive'],
  [12, 'CodePadding'],
  [13, 'CodeChain'],
  [14, 'CodeEDNSKeyTag'],
  [16, 'EDNSClientTag'],
  [17, 'EDNSServerTag'],
  [26946, 'DeviceID'],
]);

export function dnsTypeName(type: number): string {
  return TYPE_NAMES[type] ?? UNKNOWN;
}

export function dnsClassName(klass: number): string {
  return CLASS_NAMES[klass] ?? UNKNOWN;
}

export function dnsOpcodeName(opcode: number): string {
  return OPCODE_NAMES[opcode] ?? 'unknown';
}

export function dnsResponseCodeName(code: number): string {
  return RCODE_NAMES[code] ?? 'unknown';
}

export function dnsOptionCodeName(code: number): string {
  return OPTION_NAMES.get(code) ?? UNKNOWN;
}

// Records carry every sub-struct whatever their type; the zeroed ones are shared, and frozen
// so that sharing stays safe.
const ZERO_SOA: ProtoDNSSOA = Object.freeze({
  MName: '',
  RName: '',
  serial: 0,
  refresh: 0,
  retry: 0,
  expire: 0,
  minimum: 0,
});
const ZERO_SRV: ProtoDNSSRV = Object.freeze({ priority: 0, weight: 0, port: 0, name: '' });
const ZERO_MX: ProtoDNSMX = Object.freeze({ preference: 0, name: '' });
const ZERO_URI: ProtoDNSURI = Object.freeze({ priority: 0, weight: 0, target: '' });
const NO_OPTIONS: ProtoDNSOPT[] = [];
Object.freeze(NO_OPTIONS);

export function toProtoDNS(m: DNSMessage): ProtoDNS {
  return {
    ID: m.id,
    QR: m.qr ? 1 : 0,
    opCode: dnsOpcodeName(m.opcode),
    AA: m.aa ? 1 : 0,
    TC: m.tc ? 1 : 0,
    RD: m.rd ? 1 : 0,
    RA: m.ra ? 1 : 0,
    Z: m.z,
    responseCode: dnsResponseCodeName(m.responseCode),
    QDCount: m.qdCount,
    ANCount: m.anCount,
    NSCount: m.nsCount,
    ARCount: m.arCount,
    questions: m.questions.map(toProtoQuestion),
    answers: m.answers.map(toProtoRecord),
    authorities: m.authorities.map(toProtoRecord),
    additionals: m.additionals.map(toProtoRecord),
  };
}

function toProtoQuestion(q: DNSQuestion): ProtoDNSQuestion {
  return { name: goString(q.name), type: dnsTypeName(q.type), class: dnsClassName(q.class) };
}

function toProtoRecord(rr: DNSResourceRecord): ProtoDNSResourceRecord {
  return {
    name: goString(rr.name),
    type: dnsTypeName(rr.type),
    class: dnsClassName(rr.class),
    TTL: rr.ttl,
    IP: rr.ip ? ipString(rr.ip) : '',
    NS: rr.ns ? goString(rr.ns) : '',
    CNAME: rr.cname ? goString(rr.cname) : '',
    PTR: rr.ptr ? goString(rr.ptr) : '',
    // Tracee v0.10 appends to a nil slice: no character-strings at all prints null too.
    TXTs: rr.txts && rr.txts.length > 0 ? rr.txts.map(goString) : null,
    SOA: rr.soa
      ? {
          MName: goString(rr.soa.mname),
          RName: goString(rr.soa.rname),
          serial: rr.soa.serial,
          refresh: rr.soa.refresh,
          retry: rr.soa.retry,
          expire: rr.soa.expire,
          minimum: rr.soa.minimum,
        }
      : ZERO_SOA,
    SRV: rr.srv
      ? {
          priority: rr.srv.priority,
          weight: rr.srv.weight,
          port: rr.srv.port,
          name: goString(rr.srv.name),
        }
      : ZERO_SRV,
    MX: rr.mx ? { preference: rr.mx.preference, name: goString(rr.mx.name) } : ZERO_MX,
    OPT: rr.opt && rr.opt.length > 0 ? rr.opt.map(toProtoOption) : NO_OPTIONS,
    URI: rr.uri ? { priority: rr.uri.priority, weight: rr.uri.weight, target: goString(rr.uri.target) } : ZERO_URI,
    // gopacket keeps TXT and HINFO RDATA undecoded here, length bytes included.
    TXT: rr.txts ? goString(rr.data) : '',
  };
}

function toProtoOption(o: DNSOption): ProtoDNSOPT {
  return { code: dnsOptionCodeName(o.code), data: goString(o.data) };
}

export function toDnsQueryData(q: DNSQuestion): DnsQueryData {
  return { query: goString(q.name), query_type: dnsTypeName(q.type), query_class: dnsClassName(q.class) };
}

/** `dns_questions` of net_packet_dns_request (emitted for QR=0): every question, in order. */
export function dnsRequestQuestions(m: DNSMessage): DnsQueryData[] {
  return m.questions.map(toDnsQueryData);
}

/**
 * The one element of `dns_response` in net_packet_dns_response (emitted for QR=1): the first
 * question and the answers section only. Tracee (v0.11.1+) drops responses without exactly one
 * question; netrec keeps them, taking question[0] when there are several and empty strings in
 * query_data when there is none.
 */
export function dnsResponseData(m: DNSMessage): DnsResponseData {
  const q = m.questions[0];
  return {
    query_data: q ? toDnsQueryData(q) : { query: '', query_type: '', query_class: '' },
    dns_answer: m.answers.length > 0 ? m.answers.map(toDnsAnswer) : null,
  };
}

function toDnsAnswer(rr: DNSResourceRecord): DnsAnswer {
  return { answer_type: dnsTypeName(rr.type), ttl: rr.ttl, answer: answerText(rr) };
}

/**
 * Tracee's per-type answer string, chosen by the record's type (a record with empty RDATA gives
 * the empty field); it implements no other types.
 */
function answerText(rr: DNSResourceRecord): string {
  switch (rr.type) {
    case TYPE_A:
    case TYPE_AAAA:
      return rr.ip ? ipString(rr.ip) : '';
    case TYPE_NS:
      return rr.ns ? goString(rr.ns) : '';
    case TYPE_CNAME:
      return rr.cname ? goString(rr.cname) : '';
    case TYPE_PTR:
      return rr.ptr ? goString(rr.ptr) : '';
    case TYPE_MX:
      return rr.mx ? goString(rr.mx.name) : '';
    case TYPE_TXT:
      // Raw RDATA, length bytes included, as in ProtoDNS's TXT.
      return goString(rr.data);
    default:
      return 'not implemented';
  }
}

/** PktMeta of the DNS request/response events; Tracee never fills in the interface. */
export function pktMeta(srcIp: string, dstIp: string, srcPort: number, dstPort: number, protocol: 6 | 17, packetLen: number): PktMeta {
  return {
    src_ip: srcIp,
    dst_ip: dstIp,
    src_port: srcPort,
    dst_port: dstPort,
    protocol,
    packet_len: packetLen,
    iface: 'any',
  };
}

function table(size: number, fallback: string, entries: readonly (readonly [number, string])[]): readonly string[] {
  const names = new Array<string>(size).fill(fallback);
  for (const [code, name] of entries) names[code] = name;
  return Object.freeze(names);
}
