/**
 * One frame, as tshark decodes it, against the events netrec built for the same packet. Every
 * expected value comes from tshark (through the gopacket tables of gopacket-names.ts where
 * netrec prints a string for a number); differences are returned as readable lines.
 *
 * Normalisations, each a deliberate Tracee/netrec semantic
 * (/work/shared/reference/tracee-network-events.md):
 *  - §1 "IP strings come from Go net.IP.String()": an IPv4-mapped IPv6 address prints as dotted
 *    decimal, where tshark prints "::ffff:a.b.c.d".
 *  - §1.2 dstIP is the IPv4 header's Destination Address; with a source-route option tshark's
 *    ip.dst is the route's final hop and the header field is ip.cur_rt.
 *  - §1 and §1.7 for RDLENGTH 0 (RFC 2136 prerequisites and deletions): an empty address prints
 *    "<nil>", an empty name "", sub-structs are zeroed and TXTs is null (rdataView).
 *  - §1.7 "Names": no trailing dot and "" for the root, where tshark prints "<Root>".
 *  - §1.7 ProtoDNSResourceRecord: OPT carries the UDP payload size in `class` (a class string,
 *    usually "Unknown") and extended RCODE, version and flags in `TTL`; tshark names those
 *    fields dns.rr.udp_payload_size, dns.resp.ext_rcode, .edns0_version and .z.
 *  - §1.7 ProtoDNS.responseCode: gopacket ORs (OPT TTL >> 20) & 0xF0 into the header RCODE;
 *    tshark's dns.flags.rcode is the 4-bit header field.
 *  - §1.8: the dns_response answer strings (A/AAAA → IP, NS, CNAME, PTR, MX name, TXT raw RDATA
 *    with its length bytes, otherwise "not implemented").
 *  - netrec's compatibility stance: CWR is the real bit (Tracee's is always 0), DNS over TCP is
 *    decoded, IPv6 extension headers are walked to the transport header, and
 *    net_packet_dns_request/_response follow QR.
 */
import type {
  DnsResponseData,
  DnsQueryData,
  PktMeta,
  ProtoDNS,
  ProtoDNSResourceRecord,
  ProtoICMP,
  ProtoICMPv6,
  ProtoIPv4,
  ProtoIPv6,
  ProtoTCP,
  ProtoUDP,
  TraceeEvent,
} from '../../src/event/types.ts';
import type { TsharkDnsMessage, TsharkDnsQuestion, TsharkDnsRR } from '../helpers/tshark.ts';
import { parseNumber } from '../helpers/tshark.ts';
import {
  dnsClassName,
  dnsOpcodeName,
  dnsOptionCodeName,
  dnsResponseCodeName,
  dnsTypeName,
  icmpv4TypeCode,
  icmpv6TypeCode,
  ipProtocolName,
} from './gopacket-names.ts';
import type { OracleFrame } from './oracle-tshark.ts';
import type { PacketOutcome } from './replay-by-packet.ts';

const DNS_PORT = 53;
const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, HINFO: 13, MX: 15, TXT: 16, AAAA: 28, SRV: 33, OPT: 41 };

/** tshark's protocol names for the IPv6 extension headers netrec walks past (AH included). */
const IPV6_EXTENSIONS = new Set(['ipv6.hopopts', 'ipv6.routing', 'ipv6.fraghdr', 'ipv6.dstopts', 'ah']);

/** What netrec should make of a frame, from tshark's protocol chain. */
export interface ExpectedLayers {
  ip?: 'ip' | 'ipv6';
  /** The transport directly on the outermost IP header (not one quoted in ICMP or tunnelled). */
  transport?: 'tcp' | 'udp' | 'icmp' | 'icmpv6';
  /** DNS messages carried on port 53 by that transport (netrec decodes port 53 only). */
  dns: TsharkDnsMessage[];
}

export function expectedLayers(f: OracleFrame): ExpectedLayers {
  const p = f.protocols;
  const i = p.findIndex((x) => x === 'ip' || x === 'ipv6');
  if (i < 0) return { dns: [] };
  const out: ExpectedLayers = { ip: p[i] as 'ip' | 'ipv6', dns: [] };
  let j = i + 1;
  if (out.ip === 'ipv6') while (IPV6_EXTENSIONS.has(p[j] ?? '')) j++;
  const t = p[j];
  if (t === 'tcp' || t === 'udp' || t === 'icmp' || t === 'icmpv6') out.transport = t;
  if (t === 'tcp' || t === 'udp') {
    const src = t === 'tcp' ? f.tcpSrcPort : f.udpSrcPort;
    const dst = t === 'tcp' ? f.tcpDstPort : f.udpDstPort;
    if ((src === DNS_PORT || dst === DNS_PORT) && p[j + 1] === 'dns') out.dns = f.dns;
  }
  return out;
}

const EVENT_OF = {
  ip: 'net_packet_ipv4',
  ipv6: 'net_packet_ipv6',
  tcp: 'net_packet_tcp',
  udp: 'net_packet_udp',
  icmp: 'net_packet_icmp',
  icmpv6: 'net_packet_icmpv6',
} as const;

export function expectedEventNames(e: ExpectedLayers): string[] {
  const names: string[] = [];
  if (e.ip) names.push(EVENT_OF[e.ip]);
  if (e.transport) names.push(EVENT_OF[e.transport]);
  for (const m of e.dns) names.push('net_packet_dns', m.response ? 'net_packet_dns_response' : 'net_packet_dns_request');
  return names;
}

function arg<T>(e: TraceeEvent, name: string): T {
  const a = e.args.find((x) => x.name === name);
  if (a === undefined) throw new Error(`${e.eventName} has no argument ${name}`);
  return a.value as T;
}

/** §1: Go's net.IP.String() prints an IPv4-mapped IPv6 address as dotted decimal. */
export function goIP(tsharkAddress: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(tsharkAddress);
  return mapped ? mapped[1]! : tsharkAddress;
}

/**
 * §1.2: dstIP is the header's Destination Address field. With a source-route option (LSRR/SSRR)
 * tshark reports the route's final hop as ip.dst and the header field as ip.cur_rt.
 */
function ipv4HeaderDst(f: OracleFrame): string | undefined {
  return f.ipCurRt ?? f.ipDst;
}

/** §1.7: gopacket names have no trailing dot and the root is "" (tshark: "<Root>"). */
export function goName(tsharkName: string): string {
  return tsharkName === '<Root>' ? '' : tsharkName;
}

/** Collects differences under a path prefix. */
class Diff {
  readonly lines: string[] = [];
  constructor(readonly where: string) {}
  eq(path: string, actual: unknown, expected: unknown): void {
    if (!Object.is(actual, expected) && JSON.stringify(actual) !== JSON.stringify(expected)) {
      this.lines.push(`${this.where} ${path}: netrec ${JSON.stringify(actual)}, tshark ${JSON.stringify(expected)}`);
    }
  }
  note(text: string): void {
    this.lines.push(`${this.where} ${text}`);
  }
}

/**
 * Compares a frame that neither tool flagged. `tcpFlags` bits (tshark 4.0): 0x001 FIN, 0x002
 * SYN, 0x004 RST, 0x008 PSH, 0x010 ACK, 0x020 URG, 0x040 ECE, 0x080 CWR, 0x100 NS (AE).
 */
export function compareFrame(f: OracleFrame, p: PacketOutcome): string[] {
  const d = new Diff(`frame ${f.frame} (packet ${p.number}):`);
  const exp = expectedLayers(f);
  const names = p.events.map((e) => e.eventName);
  const expectedNames = expectedEventNames(exp);
  d.eq('events', names, expectedNames);
  if (JSON.stringify(names) !== JSON.stringify(expectedNames)) return d.lines;
  if (!exp.ip) return d.lines;

  const src = exp.ip === 'ip' ? f.ipSrc! : goIP(f.ipv6Src!);
  const dst = exp.ip === 'ip' ? ipv4HeaderDst(f) : goIP(f.ipv6Dst!);
  const [ipEvent, ...rest] = p.events;
  if (exp.ip === 'ip') {
    const v = arg<ProtoIPv4>(ipEvent!, 'proto_ipv4');
    d.eq('ipv4.srcIP', v.srcIP, src);
    d.eq('ipv4.dstIP', v.dstIP, dst);
    d.eq('ipv4.protocol', v.protocol, ipProtocolName(f.ipProto!));
  } else {
    const v = arg<ProtoIPv6>(ipEvent!, 'proto_ipv6');
    d.eq('ipv6.srcIP', v.srcIP, src);
    d.eq('ipv6.dstIP', v.dstIP, dst);
    d.eq('ipv6.nextHeader', v.nextHeader, ipProtocolName(f.ipv6Nxt!));
  }
  for (const e of p.events) {
    if (e.args.some((a) => a.name === 'src')) {
      d.eq(`${e.eventName}.src`, arg(e, 'src'), src);
      d.eq(`${e.eventName}.dst`, arg(e, 'dst'), dst);
    }
  }

  let next = 0;
  if (exp.transport) {
    const e = rest[next++]!;
    switch (exp.transport) {
      case 'tcp': {
        const t = arg<ProtoTCP>(e, 'proto_tcp');
        d.eq('tcp.srcPort', [t.srcPort, arg(e, 'src_port')], [f.tcpSrcPort, f.tcpSrcPort]);
        d.eq('tcp.dstPort', [t.dstPort, arg(e, 'dst_port')], [f.tcpDstPort, f.tcpDstPort]);
        d.eq('tcp.seq', t.seq, f.tcpSeqRaw);
        d.eq('tcp.ack', t.ack, f.tcpAckRaw);
        const bits = f.tcpFlags!;
        const flag = (b: number): number => (bits & b ? 1 : 0);
        d.eq(
          'tcp.flags',
          { FIN: t.FIN, SYN: t.SYN, RST: t.RST, PSH: t.PSH, ACK: t.ACK, URG: t.URG, ECE: t.ECE, CWR: t.CWR, NS: t.NS },
          {
            FIN: flag(0x001),
            SYN: flag(0x002),
            RST: flag(0x004),
            PSH: flag(0x008),
            ACK: flag(0x010),
            URG: flag(0x020),
            ECE: flag(0x040),
            CWR: flag(0x080),
            NS: flag(0x100),
          },
        );
        break;
      }
      case 'udp': {
        const u = arg<ProtoUDP>(e, 'proto_udp');
        d.eq('udp.srcPort', [u.srcPort, arg(e, 'src_port')], [f.udpSrcPort, f.udpSrcPort]);
        d.eq('udp.dstPort', [u.dstPort, arg(e, 'dst_port')], [f.udpDstPort, f.udpDstPort]);
        break;
      }
      case 'icmp':
        d.eq('icmp.typeCode', arg<ProtoICMP>(e, 'proto_icmp').typeCode, icmpv4TypeCode(f.icmpType!, f.icmpCode!));
        break;
      case 'icmpv6':
        d.eq('icmpv6.typeCode', arg<ProtoICMPv6>(e, 'proto_icmpv6').typeCode, icmpv6TypeCode(f.icmpv6Type!, f.icmpv6Code!));
        break;
    }
  }

  const tcp = exp.transport === 'tcp';
  const ports = tcp ? [f.tcpSrcPort, f.tcpDstPort] : [f.udpSrcPort, f.udpDstPort];
  exp.dns.forEach((m, k) => {
    const dnsEvent = rest[next++]!;
    const legacy = rest[next++]!;
    const md = new Diff(`${d.where} dns[${k}]`);
    md.eq('net_packet_dns ports', [arg(dnsEvent, 'src_port'), arg(dnsEvent, 'dst_port')], ports);
    compareMessage(md, arg<ProtoDNS>(dnsEvent, 'proto_dns'), m);
    const meta = arg<PktMeta>(legacy, 'metadata');
    md.eq(`${legacy.eventName}.metadata`, meta, {
      src_ip: src,
      dst_ip: dst,
      src_port: ports[0],
      dst_port: ports[1],
      protocol: tcp ? 6 : 17,
      packet_len: exp.ip === 'ip' ? f.ipLen : f.ipv6Plen,
      iface: 'any',
    });
    if (m.response) compareResponse(md, arg<DnsResponseData[]>(legacy, 'dns_response'), m);
    else md.eq('dns_questions', arg<DnsQueryData[]>(legacy, 'dns_questions'), m.questions.map(queryData));
    d.lines.push(...md.lines);
  });
  return d.lines;
}

/**
 * Every event carries the packet's epoch nanoseconds; tshark prints them as seconds, '.', and
 * the nanoseconds field with %09d (ten digits for an out-of-range fraction, which netrec keeps
 * as tshark does). Records without a timestamp (pcapng simple packet blocks) are not checked.
 */
export function compareTimestamps(f: OracleFrame, p: PacketOutcome): string[] {
  if (f.timeEpoch === undefined) return [];
  const [seconds, nanos] = f.timeEpoch.split('.');
  const expected = BigInt(seconds!) * 1_000_000_000n + BigInt(nanos ?? '0');
  const wrong = p.events.filter((e) => e.timestamp !== expected);
  return wrong.length === 0 ? [] : [`frame ${f.frame} (packet ${p.number}): timestamp: netrec ${wrong[0]!.timestamp}, tshark ${f.timeEpoch}`];
}

/** For packets either tool flagged: only the IP addresses, where both have them. */
export function compareAddressesOnly(f: OracleFrame, p: PacketOutcome): string[] {
  const d = new Diff(`frame ${f.frame} (packet ${p.number}, flagged):`);
  const ipEvent = p.events[0];
  if (ipEvent?.eventName === 'net_packet_ipv4' && f.ipSrc !== undefined) {
    const v = arg<ProtoIPv4>(ipEvent, 'proto_ipv4');
    d.eq('ipv4 src/dst', [v.srcIP, v.dstIP], [f.ipSrc, ipv4HeaderDst(f)]);
  } else if (ipEvent?.eventName === 'net_packet_ipv6' && f.ipv6Src !== undefined) {
    const v = arg<ProtoIPv6>(ipEvent, 'proto_ipv6');
    d.eq('ipv6 src/dst', [v.srcIP, v.dstIP], [goIP(f.ipv6Src), goIP(f.ipv6Dst!)]);
  }
  return d.lines;
}

function queryData(q: TsharkDnsQuestion): DnsQueryData {
  return { query: goName(q.name), query_type: dnsTypeName(q.type), query_class: dnsClassName(q.class) };
}

function optOf(m: TsharkDnsMessage): TsharkDnsRR | undefined {
  return m.additionals.find((rr) => rr.type === TYPE.OPT);
}

function field(rr: TsharkDnsRR, name: string): string | undefined {
  return rr.fields[name]?.[0];
}

function numField(rr: TsharkDnsRR, name: string): number {
  const v = field(rr, name);
  if (v === undefined) throw new Error(`tshark gave no ${name} for RR ${rr.name}`);
  return parseNumber(v);
}

function compareMessage(d: Diff, a: ProtoDNS, m: TsharkDnsMessage): void {
  d.eq('ID', a.ID, m.id);
  d.eq('QR', a.QR, m.response ? 1 : 0);
  d.eq('opCode', a.opCode, dnsOpcodeName(m.opcode));
  d.eq('TC', a.TC, m.truncated ? 1 : 0);
  d.eq('RD', a.RD, m.recursionDesired ? 1 : 0);
  // tshark shows AA, RA and RCODE for responses only.
  if (m.response) {
    d.eq('AA', a.AA, m.authoritative ? 1 : 0);
    d.eq('RA', a.RA, m.recursionAvailable ? 1 : 0);
    const opt = optOf(m);
    const ext = opt ? numField(opt, 'dns.resp.ext_rcode') : 0;
    d.eq('responseCode', a.responseCode, dnsResponseCodeName((m.rcode | ((ext & 0x0f) << 4)) & 0xff));
  }
  d.eq('counts', [a.QDCount, a.ANCount, a.NSCount, a.ARCount], [m.counts.questions, m.counts.answers, m.counts.authorities, m.counts.additionals]);
  d.eq(
    'questions',
    a.questions,
    m.questions.map((q) => ({ name: goName(q.name), type: dnsTypeName(q.type), class: dnsClassName(q.class) })),
  );
  for (const [section, actual, expected] of [
    ['answers', a.answers, m.answers],
    ['authorities', a.authorities, m.authorities],
    ['additionals', a.additionals, m.additionals],
  ] as const) {
    d.eq(`${section}.length`, actual.length, expected.length);
    expected.forEach((rr, i) => {
      if (actual[i]) compareRecord(d, `${section}[${i}]`, actual[i], rr);
    });
  }
}

function compareRecord(d: Diff, at: string, r: ProtoDNSResourceRecord, t: TsharkDnsRR): void {
  d.eq(`${at}.name`, r.name, goName(t.name));
  d.eq(`${at}.type`, r.type, dnsTypeName(t.type));
  if (t.type === TYPE.OPT) {
    d.eq(`${at}.class`, r.class, dnsClassName(numField(t, 'dns.rr.udp_payload_size')));
    const ttl = ((numField(t, 'dns.resp.ext_rcode') << 24) | (numField(t, 'dns.resp.edns0_version') << 16) | numField(t, 'dns.resp.z')) >>> 0;
    d.eq(`${at}.TTL`, r.TTL, ttl);
    const codes = (t.fields['dns.opt.code'] ?? []).map((c) => dnsOptionCodeName(parseNumber(c)));
    const data = (t.fields['dns.opt.data'] ?? []).map(goStringOfHex);
    // tshark gives no dns.opt.data for an option of length 0.
    const lens = (t.fields['dns.opt.len'] ?? []).map(parseNumber);
    let di = 0;
    const expected = codes.map((code, i) => ({ code, data: lens[i] === 0 ? '' : data[di++] }));
    d.eq(`${at}.OPT`, r.OPT, expected);
    return;
  }
  d.eq(`${at}.class`, r.class, dnsClassName(t.class!));
  d.eq(`${at}.TTL`, r.TTL, t.ttl);
  const x = rdataView(t);
  switch (t.type) {
    case TYPE.A:
    case TYPE.AAAA:
      d.eq(`${at}.IP`, r.IP, x.ip);
      break;
    case TYPE.NS:
      d.eq(`${at}.NS`, r.NS, x.ns);
      break;
    case TYPE.CNAME:
      d.eq(`${at}.CNAME`, r.CNAME, x.cname);
      break;
    case TYPE.PTR:
      d.eq(`${at}.PTR`, r.PTR, x.ptr);
      break;
    case TYPE.MX:
      d.eq(`${at}.MX`, r.MX, x.mx);
      break;
    case TYPE.SRV:
      d.eq(`${at}.SRV`, r.SRV, x.srv);
      break;
    case TYPE.SOA:
      d.eq(`${at}.SOA`, r.SOA, x.soa);
      break;
    case TYPE.TXT:
    case TYPE.HINFO:
      d.eq(`${at}.TXTs`, r.TXTs, x.txts);
      break;
  }
}

/** The RDATA of a tshark RR as ProtoDNSResourceRecord holds it (for the types it decodes). */
interface RDataView {
  ip?: string;
  ns?: string;
  cname?: string;
  ptr?: string;
  mx?: { preference: number; name: string };
  srv?: { priority: number; weight: number; port: number; name: string };
  soa?: { MName: string; RName: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };
  txts?: string[] | null;
}

function rdataView(t: TsharkDnsRR): RDataView {
  if (field(t, 'dns.resp.len') === '0') {
    // RDLENGTH 0 (RFC 2136 prerequisites and deletions): tshark shows no RDATA field. The empty
    // RDATA is an empty address, which Go's net.IP.String() prints as "<nil>" (§1), an empty
    // name, zeroed sub-structs and no character-strings (TXTs null, §1.7).
    return {
      ip: '<nil>',
      ns: '',
      cname: '',
      ptr: '',
      mx: { preference: 0, name: '' },
      srv: { priority: 0, weight: 0, port: 0, name: '' },
      soa: { MName: '', RName: '', serial: 0, refresh: 0, retry: 0, expire: 0, minimum: 0 },
      txts: null,
    };
  }
  const v: RDataView = {};
  const ip = t.type === TYPE.A ? t.a : t.aaaa === undefined ? undefined : goIP(t.aaaa);
  if (ip !== undefined) v.ip = ip;
  if (t.ns !== undefined) v.ns = goName(t.ns);
  if (t.cname !== undefined) v.cname = goName(t.cname);
  if (t.ptr !== undefined) v.ptr = goName(t.ptr);
  if (t.mx) v.mx = { preference: t.mx.preference, name: goName(t.mx.exchange) };
  if (t.srv) v.srv = { priority: t.srv.priority, weight: t.srv.weight, port: t.srv.port, name: goName(t.srv.target) };
  if (t.soa) {
    v.soa = {
      MName: goName(t.soa.mname),
      RName: goName(t.soa.rname),
      serial: t.soa.serial,
      refresh: t.soa.refresh,
      retry: t.soa.retry,
      expire: t.soa.expire,
      minimum: t.soa.minimum,
    };
  }
  // §1.7: gopacket splits TXT and HINFO RDATA into character-strings (HINFO: CPU, OS).
  if (t.type === TYPE.TXT) v.txts = t.txt ?? null;
  if (t.type === TYPE.HINFO) v.txts = [field(t, 'dns.hinfo.cpu'), field(t, 'dns.hinfo.os')].filter((s) => s !== undefined);
  return v;
}

/** §1.8: dns_response holds question[0] and one answer string per answer RR. */
function compareResponse(d: Diff, actual: DnsResponseData[], m: TsharkDnsMessage): void {
  const q = m.questions[0];
  const expected: DnsResponseData = {
    query_data: q ? queryData(q) : { query: '', query_type: '', query_class: '' },
    dns_answer: m.answers.length === 0 ? null : m.answers.map((rr) => ({ answer_type: dnsTypeName(rr.type), ttl: rr.ttl ?? 0, answer: answerText(rr) })),
  };
  d.eq('dns_response', actual, [expected]);
}

function answerText(rr: TsharkDnsRR): string {
  const x = rdataView(rr);
  switch (rr.type) {
    case TYPE.A:
    case TYPE.AAAA:
      return x.ip ?? '';
    case TYPE.NS:
      return x.ns ?? '';
    case TYPE.CNAME:
      return x.cname ?? '';
    case TYPE.PTR:
      return x.ptr ?? '';
    case TYPE.MX:
      return x.mx?.name ?? '';
    case TYPE.TXT:
      // The raw RDATA: each character-string with its length byte (tshark prints the strings).
      return goStringOfBytes((x.txts ?? []).flatMap((s) => [Buffer.byteLength(s, 'utf8'), ...Buffer.from(s, 'utf8')]));
    default:
      return 'not implemented';
  }
}

/** tshark's "0a:1b:..." bytes as Go's string([]byte) (§1: each invalid UTF-8 byte is U+FFFD). */
function goStringOfHex(hex: string): string {
  return goStringOfBytes(hex === '' ? [] : hex.split(':').map((h) => Number.parseInt(h, 16)));
}

/** Go's string([]byte) as JSON shows it (§1): each byte that starts no valid UTF-8 sequence is U+FFFD. */
function goStringOfBytes(bytes: number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const n = validSequenceLength(bytes, i);
    if (n === 0) {
      out += '\ufffd';
      i++;
    } else {
      out += Buffer.from(bytes.slice(i, i + n)).toString('utf8');
      i += n;
    }
  }
  return out;
}

/** Go utf8.DecodeRune's acceptance: shortest form, no surrogates, at most U+10FFFF. */
function validSequenceLength(b: number[], i: number): number {
  const b0 = b[i]!;
  if (b0 < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => b[i + k] !== undefined && b[i + k]! >= lo && b[i + k]! <= hi;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const lo = b0 === 0xe0 ? 0xa0 : 0x80;
    const hi = b0 === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const lo = b0 === 0xf0 ? 0x90 : 0x80;
    const hi = b0 === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}
