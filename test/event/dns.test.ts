import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDir } from '../helpers/shared.ts';
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { decodeDNS } from '../../src/decode/dns.ts';
import { DecodeError } from '../../src/decode/types.ts';
import type { DNSMessage } from '../../src/decode/types.ts';
import {
  dnsClassName,
  dnsOpcodeName,
  dnsOptionCodeName,
  dnsRequestQuestions,
  dnsResponseCodeName,
  dnsResponseData,
  dnsTypeName,
  pktMeta,
  toDnsQueryData,
  toProtoDNS,
} from '../../src/event/dns.ts';
import type { ProtoDNS, ProtoDNSResourceRecord } from '../../src/event/types.ts';
import { bytes, dnsHeader as header, dnsQuestion as question, dnsRecord as record, u16, u32, wireName } from '../helpers/bytes.ts';

// Expected values come from ../shared/reference/tracee-network-events.md (§1.1, §1.7–§1.9,
// "netrec's compatibility stance") and from the seed events, never from running netrec.

const SEED_PATH = join(sharedDir(), 'seed', 'network-events.jsonl');

interface SeedArg {
  name: string;
  type: string;
  value: unknown;
}

interface SeedEvent {
  timestamp: number;
  eventName: string;
  args: SeedArg[];
}

const seed: SeedEvent[] = readFileSync(SEED_PATH, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as SeedEvent);

function arg<T>(event: SeedEvent, name: string): T {
  const found = event.args.find((a) => a.name === name);
  if (!found) throw new Error(`seed event has no ${name}`);
  return found.value as T;
}

function decoded(msg: Uint8Array): DNSMessage {
  const result = decodeDNS(msg);
  if (result instanceof DecodeError) throw new Error(`unexpected DecodeError: ${result.message}`);
  return result;
}

/** JSON as any JSON sink would print it: checks values, key order and null vs []. */
function json(value: unknown): string {
  return JSON.stringify(value);
}

const ZERO = {
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
};

/** A record as Tracee prints it: the given fields over the zero values, in Tracee's key order. */
function rr(fields: Partial<ProtoDNSResourceRecord> & Pick<ProtoDNSResourceRecord, 'name' | 'type' | 'class' | 'TTL'>): ProtoDNSResourceRecord {
  const { name, type, class: klass, TTL, ...rest } = fields;
  return { name, type, class: klass, TTL, ...ZERO, ...rest };
}

describe('gopacket string tables (§1.9)', () => {
  it('names DNS types, ANY and everything outside the table "Unknown"', () => {
    const table: [number, string][] = [
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
      [0, 'Unknown'],
      [17, 'Unknown'],
      [46, 'Unknown'],
      [64, 'Unknown'],
      [65, 'Unknown'],
      [255, 'Unknown'],
      [257, 'Unknown'],
      [65535, 'Unknown'],
    ];
    expect(table.map(([code]) => [code, dnsTypeName(code)])).toEqual(table);
  });

  it('names classes', () => {
    const table: [number, string][] = [
      [1, 'IN'],
      [2, 'CS'],
      [3, 'CH'],
      [4, 'HS'],
      [255, 'Any'],
      [0, 'Unknown'],
      [5, 'Unknown'],
      [254, 'Unknown'],
      [256, 'Unknown'],
      [1232, 'Unknown'],
      [65535, 'Unknown'],
    ];
    expect(table.map(([code]) => [code, dnsClassName(code)])).toEqual(table);
  });

  it('lower-cases opcodes', () => {
    const names = Array.from({ length: 16 }, (_, code) => dnsOpcodeName(code));
    expect(names).toEqual(['query', 'inverse query', 'status', 'unknown', 'notify', 'update', ...new Array(10).fill('unknown')]);
  });

  it('lower-cases response codes, keeping the trailing space of "server failure "', () => {
    const names = Array.from({ length: 25 }, (_, code) => dnsResponseCodeName(code));
    expect(names).toEqual([
      'no error',
      'format error',
      'server failure ',
      'non-existent domain',
      'not implemented',
      'query refused',
      'name exists when it should not',
      'rr set exists when it should not',
      'rr set that should exist does not',
      'server not authoritative for zone',
      'name not contained in zone',
      'unknown',
      'unknown',
      'unknown',
      'unknown',
      'unknown',
      'bad opt version',
      'key not recognized',
      'signature out of time window',
      'bad tkey mode',
      'duplicate key name',
      'algorithm not supported',
      'bad truncation',
      'bad cookie',
      'unknown',
    ]);
    expect(dnsResponseCodeName(255)).toBe('unknown');
  });

  it('names EDNS option codes', () => {
    const table: [number, string][] = [
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
      [0, 'Unknown'],
      [4, 'Unknown'],
      [15, 'Unknown'],
      [65535, 'Unknown'],
    ];
    expect(table.map(([code]) => [code, dnsOptionCodeName(code)])).toEqual(table);
  });
});

/** The seed's ProtoDNS values re-encoded with dns-packet (uncompressed; same values). */
function encodeProto(p: ProtoDNS): Uint8Array {
  // Only the strings the seed uses; their codes are from §1.9.
  const opcodes: Record<string, number> = { query: 0 };
  const rcodes: Record<string, number> = { 'no error': 0 };
  const flags = (opcodes[p.opCode]! << 11) | (p.AA << 10) | (p.TC << 9) | (p.RD << 8) | (p.RA << 7) | (p.Z << 4) | rcodes[p.responseCode]!;
  const toRecord = (r: ProtoDNSResourceRecord): object => {
    const common = { type: r.type, name: r.name, class: r.class, ttl: r.TTL };
    switch (r.type) {
      case 'A':
      case 'AAAA':
        return { ...common, data: r.IP };
      case 'CNAME':
        return { ...common, data: r.CNAME };
      case 'MX':
        return { ...common, data: { preference: r.MX.preference, exchange: r.MX.name } };
      case 'SOA':
        return {
          ...common,
          data: {
            mname: r.SOA.MName,
            rname: r.SOA.RName,
            serial: r.SOA.serial,
            refresh: r.SOA.refresh,
            retry: r.SOA.retry,
            expire: r.SOA.expire,
            minimum: r.SOA.minimum,
          },
        };
      case 'OPT':
        // CLASS holds the UDP size: any size outside the class table prints "Unknown".
        expect(r.class).toBe('Unknown');
        return {
          type: 'OPT',
          name: '.',
          udpPayloadSize: 512,
          extendedRcode: r.TTL >>> 24,
          ednsVersion: (r.TTL >>> 16) & 0xff,
          flags: r.TTL & 0xffff,
          options: [],
        };
    }
    throw new Error(`seed record type ${r.type} not handled`);
  };
  const packet = {
    type: p.QR ? 'response' : 'query',
    id: p.ID,
    flags,
    questions: p.questions.map((q) => ({ type: q.type, name: q.name, class: q.class })),
    answers: p.answers.map(toRecord),
    authorities: p.authorities.map(toRecord),
    additionals: p.additionals.map(toRecord),
  };
  return dnsPacket.encode(packet as dnsPacket.Packet);
}

describe('toProtoDNS on the seed', () => {
  const dnsEvents = seed.filter((e) => e.eventName === 'net_packet_dns');

  it('has the seed DNS events to check', () => {
    expect(dnsEvents).toHaveLength(14);
  });

  it.each(dnsEvents.map((e) => [e.timestamp, e] as const))('reproduces proto_dns of event %s', (_, event) => {
    const expected = arg<ProtoDNS>(event, 'proto_dns');
    const proto = toProtoDNS(decoded(encodeProto(expected)));
    expect(proto).toStrictEqual(expected);
    expect(json(proto)).toBe(json(expected));
  });
});

describe('the DNS request/response seed events', () => {
  const requests = seed.filter((e) => e.eventName === 'net_packet_dns_request');
  const responses = seed.filter((e) => e.eventName === 'net_packet_dns_response');

  // Response to www.uol.com.br A, compressed as resolvers send it: 138 bytes, so with IPv4 and
  // UDP headers exactly the seed's packet_len of 166.
  function uolResponse(cnameTtl: number, answers: [number, string][]): Uint8Array {
    const cnameTarget = 12 + 20 + 12; // after the header, the question and the CNAME header
    return bytes(
      header([1, 1 + answers.length, 0, 0], 0x8180),
      question(wireName('www.uol.com.br'), 1),
      record(bytes(0xc0, 12), 5, wireName('dftex7xfha8fh.cloudfront.net'), cnameTtl),
      ...answers.map(([ttl, ip]) => record(bytes(0xc0, cnameTarget), 1, ip.split('.').map(Number), ttl)),
    );
  }

  it('reproduces dns_questions and metadata of the query', () => {
    const event = requests.find((e) => arg<{ packet_len: number }>(e, 'metadata').packet_len === 60)!;
    const query = dnsPacket.encode({
      type: 'query',
      id: 1,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ type: 'A', name: 'www.uol.com.br', class: 'IN' }],
    });
    // IPv4 Total Length = 20 + 8 + DNS.
    expect(20 + 8 + query.length).toBe(60);
    const m = decoded(query);
    expect(m.qr).toBe(false);
    expect(dnsRequestQuestions(m)).toStrictEqual(arg(event, 'dns_questions'));
    expect(pktMeta('127.0.0.1', '127.0.0.53', 46259, 53, 17, 60)).toStrictEqual(arg(event, 'metadata'));
  });

  it("turns the seed's response-as-request (the v0.10 bug) into a response with the same question", () => {
    const event = requests.find((e) => arg<{ packet_len: number }>(e, 'metadata').packet_len === 166)!;
    const msg = uolResponse(22, [
      [60, '65.8.214.126'],
      [60, '65.8.214.70'],
      [60, '65.8.214.49'],
      [60, '65.8.214.78'],
    ]);
    expect(20 + 8 + msg.length).toBe(166);
    const m = decoded(msg);
    expect(m.qr).toBe(true);
    expect([dnsResponseData(m).query_data]).toStrictEqual(arg(event, 'dns_questions'));
    expect(pktMeta('127.0.0.53', '127.0.0.1', 53, 46259, 17, 166)).toStrictEqual(arg(event, 'metadata'));
  });

  it('reproduces dns_response and metadata of the response', () => {
    expect(responses).toHaveLength(1);
    const event = responses[0]!;
    const msg = uolResponse(22, [
      [60, '65.8.214.126'],
      [60, '65.8.214.70'],
      [60, '65.8.214.49'],
      [60, '65.8.214.78'],
    ]);
    expect([dnsResponseData(decoded(msg))]).toStrictEqual(arg(event, 'dns_response'));
    expect(pktMeta('127.0.0.53', '127.0.0.1', 53, 41373, 17, 166)).toStrictEqual(arg(event, 'metadata'));
  });
});

describe('toProtoDNS', () => {
  it('maps the header, lower-casing opcode and response code', () => {
    // QR, opcode 1, AA, TC, RD | RA, Z=2, RCODE 2.
    const m = decoded(bytes(header([0, 0, 0, 0], 0x8f00 | 0xa2, 7)));
    expect(json(toProtoDNS(m))).toBe(
      json({
        ID: 7,
        QR: 1,
        opCode: 'inverse query',
        AA: 1,
        TC: 1,
        RD: 1,
        RA: 1,
        Z: 2,
        responseCode: 'server failure ',
        QDCount: 0,
        ANCount: 0,
        NSCount: 0,
        ARCount: 0,
        questions: [],
        answers: [],
        authorities: [],
        additionals: [],
      }),
    );
    expect(toProtoDNS(decoded(bytes(header([0, 0, 0, 0], 0x1800)))).opCode).toBe('unknown');
  });

  it('prints the extended RCODE of an OPT record', () => {
    const opt = (extended: number, rcode: number): string =>
      toProtoDNS(decoded(bytes(header([0, 0, 0, 1], 0x8180 | rcode), record(0, 41, [], extended << 24, 1232)))).responseCode;
    expect(opt(1, 0)).toBe('bad opt version');
    expect(opt(1, 7)).toBe('bad cookie');
    expect(opt(2, 3)).toBe('unknown');
  });

  it('maps every record type as Tracee v0.10 prints it', () => {
    const h = header([1, 16, 1, 2], 0x8580);
    const msg = bytes(
      h,
      question(wireName('example.com'), 255, 3),
      record(bytes(0xc0, 12), 1, [192, 0, 2, 1], 60),
      record(bytes(0xc0, 12), 1, [0x0a, 0x0b, 0x0c], 61),
      record(bytes(0xc0, 12), 1, [], 62),
      record(bytes(0xc0, 12), 28, [...new Array(10).fill(0), 0xff, 0xff, 1, 2, 3, 4], 63),
      record(bytes(0xc0, 12), 28, [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1], 64),
      record(bytes(0xc0, 12), 2, bytes(2, 'ns', 0xc0, 12), 65),
      record(bytes(3, 'www', 0xc0, 12), 5, bytes(0xc0, 12), 66),
      record(wireName('1.2.0.192.in-addr.arpa'), 12, bytes(0xc0, 12), 67),
      record(bytes(0xc0, 12), 15, bytes(0, 10, 2, 'mx', 0xc0, 12), 68),
      record(bytes(0xc0, 12), 16, bytes(5, 'hello', 6, 'wor"ld', 2, 0xc3, 0xff), 69),
      record(bytes(0xc0, 12), 16, [], 70),
      record(bytes(0xc0, 12), 13, bytes(3, 'x86', 5, 'Linux'), 71),
      record(bytes(0xc0, 12), 33, bytes(...u16(1), ...u16(2), ...u16(5060), 3, 'sip', 0xc0, 12), 72),
      record(bytes(0xc0, 12), 256, bytes(...u16(10), ...u16(1), 'ftp://ex.com/<a&b>'), 73),
      record(bytes(0xc0, 12), 257, bytes(0, 5, 'issue', 'ca'), 74, 0x1234),
      record(bytes(2, 0xfe, 'a', 0xc0, 12), 99, [], 75, 255),
      record(bytes(0xc0, 12), 6, bytes(2, 'ns', 0xc0, 12, 5, 'admin', 0xc0, 12, ...u32(1), ...u32(7200), ...u32(900), ...u32(1209600), ...u32(86400)), 76),
      record(0, 41, bytes(...u16(10), ...u16(4), 1, 2, 0xff, 0x41, ...u16(4), ...u16(0)), 0x8000, 1232),
      record(0, 41, [], 0, 255),
    );
    const p = toProtoDNS(decoded(msg));
    expect(p.questions).toStrictEqual([{ name: 'example.com', type: 'Unknown', class: 'CH' }]);
    const e = 'example.com';
    const expected: ProtoDNSResourceRecord[] = [
      rr({ name: e, type: 'A', class: 'IN', TTL: 60, IP: '192.0.2.1' }),
      rr({ name: e, type: 'A', class: 'IN', TTL: 61, IP: '?0a0b0c' }),
      rr({ name: e, type: 'A', class: 'IN', TTL: 62, IP: '<nil>' }),
      rr({ name: e, type: 'AAAA', class: 'IN', TTL: 63, IP: '1.2.3.4' }),
      rr({ name: e, type: 'AAAA', class: 'IN', TTL: 64, IP: '2001:db8::1' }),
      rr({ name: e, type: 'NS', class: 'IN', TTL: 65, NS: 'ns.example.com' }),
      rr({ name: 'www.example.com', type: 'CNAME', class: 'IN', TTL: 66, CNAME: e }),
      rr({ name: '1.2.0.192.in-addr.arpa', type: 'PTR', class: 'IN', TTL: 67, PTR: e }),
      rr({ name: e, type: 'MX', class: 'IN', TTL: 68, MX: { preference: 10, name: 'mx.example.com' } }),
      rr({
        name: e,
        type: 'TXT',
        class: 'IN',
        TTL: 69,
        TXTs: ['hello', 'wor"ld', '\uFFFD\uFFFD'],
        TXT: '\u0005hello\u0006wor"ld\u0002\uFFFD\uFFFD',
      }),
      rr({ name: e, type: 'TXT', class: 'IN', TTL: 70 }),
      rr({ name: e, type: 'HINFO', class: 'IN', TTL: 71, TXTs: ['x86', 'Linux'], TXT: '\u0003x86\u0005Linux' }),
      rr({ name: e, type: 'SRV', class: 'IN', TTL: 72, SRV: { priority: 1, weight: 2, port: 5060, name: 'sip.example.com' } }),
      rr({ name: e, type: 'URI', class: 'IN', TTL: 73, URI: { priority: 10, weight: 1, target: 'ftp://ex.com/<a&b>' } }),
      rr({ name: e, type: 'Unknown', class: 'Unknown', TTL: 74 }),
      rr({ name: '\uFFFDa.example.com', type: 'Unknown', class: 'Any', TTL: 75 }),
    ];
    expect(p.answers).toStrictEqual(expected);
    expect(json(p.answers)).toBe(json(expected));
    expect(p.authorities).toStrictEqual([
      rr({
        name: e,
        type: 'SOA',
        class: 'IN',
        TTL: 76,
        SOA: { MName: 'ns.example.com', RName: 'admin.example.com', serial: 1, refresh: 7200, retry: 900, expire: 1209600, minimum: 86400 },
      }),
    ]);
    expect(json(p.additionals)).toBe(
      json([
        rr({
          name: '',
          type: 'OPT',
          class: 'Unknown',
          TTL: 0x8000,
          OPT: [
            { code: 'Cookie', data: '\u0001\u0002\uFFFDA' },
            { code: 'Unknown', data: '' },
          ],
        }),
        rr({ name: '', type: 'OPT', class: 'Any', TTL: 0 }),
      ]),
    );
    expect(p.ANCount).toBe(16);
  });
});

describe('net_packet_dns_request and net_packet_dns_response values', () => {
  const RESPONSE = 0x8180;

  it('lists every question of a request, in order', () => {
    const m = decoded(bytes(header([2, 0, 0, 0], 0x0100), question(wireName('a.example'), 28), question(wireName(''), 2, 255)));
    expect(dnsRequestQuestions(m)).toStrictEqual([
      { query: 'a.example', query_type: 'AAAA', query_class: 'IN' },
      { query: '', query_type: 'NS', query_class: 'Any' },
    ]);
    expect(dnsRequestQuestions(decoded(header([0, 0, 0, 0], 0x0100)))).toStrictEqual([]);
    expect(toDnsQueryData(m.questions[0]!)).toStrictEqual({ query: 'a.example', query_type: 'AAAA', query_class: 'IN' });
  });

  it('answers null for NXDOMAIN and other responses without answers', () => {
    const nx = bytes(
      header([1, 0, 1, 0], RESPONSE | 3),
      question(wireName('nope.example'), 1),
      record(wireName('example'), 6, bytes(2, 'ns', 0, 1, 'h', 0, ...new Array(20).fill(0))),
    );
    expect(dnsResponseData(decoded(nx))).toStrictEqual({
      query_data: { query: 'nope.example', query_type: 'A', query_class: 'IN' },
      dns_answer: null,
    });
  });

  it('takes question[0] of several, and empty strings when there is none', () => {
    const several = bytes(header([2, 0, 0, 0], RESPONSE), question(wireName('first'), 1), question(wireName('second'), 28));
    expect(dnsResponseData(decoded(several)).query_data).toStrictEqual({ query: 'first', query_type: 'A', query_class: 'IN' });
    const none = bytes(header([0, 1, 0, 0], RESPONSE), record(wireName('x'), 1, [1, 2, 3, 4], 9));
    expect(dnsResponseData(decoded(none))).toStrictEqual({
      query_data: { query: '', query_type: '', query_class: '' },
      dns_answer: [{ answer_type: 'A', ttl: 9, answer: '1.2.3.4' }],
    });
  });

  it('answers each record of the answers section by type, and only those', () => {
    const msg = bytes(
      header([1, 12, 1, 1], RESPONSE),
      question(wireName('example.com'), 255),
      record(bytes(0xc0, 12), 1, [0x0a, 0x0b, 0x0c], 1),
      record(bytes(0xc0, 12), 28, [...new Array(10).fill(0), 0xff, 0xff, 10, 0, 0, 1], 2),
      record(bytes(0xc0, 12), 2, bytes(2, 'ns', 0xc0, 12), 3),
      record(bytes(0xc0, 12), 5, wireName('cdn.example.net'), 4),
      record(bytes(0xc0, 12), 12, wireName('host.example'), 5),
      record(bytes(0xc0, 12), 15, bytes(0, 10, 2, 'mx', 0xc0, 12), 6),
      record(bytes(0xc0, 12), 16, bytes(3, 'a=b', 1, 0x80), 7),
      record(bytes(0xc0, 12), 13, bytes(1, 'c', 1, 'o'), 8),
      record(bytes(0xc0, 12), 33, bytes(0, 1, 0, 2, 0, 3, 0), 9),
      record(bytes(0xc0, 12), 6, bytes(0, 0, ...new Array(20).fill(0)), 10),
      record(bytes(0xc0, 12), 256, bytes(0, 1, 0, 2, 'u'), 11),
      record(bytes(0xc0, 12), 46, [1, 2, 3], 12),
      record(bytes(0xc0, 12), 1, [9, 9, 9, 9], 13),
      record(0, 41, [], 0, 1232),
    );
    expect(dnsResponseData(decoded(msg))).toStrictEqual({
      query_data: { query: 'example.com', query_type: 'Unknown', query_class: 'IN' },
      dns_answer: [
        { answer_type: 'A', ttl: 1, answer: '?0a0b0c' },
        { answer_type: 'AAAA', ttl: 2, answer: '10.0.0.1' },
        { answer_type: 'NS', ttl: 3, answer: 'ns.example.com' },
        { answer_type: 'CNAME', ttl: 4, answer: 'cdn.example.net' },
        { answer_type: 'PTR', ttl: 5, answer: 'host.example' },
        { answer_type: 'MX', ttl: 6, answer: 'mx.example.com' },
        { answer_type: 'TXT', ttl: 7, answer: '\u0003a=b\u0001\uFFFD' },
        { answer_type: 'HINFO', ttl: 8, answer: 'not implemented' },
        { answer_type: 'SRV', ttl: 9, answer: 'not implemented' },
        { answer_type: 'SOA', ttl: 10, answer: 'not implemented' },
        { answer_type: 'URI', ttl: 11, answer: 'not implemented' },
        { answer_type: 'Unknown', ttl: 12, answer: 'not implemented' },
      ],
    });
  });
});

describe('pktMeta', () => {
  it('fills every field in Tracee\'s order, iface "any"', () => {
    expect(json(pktMeta('::1', '::1', 53000, 53, 6, 40))).toBe(
      json({ src_ip: '::1', dst_ip: '::1', src_port: 53000, dst_port: 53, protocol: 6, packet_len: 40, iface: 'any' }),
    );
  });
});
