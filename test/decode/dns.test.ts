import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDNS, splitTCPDNS } from '../../src/decode/dns.ts';
import { DecodeError } from '../../src/decode/types.ts';
import { bytes, dnsHeader as header, dnsQuestion as question, dnsRecord as record, u16, u32, wireName, type Part } from '../helpers/bytes.ts';
import type { DNSMessage, DNSResourceRecord } from '../../src/decode/types.ts';

// Expected values here come from RFC 1035 framing and gopacket v1.1.19's layers/dns.go,
// never from running the decoder.

/** dns-packet's typings reject some shapes it encodes fine (OPT without flag_do, for one). */
function encode(packet: object): Buffer {
  return dnsPacket.encode(packet as dnsPacket.Packet);
}

function text(b: Uint8Array): string {
  return Buffer.from(b).toString('latin1');
}

function decoded(msg: Uint8Array): DNSMessage {
  const result = decodeDNS(msg);
  if (result instanceof DecodeError) throw new Error(`unexpected DecodeError: ${result.message}`);
  return result;
}

function expectError(result: unknown, message: string, short = false): void {
  expect(result).toBeInstanceOf(DecodeError);
  const error = result as DecodeError;
  expect({ layer: error.layer, message: error.message, kind: error.kind }).toEqual({
    layer: 'dns',
    message,
    kind: short ? 'short' : 'malformed',
  });
}

/** The RDATA-derived fields a record of a type gopacket does not decode keeps empty. */
const NOTHING_DECODED = {
  ip: null,
  ns: null,
  cname: null,
  ptr: null,
  txts: null,
  soa: null,
  srv: null,
  mx: null,
  uri: null,
  opt: null,
};

const Q_EXAMPLE = question(wireName('example.com'));

describe('decodeDNS header', () => {
  it('reads every header bit and count', () => {
    // QR, opcode 5 (update), AA, TC, RD | RA, Z=5, RCODE 3.
    const msg = bytes(0xab, 0xcd, 0x80 | (5 << 3) | 0x07, 0x80 | (5 << 4) | 3, 0, 0, 0, 0, 0, 0, 0, 0);
    const m = decoded(msg);
    expect(m).toEqual({
      id: 0xabcd,
      qr: true,
      opcode: 5,
      aa: true,
      tc: true,
      rd: true,
      ra: true,
      z: 5,
      responseCode: 3,
      qdCount: 0,
      anCount: 0,
      nsCount: 0,
      arCount: 0,
      questions: [],
      answers: [],
      authorities: [],
      additionals: [],
    });
  });

  it('rejects fewer than 12 bytes as short', () => {
    expectError(decodeDNS(new Uint8Array(11)), 'DNS packet too short', true);
    expectError(decodeDNS(new Uint8Array(0)), 'DNS packet too short', true);
  });

  it('ignores bytes after the last record the counts ask for', () => {
    const m = decoded(bytes(header([1, 0, 0, 0]), Q_EXAMPLE, 0xde, 0xad, 0xbe, 0xef));
    expect(m.questions).toHaveLength(1);
  });
});

describe('decodeDNS names', () => {
  it('joins labels with dots, without a trailing dot, and keeps label bytes raw', () => {
    const raw = bytes(3, 'a.b', 2, 0xff, 0x00, 1, 'c', 0);
    const m = decoded(bytes(header([2, 0, 0, 0]), question(raw), question(wireName(''))));
    expect([...m.questions[0]!.name]).toEqual([...bytes('a.b.', 0xff, 0x00, '.c')]);
    // The root is the empty name.
    expect(m.questions[1]!.name).toHaveLength(0);
  });

  it('follows a backward pointer', () => {
    // 12: example.com; the second question is 'www' + pointer to 12.
    const m = decoded(bytes(header([2, 0, 0, 0]), Q_EXAMPLE, question(bytes(3, 'www', 0xc0, 12))));
    expect(text(m.questions[1]!.name)).toBe('www.example.com');
    expect(m.questions[1]!.type).toBe(1);
  });

  it('follows a forward pointer into bytes past the sections', () => {
    // Question at 12 is a pointer to the name stored after it (at 12 + 2 + 4 = 18).
    const m = decoded(bytes(header([1, 0, 0, 0]), question(bytes(0xc0, 18), 28), wireName('later.example')));
    expect(text(m.questions[0]!.name)).toBe('later.example');
    expect(m.questions[0]!.type).toBe(28);
  });

  it('gives the empty name for a pointer to the root', () => {
    const msg = bytes(header([2, 0, 0, 0]), question(wireName('')), question(bytes(0xc0, 12)));
    expect(decoded(msg).questions[1]!.name).toHaveLength(0);
  });

  it('follows 254 chained pointers and fails on the 255th', () => {
    // Name at 12: a 1-byte label then a pointer to the first link; links point to the next one.
    const chain = (jumps: number): Uint8Array => {
      const start = 12 + 4 + 4; // question: 01 'x' c0 ptr, then type/class
      const links: number[] = [];
      for (let i = 0; i < jumps - 1; i++) links.push(...u16(0xc000 | (start + 2 * (i + 1))));
      links.push(0); // the last link target is the root
      return bytes(header([1, 0, 0, 0]), question(bytes(1, 'x', ...u16(0xc000 | start))), links);
    };
    // jumps counts the pointers followed; the final one lands on the root byte.
    expect(text(decoded(chain(254)).questions[0]!.name)).toBe('x');
    expectError(decodeDNS(chain(255)), 'max DNS recursion level hit');
  });

  it('stops a pointer loop at gopacket recursion limit', () => {
    expectError(decodeDNS(bytes(header([1, 0, 0, 0]), question(bytes(0xc0, 12)))), 'max DNS recursion level hit');
    // A label before the loop: still the recursion limit, not a length error.
    expectError(decodeDNS(bytes(header([1, 0, 0, 0]), question(bytes(1, 'a', 0xc0, 12)))), 'max DNS recursion level hit');
  });

  it('limits each pointer hop, not the whole name, to 255 wire bytes', () => {
    const l63 = 'x'.repeat(63);
    const l62 = 'y'.repeat(62);
    // 3×(1+63) + (1+62) = 255 bytes of labels: accepted.
    const max = `${l63}.${l63}.${l63}.${l62}`;
    expect(text(decoded(bytes(header([1, 0, 0, 0]), question(wireName(max)))).questions[0]!.name)).toBe(max);
    // One byte more is too long.
    const over = `${l63}.${l63}.${l63}.${l63}`;
    expectError(decodeDNS(bytes(header([1, 0, 0, 0]), question(wireName(over)))), 'dns name is too long');
    // 255 bytes here plus a pointer to 255 more: 511 characters, accepted.
    const msg = bytes(header([2, 0, 0, 0]), question(wireName(max)), question(bytes(wireName(max).subarray(0, 255), 0xc0, 12)));
    expect(text(decoded(msg).questions[1]!.name)).toBe(`${max}.${max}`);
    // Each hop is measured from where it starts, also when the pointer goes forward.
    const forward = bytes(header([1, 0, 0, 0]), question(bytes(0xc0, 18)), wireName(max));
    expect(text(decoded(forward).questions[0]!.name)).toBe(max);
  });

  it('rejects the 0x40 and 0x80 label types with gopacket messages', () => {
    expectError(decodeDNS(bytes(header([1, 0, 0, 0]), question(bytes(1, 'a', 0x41, 'b', 0)))), "qname '0x40' - RFC 2673 unsupported yet (data=41 index=14)");
    expectError(decodeDNS(bytes(header([1, 0, 0, 0]), question(bytes(0x80, 0)))), "qname '0x80' unsupported yet (data=80 index=12)");
  });

  it('reports names cut by the end of the message', () => {
    const h = header([1, 0, 0, 0]);
    expectError(decodeDNS(h), 'dns name offset too high', true);
    expectError(decodeDNS(bytes(h, 5, 'abc')), 'dns name uncomputable: invalid index', true);
    expectError(decodeDNS(bytes(h, 3, 'abc')), 'dns index walked out of range', true);
    expectError(decodeDNS(bytes(h, 1, 'a', 0xc0)), 'dns offset pointer too high', true);
  });

  it('reports pointers past the message as bad values', () => {
    const h = header([1, 0, 0, 0]);
    // Pointer at 12..13 then type/class: the message is 18 bytes long.
    expectError(decodeDNS(bytes(h, question(bytes(0xc0, 19)))), 'dns offset pointer too high');
    expectError(decodeDNS(bytes(h, question(bytes(0xc0, 18)))), 'dns name offset too high');
  });

  it('rejects a question cut after its name as short', () => {
    expectError(decodeDNS(bytes(header([1, 0, 0, 0]), wireName('a'), 0, 1, 0)), 'DNS question too small', true);
  });
});

describe('decodeDNS sections and counts', () => {
  it('fails when a count asks for more than the message holds', () => {
    expectError(decodeDNS(bytes(header([2, 0, 0, 0]), Q_EXAMPLE)), 'dns name offset too high', true);
    expectError(decodeDNS(bytes(header([1, 1, 0, 0]), Q_EXAMPLE)), 'dns name offset too high', true);
    expectError(decodeDNS(bytes(header([1, 0, 0, 1]), Q_EXAMPLE)), 'dns name offset too high', true);
  });

  it('decodes only what the counts say when the message holds more', () => {
    const msg = bytes(header([1, 0, 0, 0]), Q_EXAMPLE, record(0, 1, [1, 2, 3, 4]));
    expect(decoded(msg).answers).toEqual([]);
  });

  it('rejects a record cut in its fixed fields, and RDATA past the end', () => {
    expectError(decodeDNS(bytes(header([0, 1, 0, 0]), 0, 0, 1, 0, 1, 0, 0)), 'DNS record too small', true);
    const cut = record(0, 1, [1, 2, 3, 4]).subarray(0, 14);
    expectError(decodeDNS(bytes(header([0, 1, 0, 0]), cut)), 'resource record length exceeds data', true);
  });

  it('puts records in the section their position says', () => {
    const msg = bytes(header([0, 1, 1, 1]), record(0, 1, [10, 0, 0, 1]), record(0, 1, [10, 0, 0, 2]), record(0, 1, [10, 0, 0, 3]));
    const m = decoded(msg);
    expect([m.answers, m.authorities, m.additionals].map((s) => [...s[0]!.ip!])).toEqual([
      [10, 0, 0, 1],
      [10, 0, 0, 2],
      [10, 0, 0, 3],
    ]);
  });
});

describe('decodeDNS records', () => {
  function only(msg: Uint8Array): DNSResourceRecord {
    const m = decoded(msg);
    expect(m.answers).toHaveLength(1);
    return m.answers[0]!;
  }

  function answer(rr: Uint8Array): Uint8Array {
    return bytes(header([0, 1, 0, 0], 0x8180), rr);
  }

  it('frames A records by RDLENGTH, whatever their length', () => {
    const msg = bytes(header([0, 3, 0, 0], 0x8180), record(0, 1, [0x0a, 0x0b, 0x0c]), record(0, 1, []), record(0, 28, [...new Array(15).fill(0), 1]));
    const m = decoded(msg);
    expect(m.answers.map((r) => [...r.ip!])).toEqual([[0x0a, 0x0b, 0x0c], [], [...new Array(15).fill(0), 1]]);
    expect(m.answers[0]).toMatchObject({ type: 1, class: 1, ttl: 300, ns: null, txts: null, opt: null });
  });

  it('reads the header fields of a record, TTL unsigned', () => {
    const rr = only(answer(record(wireName('x.y'), 1, [1, 2, 3, 4], 0xfffffffe, 3)));
    expect({ name: text(rr.name), type: rr.type, class: rr.class, ttl: rr.ttl, data: [...rr.data] }).toEqual({
      name: 'x.y',
      type: 1,
      class: 3,
      ttl: 0xfffffffe,
      data: [1, 2, 3, 4],
    });
  });

  it('decodes NS, CNAME and PTR names, with pointers back into the message', () => {
    const msg = bytes(
      header([1, 3, 0, 0], 0x8180),
      Q_EXAMPLE,
      record(bytes(0xc0, 12), 2, wireName('ns1.example.com')),
      record(bytes(0xc0, 12), 5, bytes(3, 'www', 0xc0, 12)),
      record(wireName('4.3.2.1.in-addr.arpa'), 12, bytes(0xc0, 12)),
    );
    const [ns, cname, ptr] = decoded(msg).answers;
    expect(text(ns!.ns!)).toBe('ns1.example.com');
    expect(text(cname!.cname!)).toBe('www.example.com');
    expect(text(ptr!.ptr!)).toBe('example.com');
    expect(text(cname!.name)).toBe('example.com');
    expect([ns!.cname, cname!.ns, ptr!.ip, ptr!.txts]).toEqual([null, null, null, null]);
  });

  it('confines names in RDATA to the message up to the end of their record', () => {
    // A CNAME pointing forward into the next record's owner name: beyond its own record.
    const next = record(wireName('target.example'), 1, [1, 2, 3, 4]);
    const h = header([0, 2, 0, 0], 0x8180);
    const cnameAt = 12 + 1 + 10;
    const forward = (target: number): Uint8Array => bytes(h, record(0, 5, bytes(0xc0, target)), next);
    // The record ends right after the pointer, where the next owner name starts: out of reach,
    // although that name is well formed ...
    expectError(decodeDNS(forward(cnameAt + 2)), 'dns name offset too high');
    // ... and so is anything after it.
    expectError(decodeDNS(forward(cnameAt + 3)), 'dns offset pointer too high');
    // The same owner name is reachable from the record after it.
    const ok = bytes(h, next, record(0, 5, bytes(0xc0, 12)));
    expect(text(decoded(ok).answers[1]!.cname!)).toBe('target.example');
    // A name in RDATA may not run past its record either, even into valid bytes.
    const runOn = bytes(h, record(0, 5, bytes(1, 'a')), next);
    expectError(decodeDNS(runOn), 'dns index walked out of range');
  });

  it('keeps a record with RDLENGTH 0 (RFC 2136 UPDATE deletions) with empty fields', () => {
    // gopacket fails the whole message here; netrec keeps the record and every other one.
    for (const type of [2, 5, 12, 6, 15, 33, 256, 16, 13, 41]) {
      const rr = only(answer(record(0, type, [])));
      expect(rr.type).toBe(type);
      expect(rr.data.length).toBe(0);
      expect([rr.ns, rr.cname, rr.ptr, rr.soa, rr.mx, rr.srv, rr.uri, rr.txts, rr.opt].every((f) => f === null || f === undefined)).toBe(true);
    }
    expect([...only(answer(record(0, 1, []))).ip!]).toEqual([]);
    expect([...only(answer(record(0, 28, []))).ip!]).toEqual([]);
  });

  it('splits TXT and HINFO RDATA into character-strings and keeps the raw RDATA', () => {
    const rdata = bytes(5, 'hello', 0, 3, 0xff, 0x00, 0x0a);
    const txt = only(answer(record(0, 16, rdata)));
    expect(txt.txts!.map((s) => [...s])).toEqual([[...bytes('hello')], [], [0xff, 0x00, 0x0a]]);
    expect([...txt.data]).toEqual([...rdata]);
    const hinfo = only(answer(record(0, 13, bytes(3, 'x86', 5, 'Linux'))));
    expect(hinfo.txts!.map(text)).toEqual(['x86', 'Linux']);
    expect(hinfo.ip).toBeNull();
  });

  it('rejects a character-string that overruns its RDATA', () => {
    expectError(decodeDNS(answer(record(0, 16, bytes(5, 'hell')))), 'Insufficient data for a <character-string>');
    expectError(decodeDNS(answer(record(0, 13, bytes(1, 'a', 2)))), 'Insufficient data for a <character-string>');
  });

  it('decodes SOA, and rejects one whose numbers do not fit its record', () => {
    const soa = bytes(wireName('ns.example'), wireName('admin.example'), ...u32(2024010101), ...u32(7200), ...u32(900), ...u32(1209600), ...u32(86400));
    const rr = only(answer(record(0, 6, soa)));
    expect({ ...rr.soa!, mname: text(rr.soa!.mname), rname: text(rr.soa!.rname) }).toEqual({
      mname: 'ns.example',
      rname: 'admin.example',
      serial: 2024010101,
      refresh: 7200,
      retry: 900,
      expire: 1209600,
      minimum: 86400,
    });
    // 19 bytes of numbers: the record ends short, even with bytes following in the message.
    const short = bytes(header([0, 2, 0, 0], 0x8180), record(0, 6, soa.subarray(0, soa.length - 1)), record(0, 1, [1, 2, 3, 4]));
    expectError(decodeDNS(short), 'SOA too small');
  });

  it('decodes MX and SRV, and rejects short ones', () => {
    const mx = only(answer(record(0, 15, bytes(...u16(10), wireName('mx.example')))));
    expect({ preference: mx.mx!.preference, name: text(mx.mx!.name) }).toEqual({ preference: 10, name: 'mx.example' });
    expectError(decodeDNS(answer(record(0, 15, [0]))), 'MX too small');
    expectError(decodeDNS(answer(record(0, 15, [0, 10]))), 'dns name offset too high');

    const srv = only(answer(record(0, 33, bytes(...u16(1), ...u16(2), ...u16(5060), wireName('sip.example')))));
    expect({ ...srv.srv!, name: text(srv.srv!.name) }).toEqual({ priority: 1, weight: 2, port: 5060, name: 'sip.example' });
    expectError(decodeDNS(answer(record(0, 33, [0, 1, 0, 2, 0]))), 'SRV too small');
  });

  it('decodes URI with its target left raw', () => {
    const uri = only(answer(record(0, 256, bytes(...u16(10), ...u16(1), 'ftp://ftp1.example.com/public'))));
    expect({ ...uri.uri!, target: text(uri.uri!.target) }).toEqual({
      priority: 10,
      weight: 1,
      target: 'ftp://ftp1.example.com/public',
    });
    expect(only(answer(record(0, 256, [0, 1, 0, 2]))).uri!.target).toHaveLength(0);
    expectError(decodeDNS(answer(record(0, 256, [0, 1, 0]))), 'URI too small');
  });

  it('decodes OPT options, the UDP size in CLASS and the TTL as is', () => {
    const rdata = bytes(...u16(10), ...u16(8), 1, 2, 3, 4, 5, 6, 7, 8, ...u16(12), ...u16(0), ...u16(65001), ...u16(1), 0xff);
    const msg = bytes(header([0, 0, 0, 1], 0x8180), record(0, 41, rdata, 0x00008000, 1232));
    const opt = decoded(msg).additionals[0]!;
    expect({ class: opt.class, ttl: opt.ttl }).toEqual({ class: 1232, ttl: 0x8000 });
    expect(opt.opt!.map((o) => ({ code: o.code, data: [...o.data] }))).toEqual([
      { code: 10, data: [1, 2, 3, 4, 5, 6, 7, 8] },
      { code: 12, data: [] },
      { code: 65001, data: [0xff] },
    ]);
  });

  it('rejects OPT options that overrun their record with gopacket messages', () => {
    const opt = (rdata: Part): Uint8Array => bytes(header([0, 0, 0, 1], 0x8180), record(0, 41, rdata));
    expectError(decodeDNS(opt([0, 10])), 'DNSOPT record is of length 2, it should be at least length 4');
    // The record's RDATA starts at 12 + 11 = 23 and ends at 29.
    expectError(decodeDNS(opt([0, 10, 0, 0, 0, 12])), 'Malformed DNSOPT record.  Length 29 < 31');
    expectError(decodeDNS(opt([0, 10, 0, 5, 1, 2])), 'Malformed DNSOPT record. The length (5) field implies a packet larger than the one received');
  });

  it('ORs the extended RCODE of OPT additionals into the response code', () => {
    const opt = (extended: number): Uint8Array => record(0, 41, [], (extended << 24) >>> 0, 1232);
    // Header RCODE 0 with extended RCODE 1: BADVERS (16).
    expect(decoded(bytes(header([0, 0, 0, 1], 0x8180), opt(1))).responseCode).toBe(16);
    // Header RCODE 3, extended 0x12: only the low 4 extended bits fit gopacket's uint8 (0x23).
    expect(decoded(bytes(header([0, 0, 0, 1], 0x8183), opt(0x12))).responseCode).toBe(0x23);
    // Two OPT records: both are OR'ed in.
    expect(decoded(bytes(header([0, 0, 0, 2], 0x8180), opt(1), opt(2))).responseCode).toBe(0x30);
    // An OPT record in the answers section does not count.
    expect(decoded(bytes(header([0, 1, 0, 0], 0x8180), opt(1))).responseCode).toBe(0);
  });

  it('keeps only the header and RDATA of types gopacket does not decode', () => {
    for (const type of [3, 10, 11, 14, 46, 64, 65, 255, 257, 65535]) {
      const rr = only(answer(record(wireName('u.example'), type, [1, 2, 3], 60, 0x1234)));
      expect(rr).toEqual({
        ...NOTHING_DECODED,
        name: bytes('u.example'),
        type,
        class: 0x1234,
        ttl: 60,
        data: bytes(1, 2, 3),
      });
    }
  });
});

describe('decodeDNS against dns-packet', () => {
  // dns-packet writes uncompressed names and frames every type correctly on encode.
  const packet = {
    type: 'response' as const,
    id: 4242,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | dnsPacket.AUTHORITATIVE_ANSWER,
    questions: [
      { type: 'A', name: 'example.com', class: 'IN' },
      { type: 'ANY', name: 'example.com', class: 'CH' },
    ],
    answers: [
      { type: 'A', name: 'example.com', ttl: 60, data: '93.184.216.34' },
      { type: 'AAAA', name: 'example.com', ttl: 61, data: '2001:db8::1' },
      { type: 'CNAME', name: 'www.example.com', ttl: 62, data: 'example.com' },
      { type: 'NS', name: 'example.com', ttl: 63, data: 'a.iana-servers.net' },
      { type: 'PTR', name: '34.216.184.93.in-addr.arpa', ttl: 64, data: 'example.com' },
      { type: 'MX', name: 'example.com', ttl: 65, data: { preference: 5, exchange: 'mail.example.com' } },
      { type: 'TXT', name: 'example.com', ttl: 66, data: ['v=spf1 -all', '', 'second'] },
      { type: 'SRV', name: '_sip._udp.example.com', ttl: 67, data: { priority: 1, weight: 2, port: 5060, target: 'sip.example.com' } },
      { type: 'HINFO', name: 'example.com', ttl: 68, data: { cpu: 'x86_64', os: 'Linux' } },
      { type: 'CAA', name: 'example.com', ttl: 69, data: { flags: 0, tag: 'issue', value: 'ca.example' } },
    ],
    authorities: [
      {
        type: 'SOA',
        name: 'example.com',
        ttl: 70,
        data: { mname: 'ns.icann.org', rname: 'noc.dns.icann.org', serial: 2022091300, refresh: 7200, retry: 3600, expire: 1209600, minimum: 3600 },
      },
    ],
    additionals: [
      {
        type: 'OPT',
        name: '.',
        udpPayloadSize: 1232,
        extendedRcode: 0,
        ednsVersion: 0,
        flags: dnsPacket.DNSSEC_OK,
        options: [
          { code: 'COOKIE', data: Buffer.from('0123456789abcdef', 'hex') },
          { code: 'PADDING', length: 3 },
        ],
      },
    ],
  };

  it('decodes every field dns-packet encoded', () => {
    const wire = encode(packet);
    const m = decoded(wire);
    expect({ id: m.id, qr: m.qr, aa: m.aa, rd: m.rd, ra: m.ra, opcode: m.opcode, responseCode: m.responseCode }).toEqual({
      id: 4242,
      qr: true,
      aa: true,
      rd: true,
      ra: true,
      opcode: 0,
      responseCode: 0,
    });
    expect([m.qdCount, m.anCount, m.nsCount, m.arCount]).toEqual([2, 10, 1, 1]);
    expect(m.questions.map((q) => [text(q.name), q.type, q.class])).toEqual([
      ['example.com', 1, 1],
      ['example.com', 255, 3],
    ]);
    const [a, aaaa, cname, ns, ptr, mx, txt, srv, hinfo, caa] = m.answers;
    expect([...a!.ip!]).toEqual([93, 184, 216, 34]);
    expect([...aaaa!.ip!]).toEqual([0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1]);
    expect(text(cname!.name)).toBe('www.example.com');
    expect(text(cname!.cname!)).toBe('example.com');
    expect(text(ns!.ns!)).toBe('a.iana-servers.net');
    expect(text(ptr!.ptr!)).toBe('example.com');
    expect([mx!.mx!.preference, text(mx!.mx!.name)]).toEqual([5, 'mail.example.com']);
    expect(txt!.txts!.map(text)).toEqual(['v=spf1 -all', '', 'second']);
    expect(text(txt!.data)).toBe('\x0bv=spf1 -all\x00\x06second');
    expect([srv!.srv!.priority, srv!.srv!.weight, srv!.srv!.port, text(srv!.srv!.name)]).toEqual([1, 2, 5060, 'sip.example.com']);
    expect(hinfo!.txts!.map(text)).toEqual(['x86_64', 'Linux']);
    expect(caa).toMatchObject({ ...NOTHING_DECODED, type: 257 });
    expect(m.answers.map((r) => r.ttl)).toEqual([60, 61, 62, 63, 64, 65, 66, 67, 68, 69]);
    const soa = m.authorities[0]!.soa!;
    expect([text(soa.mname), text(soa.rname), soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum]).toEqual([
      'ns.icann.org',
      'noc.dns.icann.org',
      2022091300,
      7200,
      3600,
      1209600,
      3600,
    ]);
    const opt = m.additionals[0]!;
    expect([opt.name.length, opt.class, opt.ttl]).toEqual([0, 1232, 0x8000]);
    expect(opt.opt!.map((o) => [o.code, Buffer.from(o.data).toString('hex')])).toEqual([
      [10, '0123456789abcdef'],
      [12, '000000'],
    ]);
  });

  it('agrees with dns-packet decode on names, types, TTLs and RDATA of well-formed messages', () => {
    const wire = encode(packet);
    const theirs = dnsPacket.decode(wire);
    const ours = decoded(wire);
    const root = (n: string): string => (n === '.' ? '' : n);
    expect(ours.questions.map((q) => text(q.name))).toEqual(theirs.questions!.map((q) => root(q.name)));
    const sections = [
      [ours.answers, theirs.answers!],
      [ours.authorities, theirs.authorities!],
      [ours.additionals, theirs.additionals!],
    ] as const;
    for (const [mine, other] of sections) {
      expect(mine.map((r) => text(r.name))).toEqual(other.map((r) => root(r.name)));
      for (let i = 0; i < mine.length; i++) {
        const r = other[i]! as { type: string; ttl?: number; data?: unknown };
        if (r.type !== 'OPT') expect(mine[i]!.ttl).toBe(r.ttl);
        if (r.type === 'CNAME' || r.type === 'NS' || r.type === 'PTR') {
          expect(text(mine[i]!.cname ?? mine[i]!.ns ?? mine[i]!.ptr!)).toBe(r.data);
        }
        if (r.type === 'TXT') expect(mine[i]!.txts!.map(text)).toEqual((r.data as Buffer[]).map(text));
      }
    }
  });
});

describe('decodeDNS on malformed input', () => {
  const wire = encode({
    type: 'response',
    id: 7,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: 'A', name: 'www.example.com' }],
    answers: [
      { type: 'CNAME', name: 'www.example.com', ttl: 1, data: 'example.com' },
      { type: 'A', name: 'example.com', ttl: 2, data: '192.0.2.1' },
      { type: 'TXT', name: 'example.com', ttl: 3, data: ['a', 'bc'] },
      { type: 'MX', name: 'example.com', ttl: 4, data: { preference: 1, exchange: 'mx.example.com' } },
    ],
    authorities: [{ type: 'SOA', name: 'example.com', ttl: 5, data: { mname: 'ns', rname: 'host.master', serial: 1 } }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 512, options: [{ code: 'PADDING', length: 2 }] }],
  });

  it('rejects every truncation of a message as short', () => {
    expect(decodeDNS(wire)).not.toBeInstanceOf(DecodeError);
    for (let n = 0; n < wire.length; n++) {
      const result = decodeDNS(wire.subarray(0, n));
      expect(result, `truncated to ${n}`).toBeInstanceOf(DecodeError);
      expect((result as DecodeError).kind, `truncated to ${n}`).toBe('short');
    }
  });

  it('never throws on random bytes, mutations or truncations', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (data) => {
        const result = decodeDNS(data);
        expect(result instanceof DecodeError || typeof result.id === 'number').toBe(true);
        for (let n = 0; n < data.length; n += 7) decodeDNS(data.subarray(0, n));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(wire.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (edits) => {
        const mutated = Uint8Array.from(wire);
        for (const [at, value] of edits) mutated[at] = value;
        for (let n = 0; n <= mutated.length; n++) decodeDNS(mutated.subarray(0, n));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on random messages made of valid-looking parts', () => {
    const label = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 63 }).map((b) => bytes(b.length, b)),
      fc.integer({ min: 0, max: 0x3fff }).map((p) => bytes(...u16(0xc000 | p))),
      fc.integer({ min: 0x40, max: 0xbf }).map((b) => bytes(b)),
    );
    const name = fc.array(label, { maxLength: 5 }).map((ls) => bytes(...ls, 0));
    const rr = fc
      .tuple(name, fc.constantFrom(1, 2, 5, 6, 12, 13, 15, 16, 28, 33, 41, 256, 999), fc.uint8Array({ maxLength: 40 }))
      .map(([n, type, rdata]) => record(n, type, rdata));
    fc.assert(
      fc.property(fc.tuple(fc.array(name, { maxLength: 3 }), fc.array(rr, { maxLength: 6 }), fc.nat(3)), ([names, rrs, extra]) => {
        const msg = bytes(header([names.length, rrs.length, 0, extra]), ...names.map((n) => question(n)), ...rrs);
        for (let n = 0; n <= msg.length; n++) {
          const result = decodeDNS(msg.subarray(0, n));
          expect(result instanceof DecodeError || result.answers.length === rrs.length).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('splitTCPDNS', () => {
  const a = bytes(header([0, 0, 0, 0]));
  const b = bytes(header([1, 0, 0, 0]), Q_EXAMPLE);

  it('splits every length-prefixed message of a segment', () => {
    const { messages, rest } = splitTCPDNS(bytes(...u16(a.length), a, ...u16(b.length), b));
    expect(messages.map((m) => [...m])).toEqual([[...a], [...b]]);
    expect(rest).toBe(0);
  });

  it('reports a trailing partial message or length prefix as rest', () => {
    const partial = splitTCPDNS(bytes(...u16(a.length), a, ...u16(b.length), b.subarray(0, 5)));
    expect(partial.messages).toHaveLength(1);
    expect(partial.rest).toBe(2 + 5);
    expect(splitTCPDNS(bytes(...u16(a.length), a, 0))).toMatchObject({ rest: 1 });
    expect(splitTCPDNS(new Uint8Array(0))).toEqual({ messages: [], rest: 0 });
  });

  it('yields an empty message for a zero length prefix', () => {
    const { messages, rest } = splitTCPDNS(bytes(0, 0, ...u16(a.length), a));
    expect(messages.map((m) => m.length)).toEqual([0, 12]);
    expect(rest).toBe(0);
    expectError(decodeDNS(messages[0]!), 'DNS packet too short', true);
  });

  it('round-trips dns-packet stream encoding', () => {
    const one = dnsPacket.streamEncode({ type: 'query', id: 1, questions: [{ type: 'AAAA', name: 'example.org' }] });
    const two = dnsPacket.streamEncode({ type: 'query', id: 2, questions: [{ type: 'MX', name: 'example.org' }] });
    const { messages } = splitTCPDNS(Buffer.concat([one, two]));
    expect(messages.map((m) => decoded(m).id)).toEqual([1, 2]);
  });
});

describe('decodeDNS: compression-pointer amplification', () => {
  /** Question k is a 63-byte label then a pointer to question k-1, so it decodes to 64·(k+1) − 1 bytes. */
  function chain(questions: number): Uint8Array {
    const parts: number[] = [0, 1, 0, 0, questions >> 8, questions & 0xff, 0, 0, 0, 0, 0, 0];
    let previous = -1;
    for (let k = 0; k < questions; k++) {
      const start = parts.length;
      parts.push(63, ...new Array<number>(63).fill(0x61));
      if (previous < 0) parts.push(0);
      else parts.push(0xc0 | (previous >> 8), previous & 0xff);
      parts.push(0, 1, 0, 1);
      previous = start;
    }
    return Uint8Array.from(parts);
  }

  it('decodes a chain whose names stay under the 1 MiB budget', () => {
    // Σ 64·k for k = 1..150 ≈ 0.72 MiB.
    const m = decodeDNS(chain(150));
    expect(m).not.toBeInstanceOf(DecodeError);
    expect((m as DNSMessage).questions[149]!.name.length).toBe(64 * 150 - 1);
  });

  it('stops with an error once the names of one message pass 1 MiB', () => {
    // Σ 64·k for k = 1..200 ≈ 1.23 MiB, from a 14 KB message.
    const m = decodeDNS(chain(200));
    expect(m).toBeInstanceOf(DecodeError);
    expect((m as DecodeError).message).toBe('names decode to more than 1048576 bytes (compression-pointer amplification)');
  });
});
