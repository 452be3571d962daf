/**
 * The 44 seed events (/work/shared/seed/network-events.jsonl, real Tracee v0.10 output) turned
 * into test cases: for each, the raw IP packet the event describes, and the event netrec must
 * print for it, i.e. the seed event adjusted as "netrec's compatibility stance" says
 * (/work/shared/reference/tracee-network-events.md):
 *  - pcap input has no process context: every process field is zero/empty, hostName is "";
 *  - net_packet_tcp / net_packet_udp carry 5 args (src_port and dst_port, u16, before proto_*);
 *  - the second net_packet_dns_request example is a response packet: netrec emits
 *    net_packet_dns_response for it, and no request.
 * Expected values come from the seed lines only, never from running netrec.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDir } from '../helpers/shared.ts';
import type { EventName } from '../../src/event/types.ts';
import {
  dnsMessage,
  echoBody,
  filler,
  icmp,
  icmpv6,
  ipProtocolNumber,
  ipv4,
  ipv6,
  tcp,
  tcpOptions,
  udp,
  utf8,
  type DnsMessageSpec,
  type DnsRecordSpec,
} from '../helpers/packet-builder.ts';

export const SEED_PATH = join(sharedDir(), 'seed', 'network-events.jsonl');

/** A parsed seed event; the timestamp is kept as its exact digit string. */
export type JsonObject = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

/**
 * JSON.parse that keeps `"timestamp"` as its exact digits (a JSON number would round a 19-digit
 * nanosecond value). Applied the same way to seed lines and to netrec's output lines.
 */
export function parseEventLine(line: string): JsonObject {
  const m = /^\{"timestamp":(\d+),/.exec(line);
  if (!m) throw new Error(`event line does not start with a numeric timestamp: ${line.slice(0, 80)}`);
  return JSON.parse(line.replace(/^\{"timestamp":(\d+),/, '{"timestamp":"$1",')) as JsonObject;
}

export interface SeedCase {
  /** 1-based line number in the seed file. */
  line: number;
  raw: string;
  /** The event as published (timestamp as a string). */
  seed: JsonObject;
  timestamp: string;
  /** The raw IP packet (LINKTYPE_RAW). */
  packet: Uint8Array;
  /** The event netrec must emit for the packet: the adjusted seed event. */
  expectedName: EventName;
  expected: JsonObject;
  /** Events that must not be emitted for this packet. */
  mustNotEmit: EventName[];
  /** Why this case differs from the seed beyond the context fields, for test names. */
  note?: string;
}

// --------------------------------------------------------------------------------------------
// Small typed accessors over the parsed JSON

function obj(v: JsonValue | undefined, what: string): JsonObject {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${what}: not an object`);
  return v;
}
function arr(v: JsonValue | undefined, what: string): JsonValue[] {
  if (!Array.isArray(v)) throw new Error(`${what}: not an array`);
  return v;
}
function str(v: JsonValue | undefined, what: string): string {
  if (typeof v !== 'string') throw new Error(`${what}: not a string`);
  return v;
}
function num(v: JsonValue | undefined, what: string): number {
  if (typeof v !== 'number') throw new Error(`${what}: not a number`);
  return v;
}

function args(e: JsonObject): JsonObject[] {
  return arr(e.args, 'args').map((a, i) => obj(a, `args[${i}]`));
}
function argValue(e: JsonObject, name: string): JsonValue {
  const a = args(e).find((x) => x.name === name);
  if (!a) throw new Error(`no arg ${name}`);
  return a.value as JsonValue;
}

function clone<T extends JsonValue>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

// --------------------------------------------------------------------------------------------
// Envelope adjustment

/** Context fields a pcap cannot know: zero or empty in netrec's output. */
const ZEROED = [
  'threadStartTime',
  'processorId',
  'processId',
  'cgroupId',
  'threadId',
  'parentProcessId',
  'hostProcessId',
  'hostThreadId',
  'hostParentProcessId',
  'userId',
  'mountNamespace',
  'pidNamespace',
] as const;
const EMPTIED = ['processName', 'hostName'] as const;

function withoutProcessContext(seed: JsonObject): JsonObject {
  const e = clone(seed);
  for (const k of ZEROED) {
    if (!(k in e)) throw new Error(`seed event lacks ${k}`);
    e[k] = 0;
  }
  for (const k of EMPTIED) {
    if (!(k in e)) throw new Error(`seed event lacks ${k}`);
    e[k] = '';
  }
  return e;
}

/** net_packet_tcp/udp: src, dst, src_port, dst_port, proto_* (the seed shows only 3). */
function withPortArgs(e: JsonObject, proto: JsonObject): void {
  const list = arr(e.args, 'args');
  if (list.length !== 3) throw new Error("expected the seed's 3-arg TCP/UDP shape");
  list.splice(
    2,
    0,
    { name: 'src_port', type: 'u16', value: num(proto.srcPort, 'srcPort') },
    { name: 'dst_port', type: 'u16', value: num(proto.dstPort, 'dstPort') },
  );
  e.argsNum = list.length;
}

// --------------------------------------------------------------------------------------------
// Packets

function ipPacket(src: string, dst: string, protocol: string, transport: Uint8Array, id: number): Uint8Array {
  if (src.includes(':') !== dst.includes(':')) throw new Error(`mixed address families ${src} ${dst}`);
  return src.includes(':')
    ? ipv6({ flowLabel: 0, nextHeader: protocol, hopLimit: 64, srcIP: src, dstIP: dst, payload: transport })
    : ipv4({ id, flags: 2, TTL: 64, protocol, srcIP: src, dstIP: dst, payload: transport });
}

/**
 * A plausible transport header and payload of exactly `len` bytes for an IP-only event: the
 * event says nothing about it beyond its protocol and the IP length field.
 */
function plausibleTransport(protocol: string, len: number, forward: boolean): Uint8Array {
  const [sp, dp] = forward ? [51594, 8090] : [8090, 51594];
  switch (ipProtocolNumber(protocol)) {
    case 6: {
      const doff = len >= 40 ? 10 : len >= 32 ? 8 : 5;
      if (len < doff * 4) throw new Error(`no TCP header fits in ${len} bytes`);
      const data = len - doff * 4;
      return tcp({
        srcPort: sp,
        dstPort: dp,
        seq: 1000,
        ack: doff === 10 ? 0 : 2000,
        dataOffset: doff,
        SYN: doff === 10,
        ACK: doff !== 10,
        PSH: data > 0,
        window: 502,
        options: tcpOptions(doff * 4 - 20),
        payload: filler(data, 0x61),
      });
    }
    case 17:
      if (len < 8) throw new Error(`no UDP header fits in ${len} bytes`);
      return udp({ srcPort: sp, dstPort: dp, payload: filler(len - 8, 0x61) });
    case 1:
      return icmp({ typeCode: 'EchoRequest', id: 1, seq: 1, payload: filler(len - 8) });
    case 58:
      return icmpv6({ typeCode: 'EchoRequest', body: filler(len - 4) });
    default:
      throw new Error(`no plausible transport for ${protocol}`);
  }
}

/** A 2-byte segment/datagram payload, as `echo x | nc` sends ("x\n"). */
const NC_PAYLOAD = utf8('1\n');

function dnsUdpPacket(src: string, dst: string, srcPort: number, dstPort: number, dns: Uint8Array, ipTotalLength?: number): Uint8Array {
  let payload = dns;
  if (ipTotalLength !== undefined) {
    if (src.includes(':')) throw new Error('packet_len for IPv6 is the Payload Length: not needed by the seed');
    const pad = ipTotalLength - 20 - 8 - dns.length;
    if (pad < 0) throw new Error(`DNS message (${dns.length} bytes) does not fit packet_len ${ipTotalLength}`);
    payload = new Uint8Array(dns.length + pad);
    payload.set(dns);
  }
  return ipPacket(src, dst, 'UDP', udp({ srcPort, dstPort, checksum: 0x1234, payload }), 0x4242);
}

/** ProtoDNS (as published) → the encoder's input; the shapes are the same. */
function protoDnsSpec(p: JsonObject): DnsMessageSpec {
  return p as unknown as DnsMessageSpec;
}

/** DnsQueryData → a question. */
function questionOf(q: JsonObject): DnsMessageSpec['questions'][number] {
  return { name: str(q.query, 'query'), type: str(q.query_type, 'query_type'), class: str(q.query_class, 'query_class') };
}

/**
 * DnsResponseData → answer records. A dns_answer entry has no owner name; the owners follow
 * the chain a resolver returns: the query name, then each CNAME target in turn.
 */
function answersOf(r: JsonObject): DnsRecordSpec[] {
  let owner = str(obj(r.query_data, 'query_data').query, 'query');
  const klass = str(obj(r.query_data, 'query_data').query_class, 'query_class');
  return arr(r.dns_answer, 'dns_answer').map((a0, i) => {
    const a = obj(a0, `dns_answer[${i}]`);
    const type = str(a.answer_type, 'answer_type');
    const ttl = num(a.ttl, 'ttl');
    const value = str(a.answer, 'answer');
    const rr: DnsRecordSpec = { name: owner, type, class: klass, TTL: ttl };
    switch (type) {
      case 'A':
      case 'AAAA':
        rr.IP = value;
        break;
      case 'CNAME':
        rr.CNAME = value;
        owner = value;
        break;
      case 'NS':
        rr.NS = value;
        break;
      case 'PTR':
        rr.PTR = value;
        break;
      case 'MX':
        rr.MX = { preference: 10, name: value };
        break;
      case 'TXT':
        rr.TXT = value;
        break;
      default:
        throw new Error(`cannot rebuild a ${type} answer from ${JSON.stringify(value)}`);
    }
    return rr;
  });
}

// --------------------------------------------------------------------------------------------
// The cases

/** Timestamp of the seed's second net_packet_dns_request example, which is a response packet. */
export const MISLABELLED_RESPONSE_TS = '1671043215503932068';

export function loadSeedCases(path = SEED_PATH): SeedCase[] {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const parsed = lines.map((raw, i) => ({ raw, line: i + 1, seed: parseEventLine(raw) }));
  return parsed.map(({ raw, line, seed }) =>
    buildCase(
      raw,
      line,
      seed,
      parsed.map((p) => p.seed),
    ),
  );
}

function buildCase(raw: string, line: number, seed: JsonObject, all: JsonObject[]): SeedCase {
  const name = str(seed.eventName, 'eventName') as EventName;
  const timestamp = str(seed.timestamp, 'timestamp');
  const expected = withoutProcessContext(seed);
  const base = { line, raw, seed, timestamp, expectedName: name, expected, mustNotEmit: [] as EventName[] };
  const id = 0x1000 + line;

  switch (name) {
    case 'net_packet_ipv4': {
      const p = obj(argValue(seed, 'proto_ipv4'), 'proto_ipv4');
      const payloadLen = num(p.length, 'length') - num(p.IHL, 'IHL') * 4;
      const forward = str(p.srcIP, 'srcIP') < str(p.dstIP, 'dstIP');
      const packet = ipv4({ ...(p as unknown as Parameters<typeof ipv4>[0]), payload: plausibleTransport(str(p.protocol, 'protocol'), payloadLen, forward) });
      return { ...base, packet };
    }
    case 'net_packet_ipv6': {
      const p = obj(argValue(seed, 'proto_ipv6'), 'proto_ipv6');
      const forward = str(p.srcIP, 'srcIP') < str(p.dstIP, 'dstIP');
      const packet = ipv6({
        ...(p as unknown as Parameters<typeof ipv6>[0]),
        payload: plausibleTransport(str(p.nextHeader, 'nextHeader'), num(p.length, 'length'), forward),
      });
      return { ...base, packet };
    }
    case 'net_packet_tcp': {
      const p = obj(argValue(seed, 'proto_tcp'), 'proto_tcp');
      const t = tcp({
        ...(p as unknown as Parameters<typeof tcp>[0]),
        options: tcpOptions(num(p.dataOffset, 'dataOffset') * 4 - 20),
        payload: p.PSH === 1 ? NC_PAYLOAD : new Uint8Array(0),
      });
      withPortArgs(expected, p);
      return { ...base, packet: ipPacket(str(argValue(seed, 'src'), 'src'), str(argValue(seed, 'dst'), 'dst'), 'TCP', t, id) };
    }
    case 'net_packet_udp': {
      const p = obj(argValue(seed, 'proto_udp'), 'proto_udp');
      const u = udp({ ...(p as unknown as Parameters<typeof udp>[0]), payload: filler(num(p.length, 'length') - 8, 0x61) });
      withPortArgs(expected, p);
      return { ...base, packet: ipPacket(str(argValue(seed, 'src'), 'src'), str(argValue(seed, 'dst'), 'dst'), 'UDP', u, id) };
    }
    case 'net_packet_icmp': {
      const p = obj(argValue(seed, 'proto_icmp'), 'proto_icmp');
      const i = icmp({ ...(p as unknown as Parameters<typeof icmp>[0]), payload: filler(56, 0x10) });
      return { ...base, packet: ipPacket(str(argValue(seed, 'src'), 'src'), str(argValue(seed, 'dst'), 'dst'), 'ICMPv4', i, id) };
    }
    case 'net_packet_icmpv6': {
      const p = obj(argValue(seed, 'proto_icmpv6'), 'proto_icmpv6');
      const i = icmpv6({ typeCode: str(p.typeCode, 'typeCode'), checksum: num(p.checksum, 'checksum'), body: echoBody(0x6bfe, 1) });
      return { ...base, packet: ipPacket(str(argValue(seed, 'src'), 'src'), str(argValue(seed, 'dst'), 'dst'), 'ICMPv6', i, id) };
    }
    case 'net_packet_dns': {
      const dns = dnsMessage(protoDnsSpec(obj(argValue(seed, 'proto_dns'), 'proto_dns')));
      const packet = dnsUdpPacket(
        str(argValue(seed, 'src'), 'src'),
        str(argValue(seed, 'dst'), 'dst'),
        num(argValue(seed, 'src_port'), 'src_port'),
        num(argValue(seed, 'dst_port'), 'dst_port'),
        dns,
      );
      return { ...base, packet };
    }
    case 'net_packet_dns_request': {
      const meta = obj(argValue(seed, 'metadata'), 'metadata');
      const questions = arr(argValue(seed, 'dns_questions'), 'dns_questions').map((q, i) => questionOf(obj(q, `dns_questions[${i}]`)));
      if (num(meta.protocol, 'protocol') !== 17) throw new Error('only UDP DNS in the seed');
      const metaPacket = (dns: Uint8Array): Uint8Array =>
        dnsUdpPacket(
          str(meta.src_ip, 'src_ip'),
          str(meta.dst_ip, 'dst_ip'),
          num(meta.src_port, 'src_port'),
          num(meta.dst_port, 'dst_port'),
          dns,
          num(meta.packet_len, 'packet_len'),
        );

      if (timestamp !== MISLABELLED_RESPONSE_TS) {
        return { ...base, packet: metaPacket(dnsMessage({ ID: 0xb4b3, QR: 0, RD: 1, questions })) };
      }
      // The v0.10 bug: a response (127.0.0.53:53 → client, 166 bytes like the response example
      // that follows it) reported as a request. The event says nothing about its answers, so the
      // packet carries those of the seed's net_packet_dns_response example for the same query
      // (which fill the same 166 bytes), and netrec must emit that response event.
      const responseSeed = all.find((e) => e.eventName === 'net_packet_dns_response');
      if (!responseSeed) throw new Error('seed has no net_packet_dns_response example');
      const respData = obj(arr(argValue(responseSeed, 'dns_response'), 'dns_response')[0], 'dns_response[0]');
      const dnsAnswer = arr(respData.dns_answer, 'dns_answer');
      const queryData = obj(arr(argValue(seed, 'dns_questions'), 'dns_questions')[0], 'dns_questions[0]');
      const answers = answersOf({ query_data: queryData, dns_answer: dnsAnswer });
      const packet = metaPacket(dnsMessage({ ID: 0xb4b3, QR: 1, RD: 1, RA: 1, questions, answers }));

      const respArgs = args(responseSeed);
      expected.eventId = str(responseSeed.eventId, 'eventId');
      expected.eventName = 'net_packet_dns_response';
      expected.args = [
        { name: str(respArgs[0]!.name, 'name'), type: str(respArgs[0]!.type, 'type'), value: clone(meta) },
        { name: str(respArgs[1]!.name, 'name'), type: str(respArgs[1]!.type, 'type'), value: [{ query_data: clone(queryData), dns_answer: clone(dnsAnswer) }] },
      ];
      expected.argsNum = 2;
      return {
        ...base,
        packet,
        expectedName: 'net_packet_dns_response',
        mustNotEmit: ['net_packet_dns_request'],
        note: 'response packet: dns_response, not dns_request',
      };
    }
    case 'net_packet_dns_response': {
      const meta = obj(argValue(seed, 'metadata'), 'metadata');
      const resp = arr(argValue(seed, 'dns_response'), 'dns_response');
      if (resp.length !== 1) throw new Error('dns_response has exactly one element');
      const r = obj(resp[0], 'dns_response[0]');
      if (num(meta.protocol, 'protocol') !== 17) throw new Error('only UDP DNS in the seed');
      const dns = dnsMessage({ ID: 0x7d2a, QR: 1, RD: 1, RA: 1, questions: [questionOf(obj(r.query_data, 'query_data'))], answers: answersOf(r) });
      const packet = dnsUdpPacket(
        str(meta.src_ip, 'src_ip'),
        str(meta.dst_ip, 'dst_ip'),
        num(meta.src_port, 'src_port'),
        num(meta.dst_port, 'dst_port'),
        dns,
        num(meta.packet_len, 'packet_len'),
      );
      return { ...base, packet };
    }
  }
}
